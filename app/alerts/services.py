"""Saving alerts: a leader or gatherings search read with the search's own rules, kept with the
point the search used; a person's alerts, pausing, deleting, their feed address, their schedule."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, func, select

from app.alerts import cells, schedule
from app.database import get_or_create, lock_row
from app.directory import search as leaders
from app.directory.search_forms import UNITS, YOUR_LOCATION, PointOrPlaceError, parse_number, point_or_place
from app.extensions import db
from app.gatherings import times
from app.gatherings.finding import MODES
from app.geo.geocoder import GeocodeError
from app.models.accounts import User
from app.models.alerts import (ONLINE_CELL, Alert, AlertArrival, AlertCell, AlertKind, AlertMatch, AlertSchedule,
                               Frequency)
from app.models.base import utcnow
from app.models.directory import FocusArea, Program
from app.permissions import can_manage_alert

# One person keeps at most this many: enough for the places they care about, too few to
# cover a city with small circles.
MAX_ALERTS = 20
MIN_RADIUS_KM = leaders.MIN_RADIUS  # the search's own minimum (5 km)
LANGUAGE_MAX = 40
FOCUS_AREA_MAX = 60
PROGRAM_MAX = 100
# "Your location" is kept to what "Use my location" sends (static/js/near-me.js): 3 decimals.
YOUR_LOCATION_DECIMALS = 3
PLACE_DECIMALS = 5
FALSE_WORDS = ("", "false", "0", "off", "no", "n")  # an unticked box, as WTForms reads it
# What an alert can be made from: the two searches' own parameters.
SEARCH_PARAMS = ("kind", "near", "lat", "lng", "radius", "unit", "keyword", "focus_area", "language",
                 "program", "mode", "online")


class AlertError(Exception):
    """A search that cannot be saved as an alert; the message says how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Search:
    """A search, checked and with its place looked up, ready to be saved as an alert."""

    kind: AlertKind
    place_name: str = ""
    lat: float | None = None
    lng: float | None = None
    radius: float = leaders.DEFAULT_RADIUS
    unit: str = "km"
    focus_area: str = ""
    language: str = ""
    program: str = ""
    mode: str = ""
    online: bool = False
    keyword_left_out: str = ""  # a keyword the search had: alerts do not keep one

    @property
    def radius_km(self) -> float:
        return leaders.to_km(self.radius, self.unit)

    @property
    def anywhere(self) -> bool:
        """Online gatherings wherever they are: no place, no radius."""
        return self.kind is AlertKind.GATHERINGS and self.mode == "online"


def read_search(args) -> Search:
    """The search in `args` (a query string or a posted form, the searches' own names), or
    AlertError. The place typed is looked up as the search looks it up, so the alert keeps the
    point the search measured from."""
    kind = _kind(args.get("kind"))
    typed = (args.get("near") or "").strip()
    if typed.casefold() == YOUR_LOCATION.casefold():
        typed = ""
    try:
        typed, point = point_or_place(typed, args.get("lat"), args.get("lng"), typed_place_wins=True)
    except PointOrPlaceError as error:
        if error.field == "near":
            raise AlertError(f"Enter a shorter place name in “Near”: {error}.") from None
        raise AlertError("We could not read your location. Type a place in “Near” instead.") from None
    unit = (args.get("unit") or "km").strip()
    if unit not in UNITS:
        raise AlertError("Choose kilometres or miles for the distance.")
    try:
        radius = parse_number(args.get("radius"), leaders.MIN_RADIUS, leaders.MAX_RADIUS)
    except ValueError:
        radius = -1.0
    if radius is not None and (radius < 0 or leaders.to_km(radius, unit) < MIN_RADIUS_KM):
        raise AlertError(f"Enter a distance from {leaders.MIN_RADIUS} to {leaders.MAX_RADIUS}, like 50.")
    radius = leaders.DEFAULT_RADIUS if radius is None else radius
    online = (args.get("online") or "").strip().lower() not in FALSE_WORDS
    language = (args.get("language") or "").strip()
    if len(language) > LANGUAGE_MAX:
        raise AlertError("Enter one language, like Spanish.")
    focus_area = (args.get("focus_area") or "").strip()
    search = Search(kind, radius=radius, unit=unit, language=language, online=online,
                    focus_area=_focus_area(focus_area, official_only=kind is AlertKind.LEADERS))
    if kind is AlertKind.LEADERS:
        search = replace(search, program=_program((args.get("program") or "").strip()),
                         keyword_left_out=(args.get("keyword") or "").strip()[:100])
    else:
        mode = (args.get("mode") or "").strip()
        if mode not in MODES:
            raise AlertError("Choose online, in person or either.")
        search = replace(search, mode=mode, online=online and mode == "")
        if mode == "online":  # the search lists them by date wherever they are: so does the alert
            return replace(search, radius=leaders.DEFAULT_RADIUS, unit=unit)
    return _placed(search, typed, point)


def _kind(text: str | None) -> AlertKind:
    try:
        return AlertKind((text or "").strip())
    except ValueError:
        raise AlertError("Start from a search for leaders or for gatherings, then choose “Alert me”.") from None


