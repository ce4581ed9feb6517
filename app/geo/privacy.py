"""Where a leader is shown: the exact point or the centre of a ~10 km cell, and the town named for it."""
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from app.geo.distance import KM_PER_DEGREE_LAT, haversine_km

Precision = Literal["exact", "city"]
PRECISIONS: tuple[Precision, ...] = ("exact", "city")

CELL_KM = 10.0
BAND_COUNT = 2000
BAND_DEGREES = 180 / BAND_COUNT  # 0.09 degrees, about 10 km of latitude

# The town named for a city-level location is chosen from the gazetteer around the public
# point alone, never from what the leader typed, so the name says no more than the cell:
# the biggest town of at least PUBLIC_TOWN_MIN_POPULATION people within PUBLIC_TOWN_NEAR_KM
# of the public point, else the nearest one within PUBLIC_TOWN_MAX_KM, else only the region
# and country. Towns are taken in the country of the gazetteer place nearest the public point.
PUBLIC_TOWN_MIN_POPULATION = 15_000  # a crowd to hide in; a hamlet's name would point at a few houses
PUBLIC_TOWN_NEAR_KM = CELL_KM  # within about a cell, the city is named rather than its districts
PUBLIC_TOWN_MAX_KM = 30.0  # farther than this, "near <town>" would mislead more than it helps


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


class GazetteerPlace(Protocol):
    """What public_town reads of a gazetteer place (app.geo.gazetteer.Place has it all)."""

    name: str
    kind: str
    region_name: str | None
    country_name: str
    country_code: str
    population: int
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class PublicTown:
    """The place named on a city-level profile; city is "" when no town is big and near enough."""

    city: str
    region: str
    country: str
    country_code: str


def public_town(public_lat: float, public_lng: float, places: Iterable[GazetteerPlace]) -> PublicTown | None:
    """The town to name for a city-level location whose public point is (public_lat, public_lng).

    places: the gazetteer places around the point (any kind and size; those farther than
    PUBLIC_TOWN_MAX_KM are ignored). None when there is none at all. The answer depends on
    the public point and the gazetteer only, so every leader in a cell gets the same name.
    """
    around = [(km, place) for place in places
              if (km := haversine_km(public_lat, public_lng, place.lat, place.lng)) <= PUBLIC_TOWN_MAX_KM]
    if not around:
        return None
    country = min(around, key=_nearest_first)[1]
    towns = [(km, place) for km, place in around
             if place.kind == "city" and place.population >= PUBLIC_TOWN_MIN_POPULATION
             and place.country_code == country.country_code]
    close = [(km, place) for km, place in towns if km <= PUBLIC_TOWN_NEAR_KM]
    if close:
        town = min(close, key=lambda item: (-item[1].population, *_nearest_first(item)))[1]
    elif towns:
        town = min(towns, key=_nearest_first)[1]
    else:
        return PublicTown("", country.region_name or "", country.country_name, country.country_code)
    return PublicTown(town.name, town.region_name or "", town.country_name, town.country_code)


def _nearest_first(item: tuple[float, GazetteerPlace]) -> tuple:
    """Nearest first; ties go by the place's own fields, never by the order rows came in."""
    km, place = item
    return km, -place.population, place.name, place.country_code, place.lat, place.lng


def band_cell_count(band: int) -> int:
    """How many cells tile a latitude band: a whole number, so cells wrap cleanly at 180."""
    centre_lat = -90 + (band + 0.5) * BAND_DEGREES
    circumference_km = 360 * KM_PER_DEGREE_LAT * math.cos(math.radians(centre_lat))
    return max(1, int(circumference_km / CELL_KM))


def _wrap(lng: float) -> float:
    """Longitude in [-180, 180)."""
    return (lng + 180) % 360 - 180
