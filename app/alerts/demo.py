"""Demo data for alerts: the demo member keeps two, new leaders near Osaka and gatherings near it or
online, mailed weekly on Monday mornings."""
from __future__ import annotations

from app.alerts import services
from app.auth import services as accounts
from app.extensions import db
from app.models.alerts import AlertKind, Frequency

MEMBER = "member@demo.leaders.example"
# Osaka's centre, as the gazetteer has it: the demo does not need the gazetteer loaded.
OSAKA = ("Osaka, Japan", 34.69374, 135.50218)
ALERTS = (
    services.Search(AlertKind.LEADERS, *OSAKA, radius=50, unit="km"),
    services.Search(AlertKind.GATHERINGS, *OSAKA, radius=30, unit="km", online=True),
)


def seed(rng, options) -> dict[str, int]:
    member = accounts.find_by_email(MEMBER)
    if member is None or services.count_of(member):
        return {"alerts": 0}
    for search in ALERTS:
        services.create_alert(member, search)
    chosen = services.schedule_of(member)
    services.choose_schedule(member, chosen, Frequency.WEEKLY, 8, 0)
    db.session.flush()
    return {"alerts": len(ALERTS)}
