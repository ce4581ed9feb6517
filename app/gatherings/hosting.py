"""The hosts' tools: the attendee list (a page and a CSV file, never an email address), answers to
RSVP requests, and messages to the attendees through the outbox, paced per gathering and per host."""
from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app import mail, permissions
from app.database import lock_row
from app.extensions import db
from app.gatherings import joining, times
from app.models.accounts import User
from app.models.base import utcnow
from app.models.directory import LeaderProfile
from app.models.gatherings import Gathering, HostMessage, Rsvp, RsvpStatus, State
from app.text.markdown import slugify
from app.urls import site_url

SUBJECT_MIN, SUBJECT_MAX = 3, 150
BODY_MIN, BODY_MAX = 10, 5_000
# How many messages go out, counted from the stored messages so the limits hold across workers.
PER_GATHERING = 3
PER_HOST = 10
WINDOW = timedelta(hours=24)
# The same text sent again this soon is the same form sent twice: it goes out once.
SAME_MESSAGE_WITHIN = timedelta(minutes=10)
# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Refused(Exception):
    """What the host must change; nothing was sent or changed."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


class TooMany(Refused):
    """A pace limit: the text stays in the form, and `again_at` says when it may go."""

    def __init__(self, message: str, again_at: datetime) -> None:
        super().__init__(message)
        self.again_at = again_at


# The attendee list ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Attendee:
    rsvp_id: int
    user_id: int
    name: str
    profile_slug: str | None  # a public leader profile, else None
    status: RsvpStatus
    answered_at: datetime  # naive UTC
    offer_expires_at: datetime | None
    show_name: bool
    waitlist_position: int | None = None


@dataclass
class AttendeeList:
    going: list[Attendee] = field(default_factory=list)
    offered: list[Attendee] = field(default_factory=list)
    waitlist: list[Attendee] = field(default_factory=list)  # in order: first come first served
    pending: list[Attendee] = field(default_factory=list)
    not_going: list[Attendee] = field(default_factory=list)
    declined: list[Attendee] = field(default_factory=list)

    def everyone(self) -> list[Attendee]:
        return [*self.going, *self.offered, *self.waitlist, *self.pending, *self.not_going,
                *self.declined]


_SECTION = {RsvpStatus.GOING: "going", RsvpStatus.OFFERED: "offered",
            RsvpStatus.WAITLISTED: "waitlist", RsvpStatus.PENDING: "pending",
            RsvpStatus.NOT_GOING: "not_going", RsvpStatus.DECLINED: "declined"}


def attendee_list(gathering: Gathering) -> AttendeeList:
    """Everyone who answered, by status, in two statements (the people, then their public
    profiles); each part in the order it was answered, the waitlist in its own order."""
    rows = db.session.execute(
        select(Rsvp.id, Rsvp.user_id, User.display_name, Rsvp.status, Rsvp.answered_at,
               Rsvp.queued_at, Rsvp.offer_expires_at, Rsvp.show_name)
        .join(User, User.id == Rsvp.user_id)
        .where(Rsvp.gathering_id == gathering.id)
        .order_by(Rsvp.answered_at, Rsvp.id)).all()
    slugs = dict(db.session.execute(
        select(LeaderProfile.user_id, LeaderProfile.slug).where(
            LeaderProfile.user_id.in_(select(Rsvp.user_id).where(Rsvp.gathering_id == gathering.id)),
            LeaderProfile.is_public)).all())
    found = AttendeeList()
    waiting = sorted((row for row in rows if row.status == RsvpStatus.WAITLISTED),
                     key=lambda row: (row.queued_at or row.answered_at, row.id))
    positions = {row.id: place for place, row in enumerate(waiting, start=1)}
    for row in sorted(rows, key=lambda row: (positions.get(row.id, 0), row.answered_at, row.id)):
        person = Attendee(rsvp_id=row.id, user_id=row.user_id, name=row.display_name,
                          profile_slug=slugs.get(row.user_id), status=RsvpStatus(row.status),
                          answered_at=row.answered_at, offer_expires_at=row.offer_expires_at,
                          show_name=row.show_name, waitlist_position=positions.get(row.id))
        getattr(found, _SECTION[person.status]).append(person)
    return found


def moment_label(utc: datetime, zone_name: str) -> str:
    """"Tue 3 Dec 2024, 18:00 CET"."""
    local = times.to_local(utc, zone_name)
    return f"{times.day_label(local)} {local.year}, {times.clock(local)} {times.abbreviation(local)}"


def iso_utc(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


# The CSV file ------------------------------------------------------------------------------

CSV_COLUMNS = ("Name", "Profile", "Status", "RSVP time (UTC)", "Waitlist position")


def safe_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def attendees_csv(gathering: Gathering) -> str:
    """The attendee list as CSV (UTF-8 with a byte-order mark, which spreadsheets need to read
    names in other scripts): no email addresses, times in UTC."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for person in attendee_list(gathering).everyone():
        profile = site_url("directory.profile", slug=person.profile_slug) if person.profile_slug else ""
        writer.writerow([safe_cell(person.name), safe_cell(profile), safe_cell(person.status.label),
                         iso_utc(person.answered_at),
                         person.waitlist_position if person.waitlist_position is not None else ""])
    return out.getvalue()


