"""Gatherings' rules: what a gathering must hold, creating one (or a series), editing "this
occurrence" or "this and following", publishing and cancelling. Attendees hear of the changes
they care about (time, place, link) through app.gatherings.notices."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from app import permissions
from app.directory.geocoding import get_geocoder
from app.extensions import db
from app.gatherings import joining, notices, times
from app.geo.geocoder import GeocodeError
from app.models.accounts import User
from app.models.base import utcnow
from app.models.directory import FocusArea, LeaderProfile
from app.models.gatherings import Frequency, Gathering, GatheringSeries, Mode, Rsvp, RsvpStatus, State
from app.text.markdown import render_markdown

TITLE_MIN, TITLE_MAX = 5, 120
DESCRIPTION_MAX = 10_000
LONGEST = timedelta(hours=24)
CAPACITY_MAX = 10_000
REASON_MIN, REASON_MAX = 10, 500
MAX_COHOSTS = 5
MAX_FOCUS_AREAS = 5
URL_MAX = 500
DEFAULT_SERIES_COUNT = 8


class Refused(Exception):
    """What the host must fix; nothing was changed."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


class Conflict(Refused):
    """Someone else (a co-host, another tab) changed the gathering since the form was drawn."""


@dataclass
class Details:
    """What a host types for a gathering (all text as typed; the service checks it)."""

    title: str = ""
    description: str = ""
    mode: str = "online"
    language: str = "English"
    focus_areas: list[str] = field(default_factory=list)  # FocusArea slugs
    time_zone: str = ""
    start: datetime | None = None  # wall-clock in time_zone
    end: datetime | None = None
    venue_name: str = ""
    address: str = ""  # looked up with the site's geocoder
    meeting_url: str = ""
    capacity: int | None = None
    rsvp_deadline: datetime | None = None  # wall-clock in time_zone
    approval_required: bool = False
    cohosts: list[str] = field(default_factory=list)  # leader profile slugs
    frequency: str = ""  # "", weekly, fortnightly, monthly
    count: int = DEFAULT_SERIES_COUNT


@dataclass
class Checked:
    """Details that passed every rule, ready to store."""

    details: Details
    mode: Mode
    start_utc: datetime
    end_utc: datetime
    deadline_utc: datetime | None
    place_name: str
    lat: float | None
    lng: float | None
    focus_areas: list[FocusArea]
    cohosts: list[User]


