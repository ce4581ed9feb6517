"""The forum digest: a daily or weekly mail of new threads and the most appreciated replies in the
categories a person follows, at the hour they chose in their own time zone, once a period."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, delete, or_, select, update

from app import mail
from app.extensions import db
from app.forum import members
from app.forum.notifications import digest_unsubscribe_url
from app.forum.telling import permalink, writer_name
from app.models.accounts import User
from app.models.base import utcnow
from app.models.forum import (
    ForumCategory, ForumCategoryFollow, ForumMember, ForumPost, ForumThread, PostStatus,
)
from app.permissions import can_read_category
from app.text.markdown import excerpt
from app.urls import site_url

DIGESTS = ("daily", "weekly")
MAIL = "forum_digest"  # the outbox kind and the mail template
MAX_THREADS = 20
MAX_REPLIES = 5
UTC = timezone.utc


@dataclass(frozen=True)
class Period:
    """One digest's period: its key ("2026-12-01", "2026-W49") and what it covers, from the
    previous period's digest time to this one's (naive UTC), so periods follow one another
    without a gap even when cron ran late."""

    key: str
    starts: datetime
    ends: datetime


def zone_of(name: str) -> ZoneInfo:
    """The person's time zone; one that no longer exists (or never did) counts as UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def due_period(member: ForumMember, now: datetime) -> Period | None:
    """The period whose digest time has come for this person and was not sent, or None."""
    zone = zone_of(member.time_zone)
    today = now.replace(tzinfo=UTC).astimezone(zone).date()
    if member.digest == "daily":
        day, span, key = today, timedelta(days=1), today.isoformat()
    elif member.digest == "weekly":
        year, week, weekday = today.isocalendar()
        day = today + timedelta(days=_within(member.digest_weekday, 6) - (weekday - 1))
        span, key = timedelta(days=7), f"{year}-W{week:02d}"
    else:
        return None
    ends = _moment(day, member.digest_hour, zone)
    if now < ends or member.digest_sent_for == key:
        return None
    return Period(key, _moment(day - span, member.digest_hour, zone), ends)


def _within(value: int, high: int) -> int:
    return min(max(value or 0, 0), high)


