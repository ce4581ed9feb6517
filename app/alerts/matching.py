"""Matching: each queued arrival (a leader newly public at a public point, a gathering just
published) against the alerts filed under its own grid cells, then the exact distance; what is
new to an alert goes in its journal once (alert_matches is unique per alert and item).

The work per chunk of arrivals is a few statements whatever the number of alerts: the items'
rows, the alerts filed under their cells (one index range per cell key), their tags, one insert
of the matches and the queue's rows deleted. Only public columns are read: never a leader's
private lat/lng, so a city-level leader is matched at their area's point and nowhere else.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, select

from app.alerts.cells import item_keys
from app.extensions import db
from app.geo.distance import EARTH_RADIUS_KM, RADIANS_PER_DEGREE, haversine_km
from app.models.alerts import ONLINE_CELL, Alert, AlertArrival, AlertCell, AlertKind, AlertMatch
from app.models.base import utcnow
from app.models.directory import FocusArea, LeaderProfile, Program, ProfileProgram, profile_focus_areas
from app.models.gatherings import Gathering, State, gathering_focus_areas

CHUNK = 500  # arrivals read, matched and committed at a time
JOURNAL_BATCH = 1000  # matches per INSERT
_DIAMETER = 2 * EARTH_RADIUS_KM

_PROFILES = LeaderProfile.__table__
_AREAS = FocusArea.__table__


@dataclass
class Counts:
    arrivals: int = 0  # queue rows read
    items: int = 0  # leaders and gatherings still public when read
    candidates: int = 0  # (alert, item) pairs measured: the alerts filed under the items' cells
    matches: int = 0  # new to their alert, journalled


class Candidate(NamedTuple):
    """What matching reads of an alert, with its centre's terms of the distance worked out once."""

    id: int
    user_id: int
    lat: float | None
    lng: float | None
    radius_km: float
    focus_area: str
    language: str
    program: str
    mode: str
    online: bool
    since_arrival: int
    phi: float | None = None  # lat in radians
    cos_phi: float = 0.0


class Point(NamedTuple):
    """An item's point with its terms of the distance worked out once."""

    phi: float
    cos_phi: float
    lng: float

    @classmethod
    def of(cls, lat: float | None, lng: float | None) -> "Point | None":
        if lat is None or lng is None:
            return None
        phi = lat * RADIANS_PER_DEGREE
        return cls(phi, math.cos(phi), lng)


def within(alert: Candidate, point: Point | None) -> bool:
    """reaches() for the hot loop: haversine_km's operations in its order (the same figures to
    the last bit, so an item on the edge is inside exactly when the search says it is)."""
    if point is None or alert.phi is None:
        return False
    half_dphi = math.sin((point.phi - alert.phi) * 0.5)
    half_dlambda = math.sin((point.lng - alert.lng) * RADIANS_PER_DEGREE * 0.5)
    a = half_dphi * half_dphi + alert.cos_phi * point.cos_phi * half_dlambda * half_dlambda
    return _DIAMETER * math.asin(math.sqrt(a if a < 1.0 else 1.0)) <= alert.radius_km


class Arrival(NamedTuple):
    id: int
    old_lat: float | None
    old_lng: float | None
    old_online: bool


def reaches(alert, lat: float | None, lng: float | None) -> bool:
    """Is the point inside the alert's circle (an alert without a place reaches nowhere)?"""
    if alert.lat is None or alert.lng is None or lat is None or lng is None:
        return False
    return haversine_km(alert.lat, alert.lng, lat, lng) <= alert.radius_km


def speaks(languages: str | None, language: str) -> bool:
    """One whole item of "English, Kiswahili", as the leader search's language filter reads it."""
    items = "," + (languages or "").lower().replace(", ", ",").replace(" ,", ",") + ","
    return "," + language.strip().lower() + "," in items


def match_arrivals(now: datetime | None = None, chunk: int = CHUNK) -> Counts:
    """Empty the queue, CHUNK arrivals at a time, each chunk committed with its matches. Two runs
    at once take different rows on PostgreSQL (SKIP LOCKED) and run one after the other on
    SQLite; an item matched twice is journalled once either way."""
    now = now or utcnow()
    counts = Counts()
    while True:
        rows = db.session.execute(
            select(AlertArrival.id, AlertArrival.item_kind, AlertArrival.item_id, AlertArrival.old_lat,
                   AlertArrival.old_lng, AlertArrival.old_online)
            .order_by(AlertArrival.id).limit(chunk).with_for_update(skip_locked=True)).all()
        if not rows:
            db.session.commit()
            return counts
        arrivals: dict[str, dict[int, list[Arrival]]] = {"leader": defaultdict(list), "gathering": defaultdict(list)}
        for id_, kind, item_id, old_lat, old_lng, old_online in rows:
            if kind in arrivals:
                arrivals[kind][item_id].append(Arrival(id_, old_lat, old_lng, bool(old_online)))
        found = _leaders(arrivals["leader"], counts, now) + _gatherings(arrivals["gathering"], counts, now)
        counts.matches += _journal(found, now)
        db.session.execute(delete(AlertArrival).where(AlertArrival.id.in_([row[0] for row in rows])))
        db.session.commit()
        counts.arrivals += len(rows)


