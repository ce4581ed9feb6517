"""Who is in a partnership: the seats (at most seven, held by the database itself), the convener
order, and the lookups every other part asks. Views commit.

A seat is taken by one conditional UPDATE of the partnership's partner_count (`... WHERE
partner_count < 7`), which holds the partnership's row until the transaction ends (PostgreSQL;
SQLite's write transactions run one at a time), then the lowest free seat number is written on the
person's row: UNIQUE(partnership, seat) and CHECK(seat BETWEEN 1 AND 7) stand behind it. Ten
people accepting at once for the last six seats leave six partners more and four told it is full.
"""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.partnerships import (
    MAX_PARTNERS, Partnership, PartnershipEvent, PartnershipMember, PartnershipState,
)


class Refused(Exception):
    """Nothing was changed; the message says why and what to do, for the page to show."""


class Full(Refused):
    """Every seat is taken."""


def current_members(partnership: Partnership) -> list[PartnershipMember]:
    """The partners now, in the convener order (the order they took their seats)."""
    return list(db.session.scalars(
        select(PartnershipMember).where(PartnershipMember.partnership_id == partnership.id,
                                        PartnershipMember.seat.is_not(None))
        .options(selectinload(PartnershipMember.user)).order_by(PartnershipMember.turn)))


def current_people(partnership: Partnership) -> list[User]:
    return [member.user for member in current_members(partnership)]


def member_row(partnership: Partnership, user: User) -> PartnershipMember | None:
    return db.session.scalar(select(PartnershipMember).where(
        PartnershipMember.partnership_id == partnership.id, PartnershipMember.user_id == user.id))


def is_partner(partnership: Partnership, user: User | None) -> bool:
    return user is not None and getattr(user, "id", None) is not None and partnership.has_partner(user.id)


def partnerships_of(user: User, *, states=None) -> list[Partnership]:
    """The partnerships the person holds a seat in, newest first."""
    query = (select(Partnership).join(PartnershipMember, PartnershipMember.partnership_id == Partnership.id)
             .where(PartnershipMember.user_id == user.id, PartnershipMember.seat.is_not(None)))
    if states is not None:
        query = query.where(Partnership.state.in_(list(states)))
    return list(db.session.scalars(query.order_by(Partnership.created_at.desc(), Partnership.id.desc())))


def count_for_profile(user: User) -> int:
    """How many partnerships, not closed, the person is in now."""
    return db.session.scalar(
        select(func.count()).select_from(PartnershipMember)
        .join(Partnership, Partnership.id == PartnershipMember.partnership_id)
        .where(PartnershipMember.user_id == user.id, PartnershipMember.seat.is_not(None),
               Partnership.state != PartnershipState.CLOSED)) or 0


def take_seat(partnership: Partnership, user: User) -> PartnershipMember:
    """The person becomes a partner: one seat more, if one is left (Full otherwise) and the
    partnership still takes partners (Refused otherwise). Already a partner: their row."""
    row = member_row(partnership, user)
    if row is not None and row.is_current:
        return row
    counted = db.session.execute(
        update(Partnership)
        .where(Partnership.id == partnership.id, Partnership.partner_count < MAX_PARTNERS,
               Partnership.state.in_([PartnershipState.FORMING, PartnershipState.OPENING]))
        .values(partner_count=Partnership.partner_count + 1, turns_given=Partnership.turns_given + 1)
        .returning(Partnership.partner_count, Partnership.turns_given, Partnership.state)
        .execution_options(synchronize_session=False)).first()
    if counted is None:
        db.session.refresh(partnership, ["partner_count", "state"])
        if partnership.state.takes_partners:
            raise Full(f"This partnership is full: {MAX_PARTNERS} partners is the most. "
                       "Look for another on the request board.")
        raise Refused("This partnership no longer takes new partners.")
    count, turn, state = counted
    set_committed_value(partnership, "partner_count", count)
    set_committed_value(partnership, "turns_given", turn)
    set_committed_value(partnership, "state", PartnershipState(state))
    # Read while the partnership's row is held: the seats others took are committed and seen.
    taken = set(db.session.scalars(select(PartnershipMember.seat).where(
        PartnershipMember.partnership_id == partnership.id, PartnershipMember.seat.is_not(None))))
    seat = min(set(range(1, MAX_PARTNERS + 1)) - taken)
    now = utcnow()
    if row is None:
        row = PartnershipMember(partnership_id=partnership.id, user_id=user.id, seat=seat, turn=turn,
                                joined_at=now)
        db.session.add(row)
    else:  # someone who left and came back: their old row, a new seat, the end of the order
        row.seat, row.turn, row.joined_at, row.left_at = seat, turn, now, None
    db.session.flush()
    return row


def give_up_seat(partnership: Partnership, row: PartnershipMember) -> int:
    """The person is no longer a partner (their row stays, without a seat); the partners left."""
    row.seat = None
    row.left_at = utcnow()
    db.session.flush()
    remaining = db.session.execute(
        update(Partnership).where(Partnership.id == partnership.id, Partnership.partner_count > 0)
        .values(partner_count=Partnership.partner_count - 1)
        .returning(Partnership.partner_count).execution_options(synchronize_session=False)).scalar()
    if remaining is not None:
        set_committed_value(partnership, "partner_count", remaining)
    return partnership.partner_count


def hold(partnership: Partnership) -> None:
    """Hold the partnership's row until the transaction ends, and read its state as it is now,
    so changes of state (the opening done, a pause, someone leaving) are decided one at a time."""
    db.session.flush()  # what this request changed is written first, so the refresh keeps it
    db.session.refresh(partnership, with_for_update=True)


def log(partnership: Partnership, kind: str, user: User | None = None, detail: str = "") -> None:
    """A line of the partnership's timeline."""
    db.session.add(PartnershipEvent(partnership_id=partnership.id, user_id=user.id if user else None,
                                    kind=kind, detail=detail[:200]))
