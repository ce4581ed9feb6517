"""A fixed latitude/longitude grid in levels, and which of its cells a search circle covers.

Level k divides the world into cells 2^-k degrees on a side: level 0 has 1° cells, the
finest level (FINEST) 1/32° cells (about 3.5 km north to south). A point's finest cell is
(y, x) = (floor((lat + 90) * 32), floor((lng + 180) * 32)); its cell at a coarser level k is
(y >> (FINEST - k), x >> (FINEST - k)), so every finest cell lies in exactly one cell of
each level.

With a count of leaders per cell at every level, the number inside a circle is the sum over
the cells wholly inside it, largest first, plus an exact look at the points of the finest
cells the circle's edge crosses (`cover`). A circle of radius r is covered by about
4 * perimeter / cell size cells per level, whatever the number of leaders inside.
"""
import math
from typing import NamedTuple

from app.geo.distance import EARTH_RADIUS_KM

FINEST = 5
PER_DEGREE = 1 << FINEST  # finest cells per degree
ROWS = 180 * PER_DEGREE
COLUMNS = 360 * PER_DEGREE
# Degrees shaved off "wholly inside" and added to "touched" so rounding never errs inwards.
_SLACK = 1e-9


def cell_of(lat: float, lng: float) -> tuple[int, int]:
    """The finest cell holding a point; points on the north pole or the 180th meridian belong
    to the last row or column, whose edge they lie on."""
    y = min(ROWS - 1, max(0, math.floor((lat + 90.0) * PER_DEGREE)))
    x = min(COLUMNS - 1, max(0, math.floor((lng + 180.0) * PER_DEGREE)))
    return y, x


def column_of(lng: float) -> int:
    return cell_of(0.0, lng)[1]


def row_of(lat: float) -> int:
    return cell_of(lat, 0.0)[0]


class Run(NamedTuple):
    """Cells x_min..x_max (inclusive) in row y of a level; never crosses the 180th meridian."""

    level: int
    y: int
    x_min: int
    x_max: int


class Cover(NamedTuple):
    """Cells wholly inside a circle (each counted once, at the coarsest level that fits) and
    the finest cells its edge crosses, whose points must be measured one by one."""

    inside: list[Run]
    edge: list[Run]


