"""Finding leaders: near a place within a radius, by keyword, tag, language and program."""
import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select, true
from sqlalchemy.orm import selectinload

from app.directory.geocoding import get_geocoder
from app.extensions import db
from app.geo.distance import EARTH_RADIUS_KM, KM_PER_MILE, Box, DistanceUnit, bounding_boxes, \
    describe_distance, haversine_km
from app.geo.geocoder import Candidate
from app.models.accounts import User
from app.models.directory import FocusArea, LeaderProfile, Program, ProfileProgram

PER_PAGE = 20
MIN_RADIUS = 5
MAX_RADIUS = 500
DEFAULT_RADIUS = 50
NEAREST_COUNT = 20
MAX_KEYWORD_WORDS = 6
# No point on Earth is farther than half the circumference: a circle this big covers everything.
WHOLE_EARTH_KM = math.pi * EARTH_RADIUS_KM
# The nearest-leaders search reads at most this many candidates per box before shrinking it.
NEAREST_FETCH_CAP = 5000

Leader = LeaderProfile


class PlaceNotFound(Exception):
    """Nothing in the gazetteer matches what the visitor typed."""

    def __init__(self, query: str) -> None:
        super().__init__(query)
        self.query = query

    @property
    def message(self) -> str:
        return (f"We could not find “{self.query}”. Check the spelling, or try a nearby town, "
                "“town, country” or a postal code.")


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


@dataclass(frozen=True, slots=True)
class Filters:
    keyword: str = ""
    focus_area: str = ""  # FocusArea.slug
    language: str = ""
    program: str = ""  # Program.slug
    online: bool = False  # include leaders who work online, wherever they are


@dataclass(frozen=True, slots=True)
class Hit:
    """One leader in the results; distance_km is from their public point, never the exact one."""

    profile_id: int
    distance_km: float | None
    online: bool  # the leader works online
    beyond_radius: bool = False  # included only because they work online

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


def find_place(query: str) -> Place:
    """The place a visitor typed; raises geo.geocoder.GeocodeError (nothing typed) or PlaceNotFound."""
    result = get_geocoder().geocode(query)
    if result.best is None:
        raise PlaceNotFound(query.strip())
    best = result.best
    alternatives = [c for c in result.alternatives if c != best] if result.ambiguous else []
    return Place(Origin(best.label, best.lat, best.lng), alternatives)


def search(origin: Origin | None, radius_km: float = DEFAULT_RADIUS, filters: Filters = Filters(),
           page: int = 1, per_page: int = PER_PAGE, *, full_scan: bool = False) -> Results:
    """Listed leaders matching the filters: near `origin` by distance, else everyone by name.

    Near a place: bounding boxes on the indexed public point pick candidates, exact distances
    (one per distinct public point) keep those inside the circle. When nobody is inside it,
    the nearest leaders are returned instead (Results.nearest). Leaders who work online
    follow when filters.online is on. full_scan skips the boxes (for the benchmark only).
    """
    page = max(1, page)
    start = (page - 1) * per_page
    matching = _matching(filters)
    if origin is None:
        return _by_name(matching, filters, page, per_page)

    boxes = None if full_scan else bounding_boxes(origin.lat, origin.lng, radius_km)
    local = _within(origin, radius_km, db.session.execute(_candidates(matching, boxes)))
    nearest = not local
    if nearest:
        local = _nearest(origin, matching, NEAREST_COUNT, radius_km, full_scan=full_scan)
    local.sort()
    total = len(local)
    hits = [Hit(row.id, row.distance, row.online) for row in local[start:start + per_page]]

    if filters.online:
        already = {row.id for row in local if row.online}
        online_total = db.session.scalar(
            select(func.count()).select_from(Leader).where(*matching, Leader.works_online)) - len(already)
        wanted = start + per_page - total  # how many online leaders this page still needs
        if wanted > 0:
            skip = max(0, start - total)
            hits += _online_beyond(origin, matching, already, skip, min(per_page, wanted))
        total += online_total
    return Results(hits, total, page, per_page, origin, radius_km, nearest)


@dataclass(frozen=True, slots=True, order=True)
class _Candidate:
    distance: float
    name: str
    id: int
    online: bool


def _matching(filters: Filters) -> list[ColumnElement[bool]]:
    # Listed, and the account still active: a deactivated leader vanishes from every search.
    conditions: list[ColumnElement[bool]] = [Leader.listed == true(), Leader.user.has(User.active == true())]
    for word in filters.keyword.split()[:MAX_KEYWORD_WORDS]:
        conditions.append(or_(
            Leader.display_name.icontains(word, autoescape=True),
            Leader.headline.icontains(word, autoescape=True),
            Leader.bio.icontains(word, autoescape=True),
            Leader.focus_areas.any(FocusArea.name.icontains(word, autoescape=True)),
        ))
    if filters.focus_area:
        conditions.append(Leader.focus_areas.any(FocusArea.slug == filters.focus_area))
    if filters.program:
        conditions.append(Leader.programs.any(ProfileProgram.program.has(Program.slug == filters.program)))
    if filters.language:
        conditions.append(_speaks(filters.language))
    return conditions