def check(details: Details, host: User, *, new: bool = True) -> Checked:
    """Every rule a gathering must meet; Refused lists all that fail."""
    problems: list[str] = []
    title = " ".join(details.title.split())
    details.title = title
    if len(title) < TITLE_MIN:
        problems.append(f"Give the gathering a title of at least {TITLE_MIN} characters.")
    elif len(title) > TITLE_MAX:
        problems.append(f"The title is {len(title)} characters long; keep it to {TITLE_MAX}.")
    if len(details.description) > DESCRIPTION_MAX:
        problems.append(f"The description is {len(details.description):,} characters long; "
                        f"keep it to {DESCRIPTION_MAX:,}.")
    try:
        mode = Mode(details.mode)
    except ValueError:
        mode = Mode.ONLINE
        problems.append("Choose online, in person, or both.")
    language = " ".join((details.language or "").split())
    if not language or len(language) > 40:
        problems.append("Say which language the gathering is in (up to 40 characters).")
    details.language = language

    start_utc = end_utc = deadline_utc = None
    if not times.is_zone(details.time_zone):
        problems.append("Choose the time zone the times are in, like Europe/Berlin.")
    elif details.start is None or details.end is None:
        problems.append("Give the date and time the gathering starts and ends.")
    else:
        try:
            start_utc = times.to_utc(details.start, details.time_zone)
            end_utc = times.to_utc(details.end, details.time_zone)
        except times.LocalTimeError as error:
            problems.append(str(error))
        else:
            if end_utc <= start_utc:
                problems.append("The end must come after the start.")
            elif end_utc - start_utc > LONGEST:
                problems.append("A gathering lasts at most 24 hours; make a series for more days.")
            if new and start_utc <= utcnow():
                problems.append("The start is in the past; choose a time to come.")
        if details.rsvp_deadline is not None and start_utc is not None:
            try:
                deadline_utc = times.to_utc(details.rsvp_deadline, details.time_zone)
            except times.LocalTimeError as error:
                problems.append(f"RSVP deadline: {error}")
            else:
                if deadline_utc > start_utc:
                    problems.append("The RSVP deadline must be before the start.")

    place_name, lat, lng = "", None, None
    if mode.in_person:
        venue = " ".join(details.venue_name.split())
        details.venue_name = venue
        if not venue or len(venue) > 120:
            problems.append("Give the venue's name (up to 120 characters).")
        address = " ".join(details.address.split())
        details.address = address
        if not address:
            problems.append("Give the venue's town or address, so people can find it.")
        elif len(address) > 200:
            problems.append("Keep the address to 200 characters.")
        else:
            try:
                found = get_geocoder().geocode(address)
            except GeocodeError as error:
                problems.append(str(error))
            else:
                if found.best is None:
                    problems.append(f"We could not find “{address}”. Try the town, "
                                    "“town, country” or a postal code.")
                else:
                    place_name, lat, lng = found.best.label, found.best.lat, found.best.lng
    else:
        details.venue_name = details.address = ""
    if mode.online:
        url = details.meeting_url.strip()
        details.meeting_url = url
        if not is_meeting_url(url):
            problems.append("Give the meeting link: an address starting with https://")
    else:
        details.meeting_url = ""

    if details.capacity is not None and not 1 <= details.capacity <= CAPACITY_MAX:
        problems.append(f"Capacity is a number from 1 to {CAPACITY_MAX:,}, or empty for no limit.")

    areas: list[FocusArea] = []
    slugs = list(dict.fromkeys(details.focus_areas))
    if len(slugs) > MAX_FOCUS_AREAS:
        problems.append(f"Choose at most {MAX_FOCUS_AREAS} focus areas.")
    elif slugs:
        areas = list(db.session.scalars(select(FocusArea).where(FocusArea.slug.in_(slugs))))
        if len(areas) != len(slugs):
            problems.append("Choose focus areas from the list.")

    cohosts: list[User] = []
    wanted = [slug.strip().lower() for slug in details.cohosts if slug.strip()]
    wanted = list(dict.fromkeys(wanted))
    if len(wanted) > MAX_COHOSTS:
        problems.append(f"A gathering has at most {MAX_COHOSTS} co-hosts.")
    elif wanted:
        profiles = {profile.slug: profile for profile in db.session.scalars(
            select(LeaderProfile).where(LeaderProfile.slug.in_(wanted)))}
        for slug in wanted:
            profile = profiles.get(slug)
            if profile is None:
                problems.append(f"No leader's profile is at /leaders/{slug}; co-hosts are leaders.")
            elif profile.user_id == host.id:
                problems.append("You host it already; co-hosts are other leaders.")
            else:
                cohosts.append(db.session.get(User, profile.user_id))

    if details.frequency:
        try:
            Frequency(details.frequency)
        except ValueError:
            problems.append("Choose weekly, every two weeks or monthly.")
        if not 2 <= details.count <= times.MAX_OCCURRENCES:
            problems.append(f"A series has 2 to {times.MAX_OCCURRENCES} occurrences.")

    if problems:
        raise Refused(problems)
    return Checked(details, mode, start_utc, end_utc, deadline_utc, place_name, lat, lng,
                   areas, cohosts)


def is_meeting_url(url: str) -> bool:
    if not url or len(url) > URL_MAX or any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "." in (parts.hostname or "")


def create(host: User, details: Details, *, publish: bool = False) -> list[Gathering]:
    """A new gathering, or every occurrence of a new series (soonest first)."""
    if not permissions.can_host_gathering(host):
        raise Refused("Only leaders with a confirmed email host gatherings.")
    checked = check(details, host)
    series = None
    slots = [(checked.start_utc, checked.end_utc)]
    if details.frequency:
        series = GatheringSeries(host_id=host.id, frequency=Frequency(details.frequency),
                                 time_zone=details.time_zone)
        db.session.add(series)
        slots = times.occurrences(details.start, details.end - details.start, details.time_zone,
                                  details.frequency, details.count)
    made = []
    first_start = checked.start_utc
    for start, end in slots:
        gathering = Gathering(uid=new_uid(), host_id=host.id, series=series,
                              state=State.PUBLISHED if publish else State.DRAFT,
                              published_at=utcnow() if publish else None)
        _apply(gathering, checked)
        gathering.starts_at, gathering.ends_at = start, end
        if checked.deadline_utc is not None:  # the same lead time before each occurrence
            gathering.rsvp_deadline = start - (first_start - checked.deadline_utc)
        db.session.add(gathering)
        made.append(gathering)
    db.session.flush()
    return made


