"""The search's SQL: the matching conditions and the prepared statements that read points, cells and leaders.

The search reads plain table columns (Core, not ORM entities): it runs on every keystroke
of a busy page, and the private lat/lng columns are never among those it names.
"""
import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import (ColumnElement, Row, Select, and_, bindparam, case, exists, false, func, literal_column,
                        or_, select, true, union_all)

from app.directory.search.results import Filters, Match, PointCount, Summary
from app.extensions import db
from app.geo.cells import FINEST, Run, cell_of, column_of, cover, row_of
from app.geo.distance import bounding_boxes
from app.models.directory import LANGUAGE_SEARCH, LEADER_SEARCH, FocusArea, LeaderCell, LeaderPoint, LeaderProfile, Program, \
    ProfileProgram, profile_focus_areas
from app.prepared import prepared
from app.text.fulltext import search_words

MAX_KEYWORD_WORDS = 6
# Circles whose grid cover each worker keeps (geometry only: never stale).
COVER_CACHE_SIZE = 256
# How long a worker keeps its map of where leaders are crowded.
DENSITY_MAP_SECONDS = 60
# Boxes taller than this many rows of cells are read as one range of rows, not row by row.
MAX_SEEK_ROWS = 1024
# Points per UNION ALL when reading the leaders at a page's points (SQLite allows 500 terms).
LEADERS_AT_CHUNK = 200
# Runs per prepared statement (SQLite allows 500 terms in a compound SELECT); fewer are
# padded with runs that match nothing to a multiple of RUNS_STEP, so a few shapes serve every circle.
RUNS_PER_STATEMENT = 256
RUNS_STEP = 8
# Without a place, a filter's matches are counted no further than this: past it a page says
# "1,000+ leaders" and offers the first COUNT_CAP by name or best match.
COUNT_CAP = 1000
_NOWHERE = Run(-1, -1, 0, -1)

_T = LeaderProfile.__table__
_AREAS = FocusArea.__table__
_PROGRAMS = Program.__table__
_PROFILE_PROGRAMS = ProfileProgram.__table__
_CELLS = LeaderCell.__table__
_POINTS = LeaderPoint.__table__

PointRow = tuple[float, float, int, int]  # lat, lng, leaders there, of them online: as the driver gives them
Chunks = tuple[tuple[int, dict[str, int]], ...]  # (statement size, its values) per statement


def execute(statement: Select) -> list[Row[Any]]:
    # fetchall in one call: row-by-row fetching costs more than the query for big answers.
    return db.session.connection().execute(statement).all()


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def keyword_words(filters: Filters) -> list[str]:
    """The words of the keyword that count (letters and digits; the rest separates them)."""
    return search_words(filters.keyword, MAX_KEYWORD_WORDS) if filters.keyword else []


def matching(filters: Filters, anywhere: bool = False) -> list[ColumnElement[bool]]:
    """The conditions a matching leader meets. anywhere: no place bounds the rows read, so a
    focus area or program is read from its link table's index (the profiles that have it);
    near a place the cell index bounds them, and each row is asked instead."""
    # searchable is LeaderProfile.is_public kept as a column (a deactivated leader vanishes at once).
    conditions: list[ColumnElement[bool]] = [_T.c.searchable == true()]
    if filters.keyword:
        # Every word, as the start of a word of the name, headline, bio or a focus area, in
        # the full-text index; a keyword of no words (only punctuation, emoji) matches nobody.
        words = keyword_words(filters)
        conditions.append(LEADER_SEARCH.matching(_dialect(), _T.c.id, words) if words else false())
    if filters.focus_area:
        conditions.append(_has(profile_focus_areas.c.profile_id, profile_focus_areas.c.focus_area_id,
                               _AREAS, filters.focus_area, anywhere))
    if filters.program:
        conditions.append(_has(_PROFILE_PROGRAMS.c.profile_id, _PROFILE_PROGRAMS.c.program_id,
                               _PROGRAMS, filters.program, anywhere))
    if filters.language:
        conditions.append(_speaks(filters.language, anywhere))
    return conditions


