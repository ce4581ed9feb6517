"""Which grid cells (app/geo/cells.py) an alert is filed under, and which an item looks up.

An alert's circle is filed under the cells it touches at one level: the finest level at which
they are at most MAX_CELLS (a 5 km circle: a few 1/32° cells; a 500 km one: 1° cells). An item
at a point looks up its own cell at every level (FINEST + 1 keys), so it meets exactly the
alerts whose cells hold it, whatever their level: the work grows with the alerts around the
item, not with all alerts. Each (level, row, column) is one integer (cell_key), so one index
range answers all levels at once. Pure code: no Flask, no database.
"""
from app.geo.cells import FINEST, Run, cell_of, cover

# An alert's circle is filed under at most this many cells (more only for circles wider
# than the coarsest cells, 1°).
MAX_CELLS = 16
_ROW_BITS = 14  # a column of the finest level is < 11,520 < 2**14; a row < 5,760
_LEVEL_SHIFT = 28


def cell_key(level: int, y: int, x: int) -> int:
    """One integer for a cell of a level: under 2**31 for every cell of every level."""
    return (level << _LEVEL_SHIFT) | (y << _ROW_BITS) | x


def item_keys(lat: float, lng: float) -> list[int]:
    """The cell keys a point lies in, one per level, coarsest first."""
    y, x = cell_of(lat, lng)
    return [cell_key(level, y >> (FINEST - level), x >> (FINEST - level)) for level in range(FINEST + 1)]


def _touched(runs: list[Run], level: int, limit: int | None) -> set[tuple[int, int]] | None:
    """The cells of `level` that the cover's runs reach; None once there are more than limit."""
    cells: set[tuple[int, int]] = set()
    for run in runs:
        if run.level >= level:
            shift = run.level - level
            rows = (run.y >> shift,)
            first, last = run.x_min >> shift, run.x_max >> shift
        else:  # a coarser cell wholly inside: every cell of this level within it
            shift = level - run.level
            rows = range(run.y << shift, (run.y + 1) << shift)
            first, last = run.x_min << shift, ((run.x_max + 1) << shift) - 1
        for y in rows:
            cells.update((y, x) for x in range(first, last + 1))
            if limit is not None and len(cells) > limit:
                return None
    return cells


def alert_keys(lat: float, lng: float, radius_km: float) -> list[int]:
    """The cell keys an alert of this circle is filed under (sorted): every cell the circle
    touches, at the finest level where they are at most MAX_CELLS (level 0 for wider circles)."""
    found = cover(lat, lng, radius_km)
    runs = found.inside + found.edge
    chosen, chosen_level = _touched(runs, 0, None), 0
    for level in range(1, FINEST + 1):
        cells = _touched(runs, level, MAX_CELLS)
        if cells is None:
            break
        chosen, chosen_level = cells, level
    return sorted(cell_key(chosen_level, y, x) for y, x in chosen)
