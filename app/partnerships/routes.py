"""A partnership's own pages: the room (who is in it, the opening, the next meeting, the
conversation, the timeline), writing to the partners, check-ins, pausing, resuming, leaving; and
/partnerships, a person's own partnerships, invitations and requests. Every page of a
partnership answers 404 to anyone but its current partners, admins included."""
from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import permissions
from app.auth.forms import ConfirmForm
from app.database import get_or_create
from app.extensions import db
from app.forum import drafts, posting, reading
from app.forum import telling as forum_telling
from app.forum.drawing import MessageView
from app.forum.forms import MessageForm
from app.gatherings import times
from app.gatherings.display import viewer_zone
from app.models.forum import ForumPost
from app.models.gatherings import Gathering
from app.models.partnerships import Partnership, PartnershipChoice, PartnershipState
from app.params import page_number, whole_number
from app.partnerships import board, forming, lifecycle, meetings, members, opening, space, timeline
from app.partnerships.blueprint import bp
from app.partnerships.forms import CheckInForm, ShowCountForm
from app.partnerships.members import Refused


def viewable(partnership_id: int) -> Partnership:
    """The partnership, for one of its current partners; 404 for everyone else."""
    found = db.session.get(Partnership, partnership_id)
    if found is None or not permissions.can_view_partnership(current_user, found):
        abort(404)
    return found


# Mine ------------------------------------------------------------------------------------

@bp.get("/partnerships")
@login_required
def index():
    mine = members.partnerships_of(current_user)
    order = [PartnershipState.OPENING, PartnershipState.FORMING, PartnershipState.ACTIVE,
             PartnershipState.PAUSED, PartnershipState.CLOSED]
    grouped = {state: [item for item in mine if item.state == state] for state in order}
    choice = db.session.get(PartnershipChoice, current_user.id)
    invitations = forming.waiting_for(current_user)
    return render_template(
        "partnerships/index.html", grouped=grouped, any_partnership=bool(mine),
        partners={item.id: members.current_people(item) for item in mine},
        invitations=invitations, requests=board.requests_of(current_user), zone_city=times.zone_city,
        # The partners besides the one who invites (already named on its own).
        invited_with={invitation.id: [person.display_name for person in members.current_people(invitation.partnership)
                                      if person.id != invitation.from_id]
                      for invitation in invitations},
        confirm=ConfirmForm(), show_form=ShowCountForm(formdata=None, show_count=bool(choice and choice.show_count)),
        shown_count=members.count_for_profile(current_user),
        can_use=permissions.can_use_partnerships(current_user))


@bp.post("/partnerships/profile")
@login_required
def profile_choice():
    form = ShowCountForm()
    if form.validate_on_submit():
        choice = get_or_create(PartnershipChoice, lambda: PartnershipChoice(user_id=current_user.id),
                               user_id=current_user.id)
        choice.show_count = bool(form.show_count.data)
        db.session.commit()
        flash("Your profile now says how many learning partnerships you are in (never with whom)."
              if form.show_count.data else "Your profile no longer mentions your learning partnerships.",
              "success")
    return redirect(url_for(".index"))


# The room --------------------------------------------------------------------------------

@bp.get("/partnerships/<int:partnership_id>")
def show(partnership_id):
    partnership = viewable(partnership_id)
    partners = members.current_members(partnership)
    upcoming = meetings.upcoming_meeting(partnership)
    convener = None
    if upcoming is not None:
        convener = next((member.user for member in partners if member.user_id == upcoming.host_id), None)
    elif partnership.state == PartnershipState.ACTIVE and partnership.has_rhythm:
        following = meetings.next_convener(partnership)
        convener = following.user if following else None
    agreement = opening.current_agreement(partnership)
    thread = space.thread_of(partnership)
    discussion = None
    if thread is not None:
        page = reading.thread_page(thread, current_user, page_number())
        shown = [page.opening] + _flatten(page.nodes)
        appreciated, bookmarked = reading.viewer_marks(current_user, shown)
        discussion = {"thread": thread, "page": page, "view": MessageView(thread),
                      "appreciated": appreciated, "bookmarked": bookmarked,
                      "follow_ticked": forum_telling.reply_box_ticked(current_user, thread),
                      "following": forum_telling.is_following(current_user, thread),
                      "reply_form": _message_form(thread, page.opening)}
    waiting = meetings.waiting_check_in(partnership, current_user)
    return render_template(
        "partnerships/show.html", partnership=partnership, partners=partners, upcoming=upcoming,
        convener=convener, rhythm=meetings.describe(partnership),
        progress=opening.progress(partnership), agreement=agreement,
        accepted=opening.accepted_by(agreement), questions=opening.questions_of(partnership),
        invitations=forming.waiting_in(partnership), discussion=discussion,
        first_form=None if thread is not None else _message_form(None, None),
        waiting_check_in=waiting, check_in_form=CheckInForm(formdata=None) if waiting else None,
        lines=timeline.lines(partnership), confirm=ConfirmForm(), zone=viewer_zone())


