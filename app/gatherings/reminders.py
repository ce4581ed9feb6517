"""Reminders before gatherings, for cron (`flask gatherings send-reminders`, every 5 minutes):
24 hours and 1 hour before the start, to everyone going, each once; and the waitlist offers'
expiry (an offer past its 48 hours passes to the next person).

Once means once even when two runs overlap (cron on every host): each reminder is claimed by a
GatheringNotice row under a unique (gathering, person, key) in the transaction that queues its
mail, and a batch commits as one. Of two runs, the second's insert fails (PostgreSQL waits for
the first's commit, then refuses; SQLite's write transactions run one at a time) and it skips.

What is read stays small at any size: only the published gatherings starting within the next 24
hours (the index on state, starts_at, id), then their attendees not yet reminded, page by page.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select

from app.extensions import db
from app.gatherings import joining, notices
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import Gathering, GatheringNotice, Rsvp, RsvpStatus, State

REMIND_24H = "remind-24h"
REMIND_1H = "remind-1h"
AHEAD = timedelta(hours=24)
LAST_HOUR = timedelta(hours=1)
# Closer to the start than this, the day-before reminder is stale (a gathering published or
# joined at the last minute): the person gets the 1-hour one alone, not two mails within minutes.
# Between 2 hours and 1 hour before, nothing new goes out; the 1-hour reminder follows.
STALE_24H = timedelta(hours=2)
GATHERINGS_PER_BATCH = 200
PEOPLE_PER_BATCH = 500


def due_reminder(gathering: Gathering, now: datetime) -> str | None:
    """Which reminder a gathering's attendees are due at `now`: REMIND_1H within the last hour,
    REMIND_24H from 24 hours to 2 hours before, else None (started, too far, or in between)."""
    left = gathering.starts_at - now
    if left <= timedelta(0) or left > AHEAD:
        return None
    if left <= LAST_HOUR:
        return REMIND_1H
    if left >= STALE_24H:
        return REMIND_24H
    return None


def send_reminders(now: datetime | None = None) -> dict[str, int]:
    """Expire the offers past their time, then queue every reminder due (cron). Commits batch by
    batch. Counts: reminders (all), remind_24h, remind_1h, offers_expired."""
    now = now or utcnow()
    counts = {"reminders": 0, "remind_24h": 0, "remind_1h": 0,
              "offers_expired": joining.expire_offers(now)}
    db.session.commit()
    upcoming = db.session.scalars(
        select(Gathering.id).where(Gathering.state == State.PUBLISHED, Gathering.starts_at > now,
                                   Gathering.starts_at <= now + AHEAD)
        .order_by(Gathering.starts_at, Gathering.id)).all()
    db.session.commit()
    for start in range(0, len(upcoming), GATHERINGS_PER_BATCH):
        batch = upcoming[start:start + GATHERINGS_PER_BATCH]
        gatherings = db.session.scalars(select(Gathering).where(Gathering.id.in_(batch))).all()
        by_key: dict[str, list[int]] = {}
        for gathering in gatherings:
            key = due_reminder(gathering, now)
            if key:
                by_key.setdefault(key, []).append(gathering.id)
        db.session.commit()
        for key, ids in by_key.items():
            sent = _remind(key, ids, now)
            counts["reminders"] += sent
            counts[key.replace("-", "_")] += sent
    return counts


def _remind(key: str, gathering_ids: list[int], now: datetime) -> int:
    """The reminder `key` to everyone going to these gatherings who has not had it, a page of
    people per transaction. Returns how many this run sent."""
    sent, after = 0, 0
    while True:
        rows = db.session.execute(_not_yet_reminded(key, gathering_ids, after)).all()
        if not rows:
            break
        for rsvp, user in rows:
            after = rsvp.id
            gathering = db.session.get(Gathering, rsvp.gathering_id)
            # Read again in this transaction: cancelled or moved since the list was made.
            if gathering.state != State.PUBLISHED or due_reminder(gathering, now) != key:
                continue
            if notices.tell_reminder(gathering, rsvp, user, key, now):
                sent += 1
        db.session.commit()
    return sent


def _not_yet_reminded(key: str, gathering_ids: list[int], after: int):
    reminded = exists().where(and_(GatheringNotice.gathering_id == Rsvp.gathering_id,
                                   GatheringNotice.user_id == Rsvp.user_id,
                                   GatheringNotice.key == key))
    return (select(Rsvp, User).join(User, User.id == Rsvp.user_id)
            .where(Rsvp.gathering_id.in_(gathering_ids), Rsvp.status == RsvpStatus.GOING,
                   Rsvp.id > after, ~reminded)
            .order_by(Rsvp.id).limit(PEOPLE_PER_BATCH))
