"""The nearest leaders, for when nobody is inside the circle: a circle grown until it holds enough."""
import heapq
import math

from app.directory.search import statements
from app.directory.search.results import Filters, Match, Origin
from app.directory.search.strategies import ByPoints, within
from app.geo.distance import EARTH_RADIUS_KM

NEAREST_COUNT = 20
# No point on Earth is farther than half the circumference: a circle this big covers everything.
WHOLE_EARTH_KM = math.pi * EARTH_RADIUS_KM
# The nearest-leaders search reads at most this many candidates per box before shrinking it.
NEAREST_FETCH_CAP = 5000
NEAREST_MAX_SHRINKS = 6


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
    low, high = searched_km, min(searched_km * 2, WHOLE_EARTH_KM)
    shrinks_left, growth = NEAREST_MAX_SHRINKS, 2.0
    while True:
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