def cover(lat: float, lng: float, radius_km: float) -> Cover:
    """Split the grid around a circle into cells wholly inside it and finest cells on its edge.

    Every finest cell the circle reaches is either inside one Run of `inside` (at some level)
    or in one Run of `edge`, never both; cells outside the circle are in neither, except on
    the edge, which is conservative.
    """
    if radius_km < 0:
        raise ValueError("radius_km must not be negative")
    widths = _RowWidths(lat, lng, radius_km)
    if widths.first_row > widths.last_row:
        return Cover([], [])
    inside: list[Run] = []
    edge: list[Run] = []
    # Per finest row: the unwrapped column ranges wholly inside, and touched.
    rows = {y: widths.columns(y) for y in range(widths.first_row, widths.last_row + 1)}

    # Fine to coarse: a cell is wholly inside when its rows' inside ranges all cover it, so a
    # row of a level is inside where both rows of the finer level below it are (finest units).
    inner_by_level: list[dict[int, tuple[int, int]]] = [{} for _ in range(FINEST + 1)]
    inner_by_level[FINEST] = {y: inner for y, (inner, _) in rows.items() if inner is not None}
    for level in range(FINEST - 1, -1, -1):
        finer, current = inner_by_level[level + 1], inner_by_level[level]
        for y in range(widths.first_row >> (FINEST - level), (widths.last_row >> (FINEST - level)) + 1):
            upper, lower = finer.get(2 * y), finer.get(2 * y + 1)
            if upper is not None and lower is not None:
                current[y] = (max(upper[0], lower[0]), min(upper[1], lower[1]))

    # Coarse to fine: a level counts the cells wholly inside that its parent level did not.
    parent: dict[int, tuple[int, int]] = {}  # row -> inside cells of the previous level
    for level in range(FINEST + 1):
        span = 1 << (FINEST - level)  # finest rows (and columns) per cell of this level
        current: dict[int, tuple[int, int]] = {}
        for y, (low, high) in inner_by_level[level].items():
            first, last = -((-low) // span), (high + 1) // span - 1
            if first > last:
                continue
            current[y] = (first, last)
            above = parent.get(y // 2)
            if above is None:
                inside += _wrapped(level, y, first, last)
                continue
            # The parent's cells are counted already: only the margins either side.
            if first < above[0] * 2:
                inside += _wrapped(level, y, first, above[0] * 2 - 1)
            if above[1] * 2 + 1 < last:
                inside += _wrapped(level, y, above[1] * 2 + 2, last)
        parent = current

    for y, (inner, touched) in rows.items():
        if touched is None:
            continue
        if inner is None:
            edge += _wrapped(FINEST, y, *touched)
            continue
        if touched[0] < inner[0]:
            edge += _wrapped(FINEST, y, touched[0], inner[0] - 1)
        if inner[1] < touched[1]:
            edge += _wrapped(FINEST, y, inner[1] + 1, touched[1])
    return Cover(inside, edge)


class _RowWidths:
    """How far east and west of the centre the circle reaches in each finest row."""

    def __init__(self, lat: float, lng: float, radius_km: float) -> None:
        self.lng = lng
        self.angle = min(radius_km / EARTH_RADIUS_KM, math.pi)
        reach = math.degrees(self.angle)
        self.south, self.north = max(-90.0, lat - reach), min(90.0, lat + reach)
        self.first_row = row_of(self.south)
        self.last_row = row_of(self.north)
        phi = math.radians(lat)
        self.sin_phi, self.cos_phi = math.sin(phi), math.cos(phi)
        self.cos_angle = math.cos(self.angle)
        # The latitude where the circle is widest (its tangent points), when it has one.
        ratio = self.sin_phi / self.cos_angle if self.cos_angle > 0 else math.inf
        self.widest = math.degrees(math.asin(ratio)) if abs(ratio) <= 1 else None
        self._cache: dict[float, float] = {}

    def half_width(self, lat: float) -> float:
        """Degrees of longitude either side of the centre inside the circle at this latitude;
        -1 when the parallel misses the circle, 180 when the whole parallel is inside."""
        width = self._cache.get(lat)
        if width is None:
            width = self._cache[lat] = self._half_width(lat)
        return width

    def _half_width(self, lat: float) -> float:
        phi = math.radians(lat)
        denominator = math.cos(phi) * self.cos_phi
        numerator = self.cos_angle - math.sin(phi) * self.sin_phi
        if denominator <= 1e-15:  # a pole, or the centre is at one: the parallel is all in or all out
            return 180.0 if numerator <= 1e-12 else -1.0
        ratio = numerator / denominator
        if ratio <= -1:
            return 180.0
        if ratio > 1:
            return -1.0
        return math.degrees(math.acos(ratio))

    def columns(self, y: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """(wholly inside, touched) unwrapped column ranges of finest row y, or None."""
        south, north = y / PER_DEGREE - 90.0, (y + 1) / PER_DEGREE - 90.0
        low, high = max(south, self.south), min(north, self.north)
        if low > high:
            return None, None
        samples = [self.half_width(low), self.half_width(high)]
        if self.widest is not None and low < self.widest < high:
            samples.append(self.half_width(self.widest))
        reach = max(samples)
        if reach < 0:  # rounding at the circle's northern or southern tip
            reach = 0.0
        touched = self._range(reach + _SLACK, outer=True)
        inner = None
        if self.south + _SLACK < south and north < self.north - _SLACK:
            narrowest = min(self.half_width(south), self.half_width(north))
            if narrowest > _SLACK:
                inner = self._range(narrowest - _SLACK, outer=False)
        return inner, touched

    def _range(self, half_width: float, *, outer: bool) -> tuple[int, int] | None:
        start = (self.lng + 180.0) * PER_DEGREE
        if half_width >= 180.0:  # the whole row, as one unwrapped range of COLUMNS cells
            first = math.floor(start) - COLUMNS // 2
            return first, first + COLUMNS - 1
        west, east = start - half_width * PER_DEGREE, start + half_width * PER_DEGREE
        if outer:
            first, last = math.floor(west), math.floor(east)
            if last - first >= COLUMNS:
                last = first + COLUMNS - 1
            return first, last
        first, last = math.ceil(west), math.floor(east) - 1
        return (first, last) if first <= last else None


def _wrapped(level: int, y: int, first: int, last: int) -> list[Run]:
    """An unwrapped column range as runs inside 0..columns-1 of its level."""
    columns = 360 << level
    if last - first + 1 >= columns:
        return [Run(level, y, 0, columns - 1)]
    first_wrapped, last_wrapped = first % columns, last % columns
    if first_wrapped <= last_wrapped:
        return [Run(level, y, first_wrapped, last_wrapped)]
    return [Run(level, y, first_wrapped, columns - 1), Run(level, y, 0, last_wrapped)]