def _focus_area(slug: str, *, official_only: bool) -> str:
    if not slug:
        return ""
    query = select(FocusArea.slug).where(FocusArea.slug == slug[:FOCUS_AREA_MAX])
    if official_only:
        query = query.where(FocusArea.official.is_(True))
    if len(slug) > FOCUS_AREA_MAX or db.session.scalar(query) is None:
        raise AlertError("Choose a focus area from the list.")
    return slug


def _program(slug: str) -> str:
    if slug and (len(slug) > PROGRAM_MAX or db.session.scalar(select(Program.slug).where(Program.slug == slug)) is None):
        raise AlertError("Choose a program from the list.")
    return slug


def _placed(search: Search, typed: str, point: tuple[float, float] | None) -> Search:
    if typed:
        try:
            origin = leaders.find_place(typed).origin
        except GeocodeError as error:
            raise AlertError(str(error)) from None
        except leaders.PlaceNotFound as error:
            raise AlertError(error.message) from None
        return replace(search, place_name=origin.name, lat=round(origin.lat, PLACE_DECIMALS),
                       lng=round(origin.lng, PLACE_DECIMALS))
    if point is not None:
        return replace(search, place_name="your location", lat=round(point[0], YOUR_LOCATION_DECIMALS),
                       lng=round(point[1], YOUR_LOCATION_DECIMALS))
    if search.kind is AlertKind.LEADERS:
        raise AlertError("Enter a place in “Near” first: an alert tells you about new leaders near a place.")
    raise AlertError("Enter a place in “Near” first, or choose online gatherings: an alert tells you about "
                     "new gatherings near a place, or online ones.")


# Describing an alert ---------------------------------------------------------------------------

def describe(alert: Alert | Search) -> str:
    """"Leaders within 25 km of Lyon, France, or online · Focus area: Youth work"."""
    what = "Leaders" if alert.kind is AlertKind.LEADERS else "Gatherings"
    if alert.kind is AlertKind.GATHERINGS and alert.mode == "online":
        where = "Online gatherings, wherever they are"
    else:
        if alert.kind is AlertKind.GATHERINGS and alert.mode == "in_person":
            what = "In-person gatherings"
        where = f"{what} within {alert.radius:g} {alert.unit} of {alert.place_name}"
        if alert.online:
            where += ", or online"
    filters = [f"{label}: {value}" for label, value in filter_labels(alert)]
    return " · ".join([where, *filters])


def filter_labels(alert: Alert | Search) -> list[tuple[str, str]]:
    labels = []
    if alert.focus_area:
        name = db.session.scalar(select(FocusArea.name).where(FocusArea.slug == alert.focus_area))
        labels.append(("Focus area", name or alert.focus_area))
    if alert.language:
        labels.append(("Language", alert.language))
    if alert.program:
        name = db.session.scalar(select(Program.name).where(Program.slug == alert.program))
        labels.append(("Program", name or alert.program))
    return labels


def short_name(alert: Alert) -> str:
    """"leaders near Lyon, France", "online gatherings": how a mail's subject names an alert."""
    if alert.kind is AlertKind.GATHERINGS and alert.mode == "online":
        return "online gatherings"
    what = "leaders" if alert.kind is AlertKind.LEADERS else "gatherings"
    return f"{what} near {alert.place_name}"


def search_link_values(alert: Alert) -> dict:
    """The search the alert was saved from, as the search page's own parameters."""
    values = {"radius": f"{alert.radius:g}", "unit": alert.unit, "focus_area": alert.focus_area or None,
              "language": alert.language or None, "online": "y" if alert.online else None}
    if alert.place_name == "your location" and alert.lat is not None:
        values.update(lat=f"{alert.lat}", lng=f"{alert.lng}")
    elif alert.place_name:
        values["near"] = alert.place_name
    if alert.kind is AlertKind.LEADERS:
        values["program"] = alert.program or None
    else:
        values["mode"] = alert.mode or None
    return {name: value for name, value in values.items() if value is not None}


# Saving ---------------------------------------------------------------------------------------

def alerts_of(user: User) -> list[Alert]:
    return list(db.session.scalars(select(Alert).where(Alert.user_id == user.id).order_by(Alert.id)))


def count_of(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Alert).where(Alert.user_id == user.id)) or 0


def _same(alert: Alert, search: Search) -> bool:
    return all(getattr(alert, name) == getattr(search, name) for name in
               ("kind", "lat", "lng", "radius", "unit", "focus_area", "language", "program", "mode", "online"))


