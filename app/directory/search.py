"""Finding leaders: near a place within a radius, by keyword, tag, language and program."""
import heapq
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import (ColumnElement, Row, Select, and_, bindparam, case, exists, func, literal_column, or_,
                        select, true, union_all)
from sqlalchemy.orm import selectinload

from app.directory.geocoding import get_geocoder
from app.extensions import db
from app.geo.distance import EARTH_RADIUS_KM, KM_PER_MILE, RADIANS_PER_DEGREE, DistanceUnit, \
    bounding_boxes, describe_distance, haversine_km
from app.geo.cells import FINEST, Run, cell_of, column_of, cover, row_of
from app.geo.geocoder import Candidate
from app.prepared import prepared
from app.models.directory import FocusArea, LeaderCell, LeaderPoint, LeaderProfile, Program, ProfileProgram, \
    profile_focus_areas

PER_PAGE = 20
MIN_RADIUS = 5
MAX_RADIUS = 500
DEFAULT_RADIUS = 50
NEAREST_COUNT = 20
MAX_KEYWORD_WORDS = 6
# How a list of results can be ordered: nearest first (no place given: by name), or by name.
SORTS = ("distance", "name")
# No point on Earth is farther than half the circumference: a circle this big covers everything.
WHOLE_EARTH_KM = math.pi * EARTH_RADIUS_KM
# The nearest-leaders search reads at most this many candidates per box before shrinking it.
NEAREST_FETCH_CAP = 5000
NEAREST_MAX_SHRINKS = 6
# Places typed into the search box, remembered per worker: the offline gazetteer never changes.
PLACE_CACHE_SIZE = 2048
# Circles whose grid cover each worker keeps (geometry only: never stale).
COVER_CACHE_SIZE = 256
# How long a worker keeps its map of where leaders are crowded.
DENSITY_MAP_SECONDS = 60
# Boxes taller than this many rows of cells are read as one range of rows, not row by row.
MAX_SEEK_ROWS = 1024
# Points per UNION ALL when reading the leaders at a page's points (SQLite allows 500 terms).
LEADERS_AT_CHUNK = 200


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
    if current_app.config["GEOCODER"] != "offline":
        return _geocode(query)
    cache: OrderedDict[str, Place] = current_app.extensions.setdefault("directory.places", OrderedDict())
    key = query.strip()
    place = cache.get(key)
    if place is None:
        place = cache[key] = _geocode(query)
        if len(cache) > PLACE_CACHE_SIZE:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return place


def _geocode(query: str) -> Place:
    result = get_geocoder().geocode(query)
    if result.best is None:
        raise PlaceNotFound(query.strip())
    best = result.best
    alternatives = [c for c in result.alternatives if c != best] if result.ambiguous else []
    return Place(Origin(best.label, best.lat, best.lng), alternatives)


