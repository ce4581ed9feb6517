"""The grid cover of a search circle, checked cell by cell against exact distances."""
import math
import random

import pytest

from app.geo.cells import COLUMNS, FINEST, PER_DEGREE, ROWS, cell_of, cover
from app.geo.distance import bounding_boxes, haversine_km


def finest_cells(runs):
    """Every finest cell of some runs, as a list (duplicates kept, to catch double counting)."""
    cells = []
    for level, y, x_min, x_max in runs:
        span = 1 << (FINEST - level)
        for row in range(y * span, y * span + span):
            for x in range(x_min * span, x_max * span + span):
                cells.append((row, x))
    return cells


def corners(y, x):
    south, west = y / PER_DEGREE - 90, x / PER_DEGREE - 180
    north, east = south + 1 / PER_DEGREE, west + 1 / PER_DEGREE
    return [(south, west), (south, east), (north, west), (north, east)]


def nearest_distance(lat, lng, y, x):
    """Distance from a point to a finest cell (a lat/lng rectangle), by its edges, finely sampled."""
    south, west = y / PER_DEGREE - 90, x / PER_DEGREE - 180
    north, east = south + 1 / PER_DEGREE, west + 1 / PER_DEGREE
    samples = 24
    best = math.inf
    for step in range(samples + 1):
        t = step / samples
        for point in ((south + t * (north - south), west), (south + t * (north - south), east),
                      (south, west + t * (east - west)), (north, west + t * (east - west))):
            best = min(best, haversine_km(lat, lng, *point))
    if south <= lat <= north and west <= lng <= east:
        best = 0.0
    return best


def cells_near(lat, lng, radius_km):
    """Every finest cell in the search boxes, with one cell to spare around them."""
    for box in bounding_boxes(lat, lng, radius_km):
        y_first, y_last = cell_of(box.min_lat, 0)[0] - 1, cell_of(box.max_lat, 0)[0] + 1
        x_first = math.floor((box.min_lng + 180) * PER_DEGREE) - 1
        x_last = math.floor((box.max_lng + 180) * PER_DEGREE) + 1
        for y in range(max(0, y_first), min(ROWS - 1, y_last) + 1):
            for x in range(x_first, x_last + 1):
                yield y, x % COLUMNS


def check(lat, lng, radius_km):
    result = cover(lat, lng, radius_km)
    inside = finest_cells(result.inside)
    edge = finest_cells(result.edge)
    assert len(inside) == len(set(inside)), "a cell is counted twice"
    assert len(edge) == len(set(edge)), "an edge cell is listed twice"
    inside, edge = set(inside), set(edge)
    assert not inside & edge
    for y, x in inside:  # the farthest point of a lat/lng rectangle is one of its corners
        assert max(haversine_km(lat, lng, *corner) for corner in corners(y, x)) <= radius_km
    for y, x in set(cells_near(lat, lng, radius_km)) - inside - edge:
        assert nearest_distance(lat, lng, y, x) > radius_km, (y, x)
    return result


@pytest.mark.parametrize("lat, lng, radius_km", [
    (51.5074, -0.1278, 50),     # London
    (35.6895, 139.6917, 50),    # Tokyo
    (-33.8688, 151.2093, 5),    # Sydney, a small circle
    (0.0, 0.0, 120),
    (-17.7, 179.95, 60),        # Fiji, across the 180th meridian
    (-14.3, -170.7, 200),       # Samoa, the other side
    (89.9, 12.0, 40),           # the North Pole inside the circle
    (-90.0, 0.0, 100),          # centred on the South Pole
    (70.0, -45.0, 300),
])
def test_cover_counts_every_cell_inside_once_and_measures_the_edge(lat, lng, radius_km):
    result = check(lat, lng, radius_km)
    if radius_km >= 50 and abs(lat) < 80:
        assert result.inside, "a big circle has cells wholly inside"


def test_random_circles():
    rng = random.Random(7)
    for _ in range(12):
        check(rng.uniform(-89, 89), rng.uniform(-180, 180), rng.choice([5, 20, 50, 90]))


def test_big_circles_use_big_cells():
    result = cover(48.85, 2.35, 500)
    levels = {run.level for run in result.inside}
    assert min(levels) <= 2 and FINEST in levels
    # The edge is a thin ring: a few hundred finest cells, not the whole disc.
    assert len(finest_cells(result.edge)) < 0.1 * len(finest_cells(result.inside))


def test_cell_of_folds_the_edges_of_the_map():
    assert cell_of(90.0, 180.0) == (ROWS - 1, COLUMNS - 1)
    assert cell_of(-90.0, -180.0) == (0, 0)
    assert cell_of(0.0, 0.0) == (90 * PER_DEGREE, 180 * PER_DEGREE)
    assert cell_of(-0.0001, -0.0001) == (90 * PER_DEGREE - 1, 180 * PER_DEGREE - 1)


def test_a_negative_radius_is_refused():
    with pytest.raises(ValueError):
        cover(0, 0, -1)
