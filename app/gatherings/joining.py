"""Joining a gathering: "Going" / "Can't go", the waitlist (first come first served), a freed
place offered to the next person for 48 hours, the host's approval, and the personal join
address that opens the meeting link for those going.

Capacity is never exceeded: a place is taken only by one conditional UPDATE of the gathering's
going_count (`... WHERE capacity IS NULL OR going_count < capacity`), inside a transaction that
holds the gathering's row (PostgreSQL FOR UPDATE; SQLite's write transactions run one at a time),
so twenty people pressing "Going" at once for the last place leave one going and nineteen on
the waitlist, on either database.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from app import permissions
from app.extensions import db
from app.gatherings import notices
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import HOLDS_A_PLACE, Gathering, Rsvp, RsvpStatus, State

OFFER_HOURS = 48


class NotAllowed(Exception):
    """The person may not answer (not logged in, unconfirmed, past the deadline...): the message says why."""


def rsvp_of(user: User | None, gathering: Gathering) -> Rsvp | None:
    if not permissions.is_signed_in(user):
        return None
    return db.session.scalar(select(Rsvp).where(Rsvp.gathering_id == gathering.id,
                                                Rsvp.user_id == user.id))


def _why_not(user: User, gathering: Gathering) -> str | None:
    if not permissions.is_signed_in(user):
        return "Log in to answer."
    if not user.is_verified:
        return "Confirm your email address first: the link is in the mail we sent you."
    if gathering.state == State.CANCELLED:
        return "This gathering is cancelled."
    if gathering.state != State.PUBLISHED:
        return "This gathering is not published yet."
    if gathering.is_past:
        return "This gathering is over."
    if permissions.is_gathering_host(user, gathering):
        return "You host this gathering: you are there already."
    return None


def answer(user: User, gathering: Gathering, going: bool, *, show_name: bool = True) -> Rsvp:
    """The person's answer: going (a place, the waitlist, or a request to the host), or not.
    Answering the same again changes nothing (double submits, two tabs)."""
    problem = _why_not(user, gathering)
    if problem:
        raise NotAllowed(problem)
    _hold(gathering)
    rsvp = _row(user, gathering)
    if rsvp.status != RsvpStatus.OFFERED:  # an offered place is claimed past the deadline too
        deadline = gathering.rsvp_deadline
        if going and deadline is not None and utcnow() > deadline and rsvp.status != RsvpStatus.GOING:
            raise NotAllowed("RSVPs for this gathering closed at its deadline.")
    rsvp.show_name = show_name
    if going:
        if rsvp.status in (RsvpStatus.GOING, RsvpStatus.WAITLISTED, RsvpStatus.PENDING):
            return rsvp  # already said
        if rsvp.status == RsvpStatus.DECLINED:
            raise NotAllowed("The host declined your request for this gathering.")
        if rsvp.status == RsvpStatus.OFFERED:
            return claim(user, gathering)
        rsvp.answered_at = utcnow()
        if gathering.approval_required:
            rsvp.status = RsvpStatus.PENDING
            db.session.add(rsvp)
            db.session.flush()
            notices.tell_hosts_request(rsvp)
        else:
            _seat_or_queue(gathering, rsvp)
    else:
        if rsvp.status == RsvpStatus.NOT_GOING:
            db.session.add(rsvp)
            db.session.flush()
            return rsvp
        if rsvp.status == RsvpStatus.DECLINED:
            return rsvp
        leave(gathering, rsvp)
        rsvp.answered_at = utcnow()
    db.session.add(rsvp)  # a new row is written once, with its answer (one INSERT)
    db.session.flush()
    return rsvp


# What the rules read of a gathering while they hold it, read again under the lock.
_HELD = ["going_count", "waitlist_count", "capacity", "state", "rsvp_deadline", "approval_required",
         "starts_at", "ends_at"]


# An answer reads neither the focus areas nor the co-hosts' full rows eagerly.
_ANSWERING = (lazyload(Gathering.focus_areas),)


def load_held(gathering_id: int) -> Gathering | None:
    """The gathering read fresh and held (see _hold) in one statement, for a request that is
    about to answer for it: the rules then need not read it again."""
    gathering = db.session.get(Gathering, gathering_id, with_for_update=True, populate_existing=True,
                               options=_ANSWERING)
    if gathering is not None:
        _held_now().add(gathering.id)
    return gathering


def _held_now() -> set[int]:
    """The gatherings held in the current transaction (forgotten when it ends)."""
    transaction = db.session().get_transaction()
    held = db.session.info.get("gatherings_held")
    if held is None or held[0] is not transaction:
        held = db.session.info["gatherings_held"] = (transaction, set())
    return held[1]


def _hold(gathering: Gathering) -> None:
    """Hold the gathering's row until the transaction ends (PostgreSQL FOR UPDATE; SQLite's
    write transactions already run one at a time) and read its counts as they are now, so the
    answers for one gathering are decided one at a time."""
    held = _held_now()
    if gathering.id not in held:
        db.session.refresh(gathering, _HELD, with_for_update=True)
        held.add(gathering.id)


def _row(user: User, gathering: Gathering) -> Rsvp:
    """The person's RSVP row for the gathering. A new one ("can't go" until
    answered) is added to the session by the caller once its answer is set, so it is written in
    one INSERT. Made while the gathering is held, so two requests of one person cannot both make
    it (the unique constraint stands behind that)."""
    found = rsvp_of(user, gathering)
    if found is not None:
        return found
    return Rsvp(gathering_id=gathering.id, user_id=user.id, status=RsvpStatus.NOT_GOING,
                join_token=secrets.token_urlsafe(24), answered_at=utcnow(), show_name=True)


def _change(gathering: Gathering, column: str, values: dict, *conditions) -> int | None:
    """One UPDATE of the gathering's counter, returning its new value (None: no row matched)."""
    new = db.session.execute(
        update(Gathering).where(Gathering.id == gathering.id, *conditions).values(**values)
        .returning(getattr(Gathering, column)).execution_options(synchronize_session=False)).scalar()
    if new is not None:
        set_committed_value(gathering, column, new)
    return new