def _has(profile_id: ColumnElement, item_id: ColumnElement, items, slug: str,
         anywhere: bool) -> ColumnElement[bool]:
    """The leader has the focus area or program with this slug (link table columns given).
    Anywhere: the profiles that have it, read by the link table's (item, profile) index; near a
    place each row the cell index found is asked instead."""
    if anywhere:
        return _T.c.id.in_(select(profile_id).where(item_id == _id_of(items, slug)))
    return exists().where(profile_id == _T.c.id, item_id == items.c.id, items.c.slug == slug)


def _id_of(items, slug: str):
    """The id of the focus area or program with this slug, as a subquery."""
    return select(items.c.id).where(items.c.slug == slug).scalar_subquery()


def _online_only(filters: Filters) -> list[ColumnElement[bool]]:
    """Only the leaders who work online, when the filters ask for them (as without a place)."""
    return [_T.c.works_online == true()] if filters.online else []


def _speaks(language: str, anywhere: bool = False) -> ColumnElement[bool]:
    """Languages are stored comma-separated ("English, Kiswahili"): match one whole item.
    Anywhere, the languages' full-text index first finds the profiles holding its words (a
    superset: it folds case and accents further), then each is checked for the whole item."""
    items = func.replace(func.replace(func.lower(_T.c.languages), ", ", ","), " ,", ",")
    wrapped = "," + items + ","
    whole = wrapped.contains("," + language.strip().lower() + ",", autoescape=True)
    words = search_words(language)
    if not anywhere or not words:
        return whole
    return and_(LANGUAGE_SEARCH.matching(_dialect(), _T.c.id, words, prefix=False), whole)


def full_scan(filters: Filters) -> list[Row[Any]]:
    """(id, name, lat, lng, online) for every matching leader with a public point: the benchmark's comparison."""
    return execute(select(_T.c.id, _T.c.display_name, _T.c.public_lat, _T.c.public_lng, _T.c.works_online)
                   .where(*matching(filters), _T.c.public_lat.is_not(None), _T.c.public_lng.is_not(None)))


def points_in_boxes(filters: Filters, lat: float, lng: float, radius_km: float,
                    limit: int | None = None) -> list[PointRow]:
    """(lat, lng, leaders, of them online) for each distinct public point in the boxes around a point.

    City-level leaders share their area's point, so there are fewer points than leaders.
    Boxes split at the 180th meridian never share a point, so each is its own SELECT (an OR of
    two boxes makes SQLite's planner give up on the index). A prepared statement: this runs on
    every search.
    """
    shape, values = _box_values(lat, lng, radius_km)

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

    Pure geometry, kept per worker like cover_values. The values are shared: never change them.
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
    if filters.countable:
        points = _POINTS.c
        online = points.online if filters.online else literal_column("0")
        return (select(points.lat, points.lng, points.leaders, online)
                .where(*where(points.cell_y, points.cell_x, points.lat, points.lng)))
    columns = _T.c
    return _grouped_by_point(filters, [*matching(filters),
                                       *where(columns.cell_y, columns.cell_x, columns.public_lat, columns.public_lng)])


