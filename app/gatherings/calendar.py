"""Calendar files of gatherings (iCalendar, RFC 5545, with the icalendar package): one gathering's
.ics, the public feed of upcoming gatherings, and a person's own feed at a secret address.

The meeting link itself is never written into any of them. A person going to an online gathering
gets their personal join address instead (it opens the current link while they are going), and
only in their own copy: the .ics they download while logged in, and their secret feed.
Times carry the gathering's own zone (DTSTART;TZID=Europe/Berlin) with its VTIMEZONE, so each
occurrence of a series keeps its wall-clock time across a DST change in every calendar app.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from icalendar import Calendar, Conference, Event, Timezone, vDuration
from sqlalchemy import select

from app.database import get_or_create
from app.extensions import db
from app.gatherings import joining, times
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import CalendarFeed, Gathering, Rsvp, State
from app.text.markdown import plain_text, slugify
from app.urls import site_url

PRODID = "-//Leaders Network//Gatherings//EN"
FEED_LIMIT = 500
# A person's own feed keeps the gatherings of the last month, so they do not vanish the day after.
PERSONAL_PAST = timedelta(days=30)
# How often a subscribed calendar should look again (calendar apps take it as a hint).
REFRESH = timedelta(hours=1)
SECRET_BYTES = 32
SECRET_MAX = 64  # CalendarFeed.secret's length
STATUS = {State.PUBLISHED: "CONFIRMED", State.CANCELLED: "CANCELLED", State.DRAFT: "TENTATIVE"}


# The files ---------------------------------------------------------------------------------

def gathering_file(gathering: Gathering, rsvp: Rsvp | None = None) -> bytes:
    """One gathering's .ics: METHOD:PUBLISH, or METHOD:CANCEL once it is cancelled. `rsvp` is the
    downloading person's own answer: going to an online gathering, their join address is in it."""
    method = "CANCEL" if gathering.state == State.CANCELLED else "PUBLISH"
    return _calendar([gathering], {gathering.id: join_address(gathering, rsvp)}, method=method)


def public_feed() -> bytes:
    """The upcoming public gatherings (cancelled ones say so), soonest first; nothing secret."""
    return _calendar(upcoming_public(), {}, name="Leaders Network gatherings",
                     description="Upcoming community gatherings on the Leaders Network.",
                     refresh=True)


def personal_feed(user: User) -> bytes:
    """The gatherings a person is going to, from a month ago on, with their join addresses."""
    gatherings = going_recently(user)
    rsvps = {row.gathering_id: row for row in db.session.scalars(
        select(Rsvp).where(Rsvp.user_id == user.id,
                           Rsvp.gathering_id.in_([item.id for item in gatherings])))}
    joins = {item.id: join_address(item, rsvps.get(item.id)) for item in gatherings}
    return _calendar(gatherings, joins, name="My gatherings · Leaders Network",
                     description="The gatherings you are going to on the Leaders Network.",
                     refresh=True)


def upcoming_public(limit: int | None = None) -> list[Gathering]:
    return list(db.session.scalars(
        select(Gathering)
        .where(Gathering.state.in_([State.PUBLISHED, State.CANCELLED]), Gathering.partnership_id.is_(None),
               Gathering.ends_at > utcnow())
        .order_by(Gathering.starts_at, Gathering.id).limit(limit or FEED_LIMIT)))


def going_recently(user: User, limit: int | None = None) -> list[Gathering]:
    since = utcnow() - PERSONAL_PAST
    recent = [item for item in joining.going_to(user, upcoming_only=False) if item.ends_at >= since]
    return recent[:limit or FEED_LIMIT]


def join_address(gathering: Gathering, rsvp: Rsvp | None) -> str | None:
    """The person's own join address while it leads somewhere (going, online, not cancelled,
    not over)."""
    if gathering.is_past or joining.join_target(gathering, rsvp) is None:
        return None
    return site_url("gatherings.join", gathering_id=gathering.id, token=rsvp.join_token)


def filename(gathering: Gathering) -> str:
    slug = slugify(gathering.title, max_length=60)
    if slug == "post" and gathering.title.strip().lower() != "post":  # nothing ASCII in the title
        slug = f"gathering-{gathering.id}"
    return f"{slug}.ics"


