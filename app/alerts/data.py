"""Alerts in the feature list: a person's part of "download my data", and what deleting an account
does here (their alerts, what those found and their schedule go)."""
from __future__ import annotations

from sqlalchemy import delete, select

from app.alerts import services
from app.extensions import db
from app.models.accounts import User
from app.models.alerts import Alert, AlertCell, AlertMatch, AlertSchedule
from app.urls import site_url


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def export_data(user: User) -> dict:
    alerts = services.alerts_of(user)
    chosen = db.session.get(AlertSchedule, user.id)
    if not alerts and chosen is None:
        return {}  # no section for someone who never saved one
    found = {}
    if alerts:
        for match in db.session.scalars(select(AlertMatch).where(AlertMatch.alert_id.in_([a.id for a in alerts]))
                                        .order_by(AlertMatch.id)):
            found.setdefault(match.alert_id, []).append(
                {"item": match.item_kind, "id": match.item_id, "found_at": _when(match.matched_at),
                 "emailed_at": _when(match.sent_at)})
    return {"alerts": {
        "schedule": None if chosen is None else {
            "frequency": str(chosen.frequency), "hour": chosen.hour, "weekday": chosen.weekday,
            "time_zone": services.zone_name(user)},
        "saved": [{"kind": str(alert.kind), "search": services.describe(alert), "place": alert.place_name,
                   "lat": alert.lat, "lng": alert.lng, "radius": alert.radius, "unit": alert.unit,
                   "focus_area": alert.focus_area, "language": alert.language, "program": alert.program,
                   "mode": alert.mode, "online": alert.online, "paused_at": _when(alert.paused_at),
                   "emails": alert.emails, "created_at": _when(alert.created_at),
                   "feed": site_url("alerts.feed", alert_id=alert.id, token=alert.feed_token),
                   "found": found.get(alert.id, [])} for alert in alerts],
    }}


def forget_user(user: User) -> None:
    """Everything of theirs here (not left to ON DELETE CASCADE, which an SQLite connection
    without foreign keys skips)."""
    ids = select(Alert.id).where(Alert.user_id == user.id).scalar_subquery()
    db.session.execute(delete(AlertMatch).where(AlertMatch.alert_id.in_(ids)))
    db.session.execute(delete(AlertCell).where(AlertCell.alert_id.in_(ids)))
    db.session.execute(delete(Alert).where(Alert.user_id == user.id))
    db.session.execute(delete(AlertSchedule).where(AlertSchedule.user_id == user.id))