def search(origin: Origin | None, radius_km: float = DEFAULT_RADIUS, filters: Filters = Filters(),
           page: int = 1, per_page: int = PER_PAGE, *, sort: str = "distance", full_scan: bool = False) -> Results:
    """Listed leaders matching the filters: near `origin` by distance (or by name), else everyone by name.

    Near a place, one of two exact ways:
    - by points (_Points): bounding boxes on the indexed public point pick the distinct public
      points (with how many leaders each holds, straight from the covering index), exact
      distances (one per point) keep those inside the circle and give the count;
    - by cells (_Counted), where leaders are crowded and no filter but "online" is set: the
      grid cells wholly inside the circle add their counts from leader_cells, and only the
      points of the cells on its edge are measured.
    Either way leaders are read only at the points the page shown needs. When nobody is inside
    the circle, the nearest leaders are returned instead (Results.nearest). Leaders who work
    online follow when filters.online is on. full_scan skips the index (for the benchmark's
    comparison only).

    sort="name" orders the leaders inside the circle (and the nearest ones) by name_key, then
    id, as Python orders casefolded names; leaders who work online still follow, by name.
    """
    page = max(1, page)
    start, stop = (page - 1) * per_page, page * per_page
    if origin is None:
        return _by_name(_matching(filters), filters, page, per_page)

    by_name = sort == "name"
    if full_scan:
        found = _Leaders(_within(origin, radius_km, _execute(_candidates(_matching(filters)))), by_name=by_name)
    elif by_name:  # every point inside the circle is needed to order by name: no counting by cells
        found = _ByName(_Points(origin, radius_km, _points(filters, origin, radius_km), filters))
    elif _countable(filters) and _crowded(origin, radius_km):
        found = _Counted(origin, radius_km, filters)
    else:
        found = _Points(origin, radius_km, _points(filters, origin, radius_km), filters)
    nearest = not found.total
    if nearest:
        found = _Leaders(_nearest(origin, filters, NEAREST_COUNT, radius_km, full_scan=full_scan), by_name=by_name)
    total = found.total
    hits = [Hit(id_, distance, bool(online), summary=summary)
            for distance, _name, id_, online, summary in found.page(start, stop)]

    if filters.online:
        matching = _matching(filters)  # the prepared statements above build their own
        online_total = _online_count(filters, matching) - found.online
        wanted = stop - total  # how many online leaders this page still needs
        if wanted > 0:
            skip = max(0, start - total)
            hits += _online_beyond(origin, matching, found, skip, min(per_page, wanted))
        total += online_total
    return Results(hits, total, page, per_page, origin, radius_km, nearest)


# The search reads plain table columns (Core, not ORM entities): it runs on every keystroke
# of a busy page, and the private lat/lng columns are never among those it names.
_T = LeaderProfile.__table__
_AREAS = FocusArea.__table__
_PROGRAMS = Program.__table__
_PROFILE_PROGRAMS = ProfileProgram.__table__
_CELLS = LeaderCell.__table__
_POINTS = LeaderPoint.__table__

# distance, name for ties, id, works online, summary when read; ids are unique, so tuples sort
# by (distance, name, id) and never compare summaries.
_Candidate = tuple[float, str, int, bool, Summary | None]
_Point = tuple[float, float, float, int, int]  # distance, lat, lng, leaders there, of them online


def _execute(statement: Select) -> list[Row[Any]]:
    # fetchall in one call: row-by-row fetching costs more than the query for big answers.
    return db.session.connection().execute(statement).all()


def _matching(filters: Filters) -> list[ColumnElement[bool]]:
    # Listed, and the account still active: a deactivated leader vanishes from every search.
    conditions: list[ColumnElement[bool]] = [_T.c.searchable == true()]
    for word in filters.keyword.split()[:MAX_KEYWORD_WORDS]:
        tagged = exists().where(profile_focus_areas.c.profile_id == _T.c.id,
                                profile_focus_areas.c.focus_area_id == _AREAS.c.id,
                                _AREAS.c.name.icontains(word, autoescape=True))
        conditions.append(or_(
            _T.c.display_name.icontains(word, autoescape=True),
            _T.c.headline.icontains(word, autoescape=True),
            _T.c.bio.icontains(word, autoescape=True),
            tagged,
        ))
    if filters.focus_area:
        conditions.append(exists().where(profile_focus_areas.c.profile_id == _T.c.id,
                                          profile_focus_areas.c.focus_area_id == _AREAS.c.id,
                                          _AREAS.c.slug == filters.focus_area))
    if filters.program:
        conditions.append(exists().where(_PROFILE_PROGRAMS.c.profile_id == _T.c.id,
                                          _PROFILE_PROGRAMS.c.program_id == _PROGRAMS.c.id,
                                          _PROGRAMS.c.slug == filters.program))
    if filters.language:
        conditions.append(_speaks(filters.language))
    return conditions


def _speaks(language: str) -> ColumnElement[bool]:
    """Languages are stored comma-separated ("English, Kiswahili"): match one whole item."""
    items = func.replace(func.replace(func.lower(_T.c.languages), ", ", ","), " ,", ",")
    wrapped = "," + items + ","
    return wrapped.contains("," + language.strip().lower() + ",", autoescape=True)


