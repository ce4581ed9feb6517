"""What gatherings tell people, in-app and by mail (app.notifications), each once per person:
changes of time, place or link, cancellations, waitlist offers, the host's answer, requests to
come (to the hosts), reminders.

Nothing here reads the request: these run from a host's form and from cron alike, so a time is
shown in the zone of the person told (their account's, else the gathering's own). Mail never
holds the meeting link itself, only the person's join address, which leads to the current link
while they are going. Each notice is claimed first (a GatheringNotice row under a unique key, in
the caller's transaction), so the same change, offer or reminder reaches a person once, even
from two cron runs at once.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.database import insert_unique
from app.extensions import db
from app.gatherings import times
from app.gatherings.notifications import (
    GATHERING_ANSWER, GATHERING_CHANGE, GATHERING_OFFER, GATHERING_REMINDERS, GATHERING_RSVP,
)
from app.models.accounts import User
from app.models.gatherings import Gathering, GatheringNotice, Rsvp, RsvpStatus
from app.notifications.services import notify
from app.urls import site_path, site_url

# Who hears that a gathering is cancelled: everyone holding or waiting for a place.
TOLD_OF_CANCELLING = (RsvpStatus.GOING, RsvpStatus.OFFERED, RsvpStatus.WAITLISTED,
                      RsvpStatus.PENDING)
CHANGE_WORDS = {"time": "time", "place": "place", "link": "meeting link"}


# Times as the person told reads them ------------------------------------------------------

def person_zone(user: User, gathering: Gathering) -> str:
    """The zone a person reads times in: their account's, else the gathering's own."""
    return user.time_zone if times.is_zone(user.time_zone) else gathering.time_zone


def town(gathering: Gathering) -> str:
    """The venue's town names an in-person gathering's clock ("18:00 in Hartford")."""
    if gathering.mode.in_person and gathering.place_name:
        return gathering.place_name.split(",")[0].strip()
    return ""


def time_label(gathering: Gathering, moment: datetime, zone_name: str) -> times.TimeLabel:
    """A moment (naive UTC) of the gathering as a person in `zone_name` reads it: in the
    gathering's zone, with their own time beside it when their clock differs."""
    return times.label(moment, gathering.time_zone, zone_name, place=town(gathering))