def _take_place(gathering: Gathering) -> bool:
    """One place more held, if one is left (the one write that guards capacity)."""
    return _change(gathering, "going_count", {"going_count": Gathering.going_count + 1},
                   or_(Gathering.capacity.is_(None), Gathering.going_count < Gathering.capacity)) is not None


def _give_back_place(gathering: Gathering) -> None:
    _change(gathering, "going_count", {"going_count": Gathering.going_count - 1}, Gathering.going_count > 0)


def _count_waitlist(gathering: Gathering, change: int) -> None:
    _change(gathering, "waitlist_count", {"waitlist_count": Gathering.waitlist_count + change})


def _seat_or_queue(gathering: Gathering, rsvp: Rsvp) -> None:
    """Going if a place is left (and nobody queues before them), else the end of the waitlist."""
    if gathering.waitlist_count == 0 and _take_place(gathering):
        rsvp.status = RsvpStatus.GOING
        rsvp.queued_at = None
    else:
        rsvp.status = RsvpStatus.WAITLISTED
        rsvp.queued_at = utcnow()
        _count_waitlist(gathering, +1)


def leave(gathering: Gathering, rsvp: Rsvp) -> None:
    """The person no longer comes: their place (or waitlist spot) goes to the next person."""
    was = rsvp.status
    rsvp.status = RsvpStatus.NOT_GOING
    rsvp.offer_expires_at = None
    rsvp.queued_at = None
    if was in HOLDS_A_PLACE:
        _give_back_place(gathering)
        offer_next(gathering)
    elif was == RsvpStatus.WAITLISTED:
        _count_waitlist(gathering, -1)


def offer_next(gathering: Gathering, now: datetime | None = None) -> Rsvp | None:
    """The first person on the waitlist is offered the freed place for 48 hours (the place is
    held for them meanwhile). None when nobody waits or no place is free."""
    if gathering.state != State.PUBLISHED or gathering.is_past:
        return None
    nxt = db.session.scalar(
        select(Rsvp).where(Rsvp.gathering_id == gathering.id, Rsvp.status == RsvpStatus.WAITLISTED)
        .order_by(Rsvp.queued_at, Rsvp.id).limit(1))
    if nxt is None or not _take_place(gathering):
        return None
    now = now or utcnow()
    nxt.status = RsvpStatus.OFFERED
    nxt.offer_expires_at = min(now + timedelta(hours=OFFER_HOURS), gathering.starts_at)
    _count_waitlist(gathering, -1)
    db.session.flush()
    notices.tell_offer(nxt)
    return nxt


