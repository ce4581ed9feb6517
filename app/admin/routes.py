"""Admin pages: find people, change roles, deactivate and reactivate accounts."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import permissions
from app.admin import services
from app.admin.forms import RoleForm
from app.auth.forms import ConfirmForm
from app.extensions import db
from app.models.accounts import Role, User
from app.params import page_number


bp = Blueprint("users", __name__, url_prefix="/users")  # inside admin (blueprint.py)


@bp.before_request
def require_user_admin():
    if not permissions.can_manage_users(current_user):
        abort(403)


@bp.get("")
def index():
    search = request.args.get("q", "")[:200]
    role = request.args.get("role", "")
    page = db.paginate(services.users_query(search, role), page=page_number(), per_page=25,
                       error_out=False)
    return render_template("admin/users.html", page=page, search=search, role=role, roles=Role)


@bp.get("/<int:user_id>")
def user(user_id):
    target = db.get_or_404(User, user_id)
    form = RoleForm(role=target.role.value)
    return render_template("admin/user.html", target=target, form=form,
                           confirm_form=ConfirmForm())


@bp.post("/<int:user_id>/role")
def change_role(user_id):
    target = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.change_role(current_user, target, Role(form.role.data))
        except services.AdminError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{target.display_name} is now {target.role.label.lower()}.", "success")
    else:
        flash("Choose one of the listed roles.", "error")
    return redirect(url_for("admin.users.user", user_id=target.id))


@bp.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate(user_id):
    target = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.deactivate(current_user, target)
        except services.AdminError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{target.display_name}'s account is deactivated and they are logged out.",
                  "success")
        return redirect(url_for("admin.users.user", user_id=target.id))
    return render_template("admin/deactivate.html", target=target, form=form)


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id):
    target = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        services.reactivate(target)
        db.session.commit()
        flash(f"{target.display_name}'s account is active again.", "success")
    return redirect(url_for("admin.users.user", user_id=target.id))
