"""Making partnerships for tests through the partnerships' own rules."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.accounts import User
from app.models.directory import LeaderProfile, Precision
from app.models.partnerships import Partnership, PartnershipInvitation
from app.partnerships import forming, meetings, opening
from tests.gatherings.helpers import SECRET_LINK, local_in

SECRET_WORD = "zanzibarquokka"  # a word that would stand out anywhere it leaked


def log_in_as(client, user) -> None:
    """Whoever was logged in on the client logs out; `user` logs in."""
    from tests.conftest import login
    client.post("/logout")
    assert login(client, user.email).status_code == 302


def _user(user) -> User:
    return db.session.get(User, user.id)


def invite_row(app, partnership_id, inviter, invitee) -> int:
    """An invitation written directly (the rules for who may be invited are tested on their own)."""
    with app.test_request_context(method="POST"):
        invitation = PartnershipInvitation(partnership_id=partnership_id, from_id=inviter.id, to_id=invitee.id)
        db.session.add(invitation)
        db.session.commit()
        return invitation.id


def make_partnership(app, people, *, opened=False, rhythm=False) -> int:
    """A partnership of these people (the first started it, the others accepted invitations);
    opened: everyone answered and accepted (active); rhythm: every two weeks from 3 days ahead."""
    with app.test_request_context(method="POST"):
        first = _user(people[0])
        partnership = forming.start(first)
        for person in people[1:]:
            invitation = PartnershipInvitation(partnership_id=partnership.id, from_id=first.id, to_id=person.id)
            db.session.add(invitation)
            db.session.flush()
            forming.accept(_user(person), invitation)
        db.session.commit()
        partnership_id = partnership.id
    if rhythm:
        set_rhythm(app, partnership_id, people[0])
    if opened:
        for person in people:
            answer_all(app, partnership_id, person)
            accept(app, partnership_id, person)
    return partnership_id


def answer_all(app, partnership_id, person, text="My answer, in a few words") -> None:
    with app.test_request_context(method="POST"):
        partnership = db.session.get(Partnership, partnership_id)
        count = len(opening.questions_of(partnership))
        opening.save_answers(partnership, _user(person), [f"{text} ({n})" for n in range(count)])
        db.session.commit()


def accept(app, partnership_id, person) -> None:
    with app.test_request_context(method="POST"):
        partnership = db.session.get(Partnership, partnership_id)
        opening.accept_agreement(partnership, _user(person), partnership.agreement_version)
        db.session.commit()


def set_rhythm(app, partnership_id, person, days=3, **fields) -> None:
    values = dict(frequency="fortnightly", first=local_in(days), time_zone="Europe/Berlin", duration=60,
                  language="English", mode="online", meeting_url=SECRET_LINK)
    values.update(fields)
    with app.test_request_context(method="POST"):
        meetings.set_rhythm(db.session.get(Partnership, partnership_id), _user(person), meetings.Rhythm(**values))
        db.session.commit()


def load(app, partnership_id) -> Partnership:
    with app.app_context():
        found = db.session.get(Partnership, partnership_id)
        db.session.expunge(found)
        return found


def leader_profile(app, user, lat=41.7658, lng=-72.6734, precision=Precision.CITY, slug=None) -> str:
    """A public leader profile at a point (Hartford by default), city precision: its public
    point is the centre of the cell."""
    from app.geo.privacy import public_point
    with app.app_context():
        public_lat, public_lng = public_point(lat, lng, precision.value)
        profile = LeaderProfile(user_id=user.id, display_name=user.display_name,
                                slug=slug or f"leader-{user.id}", lat=lat, lng=lng, precision=precision,
                                public_lat=public_lat, public_lng=public_lng, city="Hartford",
                                country="United States", country_code="US")
        db.session.add(profile)
        db.session.commit()
        return profile.slug


def meeting_ids(app, partnership_id) -> list[int]:
    from app.models.gatherings import Gathering
    with app.app_context():
        return list(db.session.scalars(select(Gathering.id).where(Gathering.partnership_id == partnership_id)
                                       .order_by(Gathering.starts_at)))


__all__ = ["SECRET_LINK", "SECRET_WORD", "local_in", "timedelta"]
