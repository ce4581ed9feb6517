"""What partnerships tell people, in the app and by mail (app.notifications): an invitation, its
answer, the opening done, a new version of the agreement, a partner leaving, a pause. Only the
people concerned hear of a partnership; links lead to pages only they can open."""
from __future__ import annotations

from app.models.accounts import User
from app.models.partnerships import Partnership, PartnershipInvitation
from app.notifications.services import notify
from app.partnerships.notifications import (
    PARTNERSHIP_AGREEMENT, PARTNERSHIP_ANSWER, PARTNERSHIP_INVITATION, PARTNERSHIP_LEFT,
    PARTNERSHIP_OPENED, PARTNERSHIP_PAUSED,
)
from app.urls import site_path, site_url


def _tell(person: User, kind, text: str, endpoint: str, detail: str = "", anchor: str = "",
          **values) -> None:
    if not person.active:
        return
    mark = f"#{anchor}" if anchor else ""
    notify(person, kind.name, text, site_path(endpoint, **values) + mark, text=text, detail=detail,
           link=site_url(endpoint, **values) + mark)


def _others(people: list[User], but: User | None) -> list[User]:
    return [person for person in people if but is None or person.id != but.id]


def invited(invitation: PartnershipInvitation, sender: User, invitee: User) -> None:
    _tell(invitee, PARTNERSHIP_INVITATION,
          f"{sender.display_name} invites you to a learning partnership.",
          "partnerships.index", detail=invitation.message, anchor=f"invitation-{invitation.id}")


def answered(invitation: PartnershipInvitation, invitee: User, partners: list[User], accepted: bool) -> None:
    """The person who invited hears the answer; when they joined, the other partners too."""
    told = [person for person in partners if person.id != invitee.id] if accepted else []
    sender = invitation.sender
    if not accepted and sender is not None:
        told = [sender]
    for person in told:
        _tell(person, PARTNERSHIP_ANSWER,
              f"{invitee.display_name} joined your learning partnership." if accepted else
              f"{invitee.display_name} declined your invitation to a learning partnership.",
              "partnerships.show" if accepted else "partnerships.index",
              **({"partnership_id": invitation.partnership_id} if accepted else {}))


def opened(partnership: Partnership, partners: list[User]) -> None:
    for person in partners:
        _tell(person, PARTNERSHIP_OPENED,
              "Your learning partnership is active: everyone answered the opening questions and "
              "accepted the agreement.", "partnerships.show", partnership_id=partnership.id)


def agreement_changed(partnership: Partnership, partners: list[User], writer: User, number: int,
                      note: str) -> None:
    for person in _others(partners, writer):
        _tell(person, PARTNERSHIP_AGREEMENT,
              f"{writer.display_name} changed your partnership's agreement (version {number}). "
              "Read it and accept it again.", "partnerships.agreement", detail=note,
              partnership_id=partnership.id)


def left(partnership: Partnership, partners: list[User], leaver: User, closed: bool) -> None:
    for person in _others(partners, leaver):
        text = f"{leaver.display_name} left your learning partnership."
        if closed:
            text += " With fewer than two partners it has closed."
        _tell(person, PARTNERSHIP_LEFT, text, "partnerships.show", partnership_id=partnership.id)


def paused(partnership: Partnership, partners: list[User], by: User, pausing: bool) -> None:
    for person in _others(partners, by):
        _tell(person, PARTNERSHIP_PAUSED,
              f"{by.display_name} paused your learning partnership: no meetings until a partner "
              "resumes it." if pausing else
              f"{by.display_name} resumed your learning partnership.",
              "partnerships.show", partnership_id=partnership.id)
