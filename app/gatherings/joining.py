"""Joining a gathering: "Going" / "Can't go", the waitlist (first come first served), a freed
place offered to the next person for 48 hours, the host's approval, and the personal join
address that opens the meeting link for those going.

Capacity is never exceeded: a place is taken only by one conditional UPDATE of the gathering's
going_count (`... WHERE capacity IS NULL OR going_count < capacity`), inside a transaction that
holds the gathering's row (PostgreSQL FOR UPDATE; SQLite's write transactions run one at a time),
so twenty people pressing "Going" at once for the last place leave one going and nineteen on
the waitlist, on either database.

An answer is the hottest write of the site: its reads of the gathering and the person's row,
the counters' UPDATEs and a new row's INSERT run straight on the driver (app.prepared) in the
session's transaction, for the ORM takes longer to build, run and load them than the database
takes to answer.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Boolean, DateTime, Enum, Integer, bindparam, insert, or_, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app import permissions
from app.extensions import db
from app.gatherings import notices
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import HOLDS_A_PLACE, Gathering, GatheringCohost, Rsvp, RsvpStatus, State
from app.prepared import prepared

OFFER_HOURS = 48


class NotAllowed(Exception):
    """The person may not answer (not logged in, unconfirmed, past the deadline...): the message says why."""


# Built once: building a statement and its cache key costs more than SQLite takes to answer it.
_RSVP_OF = select(Rsvp).where(Rsvp.gathering_id == bindparam("gathering_id"), Rsvp.user_id == bindparam("user_id"))


def rsvp_of(user: User | None, gathering: Gathering | Held) -> Rsvp | None:
    if not permissions.is_signed_in(user):
        return None
    return db.session.scalar(_RSVP_OF, {"gathering_id": gathering.id, "user_id": user.id})


def _why_not(user: User, gathering: Gathering | Held) -> str | None:
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


def answer(user: User, gathering: Gathering | Held, going: bool, *, show_name: bool = True) -> Rsvp:
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
            _save(rsvp)
            notices.tell_hosts_request(rsvp)
        else:
            _seat_or_queue(gathering, rsvp)
    else:
        if rsvp.status == RsvpStatus.NOT_GOING:
            _save(rsvp)
            return rsvp
        if rsvp.status == RsvpStatus.DECLINED:
            return rsvp
        leave(gathering, rsvp)
        rsvp.answered_at = utcnow()
    _save(rsvp)
    return rsvp


# What the rules read of a gathering while they hold it, read again under the lock.
_HELD = ["going_count", "waitlist_count", "capacity", "state", "rsvp_deadline", "approval_required",
         "starts_at", "ends_at"]
# And what Held holds: those, and what the permissions ask (whose it is, whether it is private).
_HELD_COLUMNS = ("id", "host_id", "partnership_id", *_HELD)


class Held:
    """A gathering as an answer reads it, read and held in one statement (hold): its counts and
    rules, its host and co-hosts' ids; no ORM object, for an answer needs neither its text, its
    focus areas nor its co-hosts' rows. The permissions and the rules read it as a Gathering."""

    __slots__ = (*_HELD_COLUMNS, "cohost_ids")

    # The model's own rules, read from these fields.
    is_past = Gathering.is_past
    invites = Gathering.invites

    def __init__(self, values: tuple, cohost_ids: list[int]) -> None:
        self.read(values, cohost_ids)

    def read(self, values: tuple, cohost_ids: list[int]) -> None:
        for name, value in zip(_HELD_COLUMNS, values):
            setattr(self, name, value)
        self.cohost_ids = cohost_ids

    def host_ids(self) -> set[int]:
        return {self.host_id, *self.cohost_ids}


def _held_statement():
    gatherings, cohosts = Gathering.__table__, GatheringCohost.__table__
    # FOR UPDATE OF: the co-hosts' side of the outer join is not locked (PostgreSQL refuses to).
    return (select(*(gatherings.c[name] for name in _HELD_COLUMNS), cohosts.c.user_id)
            .select_from(gatherings.outerjoin(cohosts, cohosts.c.gathering_id == gatherings.c.id))
            .where(gatherings.c.id == bindparam("id", type_=Integer))
            .with_for_update(of=gatherings))


