"""What a person's profile says of their partnerships: "In N learning partnerships", only when they
chose to show it (never with whom), and the invitation button."""
from __future__ import annotations

from app import permissions
from app.extensions import db
from app.models.partnerships import PartnershipChoice
from app.partnerships import forming, members


def shown_count(user) -> int:
    """How many partnerships the profile mentions: 0 unless the person chose to show it."""
    if user is None:
        return 0
    choice = db.session.get(PartnershipChoice, user.id)
    if choice is None or not choice.show_count:
        return 0
    return members.count_for_profile(user)


def invite_offered(viewer, person) -> bool:
    """"Invite to a learning partnership" on a profile: for logged-in, confirmed people, not on
    their own."""
    return permissions.can_invite_partner(viewer, person) and forming.can_be_invited(person)


def full_date(moment) -> str:
    """"Tuesday 3 December 2026"."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}" if moment else ""


def init_app(app) -> None:
    app.jinja_env.globals.update(partnerships_shown_count=shown_count,
                                 partnership_invite_offered=invite_offered)
    app.jinja_env.filters["partnership_date"] = full_date