def _journal(found: list[tuple], now: datetime) -> int:
    """Insert the matches (alert id, item kind, item id) not journalled yet; how many were new.
    In key order, so two runs inserting the same matches never wait for each other in opposite
    orders. Through the driver's executemany, JOURNAL_BATCH rows a statement: a busy day's
    matches are many, and nothing of them needs the ORM."""
    if not found:
        return 0
    found.sort()
    connection = db.session.connection()
    dialect = connection.dialect
    process = AlertMatch.__table__.c.matched_at.type.dialect_impl(dialect).bind_processor(dialect)
    matched_at = process(now) if process else now
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO alert_matches (alert_id, item_kind, item_id, matched_at) "
           f"VALUES ({mark}, {mark}, {mark}, {mark}) ON CONFLICT DO NOTHING")
    added = 0
    for start in range(0, len(found), JOURNAL_BATCH):
        rows = [(*match, matched_at) for match in found[start:start + JOURNAL_BATCH]]
        added += max(connection.exec_driver_sql(sql, rows).rowcount, 0)
    return added


def _candidates(kind: AlertKind, keys: set[int]) -> tuple[dict[int, Candidate], dict[int, list[int]]]:
    """The alerts of this kind filed under these cells, not paused: by id, and their ids by cell."""
    if not keys:
        return {}, {}
    rows = db.session.execute(
        select(AlertCell.cell, Alert.id, Alert.user_id, Alert.lat, Alert.lng, Alert.radius_km, Alert.focus_area,
               Alert.language, Alert.program, Alert.mode, Alert.online, Alert.since_arrival)
        .join(Alert, Alert.id == AlertCell.alert_id)
        .where(AlertCell.kind == kind, AlertCell.cell.in_(sorted(keys)), Alert.paused_at.is_(None))).all()
    alerts: dict[int, Candidate] = {}
    by_cell: dict[int, list[int]] = defaultdict(list)
    for cell, *alert in rows:
        candidate = alerts.get(alert[0])
        if candidate is None:
            phi = None if alert[2] is None else alert[2] * RADIANS_PER_DEGREE
            candidate = alerts[alert[0]] = Candidate(*alert[:-2], bool(alert[-2]), alert[-1], phi,
                                                     0.0 if phi is None else math.cos(phi))
        by_cell[cell].append(candidate.id)
    return alerts, by_cell


def _first_new(arrivals: list[Arrival], alert: Candidate) -> Arrival | None:
    """The item's first arrival since the alert was saved (its old state is what it was before)."""
    if arrivals[0].id > alert.since_arrival:
        return arrivals[0]
    return next((arrival for arrival in arrivals if arrival.id > alert.since_arrival), None)


def _tags(link, item_column, ids: list[int], slug_column, join_on) -> dict[int, set[str]]:
    tags: dict[int, set[str]] = defaultdict(set)
    for item_id, slug in db.session.execute(select(item_column, slug_column).join_from(link, join_on[0], join_on[1])
                                            .where(item_column.in_(ids))):
        tags[item_id].add(slug)
    return tags