def _grouped_by_point(filters: Filters, conditions: list[ColumnElement[bool]]) -> Select:
    """(lat, lng, leaders, of them online) per public point of the leaders meeting the conditions."""
    columns = _T.c
    online = func.sum(case((columns.works_online == true(), 1), else_=0)) if filters.online else literal_column("0")
    return (select(columns.public_lat, columns.public_lng, func.count(), online).where(*conditions)
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


def leaders_at(filters: Filters, points: Sequence[PointCount], wanted: int) -> list[Match]:
    """Enough leaders at these points (nearest first) for the first `wanted` in the search's
    order, with their summaries.

    Each point is its own index seek, joined with UNION ALL: a long OR of points defeats
    SQLite's planner, and one range around far-apart points (the nearest leaders to a remote
    town) would read whole regions. The index holds each point's leaders in name order, so a
    city-level point shared by thousands costs only the leaders the page still needs.
    """
    whole, capped = [], []  # (lat, lng, None) and, for capped points, (lat, lng, how many to read)
    nearer = 0  # leaders at points nearer than the current one
    previous, tied = None, 0  # ties are ordered by name: each may need as many as the first
    for point in points:
        if point.distance_km != previous:
            nearer, previous, tied = nearer + tied, point.distance_km, 0
        need = wanted - nearer
        if point.leaders > need:
            capped.append((point.lat, point.lng, need))
        else:
            whole.append((point.lat, point.lng, None))
        tied += point.leaders
    distances = {(point.lat, point.lng): point.distance_km for point in points}
    if filters.keyword and _dialect() == "sqlite":
        return _keyword_leaders_at(filters, whole + capped, distances)
    ordered = whole + capped  # whole points first: the statement's shape is (whole, capped)
    connection = db.session.connection()
    found = []
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
        found += [_match(row, distances) for row in statement.rows(connection, values)]
    return found


# What leaders_at reads of each leader, named one by one: the private lat/lng are never read.
_LEADER_COLUMNS = (_T.c.id, _T.c.display_name, _T.c.name_key, _T.c.public_lat, _T.c.public_lng, _T.c.works_online,
                   _T.c.slug, _T.c.headline, _T.c.city, _T.c.region, _T.c.country)


def _match(row: tuple, distances: dict[tuple[float, float], float]) -> Match:
    """A row of _LEADER_COLUMNS as a Match, at its point's distance."""
    id_, name, name_key, lat, lng, online, slug, headline, city, region, country = row
    return Match(distances[lat, lng], name_key, id_, online,
                 Summary(slug, name, headline, city, region, country, lat, lng, bool(online)))


def _keyword_leaders_at(filters: Filters, points: list[tuple[float, float, int | None]],
                        distances: dict[tuple[float, float], float]) -> list[Match]:
    """leaders_at with a keyword on SQLite: one statement, the full-text match read once.

    Each SELECT of a UNION ALL would run the FTS5 query again (milliseconds each, per point);
    instead the matching leaders in the cells spanning the points are read in one go (at most
    those the keyword matches), then kept at the points wanted, capped ones by name.
    """
    limits = {(lat, lng): limit for lat, lng, limit in points}
    cells = [cell_of(lat, lng) for lat, lng, _ in points]
    values = {"first_row": min(y for y, _ in cells), "last_row": max(y for y, _ in cells),
              "first_column": min(x for _, x in cells), "last_column": max(x for _, x in cells)}
    connection = db.session.connection()
    statement = prepared(connection, ("leaders at, keyword", filters), lambda: select(*_LEADER_COLUMNS).where(
        *matching(filters), _T.c.cell_y.between(bindparam("first_row"), bindparam("last_row")),
        _T.c.cell_x.between(bindparam("first_column"), bindparam("last_column"))))
    at_points: dict[tuple[float, float], list[Match]] = {}
    for row in statement.rows(connection, values):
        point = row[3], row[4]  # public_lat, public_lng
        if point in limits:
            at_points.setdefault(point, []).append(_match(row, distances))
    found = []
    for point, matches in at_points.items():
        limit = limits[point]
        found += matches if limit is None else sorted(matches)[:limit]
    return found


def _leaders_at_statement(filters: Filters, whole: int, capped: int):
    """`whole` points read whole, then `capped` points read up to their own limit, by name."""
    conditions = matching(filters)
    parts = []
    for index in range(whole + capped):
        at_point = select(*_LEADER_COLUMNS).where(*conditions, _T.c.cell_y == bindparam(f"row{index}"),
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


def summaries(ids: Sequence[int]) -> dict[int, Summary]:
    """The public fields of these leaders, by id, for hits the search did not read them for."""
    if not ids:
        return {}
    connection = db.session.connection()
    # Named one by one: the private lat/lng columns are never read.
    statement = prepared(connection, ("summaries", len(ids)), lambda: select(
        _T.c.id, _T.c.slug, _T.c.display_name, _T.c.headline, _T.c.city, _T.c.region, _T.c.country,
        _T.c.public_lat, _T.c.public_lng, _T.c.works_online,
    ).where(_T.c.id.in_([bindparam(f"id{index}") for index in range(len(ids))])))
    return {id_: Summary(*columns[:-1], bool(columns[-1]))
            for id_, *columns in statement.rows(connection, {f"id{index}": id_ for index, id_ in enumerate(ids)})}


def online_count(filters: Filters) -> int:
    """How many leaders matching the filters work online, anywhere (or nowhere: no place given)."""
    if not filters.countable:
        return db.session.scalar(select(func.count()).select_from(_T).where(
            *matching(filters, anywhere=True), _T.c.works_online == true()))
    return everyone(online=True)


def online_by_name(filters: Filters, limit: int) -> list[Row[Any]]:
    """(id, lat, lng) of the first `limit` matching leaders who work online, by name."""
    return execute(select(_T.c.id, _T.c.public_lat, _T.c.public_lng)
                   .where(*matching(filters, anywhere=True), _T.c.works_online == true())
                   .order_by(_T.c.display_name, _T.c.id).limit(limit))


def leaders_around(lat: float, lng: float, radius_km: float) -> int:
    """About how many leaders are in the 1° cells around a circle, from a map kept per worker for a minute."""
    cells = density_map()
    around = 0
    for box in bounding_boxes(lat, lng, radius_km):
        first_x, last_x = column_of(box.min_lng) >> FINEST, column_of(box.max_lng) >> FINEST
        for y in range(row_of(box.min_lat) >> FINEST, (row_of(box.max_lat) >> FINEST) + 1):
            for x in range(first_x, last_x + 1):
                around += cells.get((y, x), 0)
    return around


def density_map() -> dict[tuple[int, int], int]:
    """Searchable leaders per 1° cell (y, x) with anyone in it, kept per worker for a minute."""
    cached = current_app.extensions.get("directory.density")
    now = time.monotonic()
    if cached is None or cached[0] < now:
        rows = db.session.execute(select(_CELLS.c.y, _CELLS.c.x, _CELLS.c.leaders)
                                  .where(_CELLS.c.level == 0, _CELLS.c.leaders > 0))
        cached = current_app.extensions["directory.density"] = (
            now + DENSITY_MAP_SECONDS, {(y, x): leaders for y, x, leaders in rows})
    return cached[1]


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


@lru_cache(maxsize=COVER_CACHE_SIZE)
def cover_values(lat: float, lng: float, radius_km: float) -> tuple[Chunks, Chunks]:
    """The cover of a circle (cells wholly inside, finest cells on the edge), as the values of
    the statements that read it.

    Pure geometry, so each worker keeps the last circles it was asked about: people search
    the same towns again and again. The values are shared: never change them.
    """
    covered = cover(lat, lng, radius_km)
    return (tuple((size, _run_values(chunk)) for size, chunk in _chunks(covered.inside)),
            tuple((size, _run_values(chunk, levels=False)) for size, chunk in _chunks(covered.edge)))


def cell_sums(chunks: Chunks) -> tuple[int, int]:
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


def edge_points(filters: Filters, chunks: Chunks) -> list[PointRow]:
    """(lat, lng, leaders, online) for each public point in these runs of finest cells."""
    connection = db.session.connection()
    points: list[PointRow] = []

    def build(size: int):
        return _union([_points_where(filters, lambda cell_y, cell_x, _lat, _lng, index=index: [
            cell_y == bindparam(f"y{index}"), cell_x.between(bindparam(f"x_min{index}"), bindparam(f"x_max{index}"))])
            for index in range(size)])

    for size, values in chunks:
        statement = prepared(connection, ("edge points", filters, size), lambda size=size: build(size))
        points += statement.rows(connection, values)
    return points


def listed_by_name(filters: Filters, page: int, per_page: int) -> tuple[int, bool, list[Row[Any]]]:
    """No place given: (how many, whether that is only a lower bound, (id, online) of one page)
    of everyone matching, by name; with the online toggle, only those who work online.

    By name_key, then id: the order Python gives casefolded names, on both databases (the
    database's own collation of display_name differs between them and between locales), read
    from the (searchable, name_key, id) index. Everyone (or everyone online) is counted exactly
    from the grid's cells; a filter's matches are counted up to COUNT_CAP (see capped_count).
    """
    online = _online_only(filters)
    if filters.countable:
        total, capped = everyone(filters.online), False
        conditions = [_T.c.searchable == true(), *online]
    else:
        total = capped_count(filters)
        capped = total > COUNT_CAP
        # Many matches: walk the name index asking each row (the first page comes soon); few:
        # read them through their own index and sort those.
        conditions = [*matching(filters, anywhere=not capped), *online]
    rows = execute(select(_T.c.id, _T.c.works_online).where(*conditions)
                   .order_by(_T.c.name_key, _T.c.id).offset((page - 1) * per_page).limit(per_page))
    return min(total, COUNT_CAP) if capped else total, capped, rows


def everyone(online: bool = False) -> int:
    """How many leaders are searchable (online: of them, work online), exactly: the 1° cells
    hold every one with a place once; those without one are few, and read by the index."""
    counted = _CELLS.c.online if online else _CELLS.c.leaders
    placed = db.session.scalar(select(func.coalesce(func.sum(counted), 0)).where(_CELLS.c.level == 0))
    unplaced = db.session.scalar(select(func.count()).select_from(_T).where(
        _T.c.searchable == true(), _T.c.cell_y.is_(None), *_online_only(Filters(online=online))))
    return placed + unplaced


def capped_count(filters: Filters, cap: int = COUNT_CAP) -> int:
    """How many leaders match anywhere, counting no further than cap + 1: without a place
    a broad filter matches hundreds of thousands, and nobody pages through them all.

    The count starts from the filter's own index (the full-text index's matches on SQLite, the
    focus area's or program's link rows) and stops at the cap, rather than first collecting
    every match for an IN list."""
    statement, rest, checks = select(_T.c.id), filters, []
    words, spoken = keyword_words(filters), search_words(filters.language)
    if words and _dialect() == "sqlite":
        hits = LEADER_SEARCH.matching_ids(words).subquery("hits")
        statement, rest = statement.select_from(hits.join(_T, _T.c.id == hits.c.rowid)), \
            dataclasses.replace(rest, keyword="")
    elif spoken and not (filters.focus_area or filters.program) and _dialect() == "sqlite":
        hits = LANGUAGE_SEARCH.matching_ids(spoken, prefix=False).subquery("hits")
        statement = statement.select_from(hits.join(_T, _T.c.id == hits.c.rowid))
        rest, checks = dataclasses.replace(rest, language=""), [_speaks(filters.language)]  # the whole item
    elif filters.focus_area or filters.program:
        links, item, items, slug = (
            (profile_focus_areas, profile_focus_areas.c.focus_area_id, _AREAS, filters.focus_area)
            if filters.focus_area else
            (_PROFILE_PROGRAMS, _PROFILE_PROGRAMS.c.program_id, _PROGRAMS, filters.program))
        statement = statement.select_from(links.join(_T, _T.c.id == links.c.profile_id)).where(
            item == _id_of(items, slug))
        rest = dataclasses.replace(rest, **({"focus_area": ""} if filters.focus_area else {"program": ""}))
    first = statement.where(*matching(rest, anywhere=True), *checks, *_online_only(filters)).limit(cap + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(first))


def matching_points(filters: Filters) -> list[PointRow]:
    """(lat, lng, leaders, of them online) at every public point holding a leader who matches,
    anywhere: read through the filter's own index, for the nearest matches of a rare filter."""
    return execute(_grouped_by_point(filters, [*matching(filters, anywhere=True), _T.c.cell_y.is_not(None)]))


def listed_by_relevance(filters: Filters, page: int, per_page: int) -> tuple[int, bool, list[Row[Any]]]:
    """A keyword and no place: (how many, whether only a lower bound, (id, online) of one page)
    of everyone matching, best match first (BM25 on SQLite, ts_rank on PostgreSQL), then by
    name_key and id. Counted up to COUNT_CAP, as listed_by_name."""
    words = keyword_words(filters)
    if not words:
        return 0, False, []
    total = capped_count(filters)
    ranked = LEADER_SEARCH.ranked(_dialect(), words).subquery("ranked")
    conditions = [*matching(dataclasses.replace(filters, keyword=""), anywhere=True), *_online_only(filters)]
    joined = _T.join(ranked, ranked.c.key == _T.c.id)
    rows = execute(select(_T.c.id, _T.c.works_online).select_from(joined).where(*conditions)
                   .order_by(ranked.c.rank, _T.c.name_key, _T.c.id).offset((page - 1) * per_page).limit(per_page))
    return min(total, COUNT_CAP), total > COUNT_CAP, rows