def _moment(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """hour:00 on that day in the zone, as naive UTC (a time skipped by a clock change moves on)."""
    local = datetime.combine(day, time(_within(hour, 23)), tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def send_digests(now: datetime | None = None) -> dict[str, int]:
    """Every digest whose time has come (cron, every 15 minutes: `flask forum send-digests`).

    Commits person by person: the claim on the period and the mail go in one transaction."""
    now = now or utcnow()
    counts = {"sent": 0, "nothing_new": 0}
    due = db.session.scalars(select(ForumMember).join(User, User.id == ForumMember.user_id)
                             .where(ForumMember.digest.in_(DIGESTS), User.active.is_(True))
                             .order_by(ForumMember.user_id)).all()
    for member in due:
        period = due_period(member, now)
        if period is None:
            continue
        outcome = _send_one(member, period)
        db.session.commit()
        if outcome:
            counts[outcome] += 1
    return counts


def _claim(member: ForumMember, key: str) -> bool:
    """Mark the period done unless another run did: of two runs at once, one sends."""
    return db.session.execute(
        update(ForumMember)
        .where(ForumMember.user_id == member.user_id, ForumMember.digest_sent_for != key)
        .values(digest_sent_for=key)
    ).rowcount == 1


def _send_one(member: ForumMember, period: Period) -> str | None:
    """"sent", "nothing_new" (the period is done all the same) or None (another run had it)."""
    if not _claim(member, period.key):
        return None
    user = member.user
    categories = followed_categories(user)
    threads = _new_threads(user, categories, period)
    replies = _appreciated_replies(user, categories, period)
    if not threads and not replies:
        return "nothing_new"
    stop = digest_unsubscribe_url(user.id)
    mail.queue(user.email, _subject(member.digest, len(threads), len(replies)),
               MAIL, kind=MAIL, unsubscribe_url=stop, stop_link=stop,
               user=user, how_often=member.digest, threads=threads, replies=replies,
               settings_link=site_url("forum.settings"))
    return "sent"


def choose_digest(user: User, how_often: str, hour: int, weekday: int, time_zone: str,
                  category_ids: list[int]) -> None:
    """The person's digest: how often, when in their own time, and which categories (ids of
    categories they cannot read, or that went meanwhile, are left out)."""
    member = members.member(user)
    member.digest = how_often if how_often in DIGESTS else "off"
    member.digest_hour, member.digest_weekday = _within(hour, 23), _within(weekday, 6)
    member.time_zone = zone_of(time_zone).key
    readable = {category.id for category in db.session.scalars(
        select(ForumCategory).where(ForumCategory.id.in_(category_ids)))
        if can_read_category(user, category)}
    db.session.execute(delete(ForumCategoryFollow).where(ForumCategoryFollow.user_id == user.id))
    db.session.add_all(ForumCategoryFollow(user_id=user.id, category_id=category_id)
                       for category_id in sorted(readable))


def chosen_categories(user: User) -> list[int]:
    """The ids of the categories the person ticked for their digest (none: every one)."""
    return list(db.session.scalars(select(ForumCategoryFollow.category_id)
                                   .where(ForumCategoryFollow.user_id == user.id)))


def readable_categories(user: User) -> list[ForumCategory]:
    return [category for category in db.session.scalars(
        select(ForumCategory).order_by(ForumCategory.position, ForumCategory.name))
        if can_read_category(user, category)]


def followed_categories(user: User) -> list[ForumCategory]:
    """The categories whose news goes in the person's digest: those they ticked, or every one
    when they ticked none; only those they may read."""
    chosen = set(chosen_categories(user))
    readable = readable_categories(user)
    return [category for category in readable if category.id in chosen] if chosen else readable


def _standing(user: User):
    """Published messages that still stand, by someone else."""
    return and_(ForumPost.status == PostStatus.PUBLISHED, ForumPost.deleted_at.is_(None),
                ForumPost.removed_at.is_(None),
                or_(ForumPost.author_id.is_(None), ForumPost.author_id != user.id))


def _new_threads(user: User, categories: list[ForumCategory], period: Period) -> list[dict]:
    rows = db.session.execute(
        select(ForumThread, ForumPost).join(ForumPost, and_(ForumPost.thread_id == ForumThread.id,
                                                            ForumPost.depth == 0))
        .where(ForumThread.category_id.in_([category.id for category in categories]),
               ForumThread.created_at >= period.starts, ForumThread.created_at < period.ends,
               _standing(user))
        .order_by(ForumThread.created_at, ForumThread.id).limit(MAX_THREADS)).all()
    return [{"title": thread.title, "category": thread.category.name, "name": writer_name(opening),
             "excerpt": excerpt(opening.body, 40), "link": permalink(opening)}
            for thread, opening in rows]


def _appreciated_replies(user: User, categories: list[ForumCategory], period: Period) -> list[dict]:
    replies = db.session.scalars(
        select(ForumPost).join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .where(ForumThread.category_id.in_([category.id for category in categories]),
               ForumPost.depth > 0, ForumPost.appreciation_count > 0,
               ForumPost.created_at >= period.starts, ForumPost.created_at < period.ends,
               _standing(user))
        .order_by(ForumPost.appreciation_count.desc(), ForumPost.id).limit(MAX_REPLIES)).all()
    return [{"title": reply.thread.title, "name": writer_name(reply),
             "count": reply.appreciation_count, "excerpt": excerpt(reply.body, 40),
             "link": permalink(reply)} for reply in replies]


def _subject(how_often: str, threads: int, replies: int) -> str:
    parts = ([f"{threads} new thread{'' if threads == 1 else 's'}"] if threads else []) + (
        [f"{replies} appreciated repl{'y' if replies == 1 else 'ies'}"] if replies else [])
    return f"Your {how_often} forum digest: {' and '.join(parts)}"
