"""The alerts' pages: "Alert me" from a search, /alerts (mine, and when mail comes), one alert's
page, pausing and deleting, the secret Atom feed and the one-click unsubscribe link."""
from __future__ import annotations

import hmac
import re
from functools import partial
from urllib.parse import urlencode

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import permissions
from app.alerts import services
from app.alerts.blueprint import bp
from app.alerts.forms import AlertForm, ScheduleForm
from app.alerts.notifications import read_unsubscribe_token
from app.alerts.telling import told
from app.auth.forms import ConfirmForm
from app.errors import render_error
from app.extensions import csrf, db
from app.models.accounts import User
from app.models.alerts import Alert, AlertKind, AlertMatch, AlertSchedule
from app.models.base import utcnow
from app.urls import site_url

FEED_SIZE = 50
PAGE_SIZE = 50
# Characters XML 1.0 cannot hold: left out of the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
BAD_LINK = ("This unsubscribe link is not one we sent, or it was cut short when it was copied. "
            "Nothing was changed. Log in and manage your alerts on your alerts page.")


def _own_alert(alert_id: int) -> Alert:
    alert = services.alert_of(current_user, alert_id)
    if alert is None:
        abort(404)
    return alert


def _search_page(kind: AlertKind | str | None, values: dict) -> str:
    """The search the alert comes from, to change it there."""
    endpoint = "gatherings.index" if str(kind) == AlertKind.GATHERINGS else "search.index"
    kept = {name: value for name, value in values.items() if value and name != "kind"}
    return url_for(endpoint) + ("?" + urlencode(kept) if kept else "")


@bp.get("/alerts")
@login_required
def index():
    alerts = services.alerts_of(current_user)
    # Saving an alert makes the schedule; until then the defaults are shown (a GET writes nothing).
    chosen = (db.session.get(AlertSchedule, current_user.id) or services.default_schedule(current_user)) \
        if alerts else None
    form = ScheduleForm(obj=chosen)
    return render_template("alerts/index.html", alerts=alerts, form=form, chosen=chosen,
                           describe=services.describe, action_form=ConfirmForm(),
                           zone=services.zone_name(current_user), zone_chosen=bool(current_user.time_zone),
                           at=partial(services.local_moment, current_user),
                           schedule_text=services.describe_schedule(current_user, chosen) if chosen else "",
                           max_alerts=services.MAX_ALERTS, can_keep=permissions.can_keep_alerts(current_user))


@bp.post("/alerts/schedule")
@login_required
def choose_schedule():
    form = ScheduleForm()
    if form.validate_on_submit():
        services.choose_schedule(current_user, services.schedule_of(current_user), form.frequency.data,
                                 form.hour.data, form.weekday.data)
        db.session.commit()
        flash("Saved. Your alert emails come " + services.describe_schedule(
            current_user, services.schedule_of(current_user)).lower()
            + f", {services.zone_name(current_user)} time.", "success")
    else:
        flash("Choose every day or once a week, and an hour.", "warning")
    return redirect(url_for(".index"))


@bp.route("/alerts/new", methods=["GET", "POST"])
def new():
    """GET: the search about to be saved (visitors are asked to log in, the search kept in the
    address they come back to); POST: save it."""
    form = AlertForm()
    values = form.search_values() if request.method == "POST" else {
        name: request.args.get(name, "") for name in services.SEARCH_PARAMS}
    problem, search = None, None
    try:
        search = services.read_search(values)
    except services.AlertError as error:
        problem = error.message
    back = _search_page(values.get("kind"), values)
    if not permissions.is_signed_in(current_user):
        if request.method == "POST":
            return redirect(url_for(".new", **{name: value for name, value in values.items() if value}))
        return render_template("alerts/log_in_first.html", search=search, problem=problem, back=back,
                               describe=services.describe, next_path=request.full_path)
    if not permissions.can_keep_alerts(current_user):
        return render_template("alerts/confirm_first.html", back=back), 403
    if request.method == "POST" and search is not None and form.validate_on_submit():
        try:
            alert = services.create_alert(current_user, search)
        except services.AlertError as error:
            db.session.rollback()
            problem = error.message
        else:
            db.session.commit()
            flash(f"Your alert is saved: {services.describe(alert)}. You will get an email "
                  f"{services.describe_schedule(current_user, services.schedule_of(current_user)).lower()} "
                  f"({services.zone_name(current_user)} time) when something new appears.", "success")
            return redirect(url_for(".index"))
    if search is not None and problem is None:
        for name, value in values.items():
            form[name].data = value
    return render_template("alerts/new.html", form=form, search=search, problem=problem, back=back,
                           describe=services.describe, count=services.count_of(current_user),
                           max_alerts=services.MAX_ALERTS)


