"""A partnership's rhythm and its meetings: every week, every two weeks or monthly, at a local time
in an IANA zone; each meeting a private gathering (app/gatherings: calendar files, reminders, the
personal join address) hosted by that meeting's convener, every partner holding a "going" RSVP.
The convener rotates in the order the partners took their seats; after a meeting each partner may
say in one line how it went (a check-in). Views commit.

One meeting is arranged at a time: the next once the last is over (on a check-in, or by cron:
`flask partnerships arrange-meetings`), so the rotation follows whoever is a partner by then.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, exists, func, select

from app.database import insert_unique
from app.extensions import db
from app.gatherings import services as gatherings, times
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import Frequency, Gathering, Mode, Rsvp, State
from app.models.partnerships import CheckIn, Partnership, PartnershipMember, PartnershipState
from app.partnerships import members
from app.partnerships.members import Refused
from app.urls import site_url

DURATIONS = (30, 45, 60, 75, 90, 120)
CHECK_IN_MAX = 200
CHECK_IN_DAYS = 60  # how long after a meeting its check-in is asked for
TITLE = "Learning partnership meeting"
FREQUENCY_WORDS = {"weekly": "Every week", "fortnightly": "Every two weeks", "monthly": "Every month"}


@dataclass
class Rhythm:
    """What the partners choose (text as typed; set_rhythm checks it with the gatherings' rules)."""

    frequency: str = "weekly"
    first: datetime | None = None  # the first meeting, wall-clock in time_zone
    time_zone: str = ""
    duration: int = 60
    language: str = "English"
    mode: str = "online"
    meeting_url: str = ""
    venue_name: str = ""
    address: str = ""


def rhythm_of(partnership: Partnership) -> Rhythm:
    first = None
    if partnership.first_date is not None and partnership.start_minute is not None:
        first = datetime.combine(partnership.first_date, _clock(partnership.start_minute))
    return Rhythm(frequency=str(partnership.frequency or "weekly"), first=first,
                  time_zone=partnership.time_zone, duration=partnership.duration_minutes,
                  language=partnership.language, mode=str(partnership.mode),
                  meeting_url=partnership.meeting_url, venue_name=partnership.venue_name,
                  address=partnership.address)


def _clock(minute: int) -> time:
    return time(minute // 60, minute % 60)


def _details(partnership: Partnership, rhythm: Rhythm, start: datetime, convener: User | None,
             number: int) -> gatherings.Details:
    page = site_url("partnerships.show", partnership_id=partnership.id) if partnership.id else ""
    who = f", convened this time by {convener.display_name}" if convener else ""
    description = (f"The meeting of your learning partnership{who}. Your agreement, the opening "
                   f"answers and your conversation are on [the partnership's page]({page}).")
    return gatherings.Details(
        title=f"{TITLE} {number}", description=description, mode=rhythm.mode,
        language=rhythm.language or "English", time_zone=rhythm.time_zone, start=start,
        end=start + timedelta(minutes=rhythm.duration), venue_name=rhythm.venue_name,
        address=rhythm.address, meeting_url=rhythm.meeting_url)


def describe(partnership: Partnership) -> str:
    """"Every two weeks on Tuesday at 18:00 Berlin time, for 60 minutes, online"."""
    if not partnership.has_rhythm:
        return ""
    frequency = str(partnership.frequency)
    clock = _clock(partnership.start_minute or 0).strftime("%H:%M")
    day = (times.monthly_rule_label(partnership.first_date) if frequency == "monthly"
           else times.WEEKDAYS[partnership.first_date.weekday()])
    where = {Mode.ONLINE: "online", Mode.IN_PERSON: f"at {partnership.venue_name}",
             Mode.BOTH: f"at {partnership.venue_name} and online"}[partnership.mode]
    return (f"{FREQUENCY_WORDS[frequency]} on {day} at {clock} {times.zone_city(partnership.time_zone)} "
            f"time, for {partnership.duration_minutes} minutes, {where}")


def set_rhythm(partnership: Partnership, user: User, rhythm: Rhythm) -> None:
    """The partners' rhythm, checked as a gathering is (time zone, a time to come, the link or the
    venue); an upcoming meeting moves to the new first date."""
    if not members.is_partner(partnership, user) or partnership.state == PartnershipState.CLOSED:
        raise Refused("Only the partners choose their rhythm.")
    problems = []
    try:
        Frequency(rhythm.frequency)
    except ValueError:
        problems.append("Choose every week, every two weeks or every month.")
    if rhythm.duration not in DURATIONS:
        problems.append("Choose how long a meeting lasts.")
        rhythm.duration = 60
    if rhythm.first is None:
        problems.append("Give the date and time of your first meeting.")
    else:
        try:
            gatherings.check(_details(partnership, rhythm, rhythm.first, None, 1), user)
        except gatherings.Refused as refused:
            problems.extend(refused.messages)
    if problems:
        raise Refused(" ".join(dict.fromkeys(problems)))
    partnership.frequency = Frequency(rhythm.frequency)
    partnership.first_date = rhythm.first.date()
    partnership.weekday = rhythm.first.weekday()
    partnership.start_minute = rhythm.first.hour * 60 + rhythm.first.minute
    partnership.time_zone = rhythm.time_zone
    partnership.duration_minutes = rhythm.duration
    partnership.language = " ".join(rhythm.language.split()) or "English"
    partnership.mode = Mode(rhythm.mode)
    partnership.meeting_url = rhythm.meeting_url.strip() if Mode(rhythm.mode).online else ""
    online_only = Mode(rhythm.mode) == Mode.ONLINE
    partnership.venue_name = "" if online_only else " ".join(rhythm.venue_name.split())
    partnership.address = "" if online_only else " ".join(rhythm.address.split())
    members.log(partnership, "rhythm", user, describe(partnership))
    db.session.flush()
    upcoming = upcoming_meeting(partnership)
    if upcoming is not None:
        host = db.session.get(User, upcoming.host_id)
        try:
            gatherings.update(upcoming, host, _details(partnership, rhythm, rhythm.first, host,
                                                       _number_of(upcoming)), version=None)
        except gatherings.Refused as refused:
            raise Refused(" ".join(refused.messages)) from None
    else:
        ensure_next(partnership)


# The meetings ------------------------------------------------------------------------------

def _meetings(partnership: Partnership):
    return select(Gathering).where(Gathering.partnership_id == partnership.id)


def upcoming_meeting(partnership: Partnership) -> Gathering | None:
    return db.session.scalar(_meetings(partnership).where(
        Gathering.state == State.PUBLISHED, Gathering.ends_at > utcnow())
        .order_by(Gathering.starts_at).limit(1))


def past_meetings(partnership: Partnership, limit: int = 50) -> list[Gathering]:
    """Meetings that have started, latest first (cancelled ones too: they say so)."""
    return list(db.session.scalars(_meetings(partnership).where(Gathering.starts_at <= utcnow())
                                   .order_by(Gathering.starts_at.desc()).limit(limit)))


def _number_of(meeting: Gathering) -> int:
    title = meeting.title.rsplit(" ", 1)[-1]
    return int(title) if title.isdigit() else 1


def _step(day: date, frequency: str) -> date:
    return times.series_dates(day, frequency, 2)[1]


def next_start(partnership: Partnership, now: datetime | None = None) -> datetime | None:
    """The next meeting's wall-clock start: the rhythm's first date, or the step after the last
    meeting, whichever is later, moved on by whole steps past `now`."""
    if not partnership.has_rhythm:
        return None
    now = now or utcnow()
    frequency, zone = str(partnership.frequency), partnership.time_zone
    last = db.session.scalar(_meetings(partnership).order_by(Gathering.starts_at.desc()).limit(1))
    day = partnership.first_date
    if last is not None:
        last_day = times.to_local(last.starts_at, zone).date()
        if last_day >= day:
            day = _step(last_day, frequency)
    clock = _clock(partnership.start_minute or 0)
    for _ in range(2000):  # a partnership paused for years moves on in whole steps
        start = datetime.combine(day, clock)
        if times.shifted_to_utc(start, zone) > now:
            return start
        day = _step(day, frequency)
    return None


def next_convener(partnership: Partnership) -> PartnershipMember | None:
    """Whose turn it is: the partner after the last meeting's convener in the order seats were
    taken (someone who left keeps their place in that order, so it goes on from there), round
    again after the last; the first partner for the first meeting. Cancelled meetings do not
    count: their convener convenes the next one."""
    current = members.current_members(partnership)
    if not current:
        return None
    last = db.session.scalar(_meetings(partnership).where(Gathering.state != State.CANCELLED)
                             .order_by(Gathering.starts_at.desc()).limit(1))
    if last is None:
        return current[0]
    return _after(partnership, current, last.host_id)


def _after(partnership: Partnership, current: list[PartnershipMember], user_id: int) -> PartnershipMember:
    row = db.session.scalar(select(PartnershipMember).where(
        PartnershipMember.partnership_id == partnership.id, PartnershipMember.user_id == user_id))
    if row is None:
        return current[0]
    later = [member for member in current if member.turn > row.turn]
    return later[0] if later else current[0]


def ensure_next(partnership: Partnership, now: datetime | None = None) -> Gathering | None:
    """The next meeting, made when an active partnership with a rhythm has none coming: a
    published private gathering hosted by the convener, every partner going. None when nothing
    was due (or the gatherings' rules refused it: tried again on the next run)."""
    if partnership.state != PartnershipState.ACTIVE or not partnership.has_rhythm:
        return None
    members.hold(partnership)  # a check-in and the cron at once: one meeting
    if partnership.state != PartnershipState.ACTIVE or upcoming_meeting(partnership) is not None:
        return None
    start = next_start(partnership, now)
    convener = next_convener(partnership)
    if start is None or convener is None:
        return None
    number = 1 + (db.session.scalar(select(func.count()).select_from(Gathering).where(
        Gathering.partnership_id == partnership.id)) or 0)
    rhythm = rhythm_of(partnership)
    checked = None
    for shift in (0, 1, 2):  # a start the clocks skip or show twice moves on by an hour
        try:
            checked = gatherings.check(_details(partnership, rhythm, start + timedelta(hours=shift),
                                                convener.user, number), convener.user)
            break
        except gatherings.Refused:
            continue
    if checked is None:
        return None
    # The gatherings' own create() is for leaders hosting in public; a partnership's convener may
    # be any partner.
    return gatherings.create_private(convener.user, checked, partnership_id=partnership.id,
                                     attendees=[member.user_id for member in members.current_members(partnership)])


def cancel_upcoming(partnership: Partnership, reason: str) -> None:
    """The coming meeting is cancelled (a pause, the partnership closing): the partners are told,
    as by any gathering, and their calendars get the cancellation."""
    upcoming = upcoming_meeting(partnership)
    if upcoming is None:
        return
    host = db.session.get(User, upcoming.host_id)
    gatherings.cancel(upcoming, host, reason)


def on_leaving(partnership: Partnership, leaver: PartnershipMember) -> None:
    """Someone left: they lose their place at every meeting of the partnership (so none of them
    is theirs to open any more), and a coming meeting they were to convene passes to the next."""
    upcoming = upcoming_meeting(partnership)
    ids = select(Gathering.id).where(Gathering.partnership_id == partnership.id)
    db.session.execute(delete(Rsvp).where(Rsvp.user_id == leaver.user_id, Rsvp.gathering_id.in_(ids)))
    if upcoming is None:
        return
    upcoming.going_count = max(0, upcoming.going_count - 1)
    current = members.current_members(partnership)
    if upcoming.host_id == leaver.user_id and current:
        upcoming.host_id = _after(partnership, current, leaver.user_id).user_id
        upcoming.sequence += 1
        upcoming.version += 1
    db.session.flush()


def arrange_all(now: datetime | None = None) -> int:
    """Cron: the next meeting of every active partnership that has a rhythm and none coming.
    Commits partnership by partnership; how many meetings were made."""
    now = now or utcnow()
    coming = exists().where(Gathering.partnership_id == Partnership.id, Gathering.state == State.PUBLISHED,
                            Gathering.ends_at > now)
    due = db.session.scalars(select(Partnership.id).where(
        Partnership.state == PartnershipState.ACTIVE, Partnership.frequency.is_not(None), ~coming)
        .order_by(Partnership.id)).all()
    db.session.commit()
    made = 0
    for partnership_id in due:
        partnership = db.session.get(Partnership, partnership_id)
        if ensure_next(partnership, now) is not None:
            made += 1
        db.session.commit()
    return made


# Check-ins ---------------------------------------------------------------------------------

def check_in(partnership: Partnership, user: User, meeting: Gathering, met: bool | None, note: str) -> CheckIn:
    """The partner's line about a meeting that has started: "we met", or "we didn't, because ...".
    Saying it again replaces it. The next meeting is arranged once this one is over."""
    if not members.is_partner(partnership, user) or meeting.partnership_id != partnership.id:
        raise Refused("Only the partners check in after their meetings.")
    if meeting.state == State.CANCELLED:
        raise Refused("This meeting was cancelled: there is nothing to check in for.")
    if meeting.starts_at > utcnow():
        raise Refused("This meeting has not started yet: check in after it.")
    note = " ".join((note or "").split())
    if met is None:
        raise Refused("Say whether you met.")
    if not met and not note:
        raise Refused("Say in a few words why you didn't meet.")
    if len(note) > CHECK_IN_MAX:
        raise Refused(f"Keep it to one line: {CHECK_IN_MAX} characters at most.")
    mine = db.session.scalar(select(CheckIn).where(CheckIn.gathering_id == meeting.id,
                                                   CheckIn.user_id == user.id))
    if mine is None:
        mine = CheckIn(partnership_id=partnership.id, gathering_id=meeting.id, user_id=user.id,
                       met=met, note=note)
        if not insert_unique(mine):  # the same form twice at once
            mine = db.session.scalar(select(CheckIn).where(CheckIn.gathering_id == meeting.id,
                                                           CheckIn.user_id == user.id))
    mine.met, mine.note, mine.created_at = met, note, utcnow()
    db.session.flush()
    if meeting.is_past:
        ensure_next(partnership)
    return mine


def waiting_check_in(partnership: Partnership, user: User) -> Gathering | None:
    """The latest meeting that took place (started, not cancelled, within CHECK_IN_DAYS) and this
    partner has not checked in for."""
    now = utcnow()
    said = exists().where(CheckIn.gathering_id == Gathering.id, CheckIn.user_id == user.id)
    return db.session.scalar(_meetings(partnership).where(
        Gathering.state == State.PUBLISHED, Gathering.starts_at <= now,
        Gathering.starts_at >= now - timedelta(days=CHECK_IN_DAYS), ~said)
        .order_by(Gathering.starts_at.desc()).limit(1))


def check_ins(partnership: Partnership) -> dict[int, list[CheckIn]]:
    """{meeting id: its check-ins}, for the timeline."""
    found: dict[int, list[CheckIn]] = {}
    for item in db.session.scalars(select(CheckIn).where(CheckIn.partnership_id == partnership.id)
                                   .order_by(CheckIn.created_at)):
        found.setdefault(item.gathering_id, []).append(item)
    return found
