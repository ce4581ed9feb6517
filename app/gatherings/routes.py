"""A gathering's own pages: the page, new, edit, publish, cancel, delete a draft, RSVP, claim an
offered place, the personal join address, and "your gatherings"."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import permissions
from app.extensions import db
from app.gatherings import covers, joining, services
from app.gatherings.blueprint import bp
from app.gatherings.display import viewer_zone
from app.gatherings.forms import CancelForm, ConfirmForm, GatheringForm, RsvpForm
from app.models.base import utcnow
from app.models.gatherings import Gathering, RsvpStatus, State


def _viewable(gathering_id: int, *, answering: bool = False) -> Gathering | joining.Held:
    """The gathering if this person may see it, else 404; answering: what the answer reads of
    it, read and held in one statement (joining.hold)."""
    gathering = joining.hold(gathering_id) if answering else db.session.get(Gathering, gathering_id)
    if gathering is None or not permissions.can_view_gathering(current_user, gathering):
        abort(404)
    return gathering


def managed(gathering_id: int) -> Gathering:
    """The gathering, for those who manage it: 404 when they may not see it (none, or someone
    else's draft), 403 for everyone else who may not manage it (the hosts' pages use it too)."""
    gathering = _viewable(gathering_id)
    if not permissions.can_manage_gathering(current_user, gathering):
        abort(403)
    return gathering


@bp.get("/gatherings/<int:gathering_id>")
def show(gathering_id):
    gathering = _viewable(gathering_id)
    rsvp = joining.rsvp_of(current_user, gathering)
    hosting = permissions.is_gathering_host(current_user, gathering)
    going = rsvp is not None and rsvp.status == RsvpStatus.GOING
    return render_template(
        "gatherings/show.html", gathering=gathering, rsvp=rsvp, hosting=hosting,
        manages=permissions.can_manage_gathering(current_user, gathering),
        can_rsvp=permissions.can_rsvp(current_user, gathering),
        sees_link=permissions.can_see_meeting_link(current_user, gathering, rsvp),
        names=joining.shown_names(gathering) if (going or hosting) else [],
        position=_waitlist_position(rsvp) if rsvp is not None and rsvp.status == RsvpStatus.WAITLISTED else None,
        rsvp_form=RsvpForm(formdata=None, show_name=rsvp.show_name if rsvp else True),
        confirm_form=ConfirmForm(formdata=None), others=_other_dates(gathering),
        deadline_passed=gathering.rsvp_deadline is not None and gathering.rsvp_deadline < utcnow(),
        host_slugs=_profile_slugs([gathering.host_id, *(person.id for person in gathering.cohosts)]),
        venue_map=_venue_map(gathering),
        offered_count=_count(gathering, RsvpStatus.OFFERED),
    )


def _count(gathering: Gathering, status: RsvpStatus) -> int:
    from sqlalchemy import func, select
    from app.models.gatherings import Rsvp
    return db.session.scalar(select(func.count()).select_from(Rsvp).where(
        Rsvp.gathering_id == gathering.id, Rsvp.status == status)) or 0


def _profile_slugs(user_ids: list[int]) -> dict[int, str]:
    """{user id: profile slug} for the hosts whose leader profile is public."""
    from sqlalchemy import select
    from app.models.directory import LeaderProfile
    return {user_id: slug for user_id, slug in db.session.execute(
        select(LeaderProfile.user_id, LeaderProfile.slug).where(
            LeaderProfile.user_id.in_(user_ids), LeaderProfile.is_public))}


def _venue_map(gathering: Gathering) -> dict | None:
    """The venue's point for the page's map (public by nature), and the words under it."""
    if not gathering.mode.in_person or gathering.lat is None or gathering.lng is None:
        return None
    return {"tiles": {"url": current_app.config["MAP_TILE_URL"],
                      "attribution": current_app.config["MAP_TILE_ATTRIBUTION"]},
            "lat": gathering.lat, "lng": gathering.lng, "radius_km": None,
            "text": f"{gathering.venue_name}, {gathering.place_name or gathering.address}"}


@bp.get("/gatherings/covers/<name>")
def cover(name):
    found = covers.gathering_with_cover(name) if covers.NAME.match(name) else None
    if found is None or not permissions.can_view_gathering(current_user, found):
        abort(404)
    return covers.send_cover(name, everyone=found.state != State.DRAFT)


def _waitlist_position(rsvp) -> int:
    from sqlalchemy import func, select, tuple_
    from app.models.gatherings import Rsvp
    return 1 + (db.session.scalar(select(func.count()).select_from(Rsvp).where(
        Rsvp.gathering_id == rsvp.gathering_id, Rsvp.status == RsvpStatus.WAITLISTED,
        tuple_(Rsvp.queued_at, Rsvp.id) < tuple_(rsvp.queued_at, rsvp.id))) or 0)


def _other_dates(gathering: Gathering) -> list[Gathering]:
    """The series' next occurrences after this one (at most 6), for its page."""
    if gathering.series_id is None:
        return []
    from sqlalchemy import select
    return list(db.session.scalars(
        select(Gathering).where(Gathering.series_id == gathering.series_id,
                                Gathering.id != gathering.id, Gathering.ends_at > utcnow(),
                                Gathering.state != State.DRAFT)
        .order_by(Gathering.starts_at).limit(6)))