def create_private(convener: User, checked: Checked, *, partnership_id: int,
                   attendees: list[int]) -> Gathering:
    """A published gathering only its invited people see and go to (a learning partnership's
    meeting). Any partner may convene one, so the leaders-only rule of create() is not asked;
    everyone invited is going, with their own join address."""
    meeting = Gathering(uid=new_uid(), host_id=convener.id, state=State.PUBLISHED,
                        published_at=utcnow(), partnership_id=partnership_id)
    _apply(meeting, checked)
    db.session.add(meeting)
    db.session.flush()
    now = utcnow()
    for user_id in attendees:
        db.session.add(Rsvp(gathering_id=meeting.id, user_id=user_id, status=RsvpStatus.GOING,
                            join_token=joining.new_join_token(), show_name=True, answered_at=now))
    meeting.going_count = len(attendees)
    db.session.flush()
    return meeting


def new_uid() -> str:
    return f"{secrets.token_hex(12)}@gatherings.leaders-network"


def _apply(gathering: Gathering, checked: Checked, *, times_too: bool = True) -> None:
    details = checked.details
    gathering.title = details.title
    gathering.description = details.description
    gathering.description_html = render_markdown(details.description) if details.description.strip() else ""
    gathering.mode = checked.mode
    gathering.language = details.language
    gathering.venue_name = details.venue_name
    gathering.address = details.address
    gathering.place_name = checked.place_name
    gathering.lat, gathering.lng = checked.lat, checked.lng
    gathering.meeting_url = details.meeting_url
    gathering.capacity = details.capacity
    gathering.approval_required = details.approval_required
    gathering.focus_areas = list(checked.focus_areas)
    gathering.cohosts = list(checked.cohosts)
    if times_too:
        gathering.time_zone = details.time_zone
        gathering.starts_at, gathering.ends_at = checked.start_utc, checked.end_utc
        gathering.rsvp_deadline = checked.deadline_utc


def details_of(gathering: Gathering) -> Details:
    """The form's values for an existing gathering (times in its own zone)."""
    local = lambda moment: times.to_local(moment, gathering.time_zone).replace(tzinfo=None)  # noqa: E731
    return Details(
        title=gathering.title, description=gathering.description, mode=str(gathering.mode),
        language=gathering.language, focus_areas=[area.slug for area in gathering.focus_areas],
        time_zone=gathering.time_zone, start=local(gathering.starts_at), end=local(gathering.ends_at),
        venue_name=gathering.venue_name, address=gathering.address,
        meeting_url=gathering.meeting_url, capacity=gathering.capacity,
        rsvp_deadline=local(gathering.rsvp_deadline) if gathering.rsvp_deadline else None,
        approval_required=gathering.approval_required,
        cohosts=[_slug_of(person) for person in gathering.cohosts])


def _slug_of(user: User) -> str:
    return db.session.scalar(select(LeaderProfile.slug).where(LeaderProfile.user_id == user.id)) or ""


def following(gathering: Gathering) -> list[Gathering]:
    """This occurrence and the later ones of its series that are not over (itself alone when
    it is no series)."""
    if gathering.series_id is None:
        return [gathering]
    return list(db.session.scalars(
        select(Gathering).where(Gathering.series_id == gathering.series_id,
                                Gathering.starts_at >= gathering.starts_at,
                                Gathering.state != State.CANCELLED)
        .order_by(Gathering.starts_at)))


def update(gathering: Gathering, editor: User, details: Details, *, version: int | None,
           scope: str = "this") -> list[Gathering]:
    """Saves the host's changes to this occurrence or to this and the following ones. Refused
    (nothing changed) when a rule fails or someone saved first (Conflict)."""
    if not permissions.can_manage_gathering(editor, gathering):
        raise Refused("Only the gathering's hosts change it.")
    if not permissions.can_edit_gathering(editor, gathering):
        raise Refused("A gathering that is over or cancelled can no longer be changed.")
    if version is not None and version != gathering.version:
        raise Conflict("Someone changed this gathering while you were editing. Your changes are "
                       "below: check them against the current version and save again.")
    host = gathering.host
    checked = check(details, host, new=False)
    if checked.start_utc != gathering.starts_at and checked.start_utc <= utcnow():
        raise Refused("The new start is in the past; choose a time to come.")
    targets = following(gathering) if scope == "following" else [gathering]
    # Later occurrences move by the same change of wall-clock time on their own dates.
    old_start_local = times.to_local(gathering.starts_at, gathering.time_zone).replace(tzinfo=None)
    day_shift = details.start.date() - old_start_local.date()
    duration = details.end - details.start
    lead = (checked.start_utc - checked.deadline_utc) if checked.deadline_utc else None
    changed_any = []
    for target in targets:
        before = _watched(target)
        if target is gathering:
            _apply(target, checked)
        else:
            _apply(target, checked, times_too=False)
            local_day = times.to_local(target.starts_at, target.time_zone).date() + day_shift
            start_local = datetime.combine(local_day, details.start.time())
            target.time_zone = details.time_zone
            target.starts_at = times.shifted_to_utc(start_local, details.time_zone)
            target.ends_at = times.shifted_to_utc(start_local + duration, details.time_zone)
            target.rsvp_deadline = target.starts_at - lead if lead else None
        target.version += 1
        changed = [part for part, value in _watched(target).items() if before[part] != value]
        target.sequence += 1  # the calendar files' SEQUENCE grows with every saved change
        if changed and target.state == State.PUBLISHED:
            notices.tell_changed(target, changed)
        changed_any.append(target)
    db.session.flush()
    return changed_any


