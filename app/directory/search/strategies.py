"""The ways to find the leaders inside a circle, behind one interface: Found.

- ByPoints: the distinct public points in the circle's bounding boxes, with how many leaders
  each holds (straight from the covering index); exact distances, one per point, keep those
  inside and give the count.
- ByCells: where leaders are crowded and no filter but "online" is set, the grid cells wholly
  inside the circle add their counts from leader_cells; only the edge's points are measured.
- ByName: ByPoints' points, with every leader inside read and ordered by name.
- Listed: leaders already in memory (the full scan, the nearest leaders).
Each reads leaders only at the points the page shown needs.
"""
import heapq
import math
from collections.abc import Iterable
from functools import cached_property
from typing import Protocol

from flask import current_app

from app.directory.search import statements
from app.directory.search.results import Filters, Match, Origin, PointCount
from app.geo.distance import EARTH_RADIUS_KM, RADIANS_PER_DEGREE, haversine_km


class Found(Protocol):
    """The leaders a search found inside its circle, counted, read one page at a time."""

    total: int  # how many leaders
    online: int  # of them, how many work online (counted only when the search includes them)

    def page(self, start: int, stop: int) -> list[Match]:
        """Leaders start..stop in the search's order."""

    def holds(self, id_: int, lat: float | None, lng: float | None) -> bool:
        """Is this leader (at this public point) among those found? Online leaders are not listed twice."""


def name_order(match: Match) -> tuple[str, int]:
    return match.name_key, match.profile_id


class Listed:
    """Leaders found one by one (the full scan, the nearest leaders): all in memory."""

    def __init__(self, matches: list[Match], *, by_name: bool = False) -> None:
        self.matches = matches
        self.total = len(matches)
        self.online = sum(1 for match in matches if match.online)
        self._ids = {match.profile_id for match in matches}
        self._key = name_order if by_name else None

    def page(self, start: int, stop: int) -> list[Match]:
        return heapq.nsmallest(stop, self.matches, key=self._key)[start:] if start < self.total else []

    def holds(self, id_: int, lat: float | None, lng: float | None) -> bool:
        return id_ in self._ids


class ByPoints:
    """Leaders found as counts per public point inside the circle: rows are read only for a page."""

    def __init__(self, origin: Origin, radius_km: float, rows: Iterable[statements.PointRow],
                 filters: Filters) -> None:
        """Keep the points (lat, lng, leaders, online) of `rows` that lie inside the circle.

        haversine_km written out with the origin's terms computed once (the hot loop of every
        search); same operations in the same order, so the distances equal haversine_km's.
        """
        lng, phi1 = origin.lng, origin.lat * RADIANS_PER_DEGREE
        cos_phi1 = math.cos(phi1)
        sin, cos, asin, sqrt = math.sin, math.cos, math.asin, math.sqrt
        diameter = 2 * EARTH_RADIUS_KM
        inside: list[PointCount] = []
        total = online_total = 0
        for point_lat, point_lng, leaders, online in rows:
            phi2 = point_lat * RADIANS_PER_DEGREE
            half_dphi = sin((phi2 - phi1) * 0.5)
            half_dlambda = sin((point_lng - lng) * RADIANS_PER_DEGREE * 0.5)
            a = half_dphi * half_dphi + cos_phi1 * cos(phi2) * half_dlambda * half_dlambda
            distance = diameter * asin(sqrt(a if a < 1.0 else 1.0))
            if distance <= radius_km:
                inside.append(PointCount(distance, point_lat, point_lng, leaders, online))
                total += leaders
                online_total += online
        inside.sort()
        self.points = inside  # nearest first
        self.filters = filters
        self.total = total
        self.online = online_total

    @classmethod
    def around(cls, origin: Origin, radius_km: float, filters: Filters) -> "ByPoints":
        return cls(origin, radius_km, statements.points_in_boxes(filters, origin.lat, origin.lng, radius_km), filters)

    def page(self, start: int, stop: int) -> list[Match]:
        """Leaders start..stop by (distance, name, id), reading only the points that hold them."""
        if start >= self.total:
            return []
        points, count = self.points, len(self.points)
        wanted: list[PointCount] = []
        first = 0  # how many leaders come before the first point read
        seen = index = 0
        while index < count and seen < stop:
            # Points at the same distance are taken together: the order among them is by name.
            end, size = index + 1, points[index].leaders
            while end < count and points[end].distance_km == points[index].distance_km:
                size += points[end].leaders
                end += 1
            if seen + size > start:
                if not wanted:
                    first = seen
                wanted += points[index:end]
            seen += size
            index = end
        leaders = sorted(statements.leaders_at(self.filters, wanted, stop - first))
        return leaders[start - first:stop - first]

    @cached_property
    def _places(self) -> set[tuple[float, float]]:
        return {(point.lat, point.lng) for point in self.points}

    def holds(self, id_: int, lat: float | None, lng: float | None) -> bool:
        return (lat, lng) in self._places


