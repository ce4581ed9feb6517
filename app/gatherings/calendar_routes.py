"""Calendar files: one gathering's .ics, the public feed, a person's own feed at its secret
address, and the page where they find (and reset) that address."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import permissions
from app.database import writes_on_get
from app.extensions import db
from app.forms import Form
from app.gatherings import calendar, joining
from app.gatherings.blueprint import bp
from app.models.gatherings import Gathering
from app.urls import site_url

CONTENT_TYPE = "text/calendar; charset=utf-8"


class ResetFeedForm(Form):
    """The "Reset the address" button: a CSRF token and nothing to type."""


def _calendar_response(body: bytes, filename: str, cache_control: str | None = None) -> Response:
    response = Response(body, content_type=CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if cache_control:
        response.headers["Cache-Control"] = cache_control
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/gatherings/<int:gathering_id>.ics")
def ics(gathering_id):
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or not permissions.can_view_gathering(current_user, gathering):
        abort(404)
    body = calendar.gathering_file(gathering, joining.rsvp_of(current_user, gathering))
    # (Cache-Control: the site's own, no-store for someone logged in: their copy may be personal.)
    return _calendar_response(body, calendar.filename(gathering))


@bp.get("/gatherings/feed.ics")
def feed():
    return _calendar_response(calendar.public_feed(), "leaders-network-gatherings.ics",
                              "public, max-age=300")


@bp.get("/gatherings/calendar/<secret>.ics")
def personal_feed(secret):
    owner = calendar.owner_of(secret)
    if owner is None:
        abort(404)
    response = _calendar_response(calendar.personal_feed(owner), "my-gatherings.ics",
                                  "private, no-cache")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/gatherings/calendar", methods=["GET", "POST"])
@login_required
@writes_on_get(when=lambda: True)  # the first visit makes the person's feed address
def calendar_settings():
    form = ResetFeedForm()
    if form.validate_on_submit():
        calendar.reset_feed(current_user)
        db.session.commit()
        flash("Your calendar address is new: the old one no longer works. "
              "Subscribe again with the address below.", "success")
        return redirect(url_for("gatherings.calendar_settings"))
    feed = calendar.feed_of(current_user)
    db.session.commit()
    address = site_url("gatherings.personal_feed", secret=feed.secret)
    return render_template(
        "gatherings/calendar.html", form=form, address=address,
        webcal="webcal://" + address.split("://", 1)[1],
        going=joining.going_to(current_user))