def csv_file_names(gathering: Gathering) -> tuple[str, str]:
    """(an ASCII name, the name in the title's own script) for the download, with the local date
    so the occurrences of a series keep apart."""
    day = times.to_local(gathering.starts_at, gathering.time_zone).date().isoformat()
    has_latin = any(char.isascii() and char.isalnum() for char in gathering.title)
    slug = slugify(gathering.title, 60) if has_latin else f"gathering-{gathering.id}"
    ascii_name = f"{slug}-{day}-attendees.csv"
    title = "".join(char for char in gathering.title if char.isalnum() or char in " -_").strip()
    return ascii_name, f"{title or 'gathering'} {day} attendees.csv"


# Answering RSVP requests ---------------------------------------------------------------------

class Decision(enum.StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"


def answer_request(rsvp: Rsvp, host: User, decision: str) -> Rsvp:
    """The host approves (going, or the waitlist when full) or declines a person's RSVP."""
    gathering = rsvp.gathering
    if not permissions.can_manage_gathering(host, gathering):
        raise Refused("Only the gathering's hosts answer requests.")
    if gathering.state != State.PUBLISHED or gathering.is_past:
        raise Refused("This gathering is cancelled or over: its requests can no longer be answered."
                      if gathering.state != State.DRAFT else "Publish the gathering first.")
    try:
        chosen = Decision(decision)
    except ValueError:
        raise Refused("Choose Approve or Decline.") from None
    try:
        if chosen == Decision.APPROVE:
            return joining.approve(rsvp, host)
        return joining.decline(rsvp, host)
    except joining.NotAllowed as error:
        raise Refused(str(error)) from None


# Messages to the attendees -------------------------------------------------------------------

class Recipients(enum.StrEnum):
    GOING = "going"
    GOING_AND_WAITLIST = "going_waitlist"

    @property
    def statuses(self) -> tuple[RsvpStatus, ...]:
        if self == Recipients.GOING:
            return (RsvpStatus.GOING,)
        # Those offered a freed place came from the waitlist and have not claimed it yet.
        return (RsvpStatus.GOING, RsvpStatus.OFFERED, RsvpStatus.WAITLISTED)

    @property
    def label(self) -> str:
        return {"going": "People going",
                "going_waitlist": "People going and on the waitlist"}[self.value]


@dataclass(frozen=True)
class Sent:
    message: HostMessage
    again: bool  # the same form sent a moment ago: nothing more went out


def recipients_of(gathering: Gathering, chosen: Recipients) -> list[tuple[User, RsvpStatus]]:
    """The people a message goes to (active accounts; hosts hear nothing of their own message)."""
    rows = db.session.execute(
        select(User, Rsvp.status).join(Rsvp, Rsvp.user_id == User.id)
        .where(Rsvp.gathering_id == gathering.id, Rsvp.status.in_(list(chosen.statuses)),
               User.active.is_(True))
        .order_by(Rsvp.answered_at, Rsvp.id)).all()
    hosts = gathering.host_ids()
    return [(user, RsvpStatus(status)) for user, status in rows if user.id not in hosts]


def recipient_counts(gathering: Gathering) -> dict[Recipients, int]:
    counts = dict(db.session.execute(
        select(Rsvp.status, func.count()).join(User, User.id == Rsvp.user_id)
        .where(Rsvp.gathering_id == gathering.id, User.active.is_(True),
               Rsvp.user_id.not_in(list(gathering.host_ids())))
        .group_by(Rsvp.status)).all())
    return {choice: sum(counts.get(status, 0) for status in choice.statuses) for choice in Recipients}


def sent_messages(gathering: Gathering, limit: int = 20) -> list[HostMessage]:
    return list(db.session.scalars(
        select(HostMessage).where(HostMessage.gathering_id == gathering.id)
        .order_by(HostMessage.sent_at.desc(), HostMessage.id.desc()).limit(limit)))


def messages_left(gathering: Gathering, sender: User, now: datetime | None = None) -> int:
    """How many more messages the sender may send for this gathering now."""
    now = now or utcnow()
    return max(0, min(PER_GATHERING - len(_sent_since(HostMessage.gathering_id == gathering.id, now)),
                      PER_HOST - len(_sent_since(HostMessage.sender_id == sender.id, now))))


def _sent_since(condition, now: datetime) -> list[datetime]:
    return list(db.session.scalars(select(HostMessage.sent_at).where(
        condition, HostMessage.sent_at > now - WINDOW).order_by(HostMessage.sent_at)))


def clean_subject(text: str | None) -> str:
    return " ".join((text or "").split())


def clean_body(text: str | None) -> str:
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n").rstrip()


def check_message(gathering: Gathering, subject: str, body: str) -> list[str]:
    """What is wrong with a message before it may go (empty when nothing)."""
    problems = []
    if not SUBJECT_MIN <= len(subject) <= SUBJECT_MAX:
        problems.append(f"Write a subject of {SUBJECT_MIN} to {SUBJECT_MAX} characters.")
    if not BODY_MIN <= len(body) <= BODY_MAX:
        problems.append(f"Write a message of {BODY_MIN} to {BODY_MAX:,} characters.")
    link = (gathering.meeting_url or "").strip()
    if link and (link in subject or link in body):
        problems.append("Take the meeting link out of the message: people going reach it through "
                        "their personal join address (it stops working for anyone who cancels), "
                        "and people on the waitlist must not have it.")
    return problems


def message_attendees(gathering: Gathering, sender: User, subject: str, body: str,
                      recipients: str = Recipients.GOING) -> Sent:
    """Mail the host's message to the people going (or going and waiting), through the outbox.

    Refused when the text breaks a rule or the pace is reached (TooMany); the same text sent
    again within minutes (a double click, two tabs) is the message already sent."""
    if not permissions.can_manage_gathering(sender, gathering):
        raise Refused("Only the gathering's hosts message its attendees.")
    if gathering.state == State.DRAFT:
        raise Refused("Publish the gathering first: nobody has answered a draft.")
    if gathering.state == State.CANCELLED:
        raise Refused("This gathering is cancelled; its attendees were told, with your reason.")
    try:
        chosen = Recipients(recipients)
    except ValueError:
        raise Refused("Choose who gets the message.") from None
    subject, body = clean_subject(subject), clean_body(body)
    problems = check_message(gathering, subject, body)
    if problems:
        raise Refused(problems)
    # Count and store as one step, so parallel sends (two tabs, two co-hosts) cannot overshoot.
    lock_row(User, sender.id)
    lock_row(Gathering, gathering.id)
    now = utcnow()
    earlier = db.session.scalar(
        select(HostMessage).where(HostMessage.gathering_id == gathering.id,
                                  HostMessage.sender_id == sender.id,
                                  HostMessage.sent_at > now - SAME_MESSAGE_WITHIN,
                                  HostMessage.subject == subject, HostMessage.body == body)
        .order_by(HostMessage.id.desc()).limit(1))
    if earlier is not None:
        return Sent(earlier, again=True)
    _check_pace(gathering, sender, now)
    people = recipients_of(gathering, chosen)
    if not people:
        raise Refused("Nobody is going yet, so there is nobody to send it to."
                      if chosen == Recipients.GOING else
                      "Nobody is going or on the waitlist yet, so there is nobody to send it to.")
    message = HostMessage(gathering_id=gathering.id, sender_id=sender.id, subject=subject,
                          body=body, recipients=len(people), sent_at=now)
    db.session.add(message)
    _queue_mail(gathering, sender, subject, body, chosen, people)
    db.session.flush()
    return Sent(message, again=False)


def _check_pace(gathering: Gathering, sender: User, now: datetime) -> None:
    for_gathering = _sent_since(HostMessage.gathering_id == gathering.id, now)
    if len(for_gathering) >= PER_GATHERING:
        raise TooMany(f"This gathering's hosts have sent {len(for_gathering)} messages in the last "
                      f"24 hours, as many as one gathering may. Your message was not sent; it is "
                      f"still here.", for_gathering[-PER_GATHERING] + WINDOW)
    by_sender = _sent_since(HostMessage.sender_id == sender.id, now)
    if len(by_sender) >= PER_HOST:
        raise TooMany(f"You have sent {len(by_sender)} messages to attendees in the last 24 hours, "
                      f"as many as anyone may. Your message was not sent; it is still here.",
                      by_sender[-PER_HOST] + WINDOW)


def _queue_mail(gathering: Gathering, sender: User, subject: str, body: str, chosen: Recipients,
                people: list[tuple[User, RsvpStatus]]) -> None:
    """One mail per person, without any host's address (no Reply-To): answers go through the site."""
    link = site_url("gatherings.show", gathering_id=gathering.id)
    profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.user_id == sender.id))
    contact = (site_url("directory.contact", slug=profile.slug)
               if profile is not None and profile.is_public and profile.contact_enabled else None)
    hosting = permissions.is_gathering_host(sender, gathering)
    for person, status in people:
        when = times.label(gathering.starts_at, gathering.time_zone, person.time_zone or None)
        mail.queue(person.email, f"{subject} · {gathering.title}", "gathering_host_message",
                   kind="gathering_message", person=person, status=status, audience=chosen.value,
                   sender=sender,
                   hosting=hosting, gathering=gathering, title=subject, message=body,
                   when=str(when), link=link, contact=contact)
