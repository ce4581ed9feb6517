"""A gathering's own pages: the page, new, edit, publish, cancel, RSVP, claim, join."""
from flask import abort, render_template
from flask_login import current_user

from app import permissions
from app.extensions import db
from app.gatherings import joining
from app.gatherings.blueprint import bp
from app.models.gatherings import Gathering


def _viewable(gathering_id: int) -> Gathering:
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not permissions.can_view_gathering(current_user, gathering):
        abort(404)
    return gathering


@bp.get("/gatherings/<int:gathering_id>")
def show(gathering_id):
    gathering = _viewable(gathering_id)
    rsvp = joining.rsvp_of(current_user, gathering)
    return render_template("gatherings/show.html", gathering=gathering, rsvp=rsvp)
