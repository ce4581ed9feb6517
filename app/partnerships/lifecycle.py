"""No owner: any partner may pause the partnership, resume it, or leave it; with fewer than two
partners left it closes. Each step is taken under the partnership's row lock, once. Views commit.

    forming --(a second partner)--> opening --(everyone answered and accepted)--> active
    active --pause--> paused --resume--> active
    any but closed --(fewer than two remain after someone leaves)--> closed
"""
from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.partnerships import InvitationState, Partnership, PartnershipInvitation, PartnershipState
from app.partnerships import meetings, members, opening, space, telling
from app.partnerships.members import Refused

PAUSE_REASON = "The partnership is paused for now: {name} paused it. It meets again once a partner resumes it."
CLOSE_REASON = "The partnership has closed: fewer than two partners remain."


def _partner(partnership: Partnership, user: User) -> None:
    if not members.is_partner(partnership, user):
        raise Refused("Only the partners can do that.")


def pause(partnership: Partnership, user: User) -> bool:
    """No meetings until a partner resumes (the coming one is cancelled); False if it was paused."""
    _partner(partnership, user)
    members.hold(partnership)
    if partnership.state == PartnershipState.PAUSED:
        return False
    if partnership.state != PartnershipState.ACTIVE:
        raise Refused("Only an active partnership can be paused.")
    partnership.state = PartnershipState.PAUSED
    partnership.paused_at = utcnow()
    meetings.cancel_upcoming(partnership, PAUSE_REASON.format(name=user.display_name))
    members.log(partnership, "paused", user)
    telling.paused(partnership, members.current_people(partnership), user, pausing=True)
    db.session.flush()
    return True


def resume(partnership: Partnership, user: User) -> bool:
    """Active again, the next meeting arranged; False if it was not paused."""
    _partner(partnership, user)
    members.hold(partnership)
    if partnership.state != PartnershipState.PAUSED:
        return False
    partnership.state = PartnershipState.ACTIVE
    partnership.paused_at = None
    members.log(partnership, "resumed", user)
    telling.paused(partnership, members.current_people(partnership), user, pausing=False)
    db.session.flush()
    meetings.ensure_next(partnership)
    return True


def leave(partnership: Partnership, user: User) -> bool:
    """The person leaves: their seat, their place at the meetings, their opening answers and the
    conversation's mail go; the partnership closes when fewer than two remain (one who started it
    alone and leaves before anyone joined closes it too). True when it closed."""
    members.hold(partnership)
    row = members.member_row(partnership, user)
    if row is None or not row.is_current:
        raise Refused("You are not in this partnership.")
    closing = partnership.state != PartnershipState.CLOSED and partnership.partner_count <= 2
    if closing:
        meetings.cancel_upcoming(partnership, CLOSE_REASON)
    meetings.on_leaving(partnership, row)
    members.give_up_seat(partnership, row)
    opening.forget_answers(partnership, user)
    space.forget_for(partnership, user)
    members.log(partnership, "left", user)
    if closing:
        partnership.state = PartnershipState.CLOSED
        partnership.closed_at = utcnow()
        db.session.execute(update(PartnershipInvitation).where(
            PartnershipInvitation.partnership_id == partnership.id,
            PartnershipInvitation.state == InvitationState.PENDING)
            .values(state=InvitationState.WITHDRAWN, answered_at=utcnow()))
        members.log(partnership, "closed")
    remaining = members.current_people(partnership)
    telling.left(partnership, remaining, user, closed=closing)
    db.session.flush()
    if not closing:
        opening.maybe_open(partnership)  # the one who had not answered may be the one who left
    return closing
