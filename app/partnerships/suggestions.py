"""How well two "looking for learning partners" requests fit (pure: no Flask, no database): shared
focus areas and languages, the waking hours two time zones share, the distance between their
public points (never an exact one: a request stores none), and whether both meet online."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

from app.geo.distance import haversine_km

WAKING = (time(8), time(22))  # the hours people are glad to meet, in their own zone
NEAR_KM = 100.0  # farther than this, meeting in person every few weeks is no longer easy
CELL_KM = 10.0  # a public point is a ~10 km cell's centre: nothing finer is said


class Comparable(Protocol):
    """What a comparison reads of a request (app.models.partnerships.PartnerRequest has it)."""

    time_zone: str
    public_lat: float | None
    public_lng: float | None

    @property
    def language_list(self) -> list[str]: ...


@dataclass(frozen=True)
class Fit:
    shared_areas: tuple[str, ...]
    shared_languages: tuple[str, ...]
    waking_hours: float
    distance_km: float | None  # between the public points, when both would meet in person
    online: bool  # both would meet online

    @property
    def score(self) -> float:
        near = 0.0
        if self.distance_km is not None:
            near = 4.0 if self.distance_km <= 25 else 2.0
        return (3 * len(self.shared_areas) + 2 * len(self.shared_languages)
                + min(self.waking_hours, 14) / 2 + near + (1.0 if self.online else 0.0))


def waking_window(zone_name: str, day: date) -> tuple[datetime, datetime]:
    """08:00 to 22:00 of `day` in the zone, in UTC."""
    zone = ZoneInfo(zone_name)
    start = datetime.combine(day, WAKING[0], tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(day, WAKING[1], tzinfo=zone).astimezone(timezone.utc)
    return start, end


def waking_overlap_hours(zone_a: str, zone_b: str, day: date) -> float:
    """How many of A's waking hours on `day` fall in B's waking hours (of any of B's days), to
    the half hour: 14 for the same zone, 8 for Berlin and New York, 0 for opposite sides."""
    start, end = waking_window(zone_a, day)
    shared = timedelta(0)
    for offset in (-1, 0, 1):
        other_start, other_end = waking_window(zone_b, day + timedelta(days=offset))
        shared += max(timedelta(0), min(end, other_end) - max(start, other_start))
    return round(shared.total_seconds() / 1800) / 2


def _folded(words) -> dict[str, str]:
    return {word.strip().casefold(): word.strip() for word in words if word and word.strip()}


def fit(mine: Comparable, theirs: Comparable, my_areas: list[str], their_areas: list[str],
        my_modes: tuple[bool, bool], their_modes: tuple[bool, bool], day: date) -> Fit | None:
    """How `theirs` fits `mine`; None when they could not meet at all (no way of meeting both
    take, too far apart to meet in person only, or no language in common when both name some).
    *_modes: (online, in person)."""
    online = my_modes[0] and their_modes[0]
    distance = None
    if my_modes[1] and their_modes[1] and None not in (mine.public_lat, mine.public_lng,
                                                       theirs.public_lat, theirs.public_lng):
        km = haversine_km(mine.public_lat, mine.public_lng, theirs.public_lat, theirs.public_lng)
        distance = km if km <= NEAR_KM else None
    if not online and distance is None:
        return None
    my_languages, their_languages = _folded(mine.language_list), _folded(theirs.language_list)
    languages = tuple(my_languages[key] for key in my_languages if key in their_languages)
    if my_languages and their_languages and not languages:
        return None
    their_names = _folded(their_areas)
    areas = tuple(name for key, name in _folded(my_areas).items() if key in their_names)
    return Fit(areas, languages, waking_overlap_hours(mine.time_zone, theirs.time_zone, day),
               distance, online)


def distance_words(km: float) -> str:
    """A distance between public points as people read it, no finer than the cells they are."""
    if km < CELL_KM:
        return "within about 10 km"
    if km < 100:
        return f"about {round(km)} km"
    return f"about {round(km, -1):.0f} km"


def hours_words(hours: float) -> str:
    if hours <= 0:
        return "no waking hours in common"
    whole = int(hours) if hours == int(hours) else hours
    return f"{whole} waking hour{'' if hours == 1 else 's'} in common"
