"""Pages for one's notifications, the choice of emails, and the one-click unsubscribe link."""
from collections.abc import Iterable

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.forms import ConfirmForm
from app.errors import render_error
from app.extensions import csrf, db
from app.models.accounts import User
from app.notifications import services
from app.notifications.forms import NotificationSettingsForm
from app.notifications.kinds import EXTENSION, Kind, KindTable, kinds
from app.notifications.unsubscribe import read_token
from app.params import page_number

bp = Blueprint("notifications", __name__)

BAD_LINK = ("This unsubscribe link is not one we sent, or it was cut short when it was copied. "
            "Nothing was changed. Log in and choose which emails you get on your notification "
            "settings page.")


@bp.get("/notifications")
@login_required
def index():
    page = db.paginate(services.page_query(current_user), page=page_number(), per_page=20,
                       error_out=False)
    return render_template("notifications/index.html", page=page, form=ConfirmForm())


@bp.post("/notifications/read")
@login_required
def mark_read():
    if ConfirmForm().validate_on_submit():
        services.mark_all_read(current_user)
        db.session.commit()
        flash("All notifications are marked as read.", "success")
    return redirect(url_for(".index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    offered = kinds().offered_to(current_user)
    form = NotificationSettingsForm.for_kinds(offered)
    if form.validate_on_submit():
        services.set_email_choices(current_user, {kind.name: form[kind.name].data
                                                  for kind in offered})
        db.session.commit()
        flash("Your choices were saved. You will still see every notification here.",
              "success")
        return redirect(url_for(".index"))
    if request.method == "GET" and not form.kept_text_shown:
        for kind, wanted in services.email_choices(current_user).items():
            if kind in form:
                form[kind].data = wanted
    return render_template("notifications/settings.html", form=form, kinds=offered)


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients POST it with no session (RFC 8058)
def unsubscribe(token):
    """GET asks (a link scanner must not unsubscribe anyone); POST turns the kind off."""
    asked = read_token(token)
    kind = kinds().get(asked.kind) if asked else None
    user = db.session.get(User, asked.user_id) if kind is not None else None
    if user is None or not kind.sends_mail:
        return render_error(400, BAD_LINK, title="This unsubscribe link does not work")
    if request.method == "POST":
        services.set_email_choice(user, kind.name, False)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", kind=kind)
    return render_template("notifications/unsubscribe.html", kind=kind, token=token)


def nav_counts() -> dict:
    """Unread notifications, for the navigation on every page."""
    if not (current_user and current_user.is_authenticated):
        return {}
    return {"unread_notifications": services.unread_count(current_user)}


def init_app(app: Flask, declared: Iterable[Kind]) -> None:
    """The pages, the nav counter, and the table of kinds the features declared."""
    app.extensions[EXTENSION] = KindTable(declared)
    app.register_blueprint(bp)
    app.context_processor(nav_counts)
