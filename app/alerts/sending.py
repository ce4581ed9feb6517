"""Sending: per person, at their hour (daily) or weekday and hour (weekly) in their own zone, one mail
of what each of their alerts found since its last mail, and a notification in the app per alert.
A period is claimed on the person's schedule row before anything is queued, so two runs at once
send it once; the matches it covers are marked sent in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from app import mail
from app.alerts import schedule, services
from app.alerts.notifications import ALERT_FOUND, ALERT_MAIL, unsubscribe_url
from app.alerts.telling import Told, told
from app.extensions import db
from app.models.accounts import User
from app.models.alerts import Alert, AlertKind, AlertMatch, AlertSchedule
from app.models.base import utcnow
from app.notifications.services import notify, wants_email
from app.notifications.unsubscribe import unsubscribe_url as kind_unsubscribe_url
from app.urls import site_path, site_url

MAX_SHOWN = 20  # items of one alert in one mail; the rest are on the alert's page
MARK_CHUNK = 500


@dataclass
class Part:
    """One alert's part of a mail."""

    alert: Alert
    items: list[Told]
    total: int
    description: str
    link: str
    stop_link: str

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def send_due(now: datetime | None = None) -> dict[str, int]:
    """Every person whose alert mail is due (cron, every 15 minutes or so: `flask alerts send`).
    Reads only the schedules due (an index on next_due_at); commits person by person."""
    now = now or utcnow()
    counts = {"mailed": 0, "told_in_app": 0, "nothing_new": 0}
    due = db.session.scalars(select(AlertSchedule.user_id).where(AlertSchedule.next_due_at <= now)
                             .order_by(AlertSchedule.user_id)).all()
    db.session.commit()
    for user_id in due:
        outcome = _send_one(user_id, now)
        db.session.commit()
        if outcome:
            counts[outcome] += 1
    return counts


def _claim(chosen: AlertSchedule, key: str, next_at: datetime) -> bool:
    """Mark the period sent unless another run did: of two runs at once, one sends."""
    return db.session.execute(
        update(AlertSchedule)
        .where(AlertSchedule.user_id == chosen.user_id, AlertSchedule.sent_for != key)
        .values(sent_for=key, next_due_at=next_at)
        .execution_options(synchronize_session=False)).rowcount == 1


def _send_one(user_id: int, now: datetime) -> str | None:
    """"mailed", "told_in_app", "nothing_new" (the period is done all the same), or None (not due
    in the person's zone after all, or another run had it)."""
    chosen = db.session.get(AlertSchedule, user_id)
    user = db.session.get(User, user_id)
    if chosen is None or user is None:
        return None
    zone = schedule.zone_of(user.time_zone)
    period = schedule.due_period(chosen.frequency, chosen.hour, chosen.weekday, zone, chosen.sent_for, now)
    if period is None:  # their zone changed since next_due_at was worked out: wait for their hour
        db.session.execute(update(AlertSchedule).where(AlertSchedule.user_id == user_id,
                                                       AlertSchedule.next_due_at == chosen.next_due_at)
                           .values(next_due_at=schedule.next_due(chosen.frequency, chosen.hour, chosen.weekday,
                                                                 zone, chosen.sent_for, now))
                           .execution_options(synchronize_session=False))
        return None
    next_at = schedule.next_due(chosen.frequency, chosen.hour, chosen.weekday, zone, period.key, now)
    if not _claim(chosen, period.key, next_at):
        return None
    if not user.active:
        return "nothing_new"  # their matches wait, should they come back
    parts = _parts(user, now)
    if not parts:
        return "nothing_new"
    for part in parts:
        notify(user, ALERT_FOUND.name, _in_app(part), site_path("alerts.show", alert_id=part.alert.id))
    mailed = [part for part in parts if part.alert.emails]
    if not (mailed and user.is_verified and wants_email(user, ALERT_MAIL)):
        return "told_in_app"
    mail.queue(user.email, _subject(mailed), ALERT_MAIL.template, kind=ALERT_MAIL.name,
               unsubscribe_url=unsubscribe_url(user.id, [part.alert.id for part in mailed]),
               user=user, parts=mailed, how_often=services.describe_schedule(user, chosen),
               zone=zone.key, alerts_link=site_url("alerts.index"),
               stop_all=kind_unsubscribe_url(user.id, ALERT_MAIL.name), kind_label=ALERT_MAIL.label)
    for part in mailed:
        part.alert.last_mailed_at = now
    return "mailed"


def _parts(user: User, now: datetime) -> list[Part]:
    """Each running alert's matches not sent yet, marked sent now, as the alert would list them."""
    alerts = {alert.id: alert for alert in db.session.scalars(
        select(Alert).where(Alert.user_id == user.id, Alert.paused_at.is_(None)).order_by(Alert.id))}
    if not alerts:
        return []
    pending = db.session.execute(
        select(AlertMatch.id, AlertMatch.alert_id, AlertMatch.item_id)
        .where(AlertMatch.alert_id.in_(sorted(alerts)), AlertMatch.sent_at.is_(None))
        .order_by(AlertMatch.alert_id, AlertMatch.id)).all()
    ids = [row.id for row in pending]
    for start in range(0, len(ids), MARK_CHUNK):
        db.session.execute(update(AlertMatch).where(AlertMatch.id.in_(ids[start:start + MARK_CHUNK]),
                                                    AlertMatch.sent_at.is_(None))
                           .values(sent_at=now).execution_options(synchronize_session=False))
    zone = user.time_zone or None
    parts = []
    for alert_id, alert in alerts.items():
        items = told(alert, [row.item_id for row in pending if row.alert_id == alert_id], zone, now)
        if items:
            parts.append(Part(alert, items[:MAX_SHOWN], len(items), services.describe(alert),
                              site_url("alerts.show", alert_id=alert.id), unsubscribe_url(user.id, [alert.id])))
    return parts


def _counted(part: Part) -> str:
    noun = "leader" if part.alert.kind is AlertKind.LEADERS else "gathering"
    return f"{part.total} new {noun}{'' if part.total == 1 else 's'}"


def _in_app(part: Part) -> str:
    return f"{_counted(part)}: {part.description}"


def _subject(parts: list[Part]) -> str:
    if len(parts) == 1:
        return f"Your alert: {_counted(parts[0])}, {services.short_name(parts[0].alert)}"
    # Short: a subject of 70 to 77 characters is folded whole onto a line of its own.
    leaders = sum(part.total for part in parts if part.alert.kind is AlertKind.LEADERS)
    gatherings = sum(part.total for part in parts if part.alert.kind is AlertKind.GATHERINGS)
    found = [f"{count} new {noun}{'' if count == 1 else 's'}"
             for count, noun in ((leaders, "leader"), (gatherings, "gathering")) if count]
    return f"Your alerts: {' and '.join(found)}"