def _flatten(nodes) -> list:
    out = []
    for node in nodes:
        out.append(node.post)
        out.extend(_flatten(node.children))
    return out


def _message_form(thread, parent) -> MessageForm:
    form = MessageForm(formdata=None)
    form.form_token.data = secrets.token_urlsafe(24)
    if thread is not None and parent is not None:
        draft = drafts.load(current_user, drafts.reply_place(thread.id, parent.id))
        if draft is not None:
            form.body.data = draft.body
        form.follow.data = forum_telling.reply_box_ticked(current_user, thread)
    return form


@bp.get("/partnerships/discussions/<int:thread_id>")
def from_thread(thread_id):
    """Where the forum sends a private thread's links (a reply's permalink, its mail): the room,
    at the message."""
    found = space.partnership_of_thread(thread_id)
    if found is None or not permissions.can_view_partnership(current_user, found):
        abort(404)
    post_id = whole_number(request.args.get("post"))
    anchor, page = "#conversation", None
    if post_id:
        post = db.session.get(ForumPost, post_id)
        if post is not None and post.thread_id == thread_id:
            anchor = f"#post-{post.id}"
            number = reading.page_of(post)
            page = number if number > 1 else None
    return redirect(url_for(".show", partnership_id=found.id, page=page) + anchor)


@bp.post("/partnerships/<int:partnership_id>/conversation")
def write(partnership_id):
    """A message to the partners (the first starts the conversation; replies to a message go
    through the forum's own reply page and box)."""
    partnership = viewable(partnership_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            message = space.write(partnership, current_user, form.body.data or "",
                                  accepted_guidelines=bool(form.accept_guidelines.data),
                                  form_token=form.form_token.data or None, follow=bool(form.follow.data))
        except (posting.Refused, Refused) as refused:
            db.session.rollback()
            for text in getattr(refused, "messages", [str(refused)]):
                flash(text, "error")
            return redirect(url_for(".show", partnership_id=partnership_id) + "#conversation")
        message_id = message.id
        db.session.commit()
        return redirect(url_for(".show", partnership_id=partnership_id) + f"#post-{message_id}")
    return redirect(url_for(".show", partnership_id=partnership_id) + "#conversation")


# Check-ins -------------------------------------------------------------------------------

@bp.route("/partnerships/<int:partnership_id>/meetings/<int:gathering_id>/check-in", methods=["GET", "POST"])
def check_in(partnership_id, gathering_id):
    partnership = viewable(partnership_id)
    meeting = db.session.get(Gathering, gathering_id)
    if meeting is None or meeting.partnership_id != partnership.id:
        abort(404)
    form = CheckInForm()
    if form.validate_on_submit():
        met = {"yes": True, "no": False}.get(form.met.data or "")
        try:
            meetings.check_in(partnership, current_user, meeting, met, form.note.data or "")
        except Refused as refused:
            db.session.rollback()
            form.form_errors.append(str(refused))
        else:
            db.session.commit()
            flash("Thank you: your check-in is on the timeline.", "success")
            return redirect(url_for(".show", partnership_id=partnership_id) + "#timeline")
    return render_template("partnerships/check_in.html", partnership=partnership, meeting=meeting,
                           form=form), 422 if form.form_errors else 200


# No owner: pause, resume, leave -------------------------------------------------------------

@bp.route("/partnerships/<int:partnership_id>/pause", methods=["GET", "POST"])
def pause(partnership_id):
    partnership = viewable(partnership_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            done = lifecycle.pause(partnership, current_user)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash("The partnership is paused: the coming meeting is cancelled, and your partners "
                  "have been told. Any of you can resume it." if done else "It was paused already.",
                  "success")
        return redirect(url_for(".show", partnership_id=partnership_id))
    return render_template("partnerships/confirm.html", partnership=partnership, form=form, step="pause")


@bp.post("/partnerships/<int:partnership_id>/resume")
def resume(partnership_id):
    partnership = viewable(partnership_id)
    if ConfirmForm().validate_on_submit():
        try:
            done = lifecycle.resume(partnership, current_user)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash("The partnership is active again." if done else "It was not paused.", "success")
    return redirect(url_for(".show", partnership_id=partnership_id))


@bp.route("/partnerships/<int:partnership_id>/leave", methods=["GET", "POST"])
def leave(partnership_id):
    partnership = viewable(partnership_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            closed = lifecycle.leave(partnership, current_user)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "error")
            return redirect(url_for(".show", partnership_id=partnership_id))
        db.session.commit()
        flash("You left the partnership" + (": with fewer than two partners it has closed." if closed
                                            else ". Your partners have been told."), "success")
        return redirect(url_for(".index"))
    return render_template("partnerships/confirm.html", partnership=partnership, form=form, step="leave",
                           closing=partnership.partner_count <= 2)