@bp.route("/gatherings/new", methods=["GET", "POST"])
@login_required
def new():
    if not permissions.can_host_gathering(current_user):
        return render_template("gatherings/cannot_host.html"), 403
    form = GatheringForm()
    form.load_choices(current_user.time_zone)
    if form.validate_on_submit():
        publish = "publish" in request.form
        try:
            made = services.create(current_user, form.details(), publish=publish)
            if form.cover.data:
                covers.set_cover(made, covers.store(form.cover.data))
        except (services.Refused, covers.CoverError) as refused:
            db.session.rollback()
            form.form_errors.extend(getattr(refused, "messages", [str(refused)]))
        else:
            db.session.commit()
            first = made[0]
            many = f" ({len(made)} dates)" if len(made) > 1 else ""
            flash(f"“{first.title}” is published{many}." if publish else
                  f"“{first.title}” is saved as a draft{many}: publish it when it is ready.", "success")
            return redirect(url_for(".show", gathering_id=first.id))
    return render_template("gatherings/form.html", form=form, gathering=None)


@bp.route("/gatherings/<int:gathering_id>/edit", methods=["GET", "POST"])
@login_required
def edit(gathering_id):
    gathering = managed(gathering_id)
    if not permissions.can_edit_gathering(current_user, gathering):
        flash("A gathering that is over or cancelled can no longer be changed.", "error")
        return redirect(url_for(".show", gathering_id=gathering.id))
    form = GatheringForm()
    form.load_choices()
    if request.method == "GET" and not form.kept_text_shown:
        form.fill(services.details_of(gathering))
        form.version.data = str(gathering.version)
    if form.validate_on_submit():
        try:
            version = int(form.version.data) if (form.version.data or "").isdigit() else None
            changed = services.update(gathering, current_user, form.details(), version=version,
                                      scope=form.scope.data or "this")
            if form.cover.data:
                covers.set_cover(changed, covers.store(form.cover.data))
            elif form.remove_cover.data:
                covers.set_cover(changed, None)
        except (services.Refused, covers.CoverError) as refused:
            db.session.rollback()
            form.form_errors.extend(getattr(refused, "messages", [str(refused)]))
            if isinstance(refused, services.Conflict):
                form.version.data = str(db.session.get(Gathering, gathering_id).version)
        else:
            db.session.commit()
            flash(f"Saved ({len(changed)} dates)." if len(changed) > 1 else "Saved.", "success")
            return redirect(url_for(".show", gathering_id=gathering.id))
    return render_template("gatherings/form.html", form=form, gathering=gathering)


