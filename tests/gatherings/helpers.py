"""Making gatherings for tests through the gatherings' own rules."""
from __future__ import annotations

from datetime import datetime, timedelta

from app.extensions import db
from app.gatherings import joining, services, times
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import Gathering, Rsvp

# A link that would stand out in any response that leaked it.
SECRET_LINK = "https://meet.example/secret-room-7f3a9c"


def local_in(days: float, zone_name: str = "Europe/Berlin", hour: int = 18) -> datetime:
    """`hour`:00 in the zone today, plus `days` (naive): 1.5 is twelve hours after 1, whatever the
    time of day the test runs at (so gatherings made with different days never start together)."""
    today = times.to_local(utcnow(), zone_name).replace(hour=hour, minute=0, second=0, microsecond=0, tzinfo=None)
    return today + timedelta(days=days)


def details(**fields) -> services.Details:
    """Details of a valid online gathering a week ahead, in Berlin; fields override."""
    start = fields.pop("start", None) or local_in(7, fields.get("time_zone", "Europe/Berlin"))
    values = dict(title="An evening on neighbourhood gardens", description="We talk about **gardens**.",
                  mode="online", language="English", time_zone="Europe/Berlin", start=start,
                  end=fields.pop("end", None) or start + timedelta(hours=1, minutes=30),
                  meeting_url=SECRET_LINK)
    values.update(fields)
    return services.Details(**values)


def make_gathering(app, host, *, publish=True, **fields) -> int:
    """A gathering hosted by `host` (a leader), published by default; returns its id (the first
    occurrence's, for a series)."""
    with app.test_request_context(method="POST"):  # BEGIN IMMEDIATE, as a form sent (see app.factory)
        user = db.session.get(User, host.id)
        made = services.create(user, details(**fields), publish=publish)
        db.session.commit()
        return made[0].id


def rsvp(app, person, gathering_id, going=True, show_name=True) -> str:
    """The person's answer through the service; returns the RSVP's status."""
    with app.test_request_context(method="POST"):  # BEGIN IMMEDIATE, as a form sent (see app.factory)
        user = db.session.get(User, person.id)
        answer = joining.answer(user, db.session.get(Gathering, gathering_id), going, show_name=show_name)
        db.session.commit()
        return str(answer.status)


def load(app, gathering_id) -> Gathering:
    with app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        db.session.expunge(gathering)
        return gathering


def rsvp_row(app, person, gathering_id) -> Rsvp | None:
    from sqlalchemy import select
    with app.app_context():
        row = db.session.scalar(select(Rsvp).where(Rsvp.gathering_id == gathering_id,
                                                   Rsvp.user_id == person.id))
        if row is not None:
            db.session.expunge(row)
        return row