def _speaks(language: str) -> ColumnElement[bool]:
    """Languages are stored comma-separated ("English, Kiswahili"): match one whole item."""
    items = func.replace(func.replace(func.lower(Leader.languages), ", ", ","), " ,", ",")
    wrapped = "," + items + ","
    return wrapped.contains("," + language.strip().lower() + ",", autoescape=True)


def _candidates(matching: Sequence[ColumnElement[bool]], boxes: Iterable[Box] | None) -> Select:
    statement = select(Leader.id, Leader.display_name, Leader.public_lat, Leader.public_lng,
                       Leader.works_online).where(*matching)
    if boxes is None:
        return statement.where(Leader.public_lat.is_not(None), Leader.public_lng.is_not(None))
    return statement.where(or_(*(
        and_(Leader.public_lat.between(box.min_lat, box.max_lat), Leader.public_lng.between(box.min_lng, box.max_lng))
        for box in boxes
    )))


def _within(origin: Origin, radius_km: float, rows: Iterable[Row[Any]]) -> list[_Candidate]:
    """The candidates inside the circle; distances computed once per distinct public point."""
    distances: dict[tuple[float, float], float] = {}
    inside = []
    for row in rows:
        point = (row.public_lat, row.public_lng)
        distance = distances.get(point)
        if distance is None:
            distance = distances[point] = haversine_km(origin.lat, origin.lng, *point)
        if distance <= radius_km:
            inside.append(_Candidate(distance, row.display_name.casefold(), row.id, row.works_online))
    return inside


def _nearest(origin: Origin, matching: Sequence[ColumnElement[bool]], count: int, searched_km: float,
             *, full_scan: bool = False) -> list[_Candidate]:
    """The `count` nearest leaders, growing the search circle from the radius already searched.

    Fewer than `count` lie within `low`; each round looks within `high`, doubling it, or halving
    the step when the box holds too many candidates to read cheaply.
    """
    if full_scan:
        rows = db.session.execute(_candidates(matching, None))
        return heapq.nsmallest(count, _within(origin, WHOLE_EARTH_KM, rows))
    low, high = searched_km, min(searched_km * 2, WHOLE_EARTH_KM)
    while True:
        statement = _candidates(matching, bounding_boxes(origin.lat, origin.lng, high))
        rows = db.session.execute(statement.limit(NEAREST_FETCH_CAP + 1)).all()
        if len(rows) > NEAREST_FETCH_CAP:
            if high - low > 1:
                high = (low + high) / 2
                continue
            rows = db.session.execute(statement).all()  # a dense spot just beyond `low`: read it all
        inside = _within(origin, high, rows)
        if len(inside) >= count or high >= WHOLE_EARTH_KM:
            return heapq.nsmallest(count, inside)
        low, high = high, min(high * 2, WHOLE_EARTH_KM)


def _online_beyond(origin: Origin | None, matching: Sequence[ColumnElement[bool]], already: set[int],
                   skip: int, limit: int) -> list[Hit]:
    """Online leaders not already listed, by name: skip `skip` of them and take `limit`."""
    statement = (
        select(Leader.id, Leader.public_lat, Leader.public_lng)
        .where(*matching, Leader.works_online)
        .order_by(Leader.display_name, Leader.id)
        .limit(skip + limit + len(already))
    )
    hits = []
    for row in db.session.execute(statement):
        if row.id in already:
            continue
        if skip:
            skip -= 1
            continue
        distance = None
        if origin is not None and row.public_lat is not None and row.public_lng is not None:
            distance = haversine_km(origin.lat, origin.lng, row.public_lat, row.public_lng)
        hits.append(Hit(row.id, distance, True, beyond_radius=True))
        if len(hits) == limit:
            break
    return hits


def _by_name(matching: list[ColumnElement[bool]], filters: Filters, page: int, per_page: int) -> Results:
    """No place given: everyone matching, by name; with the online toggle, only online leaders."""
    if filters.online:
        matching = [*matching, Leader.works_online]
    total = db.session.scalar(select(func.count()).select_from(Leader).where(*matching))
    rows = db.session.execute(
        select(Leader.id, Leader.works_online).where(*matching)
        .order_by(Leader.display_name, Leader.id).offset((page - 1) * per_page).limit(per_page)
    )
    return Results([Hit(row.id, None, row.works_online) for row in rows], total, page, per_page)


def load_profiles(hits: Sequence[Hit]) -> dict[int, LeaderProfile]:
    """The profiles for one page of hits, with what the leader card shows loaded up front."""
    if not hits:
        return {}
    profiles = db.session.scalars(
        select(Leader).where(Leader.id.in_([hit.profile_id for hit in hits]))
        .options(selectinload(Leader.focus_areas), selectinload(Leader.programs))
    )
    return {profile.id: profile for profile in profiles}

