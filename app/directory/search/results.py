"""What a search is asked and what it answers: origins, filters, hits and pages of results."""
import math
from dataclasses import dataclass, field
from typing import NamedTuple

from app.geo.distance import KM_PER_MILE, DistanceUnit, describe_distance
from app.geo.geocoder import Candidate

PER_PAGE = 20
MIN_RADIUS = 5
MAX_RADIUS = 500
DEFAULT_RADIUS = 50
# How a list of results can be ordered: nearest first (no place given: by name), or by name.
SORTS = ("distance", "name")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where distances are measured from: a place the visitor named or their own location."""

    name: str
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class Place:
    """What a place query meant, and the other places it may have meant."""

    origin: Origin
    alternatives: list[Candidate] = field(default_factory=list)  # only when ambiguous, best excluded


def your_location(lat: float, lng: float) -> Place:
    """The visitor's own point ("Use my location", or lat and lng in the API)."""
    return Place(Origin("your location", lat, lng))


@dataclass(frozen=True, slots=True)
class Filters:
    keyword: str = ""
    focus_area: str = ""  # FocusArea.slug
    language: str = ""
    program: str = ""  # Program.slug
    online: bool = False  # include leaders who work online, wherever they are

    @property
    def countable(self) -> bool:
        """leader_cells and leader_points count every searchable leader: no other filter may be set."""
        return not (self.keyword or self.focus_area or self.language or self.program)


class Summary(NamedTuple):
    """What a result shows without loading the profile: public fields only."""

    slug: str
    name: str
    headline: str
    city: str
    region: str
    country: str
    lat: float | None
    lng: float | None
    online: bool  # the leader works online

    @classmethod
    def of(cls, profile) -> "Summary":
        """The public fields of a loaded LeaderProfile: never its private lat/lng."""
        return cls(profile.slug, profile.display_name, profile.headline, profile.city, profile.region,
                   profile.country, profile.public_lat, profile.public_lng, bool(profile.works_online))


class Match(NamedTuple):
    """A leader found inside the circle, in the search's order: tuples sort by (distance, name, id),
    and ids are unique, so summaries are never compared."""

    distance_km: float
    name_key: str  # display_name.casefold(), for ties and the order by name
    profile_id: int
    online: bool
    summary: Summary | None  # read with the page when the search had it at hand


class PointCount(NamedTuple):
    """A distinct public point inside the circle and how many leaders it holds."""

    distance_km: float
    lat: float
    lng: float
    leaders: int
    online: int  # of them, who work online (0 unless the search includes them)


@dataclass(frozen=True, slots=True)
class Hit:
    """One leader in the results; distance_km is from their public point, never the exact one."""

    profile_id: int
    distance_km: float | None
    online: bool  # the leader works online
    beyond_radius: bool = False  # included only because they work online
    summary: Summary | None = None  # read with the page when the search had it at hand

    def distance_label(self, unit: DistanceUnit = "km") -> str | None:
        return None if self.distance_km is None else describe_distance(self.distance_km, unit)

    def rounded_km(self) -> int | None:
        return None if self.distance_km is None else rounded_km(self.distance_km)


@dataclass(slots=True)
class Results:
    """One page of results; works as the `page` object of _partials/pagination.html."""

    hits: list[Hit]
    total: int
    page: int
    per_page: int = PER_PAGE
    origin: Origin | None = None
    radius_km: float | None = None
    nearest: bool = False  # nobody was within the radius: these are the nearest leaders
    order: str = "name"  # how the hits are ordered: "distance", "name" or "relevance" (best match)
    total_capped: bool = False  # more match than `total` (counted only so far, without a place)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def first_number(self) -> int:
        """The position of the first hit on this page, counting from 1 (for <ol start>)."""
        return (self.page - 1) * self.per_page + 1


def to_km(radius: float, unit: DistanceUnit) -> float:
    return radius * KM_PER_MILE if unit == "mi" else float(radius)


def rounded_km(km: float) -> int:
    """The figure behind describe_distance: 0 under 5 km, then steps of 5, 10 and 50 km."""
    if km < 5:
        return 0
    step = 5 if km < 50 else 10 if km < 500 else 50
    return int(km / step + 0.5) * step