def _calendar(gatherings: list[Gathering], joins: dict[int, str | None], *, method: str = "PUBLISH",
              name: str = "", description: str = "", refresh: bool = False) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.calendar_name = name  # NAME and X-WR-CALNAME
        calendar.description = description
    if refresh:
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))  # the same hint, for Outlook
    for timezone in _timezones(gatherings):
        calendar.add_component(timezone)
    for gathering in gatherings:
        calendar.add_component(_event(gathering, joins.get(gathering.id)))
    return calendar.to_ical()


def _event(gathering: Gathering, join: str | None) -> Event:
    page = site_url("gatherings.show", gathering_id=gathering.id)
    event = Event()
    event.add("uid", gathering.uid)
    event.add("sequence", gathering.sequence)
    changed = _utc(gathering.updated_at or gathering.created_at or utcnow())
    # The last change, not the moment of the download: the same file while nothing changed.
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    if gathering.created_at:
        event.add("created", _utc(gathering.created_at))
    event.add("dtstart", times.to_local(gathering.starts_at, gathering.time_zone))
    event.add("dtend", times.to_local(gathering.ends_at, gathering.time_zone))
    event.add("summary", gathering.title)
    event.add("description", _description(gathering, join, page))
    event.add("url", page)
    event.add("location", _location(gathering, join))
    if gathering.mode.in_person and gathering.lat is not None and gathering.lng is not None:
        event.add("geo", (gathering.lat, gathering.lng))
    if join:
        event.conferences = [Conference(join, feature="VIDEO", label="Your join address")]
    if gathering.focus_areas:
        event.add("categories", [area.name for area in gathering.focus_areas])
    event.add("status", STATUS[gathering.state])
    return event


def _description(gathering: Gathering, join: str | None, page: str) -> str:
    parts = []
    if gathering.state == State.CANCELLED:
        parts.append(f"Cancelled: {gathering.cancel_reason}" if gathering.cancel_reason
                     else "This gathering is cancelled.")
    text = plain_text(gathering.description)
    if text:
        parts.append(text)
    if join:
        parts.append(f"Join online: {join}\n"
                     "This join address is yours alone: it opens the meeting while you are going.")
    elif gathering.mode.online and gathering.state != State.CANCELLED:
        parts.append("Online: the way in is on the gathering's page for those going.")
    parts.append(f"The gathering's page: {page}")
    return "\n\n".join(parts)


def _location(gathering: Gathering, join: str | None) -> str:
    if gathering.mode.in_person:
        where = ", ".join(part for part in (gathering.venue_name, gathering.address) if part)
        return f"{where} (and online)" if gathering.mode.online else where
    return join or "Online"


def _timezones(gatherings: Iterable[Gathering]) -> list[Timezone]:
    """A VTIMEZONE for each zone the events name, covering the years they fall in (UTC needs none:
    its times end in Z)."""
    years: dict[str, tuple[int, int]] = {}
    for gathering in gatherings:
        first, last = gathering.starts_at.year, gathering.ends_at.year
        if gathering.time_zone in years:
            known = years[gathering.time_zone]
            first, last = min(first, known[0]), max(last, known[1])
        years[gathering.time_zone] = (first, last)
    return [Timezone.from_tzinfo(times.zone(name), name, first_date=date(first - 1, 12, 1),
                                 last_date=date(last + 1, 1, 1))
            for name, (first, last) in sorted(years.items()) if name != "UTC"]


def _utc(naive: datetime) -> datetime:
    return naive.replace(tzinfo=times.UTC)


# A person's feed address ---------------------------------------------------------------------

def feed_of(user: User) -> CalendarFeed:
    """The person's feed, made with a new secret the first time (one row however many requests race)."""
    return get_or_create(CalendarFeed, lambda: CalendarFeed(user_id=user.id, secret=new_secret()),
                         user_id=user.id)


def reset_feed(user: User) -> CalendarFeed:
    """A new secret: the old address stops working at once."""
    feed = feed_of(user)
    feed.secret = new_secret()
    db.session.flush()
    return feed


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def owner_of(secret: str) -> User | None:
    """Whose feed the secret opens; None for an unknown (or reset) one or a closed account."""
    if not secret or len(secret) > SECRET_MAX:
        return None
    user = db.session.scalar(select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
                             .where(CalendarFeed.secret == secret))
    return user if user is not None and user.active else None