def _candidates(matching: Sequence[ColumnElement[bool]]) -> Select:
    """One row per leader with a public point: the full scan's way, for the benchmark's comparison."""
    return (select(_T.c.id, _T.c.display_name, _T.c.public_lat, _T.c.public_lng, _T.c.works_online)
            .where(*matching, _T.c.public_lat.is_not(None), _T.c.public_lng.is_not(None)))


def _points(filters: Filters, origin: Origin, radius_km: float, limit: int | None = None) -> list[tuple]:
    """(lat, lng, leaders, of them online) for each distinct public point in the boxes around origin.

    City-level leaders share their area's point, so there are fewer points than leaders.
    Boxes split at the 180th meridian never share a point, so each is its own SELECT (an OR of
    two boxes makes SQLite's planner give up on the index). A prepared statement: this runs on
    every search.
    """
    shape, values = _box_values(origin.lat, origin.lng, radius_km)

    def build():
        parts = [_points_where(filters, lambda *columns, number=number, rows=rows: [
                     _in_box_params(f"box{number}", rows, *columns)])
                 for number, rows in enumerate(shape)]
        statement = _union(parts)
        return statement if limit is None else statement.limit(limit)

    connection = db.session.connection()
    return prepared(connection, ("points", filters, shape, limit), build).rows(connection, values)


@lru_cache(maxsize=COVER_CACHE_SIZE)
def _box_values(lat: float, lng: float, radius_km: float) -> tuple[tuple[int, ...], dict[str, float | int]]:
    """The bounding boxes of a circle as (rows per box, or 0 for a range; the values to bind).

    Pure geometry, kept per worker like _cover_values. The values are shared: never change them.
    """
    values: dict[str, float | int] = {}
    shape = []
    for number, box in enumerate(bounding_boxes(lat, lng, radius_km)):
        prefix = f"box{number}"
        rows = range(row_of(box.min_lat), row_of(box.max_lat) + 1)
        if len(rows) > MAX_SEEK_ROWS:  # most of the world: one range, no seeks
            shape.append(0)
            values[f"{prefix}_first_row"], values[f"{prefix}_last_row"] = rows[0], rows[-1]
        else:
            shape.append(_padded(len(rows)))
            values.update({f"{prefix}_row{index}": rows[min(index, len(rows) - 1)]
                           for index in range(shape[-1])})
        values.update({f"{prefix}_first_column": column_of(box.min_lng),
                       f"{prefix}_last_column": column_of(box.max_lng),
                       f"{prefix}_min_lat": box.min_lat, f"{prefix}_max_lat": box.max_lat,
                       f"{prefix}_min_lng": box.min_lng, f"{prefix}_max_lng": box.max_lng})
    return tuple(shape), values


def _points_where(filters: Filters, where: Callable[..., list[ColumnElement[bool]]]) -> Select:
    """SELECT (lat, lng, leaders, of them online) per public point, for where(cell_y, cell_x, lat, lng).

    Without filters, from leader_points (one row per point, counted by triggers); with them,
    by grouping the matching leaders, in index order (the cell is a function of the point)
    so nothing is sorted. Who works online is counted only when the search includes them.
    """
    if _countable(filters):
        points = _POINTS.c
        online = points.online if filters.online else literal_column("0")
        return (select(points.lat, points.lng, points.leaders, online)
                .where(*where(points.cell_y, points.cell_x, points.lat, points.lng)))
    columns = _T.c
    online = func.sum(case((columns.works_online == true(), 1), else_=0)) if filters.online else literal_column("0")
    return (select(columns.public_lat, columns.public_lng, func.count(), online)
            .where(*_matching(filters), *where(columns.cell_y, columns.cell_x, columns.public_lat, columns.public_lng))
            .group_by(columns.cell_y, columns.cell_x, columns.public_lat, columns.public_lng))


def _padded(count: int) -> int:
    """The next power of two: statements are prepared for a few list lengths, the last value repeated."""
    return 1 << (count - 1).bit_length()