def duration_words(start: datetime, end: datetime) -> str:
    """"1 hour 30 minutes", "2 hours", "45 minutes"."""
    hours, minutes = divmod(max(int((end - start).total_seconds() // 60), 0), 60)
    parts = ([f"{hours} hour{'' if hours == 1 else 's'}"] if hours else []) + (
        [f"{minutes} minute{'' if minutes == 1 else 's'}"] if minutes or not hours else [])
    return " ".join(parts)


def starts_in_words(gathering: Gathering, now: datetime) -> str:
    """"in 24 hours", "in 1 hour", "in 40 minutes" (cron runs every few minutes: rounded)."""
    minutes = max(int((gathering.starts_at - now).total_seconds() // 60), 0)
    if minutes >= 90:
        hours = round(minutes / 60)
        return f"in {hours} hours"
    if minutes >= 55:
        return "in 1 hour"
    return f"in {max(minutes, 1)} minute{'' if minutes == 1 else 's'}"


# Addresses ----------------------------------------------------------------------------------

def page_url(gathering: Gathering) -> str:
    return site_url("gatherings.show", gathering_id=gathering.id)


def page_path(gathering: Gathering) -> str:
    return site_path("gatherings.show", gathering_id=gathering.id)


def join_url(rsvp: Rsvp) -> str:
    """The person's own join address: it leads to the current meeting link while they go."""
    return site_url("gatherings.join", gathering_id=rsvp.gathering_id, token=rsvp.join_token)


def claim(gathering: Gathering, user: User, key: str) -> bool:
    """Mark this notice as sent to this person, unless it was (by another run, a moment ago)."""
    return insert_unique(GatheringNotice(gathering_id=gathering.id, user_id=user.id, key=key))


def about(gathering: Gathering, rsvp: Rsvp, user: User, *, join: bool) -> dict:
    """What every gathering mail says of it, for this person (the mail templates' context).

    Deliberately no Gathering object: a template cannot print what it is not given, and the
    meeting link is given to none."""
    zone = person_zone(user, gathering)
    online = gathering.mode.online
    return {
        "title": gathering.title,
        "when": str(time_label(gathering, gathering.starts_at, zone)),
        "duration": duration_words(gathering.starts_at, gathering.ends_at),
        "online": online,
        "in_person": gathering.mode.in_person,
        "venue": gathering.venue_name,
        "address": gathering.address,
        "join_url": join_url(rsvp) if join and online else "",
        "page_url": page_url(gathering),
    }


def people(gathering: Gathering, statuses) -> list[tuple[Rsvp, User]]:
    """The RSVPs of these statuses and their people, in one statement."""
    return list(db.session.execute(
        select(Rsvp, User).join(User, User.id == Rsvp.user_id)
        .where(Rsvp.gathering_id == gathering.id, Rsvp.status.in_(list(statuses)))
        .order_by(Rsvp.id)).all())


# The notices ---------------------------------------------------------------------------------

def tell_changed(gathering: Gathering, parts: list[str]) -> None:
    """Attendees (going) hear that its time, place or link changed (parts: "time", "place",
    "link"), once per person and change (keyed by the gathering's sequence)."""
    parts = [part for part in CHANGE_WORDS if part in parts]
    if not parts:
        return
    words = [CHANGE_WORDS[part] for part in parts]
    what = " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)
    key = f"changed-{gathering.sequence}"
    for rsvp, user in people(gathering, (RsvpStatus.GOING,)):
        if not claim(gathering, user, key):
            continue
        told = about(gathering, rsvp, user, join=True)
        message = f"“{gathering.title}” has a new {what}."
        if "time" in parts:
            message += f" It starts {told['when']}."
        notify(user, GATHERING_CHANGE.name, message, page_path(gathering),
               subject=f"New {what} for “{gathering.title}”",
               cancelled=False, parts=parts, changes=_change_lines(gathering, parts, told), **told)


def _change_lines(gathering: Gathering, parts: list[str], told: dict) -> list[str]:
    lines = []
    if "time" in parts:
        lines.append(f"The time: it now starts {told['when']} and lasts {told['duration']}.")
    if "place" in parts:
        if gathering.mode.in_person:
            where = ", ".join(part for part in (gathering.venue_name, gathering.address) if part)
            also = " (and online)" if gathering.mode.online else ""
            lines.append(f"The place: it now takes place at {where}{also}.")
        else:
            lines.append("The place: it now takes place online only.")
    if "link" in parts:
        if gathering.mode.online:
            lines.append("The meeting link: your personal join address below leads to the new one.")
        else:
            lines.append("The meeting link: it no longer takes place online.")
    return lines


def tell_cancelled(gathering: Gathering) -> None:
    """Attendees, the waitlist and people waiting for approval hear it is cancelled, with the reason."""
    for rsvp, user in people(gathering, TOLD_OF_CANCELLING):
        if not claim(gathering, user, "cancelled"):
            continue
        told = about(gathering, rsvp, user, join=False)
        notify(user, GATHERING_CHANGE.name,
               f"“{gathering.title}” ({told['when']}) is cancelled: {gathering.cancel_reason}",
               page_path(gathering), subject=f"Cancelled: “{gathering.title}”",
               cancelled=True, reason=gathering.cancel_reason, parts=[], changes=[], **told)


def tell_offer(rsvp: Rsvp) -> None:
    """A place freed up: the person is offered it until rsvp.offer_expires_at ("Claim your place")."""
    if rsvp.status != RsvpStatus.OFFERED or rsvp.offer_expires_at is None:
        return
    gathering, user = rsvp.gathering, rsvp.user
    if not claim(gathering, user, f"offer-{rsvp.id}-{rsvp.offer_expires_at:%Y%m%d%H%M}"):
        return
    by = str(time_label(gathering, rsvp.offer_expires_at, person_zone(user, gathering)))
    notify(user, GATHERING_OFFER.name,
           f"A place is free for you at “{gathering.title}”: claim it by {by}.",
           page_path(gathering), subject=f"Claim your place: “{gathering.title}”",
           by=by, **about(gathering, rsvp, user, join=False))


def tell_answered(rsvp: Rsvp) -> None:
    """The host approved (going, or waitlisted when full) or declined the person's RSVP."""
    if rsvp.status not in (RsvpStatus.GOING, RsvpStatus.WAITLISTED, RsvpStatus.DECLINED):
        return
    gathering, user = rsvp.gathering, rsvp.user
    # One per answer: a double click answers once; declining after approving is a new answer.
    if not claim(gathering, user, f"answer-{rsvp.status}-{rsvp.answered_at:%Y%m%d%H%M%S}"):
        return
    title = gathering.title
    message, subject = {
        RsvpStatus.GOING: (f"The host said yes: you are going to “{title}”.",
                           f"You're going to “{title}”"),
        RsvpStatus.WAITLISTED: (f"The host said yes, but “{title}” is full: you are on the waitlist.",
                                f"You're on the waitlist for “{title}”"),
        RsvpStatus.DECLINED: (f"The host declined your request to come to “{title}”.",
                              f"Your request to come to “{title}”"),
    }[rsvp.status]
    notify(user, GATHERING_ANSWER.name, message, page_path(gathering), subject=subject,
           answer=str(rsvp.status), **about(gathering, rsvp, user,
                                            join=rsvp.status == RsvpStatus.GOING))


def tell_hosts_request(rsvp: Rsvp) -> None:
    """The hosts hear (in-app) that someone asks to come to a gathering needing their approval."""
    if rsvp.status != RsvpStatus.PENDING:
        return
    gathering, asking = rsvp.gathering, rsvp.user
    key = f"request-{rsvp.id}-{rsvp.answered_at:%Y%m%d%H%M%S}"
    for host in [gathering.host, *gathering.cohosts]:
        if claim(gathering, host, key):
            notify(host, GATHERING_RSVP.name,
                   f"{asking.display_name} asks to come to “{gathering.title}”.", page_path(gathering))


def tell_reminder(gathering: Gathering, rsvp: Rsvp, user: User, key: str, now: datetime) -> bool:
    """One reminder (key "remind-24h" or "remind-1h") to one person going; False when it was
    sent already (by this run's twin, say)."""
    if not claim(gathering, user, key):
        return False
    told = about(gathering, rsvp, user, join=True)
    soon = starts_in_words(gathering, now)
    notify(user, GATHERING_REMINDERS.name, f"“{gathering.title}” starts {soon}: {told['when']}.",
           page_path(gathering), subject=f"Reminder: “{gathering.title}” starts {soon}",
           soon=soon, **told)
    return True

