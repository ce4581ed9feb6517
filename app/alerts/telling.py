"""What an alert tells of what it found: the public card of each leader or gathering that the alert's
search would list now, with the distance rounded as the search rounds it. Read again whenever it
is shown (mail, feed, page), so a leader who hid or left, or a gathering cancelled, is not told."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload

from app.alerts.matching import reaches
from app.extensions import db
from app.gatherings import times
from app.geo.distance import describe_distance, haversine_km
from app.models.accounts import User
from app.models.alerts import Alert, AlertKind
from app.models.base import utcnow
from app.models.directory import LeaderProfile
from app.models.gatherings import Gathering, State
from app.urls import site_url


@dataclass(frozen=True)
class Told:
    """One item as the alert shows it: public facts only."""

    kind: str  # "leader" or "gathering"
    item_id: int
    title: str
    url: str  # the profile's or the gathering's page, absolute
    lines: tuple[str, ...]
    distance: str | None  # "about 15 km", "< 5 mi": as the search says it
    item: object = field(default=None, compare=False)  # the loaded profile or gathering, for the page's cards


def told(alert: Alert, ids: list[int], viewer_zone: str | None = None, now: datetime | None = None) -> list[Told]:
    """The items of these ids the alert's search would list now, in the order of `ids`."""
    if not ids:
        return []
    found = (_leaders(alert, ids) if alert.kind is AlertKind.LEADERS
             else _gatherings(alert, ids, viewer_zone, now or utcnow()))
    return [found[item_id] for item_id in ids if item_id in found]


def distance_label(alert: Alert, lat: float | None, lng: float | None) -> str | None:
    if alert.lat is None or alert.lng is None or lat is None or lng is None:
        return None
    return describe_distance(haversine_km(alert.lat, alert.lng, lat, lng), "mi" if alert.unit == "mi" else "km")


def _leaders(alert: Alert, ids: list[int]) -> dict[int, Told]:
    profiles = db.session.scalars(
        select(LeaderProfile).where(LeaderProfile.id.in_(ids), LeaderProfile.searchable.is_(True))
        # Never the private point, not even into memory.
        .options(defer(LeaderProfile.lat), defer(LeaderProfile.lng), selectinload(LeaderProfile.focus_areas),
                 selectinload(LeaderProfile.programs), selectinload(LeaderProfile.user))).all()
    found = {}
    for profile in profiles:
        near = reaches(alert, profile.public_lat, profile.public_lng)
        if not (near or (alert.online and profile.works_online)):
            continue  # moved away since: the search would not list them
        distance = distance_label(alert, profile.public_lat, profile.public_lng)
        place = ", ".join(dict.fromkeys(part for part in (profile.city, profile.region, profile.country) if part))
        where = " · ".join(part for part in (place, distance) if part)
        tags = (["Works online"] if profile.works_online else []) + [
            f"{item.program.name} (verified)" for item in profile.programs if item.verified] + [
            area.name for area in profile.focus_areas[:3]]
        languages = ", ".join(dict.fromkeys(part.strip() for part in (profile.languages or "").split(",") if part.strip()))
        lines = [profile.headline, where,
                 "Shares only their area: the distance is to its centre" if (
                     profile.precision.value == "city" and profile.public_lat is not None and distance) else "",
                 " · ".join(tags), f"Speaks {languages}" if languages else ""]
        found[profile.id] = Told("leader", profile.id, profile.display_name,
                                 site_url("directory.profile", slug=profile.slug),
                                 tuple(line for line in lines if line), distance, profile)
    return found


def _gatherings(alert: Alert, ids: list[int], viewer_zone: str | None, now: datetime) -> dict[int, Told]:
    gatherings = db.session.scalars(
        select(Gathering).where(Gathering.id.in_(ids), Gathering.state == State.PUBLISHED,
                                Gathering.partnership_id.is_(None), Gathering.ends_at > now)
        .options(defer(Gathering.meeting_url), defer(Gathering.description_html),
                 selectinload(Gathering.host).load_only(User.id, User.display_name))).all()
    found = {}
    for gathering in gatherings:
        in_person = gathering.mode.in_person
        near = in_person and alert.mode != "online" and reaches(alert, gathering.lat, gathering.lng)
        online = gathering.mode.online and (alert.mode == "online" or (alert.mode == "" and alert.online))
        if not (near or online):
            continue
        town = (gathering.place_name or gathering.address).split(",")[0].strip() if in_person else ""
        distance = distance_label(alert, gathering.lat, gathering.lng) if near else None
        venue = ", ".join(part for part in (gathering.venue_name, town) if part)
        how = " and ".join(word for word, yes in (("Online", gathering.mode.online),
                                                  ("In person", in_person)) if yes)
        where = " · ".join(part for part in (how + (f" at {venue}" if in_person and venue else ""), distance) if part)
        lines = [str(times.label(gathering.starts_at, gathering.time_zone, viewer_zone, place=town)), where,
                 f"In {gathering.language}" if gathering.language else "",
                 "One of a series: its page lists the other dates" if gathering.series_id else "",
                 f"Hosted by {gathering.host.display_name}"]
        found[gathering.id] = Told("gathering", gathering.id, gathering.title,
                                   site_url("gatherings.show", gathering_id=gathering.id),
                                   tuple(line for line in lines if line), distance, gathering)
    return found
