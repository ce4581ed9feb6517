"""Location privacy: exact points pass through, city points snap to a fixed ~10 km grid."""
import random

import pytest

from app.geo.distance import haversine_km
from app.geo.privacy import BAND_COUNT, BAND_DEGREES, PRECISIONS, band_cell_count, public_point

PORTLAND = (45.52345, -122.67621)


def cell_of(lat: float, lng: float) -> tuple[float, float, float, float]:
    """South, north, west and east edges of the grid cell holding (lat, lng)."""
    band = min(int((lat + 90) / BAND_DEGREES), BAND_COUNT - 1)
    width = 360 / band_cell_count(band)
    cell = int(((lng + 180) % 360) / width)
    south = -90 + band * BAND_DEGREES
    west = -180 + cell * width
    return south, south + BAND_DEGREES, west, west + width


def test_precisions():
    assert PRECISIONS == ("exact", "city")


def test_exact_passes_the_point_through_rounded():
    assert public_point(45.523451234, -122.676209876, "exact") == (45.52345, -122.67621)
    assert public_point(-33.9, 151.2, precision="exact") == (-33.9, 151.2)


def test_city_is_the_default_and_differs_from_the_exact_point():
    shown = public_point(*PORTLAND)
    assert shown == public_point(*PORTLAND, "city")
    assert shown != public_point(*PORTLAND, "exact")
    assert 0 < haversine_km(*PORTLAND, *shown) < 7.5


@pytest.mark.parametrize("point", [PORTLAND, (0.01, 0.01), (-18.14, 178.44), (64.1, -21.9), (-54.8, -68.3)])
def test_every_point_in_a_cell_gets_the_same_answer(point):
    south, north, west, east = cell_of(*point)
    rng = random.Random(42)
    answers = {
        public_point(rng.uniform(south, north - 1e-9), rng.uniform(west, east - 1e-9)) for _ in range(500)
    }
    assert len(answers) == 1
    centre = answers.pop()
    assert centre == pytest.approx(((south + north) / 2, (west + east) / 2), abs=1e-5)
    assert public_point(*centre) == centre  # the shown point reveals nothing new when snapped again


@pytest.mark.parametrize("lat", [-80.0, -45.0, 0.0, 30.0, 60.0, 75.0])
def test_cells_are_about_ten_km_wide_at_every_latitude(lat):
    south, north, west, east = cell_of(lat, 10.0)
    middle = (south + north) / 2
    assert 10.0 <= haversine_km(south, 10.0, north, 10.0) < 10.1
    assert 10.0 <= haversine_km(middle, west, middle, east) < 10.2


def test_points_in_neighbouring_cells_get_different_answers():
    south, north, west, east = cell_of(*PORTLAND)
    inside = public_point(*PORTLAND)
    assert public_point(north + 0.001, PORTLAND[1]) != inside
    assert public_point(PORTLAND[0], east + 0.001) != inside


def test_shown_point_is_never_farther_than_half_a_cell_diagonal():
    rng = random.Random(7)
    for _ in range(2000):
        lat, lng = rng.uniform(-85, 85), rng.uniform(-180, 180)
        assert haversine_km(lat, lng, *public_point(lat, lng)) < 7.2


def test_longitudes_wrap_at_the_antimeridian():
    assert public_point(10.0, 180.0) == public_point(10.0, -180.0)
    for lng in (179.9999, -179.9999, 180.0, -180.0):
        shown_lat, shown_lng = public_point(10.0, lng)
        assert -180 <= shown_lng < 180
        assert haversine_km(10.0, lng, shown_lat, shown_lng) < 7.2


@pytest.mark.parametrize("lat", [90.0, -90.0, 89.99, -89.99])
def test_poles_give_a_valid_point_the_same_for_every_longitude_nearby(lat):
    shown = {public_point(lat, lng) for lng in (-179.0, -60.0, 0.0, 60.0, 179.0) if cell_of(lat, lng) == cell_of(lat, 0.0)}
    assert len(shown) == 1
    shown_lat, shown_lng = shown.pop()
    assert -90 < shown_lat < 90 and abs(shown_lat) > 89.9
    assert -180 <= shown_lng < 180


def test_rejects_unknown_precision_and_impossible_points():
    with pytest.raises(ValueError):
        public_point(0, 0, "street")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        public_point(91, 0)
    with pytest.raises(ValueError):
        public_point(0, 181)