def _processor(type_, dialect):
    """What turns the driver's value of a column into SQLAlchemy's: times (SQLite gives text),
    enums and booleans; numbers and text come as they are."""
    if isinstance(type_, (DateTime, Enum, Boolean)):
        return type_.dialect_impl(dialect).result_processor(dialect, None)
    return None


# The held columns as Python values (SQLite's driver gives times as text), per database dialect.
_held_types: dict[tuple, list] = {}


def _held_processors(dialect) -> list:
    key = (dialect.name, dialect.driver)
    found = _held_types.get(key)
    if found is None:
        columns = Gathering.__table__.c
        found = _held_types[key] = [_processor(columns[name].type, dialect) for name in _HELD_COLUMNS]
    return found


def hold(gathering_id: int) -> Held | None:
    """The gathering read fresh and held (see _hold) in one statement, for a request that is
    about to answer for it: the rules then need not read it again."""
    found = _read_held(gathering_id)
    if found is None:
        return None
    held = Held(*found)
    _held_now().add(held.id)
    return held


def _read_held(gathering_id: int) -> tuple[tuple, list[int]] | None:
    connection = _connection()
    rows = prepared(connection, ("gatherings, held",), _held_statement).rows(connection, {"id": gathering_id})
    if not rows:
        return None
    values = tuple(value if process is None or value is None else process(value)
                   for process, value in zip(_held_processors(connection.dialect), rows[0]))
    return values, [row[-1] for row in rows if row[-1] is not None]


def _held_now() -> set[int]:
    """The gatherings held in the current transaction (forgotten when it ends)."""
    transaction = db.session().get_transaction()
    held = db.session.info.get("gatherings_held")
    if held is None or held[0] is not transaction:
        held = db.session.info["gatherings_held"] = (transaction, set())
    return held[1]


def _hold(gathering: Gathering | Held) -> None:
    """Hold the gathering's row until the transaction ends (PostgreSQL FOR UPDATE; SQLite's
    write transactions already run one at a time) and read its counts as they are now, so the
    answers for one gathering are decided one at a time."""
    held = _held_now()
    if gathering.id not in held:
        if isinstance(gathering, Held):  # read in an earlier transaction
            found = _read_held(gathering.id)
            if found is None:
                raise NotAllowed("This gathering no longer exists.")
            gathering.read(*found)
        else:
            db.session.refresh(gathering, _HELD, with_for_update=True)
        held.add(gathering.id)


def _connection():
    """The session's connection, for the statements an answer runs straight on the driver
    (app.prepared): the session's own changes are written first, as autoflush would."""
    if db.session.autoflush:
        db.session.flush()
    return db.session.connection()


def _row(user: User, gathering: Gathering | Held) -> Rsvp:
    """The person's RSVP row for the gathering. A new one ("can't go" until answered) is
    written by _save once its answer is set, in one INSERT. Made while the gathering is held,
    so two requests of one person cannot both make it (the unique constraint stands behind that)."""
    connection = _connection()
    answered = prepared(connection, ("gathering rsvps, answered",), _answered_statement).rows(
        connection, {"gathering_id": gathering.id, "user_id": user.id})
    if answered:  # the row is loaded only when there is one: most answers are a person's first
        found = rsvp_of(user, gathering)
        if found is not None:
            return found
    now = utcnow()
    return Rsvp(gathering_id=gathering.id, user_id=user.id, status=RsvpStatus.NOT_GOING,
                join_token=new_join_token(), created_at=now, answered_at=now, show_name=True)


def new_join_token() -> str:
    """The secret part of a person's own join address (/gatherings/<id>/join/<token>)."""
    return secrets.token_urlsafe(24)


def _answered_statement():
    return select(Rsvp.id).where(Rsvp.gathering_id == bindparam("gathering_id", type_=Integer),
                                 Rsvp.user_id == bindparam("user_id", type_=Integer))


