"""Distances, search boxes and worded distances."""
import math

import pytest

from app.geo.distance import (
    EARTH_RADIUS_KM,
    KM_PER_MILE,
    Box,
    bounding_boxes,
    describe_distance,
    haversine_km,
)

PARIS = (48.8566, 2.3522)
LONDON = (51.5074, -0.1278)
NEW_YORK = (40.7128, -74.0060)
LOS_ANGELES = (34.0522, -118.2437)
SUVA = (-18.1416, 178.4419)


def destination(lat: float, lng: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point km away from (lat, lng) heading along bearing_deg, on the same sphere."""
    angular = km / EARTH_RADIUS_KM
    phi, lam, theta = math.radians(lat), math.radians(lng), math.radians(bearing_deg)
    phi2 = math.asin(math.sin(phi) * math.cos(angular) + math.cos(phi) * math.sin(angular) * math.cos(theta))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(angular) * math.cos(phi), math.cos(angular) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


def covered(boxes: list[Box], lat: float, lng: float) -> bool:
    return any(box.contains(lat, lng) for box in boxes)


@pytest.mark.parametrize(
    ("a", "b", "km", "tolerance"),
    [(PARIS, LONDON, 343.5, 1.0), (NEW_YORK, LOS_ANGELES, 3936, 5.0), (PARIS, PARIS, 0.0, 1e-9)],
)
def test_haversine_known_distances(a, b, km, tolerance):
    assert haversine_km(*a, *b) == pytest.approx(km, abs=tolerance)
    assert haversine_km(*b, *a) == pytest.approx(haversine_km(*a, *b))


def test_haversine_antipodes_is_half_the_circumference():
    assert haversine_km(10, 20, -10, -160) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_haversine_across_the_antimeridian_is_short():
    assert haversine_km(-18, 179.9, -18, -179.9) == pytest.approx(21.1, abs=0.2)


def test_bounding_box_of_an_ordinary_point_holds_the_circle_and_little_more():
    boxes = bounding_boxes(*PARIS, 500)
    assert len(boxes) == 1
    box = boxes[0]
    assert box.max_lat - box.min_lat == pytest.approx(2 * 500 / (math.pi * EARTH_RADIUS_KM / 180))
    assert -180 < box.min_lng < box.max_lng < 180
    for bearing in range(0, 360, 5):
        assert covered(boxes, *destination(*PARIS, bearing, 499.9))
    # The box is tight: just outside it east and north is farther than the radius.
    assert haversine_km(*PARIS, PARIS[0], box.max_lng + 0.1) > 500
    assert haversine_km(*PARIS, box.max_lat + 0.1, PARIS[1]) > 500


def test_bounding_boxes_split_at_the_antimeridian():
    boxes = bounding_boxes(*SUVA, 500)
    assert len(boxes) == 2
    east, west = boxes
    assert east.max_lng == 180 and west.min_lng == -180
    assert east.min_lng < SUVA[1] and west.max_lng < 0
    for bearing in range(0, 360, 5):
        assert covered(boxes, *destination(*SUVA, bearing, 499.9))
    # Across the line, within the radius, and found by the western box.
    assert haversine_km(*SUVA, -18.0, -178.0) < 500
    assert west.contains(-18.0, -178.0)


def test_bounding_boxes_split_when_crossing_from_the_west():
    boxes = bounding_boxes(-18.0, -179.5, 100)
    assert len(boxes) == 2
    assert any(box.contains(-18.0, 179.8) for box in boxes)


@pytest.mark.parametrize("lat", [89.0, -89.0])
def test_bounding_box_reaching_a_pole_covers_every_longitude(lat):
    boxes = bounding_boxes(lat, 10.0, 500)
    assert len(boxes) == 1
    box = boxes[0]
    assert (box.min_lng, box.max_lng) == (-180, 180)
    assert (box.max_lat == 90) if lat > 0 else (box.min_lat == -90)
    over_the_pole = destination(lat, 10.0, 0 if lat > 0 else 180, 300)
    assert over_the_pole[1] == pytest.approx(-170)
    assert covered(boxes, *over_the_pole)


def test_bounding_box_near_but_not_reaching_a_pole_is_wide():
    boxes = bounding_boxes(80.0, 0.0, 500)
    assert len(boxes) == 1
    for bearing in range(0, 360, 5):
        assert covered(boxes, *destination(80.0, 0.0, bearing, 499.9))


def test_bounding_boxes_refuse_a_negative_radius():
    with pytest.raises(ValueError):
        bounding_boxes(0, 0, -1)


def test_km_per_mile():
    assert KM_PER_MILE == 1.609344


@pytest.mark.parametrize(
    ("km", "words"),
    [
        (0, "< 5 km"),
        (4.9, "< 5 km"),
        (5, "about 5 km"),
        (7.4, "about 5 km"),
        (7.5, "about 10 km"),
        (12.5, "about 15 km"),
        (49, "about 50 km"),
        (52, "about 50 km"),
        (123, "about 120 km"),
        (499, "about 500 km"),
        (520, "about 500 km"),
        (1234, "about 1,250 km"),
    ],
)
def test_describe_distance_in_km(km, words):
    assert describe_distance(km) == words


@pytest.mark.parametrize(
    ("miles", "words"),
    [(3, "< 5 mi"), (30, "about 30 mi"), (33, "about 35 mi"), (212, "about 210 mi"), (640, "about 650 mi")],
)
def test_describe_distance_in_miles(miles, words):
    assert describe_distance(miles * KM_PER_MILE, unit="mi") == words


def test_describe_distance_rejects_unknown_units_and_negative_distances():
    with pytest.raises(ValueError):
        describe_distance(10, unit="furlongs")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        describe_distance(-1)
