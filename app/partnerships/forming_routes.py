"""Forming partnerships: the request board (list, post your own, close it), each request's page with
the people whose requests fit it, inviting someone (from their profile or a request) and answering
an invitation."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app import permissions
from app.auth.forms import ConfirmForm
from app.extensions import db
from app.gatherings import times
from app.models.accounts import User
from app.models.directory import FocusArea, LeaderProfile
from app.models.partnerships import PartnerRequest
from app.params import page_number
from app.partnerships import board, forming, members, suggestions
from app.partnerships.blueprint import bp
from app.partnerships.forms import InviteForm, RequestForm, zone_choices
from app.partnerships.members import Full, Refused


# The request board ------------------------------------------------------------------------

def _areas() -> list[FocusArea]:
    return list(db.session.scalars(select(FocusArea).where(FocusArea.official.is_(True)).order_by(FocusArea.name)))


@bp.get("/partnerships/requests")
@login_required
def requests():
    areas = _areas()
    chosen = request.args.get("focus_area", "")
    area = next((item for item in areas if item.slug == chosen), None)
    online = request.args.get("online") == "1"
    listing = db.paginate(board.board_query(area, online), page=page_number(), per_page=board.PER_PAGE,
                          error_out=False)
    return render_template("partnerships/requests.html", listing=listing, areas=areas, area=area,
                           online=online, mine=board.requests_of(current_user),
                           can_use=permissions.can_use_partnerships(current_user), zone_city=times.zone_city)


@bp.route("/partnerships/requests/new", methods=["GET", "POST"])
@login_required
def new_request():
    form = RequestForm()
    form.time_zone.choices = zone_choices(current_user.time_zone)
    form.focus_areas.choices = [(area.slug, area.name) for area in _areas()]
    profile = board.profile_point(current_user)
    if not permissions.can_use_partnerships(current_user):
        flash("Confirm your email address first: the link is in the mail we sent you.", "error")
        return redirect(url_for(".requests"))
    if form.validate_on_submit():
        try:
            made = board.post(current_user, form.wanted())
        except Refused as refused:
            db.session.rollback()
            form.form_errors.append(str(refused))
        else:
            made_id = made.id
            db.session.commit()
            flash("Your request is on the board. Below are people whose requests fit yours: invite "
                  "them from here, or wait to be invited.", "success")
            return redirect(url_for(".request_page", request_id=made_id))
    elif request.method == "GET" and not form.kept_text_shown:
        form.time_zone.data = current_user.time_zone or ""
        if profile is not None:
            form.place_from.data = "profile"
            form.languages.data = profile.languages
    return render_template("partnerships/request_form.html", form=form, profile=profile), \
        422 if form.form_errors else 200


def _request_or_404(request_id: int) -> PartnerRequest:
    found = db.session.get(PartnerRequest, request_id)
    if found is None or not permissions.can_view_partner_request(current_user, found):
        abort(404)
    return found


@bp.get("/partnerships/requests/<int:request_id>")
def request_page(request_id):
    found = _request_or_404(request_id)
    mine = found.user_id == current_user.id
    return render_template(
        "partnerships/request.html", item=found, mine=mine,
        suggested=board.suggest(found) if mine and found.state.value == "open" else [],
        distance_words=suggestions.distance_words, hours_words=suggestions.hours_words,
        zone_city=times.zone_city, confirm=ConfirmForm(),
        can_invite=not mine and permissions.can_invite_partner(current_user, found.user))


@bp.post("/partnerships/requests/<int:request_id>/close")
def close_request(request_id):
    found = _request_or_404(request_id)
    if found.user_id != current_user.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if board.close(current_user, found):
            db.session.commit()
            flash("Your request is closed: it is no longer on the board.", "success")
    return redirect(url_for(".index"))


# Inviting ----------------------------------------------------------------------------------

@bp.route("/partnerships/invite/<int:user_id>", methods=["GET", "POST"])
@login_required
def invite(user_id):
    person = db.session.get(User, user_id)
    if person is None or person.id == current_user.id or not forming.can_be_invited(person):
        abort(404)
    if not permissions.can_invite_partner(current_user, person):
        return render_template("partnerships/confirm_first.html"), 403
    form = InviteForm()
    open_ones = [item for item in forming.open_to_invite(current_user) if not members.is_partner(item, person)]
    form.into.choices = [("new", "A new partnership")] + [
        (str(item.id), "Ours with " + ", ".join(people.display_name for people in members.current_people(item)
                                               if people.id != current_user.id) if item.partner_count > 1
         else f"The partnership I started on {item.created_at:%-d %B %Y}, still waiting for partners")
        for item in open_ones]
    if form.validate_on_submit():
        chosen = None
        if form.into.data != "new":
            chosen = next((item for item in open_ones if str(item.id) == form.into.data), None)
            if chosen is None:
                form.into.errors.append("Choose one of your partnerships that is still forming, or a new one.")
        if not form.into.errors:
            try:
                invitation = forming.invite(current_user, person, chosen, form.message.data or "")
            except Refused as refused:
                db.session.rollback()
                form.form_errors.append(str(refused))
            else:
                partnership_id = invitation.partnership_id
                db.session.commit()
                flash(f"Your invitation is on its way to {person.display_name}. You will hear when they answer.",
                      "success")
                return redirect(url_for(".show", partnership_id=partnership_id))
    profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.user_id == person.id,
                                                            LeaderProfile.is_public))
    return render_template("partnerships/invite.html", person=person, form=form, profile=profile), \
        422 if (form.form_errors or form.into.errors) else 200


def _invitation_or_404(invitation_id: int):
    found = forming.invitation_for(current_user, invitation_id) if current_user.is_authenticated else None
    if found is None:
        abort(404)
    return found


@bp.post("/partnerships/invitations/<int:invitation_id>/accept")
def accept(invitation_id):
    invitation = _invitation_or_404(invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            partnership = forming.accept(current_user, invitation)
        except Full as full:
            db.session.rollback()
            flash(str(full), "error")
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            partnership_id = partnership.id
            db.session.commit()
            flash("Welcome to the partnership. Start with the opening: answer its questions and read "
                  "its agreement.", "success")
            return redirect(url_for(".show", partnership_id=partnership_id))
    return redirect(url_for(".index"))


@bp.post("/partnerships/invitations/<int:invitation_id>/decline")
def decline(invitation_id):
    invitation = _invitation_or_404(invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            forming.decline(current_user, invitation)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            db.session.commit()
            flash("You declined the invitation; we let them know.", "success")
    return redirect(url_for(".index"))

