"""Great-circle distances, search boxes around a point and distances worded for people."""
import math
from typing import Literal, NamedTuple

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180
RADIANS_PER_DEGREE = math.pi / 180  # what math.radians multiplies by

DistanceUnit = Literal["km", "mi"]


class Box(NamedTuple):
    """A latitude/longitude rectangle that never crosses the 180th meridian."""

    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float

    def contains(self, lat: float, lng: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lng <= lng <= self.max_lng


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Distance in km along the surface of a spherical Earth.

    The directory's search loop repeats these operations in this order, so both give the
    same figures to the last bit.
    """
    phi1, phi2 = lat1 * RADIANS_PER_DEGREE, lat2 * RADIANS_PER_DEGREE
    half_dphi = math.sin((phi2 - phi1) * 0.5)
    half_dlambda = math.sin((lng2 - lng1) * RADIANS_PER_DEGREE * 0.5)
    a = half_dphi * half_dphi + math.cos(phi1) * math.cos(phi2) * half_dlambda * half_dlambda
    # Rounding can push a just above 1 for antipodal points.
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a if a < 1.0 else 1.0))


def bounding_boxes(lat: float, lng: float, radius_km: float) -> list[Box]:
    """Boxes that together contain every point within radius_km of (lat, lng).

    One box normally, two when the circle crosses the 180th meridian, and one box
    spanning all longitudes when the circle reaches a pole. Filter with the boxes
    (index-friendly), then keep rows whose haversine_km is within the radius.
    """
    if radius_km < 0:
        raise ValueError("radius_km must not be negative")
    angular = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angular)
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90 or max_lat >= 90:
        return [Box(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)]

    # Widest longitude reached by the circle, at its tangent points (not at lat itself).
    dlng = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(math.radians(lat)))))
    min_lng, max_lng = lng - dlng, lng + dlng
    if max_lng - min_lng >= 360:
        return [Box(min_lat, max_lat, -180.0, 180.0)]
    if min_lng < -180:
        return [Box(min_lat, max_lat, min_lng + 360, 180.0), Box(min_lat, max_lat, -180.0, max_lng)]
    if max_lng > 180:
        return [Box(min_lat, max_lat, min_lng, 180.0), Box(min_lat, max_lat, -180.0, max_lng - 360)]
    return [Box(min_lat, max_lat, min_lng, max_lng)]


def describe_distance(km: float, unit: DistanceUnit = "km") -> str:
    """A distance rounded the way people say it: "< 5 km", "about 30 mi"."""
    if unit == "km":
        value = km
    elif unit == "mi":
        value = km / KM_PER_MILE
    else:
        raise ValueError(f"Unknown distance unit {unit!r}")
    if value < 0:
        raise ValueError("distance must not be negative")
    if value < 5:
        return f"< 5 {unit}"
    step = 5 if value < 50 else 10 if value < 500 else 50
    # Round half up: round() rounds halves to even, so 12.5 km would read "about 10 km".
    rounded = int(value / step + 0.5) * step
    return f"about {rounded:,} {unit}"
