"""The nearest leaders, for when nobody is inside the circle: a circle grown until it holds enough."""
import heapq
import math

from app.directory.search import statements
from app.directory.search.results import Filters, Match, Origin
from app.directory.search.strategies import ByPoints, within
from app.geo.distance import EARTH_RADIUS_KM, haversine_km

NEAREST_COUNT = 20
# No point on Earth is farther than half the circumference: a circle this big covers everything.
WHOLE_EARTH_KM = math.pi * EARTH_RADIUS_KM
# The nearest-leaders search reads at most this many candidates per box before shrinking it.
NEAREST_FETCH_CAP = 5000
NEAREST_MAX_SHRINKS = 6
# A filtered search asks every leader in its circle whether they match; once a circle would
# hold more leaders than match anywhere (counted up to this many), the matches are read instead.
MATCHES_READ_CAP = 100_000
# No point of a 1° cell is farther than this from its centre: half a degree of latitude plus
# at most half a degree along its parallel (each at most 55.6 km).
CELL_REACH_KM = 112.0


def nearest(origin: Origin, filters: Filters, count: int, searched_km: float,
            *, full_scan: bool = False) -> list[Match]:
    """The `count` nearest leaders, growing the search circle from the radius already searched.

    Fewer than `count` lie within `low`; each round reads the boxes for `high`. A box holding
    too many candidates to read cheaply is shrunk (a few times at most: far north, a box's
    corners can reach crowded places the circle does not), after which boxes grow gently and
    are read whole.
    """
    if full_scan:
        return heapq.nsmallest(count, within(origin, WHOLE_EARTH_KM, statements.full_scan(filters)))
    if filters.countable:  # the 1° cells' counts say how far to look: usually one read
        bound = radius_holding(origin, count)
        if bound is not None and bound > searched_km:
            rows = statements.points_in_boxes(filters, origin.lat, origin.lng, bound, limit=NEAREST_FETCH_CAP + 1)
            if len(rows) <= NEAREST_FETCH_CAP:
                inside = ByPoints(origin, bound, rows, filters)
                if inside.total >= count:  # else the map is stale (leaders left): grow as below
                    return inside.page(0, count)
    low, high = searched_km, min(searched_km * 2, WHOLE_EARTH_KM)
    shrinks_left, growth = NEAREST_MAX_SHRINKS, 2.0
    matches = None
    while True:
        around = 0 if filters.countable else statements.leaders_around(origin.lat, origin.lng, high)
        if around > NEAREST_FETCH_CAP:
            # A rare filter near here (Spanish from Tokyo): the circle would grow to half the
            # world, reading every leader in it; the filter's own index reads only the matches.
            if matches is None:
                matches = statements.capped_count(filters, MATCHES_READ_CAP)
            if matches <= MATCHES_READ_CAP and matches < around:
                rows = statements.matching_points(filters)
                return ByPoints(origin, WHOLE_EARTH_KM, rows, filters).page(0, count)
        if shrinks_left:
            rows = statements.points_in_boxes(filters, origin.lat, origin.lng, high, limit=NEAREST_FETCH_CAP + 1)
            if len(rows) > NEAREST_FETCH_CAP:
                shrinks_left -= 1
                high, growth = (low + high) / 2, 1.25
                continue
        else:
            rows = statements.points_in_boxes(filters, origin.lat, origin.lng, high)
        inside = ByPoints(origin, high, rows, filters)
        if inside.total >= count or high >= WHOLE_EARTH_KM:
            return inside.page(0, count)
        low, high = high, min(high * growth, WHOLE_EARTH_KM)


def radius_holding(origin: Origin, count: int) -> float | None:
    """A radius around origin that surely holds at least `count` searchable leaders, from the
    per-worker map of 1° cells: the cells are taken ring by ring around the origin's until they
    hold enough, and the radius reaches every point of each one taken. None if all of them
    together hold fewer."""
    cells = statements.density_map()
    if sum(cells.values()) < count:
        return None
    home_y, home_x = min(179, max(0, math.floor(origin.lat + 90))), math.floor(origin.lng + 180) % 360
    held, bound, seen = 0, 0.0, set()
    for ring in range(181):  # ring 180 reaches every row and column
        for y in range(max(0, home_y - ring), min(179, home_y + ring) + 1):
            edge = abs(y - home_y) == ring
            for dx in range(-ring, ring + 1) if edge else (-ring, ring):
                cell = (y, (home_x + dx) % 360)
                leaders = cells.get(cell)
                if leaders is None or cell in seen:
                    continue
                seen.add(cell)
                held += leaders
                centre = haversine_km(origin.lat, origin.lng, cell[0] - 89.5, cell[1] - 179.5)
                bound = max(bound, centre + CELL_REACH_KM)
        if held >= count:
            return min(bound, WHOLE_EARTH_KM)
    return None