def create_alert(user: User, search: Search) -> Alert:
    """Save the search as the person's alert, filed under its grid cells; AlertError past
    MAX_ALERTS or when they keep this very search already. Items queued before it was saved
    are not new to it."""
    lock_row(User, user.id)  # two saves at once count one after the other
    kept = alerts_of(user)
    if any(_same(alert, search) for alert in kept):
        raise AlertError("You have this alert already. You can see it on your alerts page.")
    if len(kept) >= MAX_ALERTS:
        raise AlertError(f"You have {MAX_ALERTS} alerts, the most one person can keep. Delete one you no "
                         "longer need, then save this one.")
    alert = Alert(user_id=user.id, kind=search.kind, place_name=search.place_name, lat=search.lat,
                  lng=search.lng, radius=search.radius, unit=search.unit, radius_km=search.radius_km,
                  focus_area=search.focus_area, language=search.language, program=search.program,
                  mode=search.mode, online=search.online, feed_token=secrets.token_urlsafe(24),
                  since_arrival=db.session.scalar(select(func.coalesce(func.max(AlertArrival.id), 0))))
    db.session.add(alert)
    db.session.flush()
    db.session.add_all(AlertCell(kind=alert.kind, cell=cell, alert_id=alert.id) for cell in keys_of(alert))
    schedule_of(user)
    return alert


def keys_of(alert: Alert) -> list[int]:
    """The cells the alert is filed under: its circle's, and ONLINE_CELL when it wants online items."""
    wants_place = not (alert.kind is AlertKind.GATHERINGS and alert.mode == "online")
    found = cells.alert_keys(alert.lat, alert.lng, alert.radius_km) if wants_place and alert.lat is not None else []
    wants_online = alert.online or (alert.kind is AlertKind.GATHERINGS and alert.mode == "online")
    return found + ([ONLINE_CELL] if wants_online else [])


def alert_of(user: User, alert_id: int) -> Alert | None:
    """The person's own alert, None for anyone else's (pages answer 404 either way)."""
    alert = db.session.get(Alert, alert_id)
    return alert if can_manage_alert(user, alert) else None


def pause(alert: Alert) -> None:
    """Nothing is matched while it is paused; what appears meanwhile is not told afterwards."""
    if alert.paused_at is None:
        alert.paused_at = utcnow()


def resume(alert: Alert) -> None:
    if alert.paused_at is not None:
        alert.paused_at = None
        alert.since_arrival = db.session.scalar(select(func.coalesce(func.max(AlertArrival.id), 0)))


def set_emails(alert: Alert, wanted: bool) -> None:
    alert.emails = bool(wanted)


def new_feed_address(alert: Alert) -> None:
    """The old feed address stops working at once."""
    alert.feed_token = secrets.token_urlsafe(24)


def delete_alert(alert: Alert) -> None:
    db.session.execute(delete(AlertMatch).where(AlertMatch.alert_id == alert.id))
    db.session.execute(delete(AlertCell).where(AlertCell.alert_id == alert.id))
    db.session.delete(alert)


# The person's schedule --------------------------------------------------------------------------

def schedule_of(user: User, now: datetime | None = None) -> AlertSchedule:
    """The person's schedule, made (daily at 08:00 in their zone) on first use."""
    found = db.session.get(AlertSchedule, user.id)
    if found is not None:
        return found
    made = get_or_create(AlertSchedule, lambda: default_schedule(user), user_id=user.id)
    choose_schedule(user, made, made.frequency, made.hour, made.weekday, now)
    return made


def default_schedule(user: User) -> AlertSchedule:
    """Daily at 08:00 in the person's zone (not added to the session)."""
    return AlertSchedule(user_id=user.id, frequency=Frequency.DAILY, hour=8, weekday=0, sent_for="")


def zone_name(user: User) -> str:
    """The zone alert mail follows: the account's, else UTC."""
    return schedule.zone_of(user.time_zone).key


def local_moment(user: User, moment: datetime | None) -> str:
    """A stored time as the person reads the alerts' pages: "2 Dec 2026, 14:47 CET", in the
    zone their mail follows."""
    if moment is None:
        return ""
    local = times.to_local(moment, zone_name(user))
    return f"{local:%-d %b %Y, %H:%M} {times.abbreviation(local)}"


def choose_schedule(user: User, chosen: AlertSchedule, frequency: str, hour: int, weekday: int,
                    now: datetime | None = None) -> None:
    """How often and when, in the person's zone; the first mail comes at the next such moment."""
    now = now or utcnow()
    zone = schedule.zone_of(user.time_zone)
    chosen.frequency = Frequency(frequency if frequency in schedule.FREQUENCIES else "daily")
    chosen.hour, chosen.weekday = min(max(int(hour), 0), 23), min(max(int(weekday), 0), 6)
    started = schedule.started_period(chosen.frequency, chosen.hour, chosen.weekday, zone, now)
    if started and chosen.sent_for != started:
        chosen.sent_for = started
    chosen.next_due_at = schedule.next_due(chosen.frequency, chosen.hour, chosen.weekday, zone,
                                           chosen.sent_for, now)


def describe_schedule(user: User, chosen: AlertSchedule) -> str:
    """"Daily at 08:00" or "Weekly on Monday at 08:00" (in the person's zone)."""
    at = f"{chosen.hour:02d}:00"
    if chosen.frequency is Frequency.WEEKLY:
        return f"Weekly on {schedule.WEEKDAYS[chosen.weekday]} at {at}"
    return f"Daily at {at}"