@bp.get("/alerts/<int:alert_id>")
@login_required
def show(alert_id):
    alert = _own_alert(alert_id)
    ids = list(db.session.scalars(select(AlertMatch.item_id).where(AlertMatch.alert_id == alert.id)
                                  .order_by(AlertMatch.id.desc()).limit(PAGE_SIZE)))
    items = told(alert, ids, current_user.time_zone or None)
    host_slugs = {}
    if alert.kind is AlertKind.GATHERINGS and items:
        from app.gatherings.finding import host_slugs as slugs_of
        host_slugs = slugs_of([item.item for item in items])
    return render_template("alerts/show.html", alert=alert, items=items, describe=services.describe,
                           action_form=ConfirmForm(), host_slugs=host_slugs,
                           at=partial(services.local_moment, current_user),
                           feed_url=site_url("alerts.feed", alert_id=alert.id, token=alert.feed_token),
                           search_link=_search_page(alert.kind, services.search_link_values(alert)))


def _act(alert_id: int, change, message: str):
    """A button on /alerts or on the alert's page (which sends back=alert): change, then back there."""
    alert = _own_alert(alert_id)
    if ConfirmForm().validate_on_submit():
        change(alert)
        db.session.commit()
        flash(message, "success")
    if request.form.get("back") == "alert":
        return redirect(url_for(".show", alert_id=alert.id))
    return redirect(url_for(".index"))


@bp.post("/alerts/<int:alert_id>/pause")
@login_required
def pause(alert_id):
    return _act(alert_id, services.pause, "Alert paused: nothing new is looked for until you resume it.")


@bp.post("/alerts/<int:alert_id>/resume")
@login_required
def resume(alert_id):
    return _act(alert_id, services.resume, "Alert resumed: you will hear of what appears from now on.")


@bp.post("/alerts/<int:alert_id>/emails/on")
@login_required
def emails_on(alert_id):
    return _act(alert_id, lambda alert: services.set_emails(alert, True),
                "This alert's emails are on again.")


@bp.post("/alerts/<int:alert_id>/emails/off")
@login_required
def emails_off(alert_id):
    return _act(alert_id, lambda alert: services.set_emails(alert, False),
                "No more emails for this alert. It still shows here and in its feed.")


@bp.post("/alerts/<int:alert_id>/feed")
@login_required
def new_feed(alert_id):
    return _act(alert_id, services.new_feed_address,
                "This alert has a new feed address; the old one no longer works.")


@bp.route("/alerts/<int:alert_id>/delete", methods=["GET", "POST"])
@login_required
def delete(alert_id):
    """Asks on a page of its own, then deletes."""
    alert = _own_alert(alert_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_alert(alert)
        db.session.commit()
        flash("The alert is deleted.", "success")
        return redirect(url_for(".index"))
    return render_template("alerts/delete.html", alert=alert, form=form, describe=services.describe)


@bp.get("/alerts/<int:alert_id>/<token>.atom")
def feed(alert_id, token):
    """The alert's finds as Atom, at an address only its owner knows: what its search would list now."""
    alert = db.session.get(Alert, alert_id)
    if alert is None or not hmac.compare_digest(alert.feed_token.encode(), token.encode("utf-8", "replace")):
        abort(404)
    owner = db.session.get(User, alert.user_id)
    if owner is None or not owner.active:
        abort(404)
    rows = db.session.execute(select(AlertMatch.item_id, AlertMatch.matched_at).where(AlertMatch.alert_id == alert.id)
                              .order_by(AlertMatch.id.desc()).limit(FEED_SIZE)).all()
    when = {item_id: matched_at for item_id, matched_at in rows}
    items = told(alert, [item_id for item_id, _ in rows], owner.time_zone or None)
    self_url = site_url("alerts.feed", alert_id=alert.id, token=alert.feed_token)
    entries = [{"title": _xml(item.title), "summary": _xml(" — ".join(item.lines)), "url": item.url,
                "id": f"{self_url}#{item.kind}-{item.item_id}", "at": when[item.item_id]} for item in items]
    updated = max((entry["at"] for entry in entries), default=None) or alert.created_at or utcnow()
    xml = render_template("alerts/feed.xml", alert=alert, entries=entries, self_url=self_url,
                          title=_xml(f"{current_app.config['SITE_NAME']} alert: {services.describe(alert)}"),
                          updated=updated)
    response = Response(xml, mimetype="application/atom+xml")
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text or "")


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients POST it with no session (RFC 8058)
def unsubscribe(token):
    """GET asks (a link scanner must not unsubscribe anyone); POST stops these alerts' mail."""
    asked = read_unsubscribe_token(token)
    user = db.session.get(User, asked[0]) if asked else None
    if user is None:
        return render_error(400, BAD_LINK, title="This unsubscribe link does not work")
    alerts = list(db.session.scalars(select(Alert).where(Alert.id.in_(asked[1]), Alert.user_id == user.id)
                                     .order_by(Alert.id)))
    if request.method == "POST":
        for alert in alerts:
            services.set_emails(alert, False)
        db.session.commit()
        return render_template("alerts/unsubscribed.html", alerts=alerts, describe=services.describe)
    return render_template("alerts/unsubscribe.html", alerts=alerts, token=token, describe=services.describe)