def _watched(gathering: Gathering) -> dict[str, object]:
    """What attendees are told about when it changes."""
    return {
        "time": (gathering.starts_at, gathering.ends_at),
        "place": (gathering.mode, gathering.venue_name, gathering.address, gathering.lat, gathering.lng),
        "link": gathering.meeting_url,
    }


def publish(gathering: Gathering, editor: User, *, scope: str = "this") -> list[Gathering]:
    if not permissions.can_manage_gathering(editor, gathering):
        raise Refused("Only the gathering's hosts publish it.")
    targets = [item for item in (following(gathering) if scope == "following" else [gathering])
               if item.state == State.DRAFT]
    if gathering.is_past:
        raise Refused("This gathering is over; it can no longer be published.")
    for target in targets:
        target.state = State.PUBLISHED
        target.published_at = utcnow()
        target.sequence += 1
        target.version += 1
    return targets


def cancel(gathering: Gathering, editor: User, reason: str, *, scope: str = "this") -> list[Gathering]:
    """Cancels (with a reason attendees read); a draft is simply deleted instead."""
    if not permissions.can_manage_gathering(editor, gathering):
        raise Refused("Only the gathering's hosts cancel it.")
    reason = " ".join((reason or "").split())
    if gathering.state == State.CANCELLED:
        raise Refused("This gathering is cancelled already.")
    if gathering.is_past:
        raise Refused("This gathering is over; it can no longer be cancelled.")
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise Refused(f"Tell the attendees why, in {REASON_MIN} to {REASON_MAX} characters.")
    targets = following(gathering) if scope == "following" else [gathering]
    done = []
    for target in targets:
        if target.state == State.CANCELLED:
            continue
        was_published = target.state == State.PUBLISHED
        target.state = State.CANCELLED
        target.cancel_reason = reason
        target.cancelled_at = utcnow()
        target.sequence += 1
        target.version += 1
        if was_published:
            notices.tell_cancelled(target)
        done.append(target)
    db.session.flush()
    return done


def delete_draft(gathering: Gathering, editor: User) -> None:
    if not permissions.can_manage_gathering(editor, gathering):
        raise Refused("Only the gathering's hosts delete it.")
    if gathering.state != State.DRAFT:
        raise Refused("Only a draft can be deleted; cancel a published gathering instead.")
    db.session.delete(gathering)


def hosted_ids(user: User) -> list[int]:
    """Every gathering a person hosts or co-hosts, through the two indexes by person (most people
    host none, and a profile then asks nothing more)."""
    from app.models.gatherings import GatheringCohost
    return list(db.session.scalars(
        select(Gathering.id).where(Gathering.host_id == user.id)
        .union(select(GatheringCohost.gathering_id).where(GatheringCohost.user_id == user.id))))


def hosted_by(user: User, *, past: bool = False, limit: int = 20, ids: list[int] | None = None) -> list[Gathering]:
    """The public gatherings a person hosts or co-hosts: upcoming soonest first, or past latest
    first. ids: hosted_ids(user), when the caller has them already."""
    ids = hosted_ids(user) if ids is None else ids
    if not ids:
        return []
    now = utcnow()
    query = select(Gathering).where(Gathering.id.in_(ids), Gathering.state.in_([State.PUBLISHED, State.CANCELLED]),
                                    Gathering.partnership_id.is_(None))
    if past:
        query = query.where(Gathering.ends_at <= now).order_by(Gathering.starts_at.desc())
    else:
        query = query.where(Gathering.ends_at > now).order_by(Gathering.starts_at)
    return list(db.session.scalars(query.limit(limit)))
