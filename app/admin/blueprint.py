"""The admin area, /admin: one blueprint holding two, each checking its own rule once for all of
its pages (people: routes.py, permissions.can_manage_users; the directory: directory_routes.py,
permissions.can_manage_directory). Someone not signed in is asked to log in first."""
from flask import Blueprint
from flask_login import login_required

from app.admin import directory_routes, routes

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.register_blueprint(routes.bp)
bp.register_blueprint(directory_routes.bp)


@bp.before_request
@login_required
def require_login():
    """Runs before the inner blueprint's own check, so that check sees a signed-in person."""