class ByName:
    """The leaders inside the circle by name: all of them are read (with their summaries), then
    ordered by (name_key, id); the points and counts are those of the distance order."""

    def __init__(self, points: ByPoints) -> None:
        self.points = points
        self.total, self.online = points.total, points.online

    @cached_property
    def _ordered(self) -> list[Match]:
        return sorted(statements.leaders_at(self.points.filters, self.points.points, self.total), key=name_order)

    def page(self, start: int, stop: int) -> list[Match]:
        return self._ordered[start:stop] if start < self.total else []

    def holds(self, id_: int, lat: float | None, lng: float | None) -> bool:
        return self.points.holds(id_, lat, lng)


class ByCells:
    """Leaders inside the circle counted from the grid (app/geo/cells.py), without reading them.

    Cells wholly inside the circle add their counts from leader_cells; the points of the
    finest cells its edge crosses are measured one by one. The page is read from the smallest
    circle around the origin that holds it: a crowded city needs only its centre.
    """

    def __init__(self, origin: Origin, radius_km: float, filters: Filters) -> None:
        self.origin, self.radius_km, self.filters = origin, radius_km, filters
        inside, edge_runs = statements.cover_values(origin.lat, origin.lng, radius_km)
        total, online = statements.cell_sums(inside)
        edge = ByPoints(origin, radius_km, statements.edge_points(filters, edge_runs), filters)
        self.total = total + edge.total
        self.online = (online if filters.online else 0) + edge.online

    def page(self, start: int, stop: int) -> list[Match]:
        if start >= self.total:
            return []
        # The radius that would hold `stop` leaders if they were spread evenly, grown until it does.
        reach = min(self.radius_km, self.radius_km * math.sqrt(stop / self.total) * 1.25)
        while True:
            near = ByPoints.around(self.origin, reach, self.filters)
            if near.total >= stop or reach >= self.radius_km:
                return near.page(start, stop)
            reach = min(self.radius_km, reach * 2)

    def holds(self, id_: int, lat: float | None, lng: float | None) -> bool:
        if lat is None or lng is None:
            return False
        return haversine_km(self.origin.lat, self.origin.lng, lat, lng) <= self.radius_km


def crowded(origin: Origin, radius_km: float) -> bool:
    """Are there so many leaders around that counting cells beats reading their points?

    Judged from a map of the 1° cells kept per worker for a minute: a stale map only makes a
    search take the slower of two exact ways.
    """
    around = statements.leaders_around(origin.lat, origin.lng, radius_km)
    return around > current_app.config["SEARCH_CELLS_PER_KM"] * radius_km


def within(origin: Origin, radius_km: float, rows) -> list[Match]:
    """The full scan's rows (id, name, lat, lng, online) inside the circle; one distance per
    distinct public point, not per leader."""
    lat, lng = origin.lat, origin.lng
    distances: dict[tuple[float, float], float] = {}
    inside: list[Match] = []
    for id_, name, point_lat, point_lng, online in rows:
        point = (point_lat, point_lng)
        distance = distances.get(point)
        if distance is None:
            distance = distances[point] = haversine_km(lat, lng, point_lat, point_lng)
        if distance <= radius_km:
            inside.append(Match(distance, name.casefold(), id_, online, None))
    return inside
