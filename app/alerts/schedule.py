"""When a person's alert mail is due: daily at an hour, or weekly on a weekday at an hour, in their
own time zone; each period has a key ("2026-03-10", "2026-W11") so it is sent once. Pure code:
times are naive UTC in and out, as the database keeps them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc
FREQUENCIES = ("daily", "weekly")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Period:
    """One mail's period: its key, and the moment (naive UTC) its mail is due."""

    key: str
    due: datetime


def zone_of(name: str | None) -> ZoneInfo:
    """The person's zone; none chosen, or one that no longer exists, is UTC."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _within(value: int | None, high: int) -> int:
    return min(max(value or 0, 0), high)


def _moment(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """hour:00 on that day in the zone, as naive UTC (an hour a clock change skips moves on)."""
    local = datetime.combine(day, time(_within(hour, 23)), tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def period_of(day: date, frequency: str, hour: int, weekday: int, zone: ZoneInfo) -> Period:
    """The period a local day falls in: that day (daily), or its ISO week, due on the weekday."""
    if frequency == "weekly":
        year, week, day_of_week = day.isocalendar()
        due_day = day + timedelta(days=_within(weekday, 6) - (day_of_week - 1))
        return Period(f"{year}-W{week:02d}", _moment(due_day, hour, zone))
    return Period(day.isoformat(), _moment(day, hour, zone))


def local_day(now: datetime, zone: ZoneInfo) -> date:
    return now.replace(tzinfo=UTC).astimezone(zone).date()


def due_period(frequency: str, hour: int, weekday: int, zone: ZoneInfo, sent_for: str,
               now: datetime) -> Period | None:
    """This period, when its moment has come and it was not sent; else None."""
    period = period_of(local_day(now, zone), frequency, hour, weekday, zone)
    if now < period.due or period.key == sent_for:
        return None
    return period


def next_due(frequency: str, hour: int, weekday: int, zone: ZoneInfo, sent_for: str,
             now: datetime) -> datetime:
    """The next moment a mail is due: this period's, unless it was sent, else the next one's."""
    today = local_day(now, zone)
    period = period_of(today, frequency, hour, weekday, zone)
    if period.key != sent_for:
        return period.due
    return period_of(today + timedelta(days=7 if frequency == "weekly" else 1),
                     frequency, hour, weekday, zone).due


def started_period(frequency: str, hour: int, weekday: int, zone: ZoneInfo, now: datetime) -> str:
    """For a schedule chosen now: the current period's key when its moment has passed (the
    first mail then comes at the next chosen moment, not at once), else ""."""
    period = period_of(local_day(now, zone), frequency, hour, weekday, zone)
    return period.key if now >= period.due else ""