def _in_box_params(prefix: str, rows: int, cell_y, cell_x, lat, lng) -> ColumnElement[bool]:
    """A box's rows of finest cells (`rows` of them, or 0 for a range), then its edges, as placeholders.

    The rows come first so the index seeks each row's range of cells.
    """
    if rows:
        in_rows = cell_y.in_([bindparam(f"{prefix}_row{index}") for index in range(rows)])
    else:
        in_rows = cell_y.between(bindparam(f"{prefix}_first_row"), bindparam(f"{prefix}_last_row"))
    return and_(in_rows,
                cell_x.between(bindparam(f"{prefix}_first_column"), bindparam(f"{prefix}_last_column")),
                lng.between(bindparam(f"{prefix}_min_lng"), bindparam(f"{prefix}_max_lng")),
                lat.between(bindparam(f"{prefix}_min_lat"), bindparam(f"{prefix}_max_lat")))


def _leaders_at(filters: Filters, points: Sequence[_Point], wanted: int) -> list[_Candidate]:
    """Enough leaders at these points (nearest first) for the first `wanted` in the search's
    order, as candidates with their summaries.

    Each point is its own index seek, joined with UNION ALL: a long OR of points defeats
    SQLite's planner, and one range around far-apart points (the nearest leaders to a remote
    town) would read whole regions. The index holds each point's leaders in name order, so a
    city-level point shared by thousands costs only the leaders the page still needs.
    """
    whole, capped = [], []  # (lat, lng, None) and, for capped points, (lat, lng, how many to read)
    nearer = 0  # leaders at points nearer than the current one
    previous, tied = None, 0  # ties are ordered by name: each may need as many as the first
    for distance, lat, lng, leaders, _ in points:
        if distance != previous:
            nearer, previous, tied = nearer + tied, distance, 0
        need = wanted - nearer
        if leaders > need:
            capped.append((lat, lng, need))
        else:
            whole.append((lat, lng, None))
        tied += leaders
    distances = {(lat, lng): distance for distance, lat, lng, _, _ in points}
    ordered = whole + capped  # whole points first: the statement's shape is (whole, capped)
    connection = db.session.connection()
    candidates = []
    for start in range(0, len(ordered), LEADERS_AT_CHUNK):
        chunk = ordered[start:start + LEADERS_AT_CHUNK]
        values = {}
        for index, (lat, lng, limit) in enumerate(chunk):
            values[f"row{index}"], values[f"column{index}"] = cell_of(lat, lng)
            values[f"lat{index}"], values[f"lng{index}"] = lat, lng
            if limit is not None:
                values[f"limit{index}"] = limit
        shape = (sum(1 for _, _, limit in chunk if limit is None), sum(1 for _, _, limit in chunk if limit is not None))
        statement = prepared(connection, ("leaders at", filters, shape),
                             lambda: _leaders_at_statement(filters, *shape))
        candidates += [(distances[lat, lng], name_key, id_, online,
                        Summary(slug, name, headline, city, region, country, lat, lng))
                       for id_, name, name_key, lat, lng, online, slug, headline, city, region, country
                       in statement.rows(connection, values)]
    return candidates


def _leaders_at_statement(filters: Filters, whole: int, capped: int):
    """`whole` points read whole, then `capped` points read up to their own limit, by name."""
    matching = _matching(filters)
    # Named one by one: the private lat/lng columns are never read.
    columns = (_T.c.id, _T.c.display_name, _T.c.name_key, _T.c.public_lat, _T.c.public_lng, _T.c.works_online,
               _T.c.slug, _T.c.headline, _T.c.city, _T.c.region, _T.c.country)
    parts = []
    for index in range(whole + capped):
        at_point = select(*columns).where(*matching, _T.c.cell_y == bindparam(f"row{index}"),
                                          _T.c.cell_x == bindparam(f"column{index}"),
                                          _T.c.public_lat == bindparam(f"lat{index}"),
                                          _T.c.public_lng == bindparam(f"lng{index}"))
        if index >= whole:  # the first few by name, straight from the index
            first = (at_point.order_by(_T.c.name_key, _T.c.id).limit(bindparam(f"limit{index}"))
                     .subquery(f"point{index}"))
            at_point = select(*first.c)
        parts.append(at_point)
    return _union(parts)


