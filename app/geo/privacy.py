"""Where a leader is shown on the map: the exact point or the centre of a ~10 km cell."""
import math
from typing import Literal

from app.geo.distance import KM_PER_DEGREE_LAT

Precision = Literal["exact", "city"]
PRECISIONS: tuple[Precision, ...] = ("exact", "city")

CELL_KM = 10.0
BAND_COUNT = 2000
BAND_DEGREES = 180 / BAND_COUNT  # 0.09 degrees, about 10 km of latitude


def public_point(lat: float, lng: float, precision: Precision = "city") -> tuple[float, float]:
    """The point others may see for a location at (lat, lng).

    "city" snaps to the centre of a fixed grid cell, so every point in the cell gives
    the same answer and nothing finer than the cell can be learnt from it.
    """
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError(f"Not a point on Earth: {lat}, {lng}")
    if precision == "exact":
        return round(lat, 5), round(lng, 5)
    if precision != "city":
        raise ValueError(f"Unknown precision {precision!r}")

    band = min(int((lat + 90) / BAND_DEGREES), BAND_COUNT - 1)
    centre_lat = -90 + (band + 0.5) * BAND_DEGREES
    cells = band_cell_count(band)
    width = 360 / cells
    cell = min(int(((lng + 180) % 360) / width), cells - 1)
    centre_lng = _wrap(-180 + (cell + 0.5) * width)
    return round(centre_lat, 5), round(centre_lng, 5)


def band_cell_count(band: int) -> int:
    """How many cells tile a latitude band: a whole number, so cells wrap cleanly at 180."""
    centre_lat = -90 + (band + 0.5) * BAND_DEGREES
    circumference_km = 360 * KM_PER_DEGREE_LAT * math.cos(math.radians(centre_lat))
    return max(1, int(circumference_km / CELL_KM))


def _wrap(lng: float) -> float:
    """Longitude in [-180, 180)."""
    return (lng + 180) % 360 - 180
