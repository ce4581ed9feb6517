"""Times of gatherings (pure: no Flask): local times in an IANA zone to UTC and back, refusing a
local time a DST change skips or repeats, the labels people read, and a series' dates.

Stored times are naive UTC (as every time of the site); the zone a time was entered in is kept
beside it, so a weekly series keeps its wall-clock time across a DST change: each occurrence is
the same local time on its own date, converted on its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

UTC = timezone.utc
# How many occurrences one series makes at most, and how far ahead.
MAX_OCCURRENCES = 26
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


class LocalTimeError(ValueError):
    """A local time that cannot be one moment: the message says why and what to do."""


@lru_cache(maxsize=None)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone people may choose, sorted; the legacy aliases left out."""
    names = {name for name in available_timezones()
             if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))}
    return tuple(sorted(names | {"UTC"}))


def is_zone(name: str | None) -> bool:
    return bool(name) and name in _zone_set()


@lru_cache(maxsize=1)
def _zone_set() -> frozenset[str]:
    return frozenset(zone_names())


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The zone of an IANA name; ValueError for a name that is none."""
    if not is_zone(name):
        raise ValueError(f"{name!r} is not a time zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone") from None


def zone_city(name: str) -> str:
    """"America/New_York" -> "New York"; "UTC" -> "UTC"."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def to_utc(local: datetime, zone_name: str) -> datetime:
    """A wall-clock time (naive) in a zone as naive UTC. Raises LocalTimeError when the zone's
    clocks skip that time (spring forward) or show it twice (fall back)."""
    tz = zone(zone_name)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    when = local.strftime("%-d %B %Y, %H:%M")
    if first.utcoffset() != second.utcoffset():
        # Skipped: converting to UTC and back gives another wall-clock time.
        back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if back != local:
            raise LocalTimeError(
                f"{when} does not exist in {zone_city(zone_name)}: the clocks go forward that night. "
                "Choose a time before or after the change.")
        raise LocalTimeError(
            f"{when} happens twice in {zone_city(zone_name)}: the clocks go back that night. "
            "Choose a time before or after the change.")
    return first.astimezone(UTC).replace(tzinfo=None)


def shifted_to_utc(local: datetime, zone_name: str) -> datetime:
    """Like to_utc, for a series' later occurrences: a skipped time moves forward by the gap and a
    repeated one takes its first moment, instead of being refused (the host chose the first date)."""
    try:
        return to_utc(local, zone_name)
    except LocalTimeError:
        tz = zone(zone_name)
        return local.replace(tzinfo=tz, fold=0).astimezone(UTC).replace(tzinfo=None)


def to_local(utc: datetime, zone_name: str) -> datetime:
    """Naive UTC as an aware time in the zone."""
    return utc.replace(tzinfo=UTC).astimezone(zone(zone_name))


def abbreviation(aware: datetime) -> str:
    """"EST", "CET"; zones without a letter abbreviation get "UTC+3", "UTC−3:30"."""
    name = aware.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = aware.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def day_label(aware: datetime) -> str:
    """"Tue 3 Dec"."""
    return f"{aware:%a} {aware.day} {aware:%b}"


def clock(aware: datetime) -> str:
    return f"{aware:%H:%M}"


@dataclass(frozen=True)
class TimeLabel:
    """How a gathering's start reads: in its own zone, and in the viewer's when that differs."""

    there: str  # "Tue 3 Dec, 18:00 in New York (EST)"
    yours: str  # "00:00 your time (CET)" or "Wed 4 Dec, 00:00 your time (CET)"; "" when the same

    def __str__(self) -> str:
        return f"{self.there} · {self.yours}" if self.yours else self.there


def label(start_utc: datetime, zone_name: str, viewer_zone: str | None = None, *,
          place: str = "") -> TimeLabel:
    """The start as people read it: in the gathering's zone (named by its city, or the venue's
    town), and the viewer's own time beside it when their zone shows another clock."""
    there = to_local(start_utc, zone_name)
    text = f"{day_label(there)}, {clock(there)} in {place or zone_city(zone_name)} ({abbreviation(there)})"
    yours = ""
    if viewer_zone and is_zone(viewer_zone) and viewer_zone != zone_name:
        mine = to_local(start_utc, viewer_zone)
        if mine.utcoffset() != there.utcoffset():
            day = "" if mine.date() == there.date() else f"{day_label(mine)}, "
            yours = f"{day}{clock(mine)} your time ({abbreviation(mine)})"
    return TimeLabel(text, yours)


def span_label(start_utc: datetime, end_utc: datetime, zone_name: str) -> str:
    """"18:00–19:30" or, across midnight, "Tue 3 Dec 22:00 – Wed 4 Dec 01:00", in the zone."""
    start, end = to_local(start_utc, zone_name), to_local(end_utc, zone_name)
    if start.date() == end.date():
        return f"{clock(start)}–{clock(end)}"
    return f"{day_label(start)} {clock(start)} – {day_label(end)} {clock(end)}"


def nth_weekday(day: date) -> tuple[int, int]:
    """(n, weekday) of a date: 2nd Tuesday is (2, 1); a fifth one counts as the last (-1)."""
    n = (day.day - 1) // 7 + 1
    return (-1 if n == 5 else n), day.weekday()


def monthly_rule_label(day: date) -> str:
    n, wd = nth_weekday(day)
    return f"the {ORDINALS[n]} {WEEKDAYS[wd]} of each month"


def series_dates(first: date, frequency: str, count: int) -> list[date]:
    """The dates of a series from its first date: weekly, fortnightly, or monthly on the same
    nth weekday ("second Tuesday"; a date in the fifth week means "last")."""
    count = max(1, min(count, MAX_OCCURRENCES))
    start = datetime.combine(first, time())
    if frequency == "weekly":
        rule = rrule(WEEKLY, interval=1, dtstart=start, count=count)
    elif frequency == "fortnightly":
        rule = rrule(WEEKLY, interval=2, dtstart=start, count=count)
    elif frequency == "monthly":
        n, wd = nth_weekday(first)
        rule = rrule(MONTHLY, dtstart=start, count=count, byweekday=weekday(wd)(n))
    else:
        raise ValueError(f"unknown frequency {frequency!r}")
    return [moment.date() for moment in rule]


def occurrences(first_local: datetime, duration: timedelta, zone_name: str, frequency: str,
                count: int) -> list[tuple[datetime, datetime]]:
    """(start, end) in naive UTC of each occurrence: the same wall-clock time on each date in the
    zone, whatever the UTC offset that day. The first is checked (to_utc); later ones shift."""
    result = []
    for index, day in enumerate(series_dates(first_local.date(), frequency, count)):
        local = datetime.combine(day, first_local.time())
        start = to_utc(local, zone_name) if index == 0 else shifted_to_utc(local, zone_name)
        end_local = to_local(start, zone_name).replace(tzinfo=None) + duration
        result.append((start, shifted_to_utc(end_local, zone_name)))
    return result
