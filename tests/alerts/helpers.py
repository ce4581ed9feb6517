"""Making alerts, leaders and gatherings for the alerts' tests, and running `alerts send`'s two parts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from app import mail
from app.alerts import matching, sending, services
from app.extensions import db
from app.models.accounts import User
from app.models.alerts import Alert, AlertMatch, AlertSchedule
from app.models.directory import LeaderProfile
from tests.directory.search_fixtures import add_leader

# Lyon's centre as the test gazetteer has it, and points around it (km from the centre).
LYON = (45.74846, 4.84671)


def leader(app, name, lat=None, lng=None, **details) -> int:
    """A leader (city-level unless precision="exact"), committed; their profile's id."""
    with app.app_context():
        return add_leader(name, lat, lng, **details).id


def save(app, user, **args) -> int:
    """An alert saved through the service from a search's parameters (kind="leaders" unless
    given, radius 25 km near Lyon unless given); its id."""
    values = {"kind": "leaders", "near": "Lyon", "radius": "25", "unit": "km", **args}
    with app.test_request_context(method="POST"):
        alert = services.create_alert(db.session.get(User, user.id), services.read_search(values))
        db.session.commit()
        return alert.id


def save_at(app, user, lat, lng, radius=5, kind="leaders", **args) -> int:
    """An alert around a point given as "your location" (kept to 3 decimals)."""
    return save(app, user, kind=kind, near="", lat=f"{lat}", lng=f"{lng}", radius=f"{radius}", **args)


def match(app, now: datetime | None = None) -> matching.Counts:
    with app.app_context():
        return matching.match_arrivals(now)


def matched(app, alert_id) -> list[int]:
    """The item ids an alert's journal holds, in order."""
    with app.app_context():
        return list(db.session.scalars(select(AlertMatch.item_id).where(AlertMatch.alert_id == alert_id)
                                       .order_by(AlertMatch.id)))


def send(app, now: datetime) -> dict:
    """The sender at `now`, then the outbox delivered (to the test's SMTP server, if any)."""
    with app.app_context():
        counts = sending.send_due(now)
        mail.deliver_pending()
        return counts


def choose(app, user, frequency="daily", hour=8, weekday=0, zone="", now: datetime | None = None) -> None:
    """The person's time zone and schedule, chosen at `now`."""
    with app.app_context():
        person = db.session.get(User, user.id)
        person.time_zone = zone
        services.choose_schedule(person, services.schedule_of(person, now), frequency, hour, weekday, now)
        db.session.commit()


def set_profile(app, profile_id, **values) -> None:
    """Change a profile as the directory's own services would (through the ORM: the cells follow)."""
    with app.app_context():
        profile = db.session.get(LeaderProfile, profile_id)
        for name, value in values.items():
            setattr(profile, name, value)
        db.session.commit()


def alert_row(app, alert_id) -> Alert | None:
    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        if alert is not None:
            db.session.expunge(alert)
        return alert


def alerts_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Alert))


def schedule_row(app, user) -> AlertSchedule:
    with app.app_context():
        row = db.session.get(AlertSchedule, user.id)
        db.session.expunge(row)
        return row


def make_due(app, user, when: datetime) -> None:
    with app.app_context():
        db.session.execute(update(AlertSchedule).where(AlertSchedule.user_id == user.id).values(next_due_at=when))
        db.session.commit()
