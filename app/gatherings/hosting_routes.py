"""The hosts' pages: the attendee list and its CSV file, answers to RSVP requests, and messages
to the attendees. Each asks to log in, is 404 for a gathering that is not there and 403 for
people who may not manage it."""
from __future__ import annotations

from urllib.parse import quote

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.extensions import db, limiter
from app.gatherings import display, hosting
from app.gatherings.blueprint import bp
from app.gatherings.hosting_forms import AnswerForm, MessageForm
from app.gatherings.routes import managed
from app.models.gatherings import Gathering, Rsvp


def _message_limit() -> str:
    # A ceiling on requests; the pace people meet (3 per gathering, 10 per host a day) is the service's.
    return current_app.config["GATHERING_MESSAGE_RATE_LIMIT"]


def _per_person() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return request.remote_addr or "unknown"


def _zone(gathering: Gathering) -> str:
    """Times on these pages: in the zone of the person's account, else the gathering's own."""
    return display.viewer_zone() or gathering.time_zone


# The attendee list -------------------------------------------------------------------------

@bp.get("/gatherings/<int:gathering_id>/attendees")
@login_required
def attendees(gathering_id):
    gathering = managed(gathering_id)
    zone = _zone(gathering)
    return render_template(
        "gatherings/attendees.html", gathering=gathering, people=hosting.attendee_list(gathering),
        zone=zone, own_zone=display.viewer_zone() is not None, iso=hosting.iso_utc,
        moment=lambda utc: hosting.moment_label(utc, zone))


@bp.get("/gatherings/<int:gathering_id>/attendees.csv")
@login_required
def attendees_csv(gathering_id):
    gathering = managed(gathering_id)
    ascii_name, full_name = hosting.csv_file_names(gathering)
    response = make_response(hosting.attendees_csv(gathering))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(full_name)}')
    return response


@bp.post("/gatherings/<int:gathering_id>/requests/<int:rsvp_id>")
@login_required
def answer_request(gathering_id, rsvp_id):
    gathering = managed(gathering_id)
    rsvp = db.session.get(Rsvp, rsvp_id)
    if rsvp is None or rsvp.gathering_id != gathering.id:
        abort(404)
    back = url_for("gatherings.attendees", gathering_id=gathering.id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash("Choose Approve or Decline.", "error")
        return redirect(back)
    name = rsvp.user.display_name
    try:
        answered = hosting.answer_request(rsvp, current_user, form.decision.data)
    except hosting.Refused as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    flash(_answered(name, str(answered.status)), "success")
    return redirect(back)


def _answered(name: str, status: str) -> str:
    return {"going": f"{name} is going.",
            "waitlisted": f"{name} is on the waitlist: the gathering is full.",
            "offered": f"{name} is offered a place.",
            "declined": f"You declined {name}'s request."}.get(status, f"{name}'s answer is unchanged.")


# Messages to the attendees -----------------------------------------------------------------

@bp.route("/gatherings/<int:gathering_id>/message", methods=["GET", "POST"])
@login_required
@limiter.limit(_message_limit, key_func=_per_person, methods=["POST"])
def message(gathering_id):
    gathering = managed(gathering_id)
    form = MessageForm()
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            sent = hosting.message_attendees(gathering, current_user, form.subject.data,
                                             form.body.data, form.recipients.data)
        except hosting.TooMany as error:
            db.session.rollback()
            again = hosting.moment_label(error.again_at, _zone(gathering))
            problem, status = f"{error} You can send it from {again}.", 429
        except hosting.Refused as error:
            db.session.rollback()
            form.form_errors.extend(error.messages)
            status = 422
        else:
            db.session.commit()
            count = sent.message.recipients
            flash(f"Your message was sent already: {count} {'person' if count == 1 else 'people'} "
                  "got it once." if sent.again else
                  f"Your message is on its way to {count} {'person' if count == 1 else 'people'}.",
                  "success")
            return redirect(url_for("gatherings.attendees", gathering_id=gathering.id))
    counts = hosting.recipient_counts(gathering)
    form.recipients.choices = [SelectChoice(choice.value, f"{choice.label} ({counts[choice]})")
                               for choice in hosting.Recipients]
    zone = _zone(gathering)
    return render_template(
        "gatherings/message.html", gathering=gathering, form=form, problem=problem,
        left=hosting.messages_left(gathering, current_user), sent=hosting.sent_messages(gathering),
        moment=lambda utc: hosting.moment_label(utc, zone), iso=hosting.iso_utc,
        limits=(hosting.PER_GATHERING, hosting.PER_HOST)), status
