"""Forming a partnership: inviting people (into a new partnership, or one of yours still forming
and not full) and their answer. Accepting takes a seat (members.take_seat: seven at most, held by
the database). Views commit."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from app import permissions
from app.database import insert_unique
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.directory import LeaderProfile
from app.models.partnerships import (
    InvitationState, PartnerRequest, Partnership, PartnershipInvitation, PartnershipState, RequestState,
)
from app.partnerships import members, opening, space, telling
from app.partnerships.members import Full, Refused

MESSAGE_MAX = 600
# At most this many invitations waiting for an answer in one partnership, and sent by one person
# in a day: enough to find partners, too few to spam.
PENDING_MAX = 12
PER_DAY = 30


def can_be_invited(person: User | None) -> bool:
    """Someone others can find here: a public leader profile, or an open request."""
    if person is None or not person.active:
        return False
    listed = db.session.scalar(select(LeaderProfile.id).where(LeaderProfile.user_id == person.id,
                                                              LeaderProfile.is_public))
    if listed is not None:
        return True
    return db.session.scalar(select(PartnerRequest.id).where(
        PartnerRequest.user_id == person.id, PartnerRequest.state == RequestState.OPEN).limit(1)) is not None


def open_to_invite(user: User) -> list[Partnership]:
    """The person's partnerships that still take partners and have a seat left."""
    return [partnership for partnership in members.partnerships_of(
        user, states=[PartnershipState.FORMING, PartnershipState.OPENING]) if not partnership.is_full]


def start(user: User) -> Partnership:
    """A new partnership with its first partner: the opening questions in force, the starting
    agreement."""
    if not permissions.can_use_partnerships(user):
        raise Refused("Confirm your email address first: the link is in the mail we sent you.")
    partnership = Partnership(state=PartnershipState.FORMING, question_set_id=opening.current_questions().id)
    db.session.add(partnership)
    db.session.flush()
    opening.start_agreement(partnership)
    members.take_seat(partnership, user)
    members.log(partnership, "started", user)
    return partnership


def invite(user: User, person: User, partnership: Partnership | None, message: str = "") -> PartnershipInvitation:
    """An invitation to `person`, into `partnership` (one of the inviter's, still forming, not
    full) or into a new one (None)."""
    if not permissions.can_invite_partner(user, person) or not can_be_invited(person):
        raise Refused("You can invite people who list themselves as leaders or who are looking "
                      "for learning partners.")
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise Refused(f"Your message is {len(message):,} characters long; keep it to {MESSAGE_MAX}.")
    sent_today = db.session.scalar(select(func.count()).select_from(PartnershipInvitation).where(
        PartnershipInvitation.from_id == user.id,
        PartnershipInvitation.created_at >= utcnow() - timedelta(days=1))) or 0
    if sent_today >= PER_DAY:
        raise Refused(f"You have sent {sent_today} invitations today, as many as anyone may. "
                      "Try again tomorrow.")
    if partnership is None:
        partnership = start(user)
    else:
        if not members.is_partner(partnership, user):
            raise Refused("You can only invite people into your own partnerships.")
        members.hold(partnership)
        if not partnership.state.takes_partners:
            raise Refused("This partnership is no longer taking new partners.")
        if partnership.is_full:
            raise Full("This partnership is full: seven partners is the most.")
        if members.is_partner(partnership, person):
            raise Refused(f"{person.display_name} is already in this partnership.")
        waiting = db.session.scalar(select(func.count()).select_from(PartnershipInvitation).where(
            PartnershipInvitation.partnership_id == partnership.id,
            PartnershipInvitation.state == InvitationState.PENDING)) or 0
        if waiting >= PENDING_MAX:
            raise Refused(f"{waiting} invitations to this partnership are waiting for an answer; "
                          "wait for some answers before you send more.")
    invitation = PartnershipInvitation(partnership_id=partnership.id, from_id=user.id, to_id=person.id,
                                       message=message)
    if not insert_unique(invitation):
        raise Refused(f"{person.display_name} already has an invitation to this partnership.")
    telling.invited(invitation, user, person)
    return invitation


def invitation_for(user: User, invitation_id: int) -> PartnershipInvitation | None:
    """The invitation, if it is this person's own."""
    found = db.session.get(PartnershipInvitation, invitation_id)
    return found if found is not None and found.to_id == user.id else None


def waiting_for(user: User) -> list[PartnershipInvitation]:
    return list(db.session.scalars(select(PartnershipInvitation).where(
        PartnershipInvitation.to_id == user.id, PartnershipInvitation.state == InvitationState.PENDING)
        .order_by(PartnershipInvitation.created_at.desc())))


def waiting_in(partnership: Partnership) -> list[PartnershipInvitation]:
    return list(db.session.scalars(select(PartnershipInvitation).where(
        PartnershipInvitation.partnership_id == partnership.id,
        PartnershipInvitation.state == InvitationState.PENDING).order_by(PartnershipInvitation.created_at)))


def _claim(invitation: PartnershipInvitation, state: InvitationState) -> bool:
    """The answer, unless it was given already (a double submit answers once)."""
    return db.session.execute(
        update(PartnershipInvitation)
        .where(PartnershipInvitation.id == invitation.id, PartnershipInvitation.state == InvitationState.PENDING)
        .values(state=state, answered_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount == 1


def accept(user: User, invitation: PartnershipInvitation) -> Partnership:
    """The invitee takes a seat (Full when there is none left: nothing changes, the invitation
    waits in case a seat frees up). A partnership with two partners starts its opening."""
    if not permissions.can_use_partnerships(user):
        raise Refused("Confirm your email address first: the link is in the mail we sent you.")
    if invitation.to_id != user.id:
        raise Refused("This invitation is someone else's.")
    if not _claim(invitation, InvitationState.ACCEPTED):
        db.session.refresh(invitation)
        if invitation.state == InvitationState.ACCEPTED:
            return invitation.partnership  # said already, in another tab
        raise Refused("This invitation was already answered or withdrawn.")
    partnership = invitation.partnership
    members.take_seat(partnership, user)  # Full or Refused: the caller rolls back, the claim too
    if partnership.state == PartnershipState.FORMING and partnership.partner_count >= 2:
        db.session.execute(update(Partnership).where(
            Partnership.id == partnership.id, Partnership.state == PartnershipState.FORMING)
            .values(state=PartnershipState.OPENING).execution_options(synchronize_session=False))
        db.session.expire(partnership, ["state"])
    members.log(partnership, "joined", user)
    space.follow_for(partnership, user)
    telling.answered(invitation, user, members.current_people(partnership), accepted=True)
    db.session.flush()
    return partnership


def decline(user: User, invitation: PartnershipInvitation) -> None:
    if invitation.to_id != user.id:
        raise Refused("This invitation is someone else's.")
    if not _claim(invitation, InvitationState.DECLINED):
        return  # answered already
    telling.answered(invitation, user, [], accepted=False)