def _union(parts: list[Select]):
    """The SELECTs as one statement: each is its own index seek."""
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _name_order(candidate: _Candidate) -> tuple[str, int]:
    return candidate[1], candidate[2]  # name_key, id


class _Leaders:
    """Leaders found one by one (the full scan, the nearest leaders): all in memory."""

    def __init__(self, candidates: list[_Candidate], *, by_name: bool = False) -> None:
        self.candidates = candidates
        self.total = len(candidates)
        self.online = sum(1 for candidate in candidates if candidate[3])
        self._ids = {candidate[2] for candidate in candidates}
        self._key = _name_order if by_name else None

    def page(self, start: int, stop: int) -> list[_Candidate]:
        return heapq.nsmallest(stop, self.candidates, key=self._key)[start:] if start < self.total else []

    def holds(self, id_: int, lat: float | None, lng: float | None) -> bool:
        return id_ in self._ids


class _Points:
    """Leaders found as counts per public point inside the circle: rows are read only for a page."""

    def __init__(self, origin: Origin, radius_km: float, rows: Iterable[Row[Any]], filters: Filters) -> None:
        """Keep the points (lat, lng, leaders, online) of `rows` that lie inside the circle.

        haversine_km written out with the origin's terms computed once (the hot loop of every
        search); same operations in the same order, so the distances equal haversine_km's.
        """
        lng, phi1 = origin.lng, origin.lat * RADIANS_PER_DEGREE
        cos_phi1 = math.cos(phi1)
        sin, cos, asin, sqrt = math.sin, math.cos, math.asin, math.sqrt
        diameter = 2 * EARTH_RADIUS_KM
        inside: list[_Point] = []
        total = online_total = 0
        for point_lat, point_lng, leaders, online in rows:
            phi2 = point_lat * RADIANS_PER_DEGREE
            half_dphi = sin((phi2 - phi1) * 0.5)
            half_dlambda = sin((point_lng - lng) * RADIANS_PER_DEGREE * 0.5)
            a = half_dphi * half_dphi + cos_phi1 * cos(phi2) * half_dlambda * half_dlambda
            distance = diameter * asin(sqrt(a if a < 1.0 else 1.0))
            if distance <= radius_km:
                inside.append((distance, point_lat, point_lng, leaders, online))
                total += leaders
                online_total += online
        inside.sort()
        self.points = inside  # nearest first
        self.filters = filters
        self.total = total
        self.online = online_total

    def page(self, start: int, stop: int) -> list[_Candidate]:
        """Leaders start..stop by (distance, name, id), reading only the points that hold them."""
        if start >= self.total:
            return []
        points, count = self.points, len(self.points)
        wanted: list[_Point] = []
        first = 0  # how many leaders come before the first point read
        seen = index = 0
        while index < count and seen < stop:
            # Points at the same distance are taken together: the order among them is by name.
            end, size = index + 1, points[index][3]
            while end < count and points[end][0] == points[index][0]:
                size += points[end][3]
                end += 1
            if seen + size > start:
                if not wanted:
                    first = seen
                wanted += points[index:end]
            seen += size
            index = end
        leaders = sorted(_leaders_at(self.filters, wanted, stop - first))
        return leaders[start - first:stop - first]

    @cached_property
    def _places(self) -> set[tuple[float, float]]:
        return {(lat, lng) for _, lat, lng, _, _ in self.points}

    def holds(self, id_: int, lat: float | None, lng: float | None) -> bool:
        return (lat, lng) in self._places