def _leaders(arrivals: dict[int, list[Arrival]], counts: Counts, now: datetime) -> list[tuple]:
    if not arrivals:
        return []
    columns = _PROFILES.c  # public columns named one by one: never lat/lng
    profiles = [row for row in db.session.execute(
        select(columns.id, columns.user_id, columns.public_lat, columns.public_lng, columns.works_online,
               columns.languages)
        .where(columns.id.in_(sorted(arrivals)), columns.searchable.is_(True))).all()
        if (row.public_lat is not None and row.public_lng is not None) or row.works_online]
    counts.items += len(profiles)
    keys = {}
    for profile in profiles:
        placed = item_keys(profile.public_lat, profile.public_lng) if profile.public_lat is not None and \
            profile.public_lng is not None else []
        keys[profile.id] = placed + ([ONLINE_CELL] if profile.works_online else [])
    alerts, by_cell = _candidates(AlertKind.LEADERS, {key for found in keys.values() for key in found})
    if not alerts:
        return []
    ids = [profile.id for profile in profiles]
    areas = programs = {}
    if any(alert.focus_area for alert in alerts.values()):
        areas = _tags(profile_focus_areas, profile_focus_areas.c.profile_id, ids, _AREAS.c.slug,
                      (_AREAS, _AREAS.c.id == profile_focus_areas.c.focus_area_id))
    if any(alert.program for alert in alerts.values()):
        link = ProfileProgram.__table__
        programs = _tags(link, link.c.profile_id, ids, Program.__table__.c.slug,
                         (Program.__table__, Program.__table__.c.id == link.c.program_id))
    found = []
    for profile in profiles:
        seen: set[int] = set()
        point = Point.of(profile.public_lat, profile.public_lng)
        for key in keys[profile.id]:
            for alert_id in by_cell.get(key, ()):
                if alert_id in seen:
                    continue
                seen.add(alert_id)
                alert = alerts[alert_id]
                counts.candidates += 1
                if alert.user_id == profile.user_id:
                    continue  # nobody is told about themselves
                arrival = _first_new(arrivals[profile.id], alert)
                if arrival is None:
                    continue
                listed_now = within(alert, point) or (alert.online and bool(profile.works_online))
                listed_before = (arrival.old_lat is not None and within(alert, Point.of(arrival.old_lat, arrival.old_lng))
                                 ) or (alert.online and arrival.old_online)
                if not listed_now or listed_before:
                    continue
                if alert.focus_area and alert.focus_area not in areas.get(profile.id, ()):
                    continue
                if alert.program and alert.program not in programs.get(profile.id, ()):
                    continue
                if alert.language and not speaks(profile.languages, alert.language):
                    continue
                found.append((alert.id, "leader", profile.id))
    return found


def _gatherings(arrivals: dict[int, list[Arrival]], counts: Counts, now: datetime) -> list[tuple]:
    if not arrivals:
        return []
    shown = db.session.execute(
        select(Gathering.id, Gathering.host_id, Gathering.mode, Gathering.lat, Gathering.lng, Gathering.language,
               Gathering.series_id, Gathering.starts_at)
        .where(Gathering.id.in_(sorted(arrivals)), Gathering.state == State.PUBLISHED,
               Gathering.partnership_id.is_(None), Gathering.ends_at > now)
        .order_by(Gathering.starts_at, Gathering.id)).all()
    # One occurrence of a series is told: the soonest published here, and none once one was.
    first_of_series: dict[int, int] = {}
    for gathering in shown:
        if gathering.series_id is not None:
            first_of_series.setdefault(gathering.series_id, gathering.id)
    gatherings = [row for row in shown if row.series_id is None or first_of_series[row.series_id] == row.id]
    counts.items += len(gatherings)
    keys = {}
    for gathering in gatherings:
        placed = item_keys(gathering.lat, gathering.lng) if (
            gathering.mode.in_person and gathering.lat is not None and gathering.lng is not None) else []
        keys[gathering.id] = placed + ([ONLINE_CELL] if gathering.mode.online else [])
    alerts, by_cell = _candidates(AlertKind.GATHERINGS, {key for found in keys.values() for key in found})
    if not alerts:
        return []
    ids = [gathering.id for gathering in gatherings]
    areas = {}
    if any(alert.focus_area for alert in alerts.values()):
        areas = _tags(gathering_focus_areas, gathering_focus_areas.c.gathering_id, ids, _AREAS.c.slug,
                      (_AREAS, _AREAS.c.id == gathering_focus_areas.c.focus_area_id))
    told_series = set()
    if first_of_series:
        told_series = set(db.session.execute(
            select(AlertMatch.alert_id, Gathering.series_id).join(Gathering, Gathering.id == AlertMatch.item_id)
            .where(AlertMatch.item_kind == "gathering", Gathering.series_id.in_(sorted(first_of_series)))).all())
    found = []
    for gathering in gatherings:
        seen: set[int] = set()
        for key in keys[gathering.id]:
            for alert_id in by_cell.get(key, ()):
                if alert_id in seen:
                    continue
                seen.add(alert_id)
                alert = alerts[alert_id]
                counts.candidates += 1
                if alert.user_id == gathering.host_id or _first_new(arrivals[gathering.id], alert) is None:
                    continue
                near = alert.mode != "online" and gathering.mode.in_person and within(
                    alert, Point.of(gathering.lat, gathering.lng))
                online = gathering.mode.online and (alert.mode == "online" or (alert.mode == "" and alert.online))
                if not (near or online):
                    continue
                if alert.focus_area and alert.focus_area not in areas.get(gathering.id, ()):
                    continue
                if alert.language and (gathering.language or "").strip().lower() != alert.language.strip().lower():
                    continue
                if gathering.series_id is not None:
                    if (alert.id, gathering.series_id) in told_series:
                        continue
                    told_series.add((alert.id, gathering.series_id))
                found.append((alert.id, "gathering", gathering.id))
    return found