# A new answer's row, as _save writes it.
_NEW_ROW = ("gathering_id", "user_id", "status", "show_name", "join_token", "created_at", "answered_at",
            "queued_at", "offer_expires_at")


def _insert_statement():
    columns = Rsvp.__table__.c
    return (insert(Rsvp.__table__).values({name: bindparam(name, type_=columns[name].type) for name in _NEW_ROW})
            .returning(columns.id))


def _save(rsvp: Rsvp) -> None:
    """Write the answer: a new row in one INSERT straight on the driver (the ORM's flush of one
    row costs more than the rest of an answer), then kept in the session as if loaded; a row
    already stored is flushed as usual."""
    if rsvp.id is not None:
        db.session.flush()
        return
    connection = _connection()
    rows = prepared(connection, ("gathering rsvps, new",), _insert_statement).rows(
        connection, {name: getattr(rsvp, name) for name in _NEW_ROW})
    rsvp.id = rows[0][0]
    make_transient_to_detached(rsvp)
    db.session.add(rsvp)


def _counter_update(column: str, change: int, *conditions):
    """The UPDATE of one of a gathering's counters by `change` (and of its updated_at), returning
    the new value; built once (app.prepared)."""
    table = Gathering.__table__
    counter = table.c[column]
    return column, lambda: (update(table).where(table.c.id == bindparam("id", type_=Integer), *conditions)
                            .values({column: counter + change if change > 0 else counter - -change,
                                     "updated_at": bindparam("now", type_=table.c.updated_at.type)})
                            .returning(counter))


_COLUMNS = Gathering.__table__.c
_COUNTERS = {
    # The one write that guards capacity: a place is taken only while one is left.
    "take place": _counter_update("going_count", +1, or_(_COLUMNS.capacity.is_(None),
                                                         _COLUMNS.going_count < _COLUMNS.capacity)),
    "give back place": _counter_update("going_count", -1, _COLUMNS.going_count > 0),
    "join waitlist": _counter_update("waitlist_count", +1),
    "leave waitlist": _counter_update("waitlist_count", -1),
}


def _change(gathering: Gathering | Held, counter: str) -> int | None:
    """One UPDATE of the gathering's counter, returning its new value (None: no row matched);
    straight on the driver, in the session's transaction."""
    column, build = _COUNTERS[counter]
    connection = _connection()
    rows = prepared(connection, ("gatherings, counter", counter), build).rows(
        connection, {"id": gathering.id, "now": utcnow()})
    if not rows:
        return None
    new = rows[0][0]
    if isinstance(gathering, Held):
        setattr(gathering, column, new)
    else:
        set_committed_value(gathering, column, new)
    return new


def _take_place(gathering: Gathering | Held) -> bool:
    """One place more held, if one is left."""
    return _change(gathering, "take place") is not None


def _seat_or_queue(gathering: Gathering | Held, rsvp: Rsvp) -> None:
    """Going if a place is left (and nobody queues before them), else the end of the waitlist."""
    if gathering.waitlist_count == 0 and _take_place(gathering):
        rsvp.status = RsvpStatus.GOING
        rsvp.queued_at = None
    else:
        rsvp.status = RsvpStatus.WAITLISTED
        rsvp.queued_at = utcnow()
        _change(gathering, "join waitlist")


def leave(gathering: Gathering | Held, rsvp: Rsvp) -> None:
    """The person no longer comes: their place (or waitlist spot) goes to the next person."""
    was = rsvp.status
    rsvp.status = RsvpStatus.NOT_GOING
    rsvp.offer_expires_at = None
    rsvp.queued_at = None
    if was in HOLDS_A_PLACE:
        _change(gathering, "give back place")
        offer_next(gathering)
    elif was == RsvpStatus.WAITLISTED:
        _change(gathering, "leave waitlist")


def offer_next(gathering: Gathering | Held, now: datetime | None = None) -> Rsvp | None:
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
    _change(gathering, "leave waitlist")
    db.session.flush()
    notices.tell_offer(nxt)
    return nxt


def claim(user: User, gathering: Gathering | Held) -> Rsvp:
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
        _change(gathering, "give back place")
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