class _ByName:
    """The leaders inside the circle by name: all of them are read (with their summaries), then
    ordered by (name_key, id); the points and counts are those of the distance order."""

    def __init__(self, points: _Points) -> None:
        self.points = points
        self.total, self.online = points.total, points.online

    @cached_property
    def _ordered(self) -> list[_Candidate]:
        return sorted(_leaders_at(self.points.filters, self.points.points, self.total), key=_name_order)

    def page(self, start: int, stop: int) -> list[_Candidate]:
        return self._ordered[start:stop] if start < self.total else []

    def holds(self, id_: int, lat: float | None, lng: float | None) -> bool:
        return self.points.holds(id_, lat, lng)


def _online_count(filters: Filters, matching: Sequence[ColumnElement[bool]]) -> int:
    """How many leaders matching the filters work online, anywhere (or nowhere: no place given)."""
    if not _countable(filters):
        return db.session.scalar(select(func.count()).select_from(_T).where(*matching, _T.c.works_online == true()))
    # The 1° cells hold every searchable leader with a place once; add those without one.
    placed = db.session.scalar(select(func.coalesce(func.sum(_CELLS.c.online), 0)).where(_CELLS.c.level == 0))
    unplaced = db.session.scalar(select(func.count()).select_from(_T).where(
        *matching, _T.c.works_online == true(), _T.c.cell_y.is_(None)))
    return placed + unplaced


def _countable(filters: Filters) -> bool:
    """leader_cells counts every searchable leader: it answers searches without other filters."""
    return not (filters.keyword or filters.focus_area or filters.language or filters.program)


def _crowded(origin: Origin, radius_km: float) -> bool:
    """Are there so many leaders around that counting cells beats reading their points?

    Judged from a map of the 1° cells kept per worker for a minute: a stale map only makes a
    search take the slower of two exact ways.
    """
    cells = _density_map()
    around = 0
    for box in bounding_boxes(origin.lat, origin.lng, radius_km):
        first_x, last_x = column_of(box.min_lng) >> FINEST, column_of(box.max_lng) >> FINEST
        for y in range(row_of(box.min_lat) >> FINEST, (row_of(box.max_lat) >> FINEST) + 1):
            for x in range(first_x, last_x + 1):
                around += cells.get((y, x), 0)
    return around > current_app.config["SEARCH_CELLS_PER_KM"] * radius_km


def _density_map() -> dict[tuple[int, int], int]:
    cached = current_app.extensions.get("directory.density")
    now = time.monotonic()
    if cached is None or cached[0] < now:
        rows = db.session.execute(select(_CELLS.c.y, _CELLS.c.x, _CELLS.c.leaders)
                                  .where(_CELLS.c.level == 0, _CELLS.c.leaders > 0))
        cached = current_app.extensions["directory.density"] = (
            now + DENSITY_MAP_SECONDS, {(y, x): leaders for y, x, leaders in rows})
    return cached[1]


class _Counted:
    """Leaders inside the circle counted from the grid (app/geo/cells.py), without reading them.

    Cells wholly inside the circle add their counts from leader_cells; the points of the
    finest cells its edge crosses are measured one by one. The page is read from the smallest
    circle around the origin that holds it: a crowded city needs only its centre.
    """

    def __init__(self, origin: Origin, radius_km: float, filters: Filters) -> None:
        self.origin, self.radius_km, self.filters = origin, radius_km, filters
        inside, edge_runs = _cover_values(origin.lat, origin.lng, radius_km)
        total, online = _cell_sums(inside)
        edge = _Points(origin, radius_km, _edge_points(filters, edge_runs), filters)
        self.total = total + edge.total
        self.online = (online if filters.online else 0) + edge.online

    def page(self, start: int, stop: int) -> list[_Candidate]:
        if start >= self.total:
            return []
        # The radius that would hold `stop` leaders if they were spread evenly, grown until it does.
        reach = min(self.radius_km, self.radius_km * math.sqrt(stop / self.total) * 1.25)
        while True:
            near = _Points(self.origin, reach, _points(self.filters, self.origin, reach), self.filters)
            if near.total >= stop or reach >= self.radius_km:
                return near.page(start, stop)
            reach = min(self.radius_km, reach * 2)

    def holds(self, id_: int, lat: float | None, lng: float | None) -> bool:
        if lat is None or lng is None:
            return False
        return haversine_km(self.origin.lat, self.origin.lng, lat, lng) <= self.radius_km