def claim(user: User, gathering: Gathering) -> Rsvp:
    """"Claim your place": an offer not yet expired becomes going."""
    problem = _why_not(user, gathering)
    if problem:
        raise NotAllowed(problem)
    _hold(gathering)
    rsvp = rsvp_of(user, gathering)
    if rsvp is None or rsvp.status != RsvpStatus.OFFERED:
        raise NotAllowed("There is no place offered to you for this gathering.")
    if rsvp.offer_expires_at is not None and rsvp.offer_expires_at <= utcnow():
        raise NotAllowed("Your offer of a place has expired; it has gone to the next person.")
    rsvp.status = RsvpStatus.GOING  # the place was held for them: going_count already counts it
    rsvp.offer_expires_at = None
    rsvp.answered_at = utcnow()
    db.session.flush()
    return rsvp


def expire_offers(now: datetime | None = None) -> int:
    """Offers past their 48 hours pass on to the next person (cron). Returns how many expired."""
    now = now or utcnow()
    expired = list(db.session.scalars(
        select(Rsvp).where(Rsvp.status == RsvpStatus.OFFERED, Rsvp.offer_expires_at <= now)
        .order_by(Rsvp.offer_expires_at, Rsvp.id)))
    count = 0
    for rsvp in expired:
        gathering = rsvp.gathering
        _hold(gathering)
        db.session.refresh(rsvp)
        if rsvp.status != RsvpStatus.OFFERED:
            continue
        rsvp.status = RsvpStatus.NOT_GOING
        rsvp.offer_expires_at = None
        _give_back_place(gathering)
        offer_next(gathering, now)
        count += 1
    db.session.flush()
    return count


def approve(rsvp: Rsvp, host: User) -> Rsvp:
    """The host lets a person come: going if a place is left, else the waitlist."""
    gathering = rsvp.gathering
    if not permissions.can_manage_gathering(host, gathering):
        raise NotAllowed("Only the gathering's hosts answer requests.")
    _hold(gathering)
    db.session.refresh(rsvp)
    if rsvp.status not in (RsvpStatus.PENDING, RsvpStatus.DECLINED):
        return rsvp
    rsvp.answered_at = utcnow()
    _seat_or_queue(gathering, rsvp)
    db.session.flush()
    notices.tell_answered(rsvp)
    return rsvp


def decline(rsvp: Rsvp, host: User) -> Rsvp:
    gathering = rsvp.gathering
    if not permissions.can_manage_gathering(host, gathering):
        raise NotAllowed("Only the gathering's hosts answer requests.")
    _hold(gathering)
    db.session.refresh(rsvp)
    if rsvp.status == RsvpStatus.DECLINED:
        return rsvp
    if rsvp.status in HOLDS_A_PLACE or rsvp.status == RsvpStatus.WAITLISTED:
        leave(gathering, rsvp)
    rsvp.status = RsvpStatus.DECLINED
    db.session.flush()
    notices.tell_answered(rsvp)
    return rsvp


def by_join_token(gathering_id: int, token: str) -> Rsvp | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Rsvp).where(Rsvp.gathering_id == gathering_id,
                                                Rsvp.join_token == token))


def join_target(gathering: Gathering, rsvp: Rsvp | None) -> str | None:
    """Where a personal join address leads now: the current meeting link, for a person still
    going to a gathering that still takes place online; None otherwise."""
    if (rsvp is None or rsvp.status != RsvpStatus.GOING or gathering.state != State.PUBLISHED
            or not gathering.mode.online or not gathering.meeting_url):
        return None
    return gathering.meeting_url


def attendees(gathering: Gathering, statuses=(RsvpStatus.GOING,)) -> list[Rsvp]:
    return list(db.session.scalars(
        select(Rsvp).where(Rsvp.gathering_id == gathering.id, Rsvp.status.in_(list(statuses)))
        .order_by(Rsvp.answered_at, Rsvp.id)))


def shown_names(gathering: Gathering, limit: int = 50) -> list[User]:
    """The people going who chose to be shown, for the other attendees."""
    return list(db.session.scalars(
        select(User).join(Rsvp, Rsvp.user_id == User.id)
        .where(Rsvp.gathering_id == gathering.id, Rsvp.status == RsvpStatus.GOING,
               Rsvp.show_name.is_(True))
        .order_by(Rsvp.answered_at, Rsvp.id).limit(limit)))


def going_to(user: User, *, upcoming_only: bool = True) -> list[Gathering]:
    """The gatherings a person is going to (their calendar feed, their account page)."""
    query = (select(Gathering).join(Rsvp, Rsvp.gathering_id == Gathering.id)
             .where(Rsvp.user_id == user.id, Rsvp.status == RsvpStatus.GOING,
                    Gathering.state.in_([State.PUBLISHED, State.CANCELLED])))
    if upcoming_only:
        query = query.where(Gathering.ends_at > utcnow())
    return list(db.session.scalars(query.order_by(Gathering.starts_at)))