@bp.post("/gatherings/<int:gathering_id>/publish")
@login_required
def publish(gathering_id):
    gathering = managed(gathering_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            done = services.publish(gathering, current_user, scope=form.scope.data or "this")
        except services.Refused as refused:
            db.session.rollback()
            flash(" ".join(refused.messages), "error")
        else:
            db.session.commit()
            flash("Published: people can find it and answer now." if done else
                  "It was published already.", "success")
    return redirect(url_for(".show", gathering_id=gathering.id))


@bp.route("/gatherings/<int:gathering_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(gathering_id):
    gathering = managed(gathering_id)
    form = CancelForm()
    if gathering.state == State.CANCELLED:
        flash("This gathering is cancelled already.", "info")
        return redirect(url_for(".show", gathering_id=gathering.id))
    if form.validate_on_submit():
        try:
            if gathering.state == State.DRAFT:
                services.delete_draft(gathering, current_user)
                db.session.commit()
                flash("The draft is deleted.", "success")
                return redirect(url_for(".mine"))
            done = services.cancel(gathering, current_user, form.reason.data or "",
                                   scope=form.scope.data or "this")
        except services.Refused as refused:
            db.session.rollback()
            form.form_errors.extend(refused.messages)
        else:
            db.session.commit()
            flash(f"Cancelled ({len(done)} dates); the people coming have been told." if len(done) > 1
                  else "Cancelled; the people coming have been told.", "success")
            return redirect(url_for(".show", gathering_id=gathering.id))
    return render_template("gatherings/cancel.html", form=form, gathering=gathering)


@bp.post("/gatherings/<int:gathering_id>/rsvp")
@login_required
def rsvp(gathering_id):
    gathering = _viewable(gathering_id, answering=True)
    form = RsvpForm()
    if form.validate_on_submit():
        going = form.going.data == "1"
        try:
            answer = joining.answer(current_user, gathering, going, show_name=bool(form.show_name.data))
        except joining.NotAllowed as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            said = _said(answer)  # read before the commit expires the row
            db.session.commit()
            flash(said, "success")
    else:
        flash("That answer could not be sent; please try again.", "error")
    return redirect(url_for(".show", gathering_id=gathering_id) + "#rsvp")


def _said(answer) -> str:
    return {
        RsvpStatus.GOING: "You're going. The join address is on this page and in your calendar file.",
        RsvpStatus.WAITLISTED: "It is full: you are on the waitlist. If a place frees up, we offer it to "
                               "you by mail for 48 hours.",
        RsvpStatus.PENDING: "Your request is sent: the host approves each person, and we tell you their answer.",
        RsvpStatus.NOT_GOING: "Thanks for letting the host know you can't go.",
        RsvpStatus.OFFERED: "A place is held for you: claim it below.",
        RsvpStatus.DECLINED: "The host declined your request.",
    }[answer.status]


@bp.post("/gatherings/<int:gathering_id>/claim")
@login_required
def claim(gathering_id):
    gathering = _viewable(gathering_id, answering=True)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            joining.claim(current_user, gathering)
        except joining.NotAllowed as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("The place is yours: you're going.", "success")
    return redirect(url_for(".show", gathering_id=gathering_id) + "#rsvp")


@bp.get("/gatherings/<int:gathering_id>/join/<token>")
def join(gathering_id, token):
    """A person's own join address: to the current meeting link while they are going."""
    gathering = db.session.get(Gathering, gathering_id)
    rsvp = joining.by_join_token(gathering_id, token) if gathering is not None else None
    if rsvp is None:
        abort(404)
    target = joining.join_target(gathering, rsvp)
    if target is None:
        return render_template("gatherings/join_closed.html", gathering=gathering, rsvp=rsvp), 410
    response = redirect(target, code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/gatherings/mine")
@login_required
def mine():
    from sqlalchemy import or_, select
    from app.models.gatherings import GatheringCohost
    hosting = list(db.session.scalars(
        select(Gathering).where(
            or_(Gathering.host_id == current_user.id, Gathering.id.in_(
                select(GatheringCohost.gathering_id).where(GatheringCohost.user_id == current_user.id))),
            Gathering.ends_at > utcnow())
        .order_by(Gathering.starts_at).limit(100)))
    return render_template("gatherings/mine.html", hosting=hosting,
                           going=joining.going_to(current_user), zone=viewer_zone())