# Runs per prepared statement (SQLite allows 500 terms in a compound SELECT); fewer are
# padded with runs that match nothing to a multiple of RUNS_STEP, so a few shapes serve every circle.
RUNS_PER_STATEMENT = 256
RUNS_STEP = 8
_NOWHERE = Run(-1, -1, 0, -1)


def _chunks(runs: Sequence[Run]) -> Iterable[tuple[int, list[Run]]]:
    for start in range(0, len(runs), RUNS_PER_STATEMENT):
        chunk = list(runs[start:start + RUNS_PER_STATEMENT])
        size = -(-len(chunk) // RUNS_STEP) * RUNS_STEP
        yield size, chunk + [_NOWHERE] * (size - len(chunk))


def _run_values(chunk: list[Run], *, levels: bool = True) -> dict[str, int]:
    values = {}
    for index, (level, y, x_min, x_max) in enumerate(chunk):
        if levels:
            values[f"level{index}"] = level
        values[f"y{index}"], values[f"x_min{index}"], values[f"x_max{index}"] = y, x_min, x_max
    return values


_Chunks = tuple[tuple[int, dict[str, int]], ...]  # (statement size, its values) per statement


@lru_cache(maxsize=COVER_CACHE_SIZE)
def _cover_values(lat: float, lng: float, radius_km: float) -> tuple[_Chunks, _Chunks]:
    """The cover of a circle, as the values of the statements that read it.

    Pure geometry, so each worker keeps the last circles it was asked about: people search
    the same towns again and again. The values are shared: never change them.
    """
    covered = cover(lat, lng, radius_km)
    return (tuple((size, _run_values(chunk)) for size, chunk in _chunks(covered.inside)),
            tuple((size, _run_values(chunk, levels=False)) for size, chunk in _chunks(covered.edge)))


def _cell_sums(chunks: _Chunks) -> tuple[int, int]:
    """(leaders, of them online) in these runs of cells, from leader_cells.

    One SELECT with the runs OR-ed: both databases seek each run in the primary key.
    """
    connection = db.session.connection()
    leaders = online = 0
    for size, values in chunks:
        statement = prepared(connection, ("cell sums", size), lambda size=size: select(
            func.coalesce(func.sum(_CELLS.c.leaders), 0), func.coalesce(func.sum(_CELLS.c.online), 0))
            .where(or_(*(and_(_CELLS.c.level == bindparam(f"level{index}"), _CELLS.c.y == bindparam(f"y{index}"),
                              _CELLS.c.x.between(bindparam(f"x_min{index}"), bindparam(f"x_max{index}")))
                         for index in range(size)))))
        (chunk_leaders, chunk_online), = statement.rows(connection, values)
        leaders += chunk_leaders
        online += chunk_online
    return leaders, online


def _edge_points(filters: Filters, chunks: _Chunks) -> list[tuple]:
    """(lat, lng, leaders, online) for each public point in these runs of finest cells."""
    connection = db.session.connection()
    points: list[tuple] = []

    def build(size: int):
        return _union([_points_where(filters, lambda cell_y, cell_x, _lat, _lng, index=index: [
            cell_y == bindparam(f"y{index}"), cell_x.between(bindparam(f"x_min{index}"), bindparam(f"x_max{index}"))])
            for index in range(size)])

    for size, values in chunks:
        statement = prepared(connection, ("edge points", filters, size), lambda size=size: build(size))
        points += statement.rows(connection, values)
    return points


def _within(origin: Origin, radius_km: float, rows: Iterable[Row[Any]]) -> list[_Candidate]:
    """The candidates inside the circle; one distance per distinct public point, not per leader."""
    lat, lng = origin.lat, origin.lng
    distances: dict[tuple[float, float], float] = {}
    inside: list[_Candidate] = []
    for id_, name, point_lat, point_lng, online in rows:
        point = (point_lat, point_lng)
        distance = distances.get(point)
        if distance is None:
            distance = distances[point] = haversine_km(lat, lng, point_lat, point_lng)
        if distance <= radius_km:
            inside.append((distance, name.casefold(), id_, online, None))
    return inside


def _nearest(origin: Origin, filters: Filters, count: int, searched_km: float,
             *, full_scan: bool = False) -> list[_Candidate]:
    """The `count` nearest leaders, growing the search circle from the radius already searched.

    Fewer than `count` lie within `low`; each round reads the boxes for `high`. A box holding
    too many candidates to read cheaply is shrunk (a few times at most: far north, a box's
    corners can reach crowded places the circle does not), after which boxes grow gently and
    are read whole.
    """
    if full_scan:
        scanned = _execute(_candidates(_matching(filters)))
        return heapq.nsmallest(count, _within(origin, WHOLE_EARTH_KM, scanned))
    low, high = searched_km, min(searched_km * 2, WHOLE_EARTH_KM)
    shrinks_left, growth = NEAREST_MAX_SHRINKS, 2.0
    while True:
        if shrinks_left:
            rows = _points(filters, origin, high, limit=NEAREST_FETCH_CAP + 1)
            if len(rows) > NEAREST_FETCH_CAP:
                shrinks_left -= 1
                high, growth = (low + high) / 2, 1.25
                continue
        else:
            rows = _points(filters, origin, high)
        inside = _Points(origin, high, rows, filters)
        if inside.total >= count or high >= WHOLE_EARTH_KM:
            return inside.page(0, count)
        low, high = high, min(high * growth, WHOLE_EARTH_KM)


def _online_beyond(origin: Origin | None, matching: Sequence[ColumnElement[bool]], found: "_Leaders | _Points",
                   skip: int, limit: int) -> list[Hit]:
    """Online leaders not already listed, by name: skip `skip` of them and take `limit`."""
    statement = (
        select(_T.c.id, _T.c.public_lat, _T.c.public_lng)
        .where(*matching, _T.c.works_online == true())
        .order_by(_T.c.display_name, _T.c.id)
        .limit(skip + limit + found.online)
    )
    hits = []
    for id_, point_lat, point_lng in _execute(statement):
        if found.holds(id_, point_lat, point_lng):
            continue
        if skip:
            skip -= 1
            continue
        distance = None
        if origin is not None and point_lat is not None and point_lng is not None:
            distance = haversine_km(origin.lat, origin.lng, point_lat, point_lng)
        hits.append(Hit(id_, distance, True, beyond_radius=True))
        if len(hits) == limit:
            break
    return hits


def _by_name(matching: list[ColumnElement[bool]], filters: Filters, page: int, per_page: int) -> Results:
    """No place given: everyone matching, by name; with the online toggle, only online leaders.

    By name_key, then id: the order Python gives casefolded names, on both databases (the
    database's own collation of display_name differs between them and between locales).
    """
    matching = [*matching, _T.c.listed == true()]  # implied by searchable
    if filters.online:
        matching = [*matching, _T.c.works_online == true()]
    total = db.session.scalar(select(func.count()).select_from(_T).where(*matching))
    rows = _execute(
        select(_T.c.id, _T.c.works_online).where(*matching)
        .order_by(_T.c.name_key, _T.c.id).offset((page - 1) * per_page).limit(per_page)
    )
    return Results([Hit(id_, None, online) for id_, online in rows], total, page, per_page)


def load_profiles(hits: Sequence[Hit]) -> dict[int, LeaderProfile]:
    """The profiles for one page of hits, with what the leader card shows loaded up front."""
    if not hits:
        return {}
    profiles = db.session.scalars(
        select(LeaderProfile).where(LeaderProfile.id.in_([hit.profile_id for hit in hits]))
        .options(selectinload(LeaderProfile.focus_areas), selectinload(LeaderProfile.programs))
    )
    return {profile.id: profile for profile in profiles}

