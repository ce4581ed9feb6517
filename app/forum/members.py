"""People in the forum: their handle for @mentions, the guidelines they accepted, a pause on
posting, and the community guidelines themselves (numbered items, versioned)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import g, has_app_context

from sqlalchemy import func, select

from app.database import get_held, get_or_create
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.forum import ForumMember, Guidelines
from app.text.markdown import slugify
from app.urls import site_path

HANDLE_LENGTH = 60
# @handle in a message: not inside a word, an address or a link's path.
MENTION = re.compile(r"(?<![\w/@.])@([a-z0-9][a-z0-9-]{0,%d})" % HANDLE_LENGTH, re.IGNORECASE)
MAX_MENTIONS = 10


def member(user: User) -> ForumMember:
    """The person's forum row, made on first need with a handle from their name (a leader's
    profile slug when they have one and it is free)."""
    found = get_held(ForumMember, user.id)
    if found is not None:
        return found
    return get_or_create(ForumMember, lambda: ForumMember(user_id=user.id, handle=_free_handle(user)),
                         missing=True, user_id=user.id)


def _free_handle(user: User) -> str:
    from app.models.directory import LeaderProfile  # the directory's slug, read only
    wanted = db.session.scalar(select(LeaderProfile.slug).where(LeaderProfile.user_id == user.id))
    base = (wanted or slugify(user.display_name, HANDLE_LENGTH - 6)).lower()
    handle, number = base, 1
    while db.session.scalar(select(ForumMember.user_id).where(ForumMember.handle == handle)):
        number += 1
        handle = f"{base}-{number}"
    return handle


def handle_of(user: User | None) -> str | None:
    """The person's handle; for someone with no forum row yet, the one their row will get
    (rows are made when they first write, so drawing a page writes nothing)."""
    if user is None:
        return None
    cache = g.setdefault("forum_handles", {}) if has_app_context() else {}
    if user.id not in cache:
        found = get_held(ForumMember, user.id)
        cache[user.id] = found.handle if found is not None else _free_handle(user)
    return cache[user.id]


def remember_handles(user_ids: set[int]) -> None:
    """Load the handles of many people in one statement, for a page that names them all."""
    if not user_ids or not has_app_context():
        return
    cache = g.setdefault("forum_handles", {})
    cache.update(db.session.execute(select(ForumMember.user_id, ForumMember.handle)
                                    .where(ForumMember.user_id.in_(user_ids))).all())


def by_handle(handle: str) -> User | None:
    """The person with this handle; someone who has none yet gets the one their name makes,
    so `@` and a name typed without the suggestions still reaches them."""
    handle = (handle or "").lower()
    if not handle or len(handle) > HANDLE_LENGTH + 10:
        return None
    found = db.session.scalar(select(ForumMember).where(ForumMember.handle == handle))
    if found is None:
        return _first_handle(handle)
    return found.user if found.user.active else None


def _first_handle(handle: str) -> User | None:
    start = handle.split("-")[0]
    candidates = db.session.scalars(
        select(User).outerjoin(ForumMember, ForumMember.user_id == User.id)
        .where(ForumMember.user_id.is_(None), User.active.is_(True),
               func.lower(User.display_name).like(start + "%")).limit(50)).all()
    for person in candidates:
        if _free_handle(person) == handle:
            return person
    return None


def suggestions(typed: str, limit: int = 8) -> list[dict]:
    """People whose name or handle starts with what was typed after @ (for the picker)."""
    typed = typed.strip().lstrip("@")[:40]
    if not typed:
        return []
    pattern = typed.replace("\\", "").replace("%", "").replace("_", "") + "%"
    users = db.session.scalars(
        select(User).where(User.active.is_(True), func.lower(User.display_name).like(pattern.lower()))
        .order_by(User.display_name).limit(limit)).all()
    by_handles = db.session.scalars(
        select(ForumMember).where(ForumMember.handle.like(pattern.lower())).limit(limit)).all()
    people = {user.id: user for user in users}
    for row in by_handles:
        if row.user.active:
            people.setdefault(row.user_id, row.user)
    chosen = list(people.values())[:limit]
    remember_handles({person.id for person in chosen})
    return [{"handle": handle_of(person), "name": person.display_name} for person in chosen]


def linked_mentions(body: str) -> str:
    """The Markdown with each @handle of a real person made a link to their forum page."""
    def link(match: re.Match) -> str:
        person = by_handle(match.group(1))
        if person is None:
            return match.group(0)
        return f"[@{match.group(1)}]({site_path('forum.person', handle=match.group(1).lower())})"
    return MENTION.sub(link, body or "") if "@" in (body or "") else body or ""


def posting_paused_until(user: User):
    """When a steward's pause on this person's posting ends, or None if they may post."""
    found = get_held(ForumMember, user.id)
    if found is None or found.paused_until is None or found.paused_until <= utcnow():
        return None
    return found.paused_until


# The community guidelines ------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    number: int
    title: str
    text: str


def current_guidelines() -> Guidelines | None:
    """The newest version, read once a request (a thread page asks three times)."""
    if has_app_context() and "forum_guidelines" in g:
        return g.forum_guidelines
    found = db.session.scalar(select(Guidelines).order_by(Guidelines.id.desc()).limit(1))
    if has_app_context():
        g.forum_guidelines = found
    return found


def items(guidelines: Guidelines | None = None) -> list[Item]:
    guidelines = guidelines or current_guidelines()
    if guidelines is None:
        return []
    return [Item(number, entry.get("title", ""), entry.get("text", ""))
            for number, entry in enumerate(guidelines.items or [], start=1)]


def item_title(number: int | None) -> str:
    """'3. Disagree constructively', for a removal's reason; '' for no item."""
    for item in items():
        if item.number == number:
            return f"{item.number}. {item.title}"
    return f"Item {number}" if number else ""


def needs_to_accept(user: User) -> bool:
    """A person's first message (and the first after a new version) asks them to accept them."""
    guidelines = current_guidelines()
    if guidelines is None:
        return False
    found = get_held(ForumMember, user.id)
    return found is None or found.accepted_guidelines < guidelines.id


def accept(user: User) -> None:
    guidelines = current_guidelines()
    if guidelines is not None:
        member(user).accepted_guidelines = guidelines.id


def publish_guidelines(intro: str, entries: list[dict], by: User | None) -> Guidelines:
    """A new version; everyone is asked to accept it before their next message."""
    version = Guidelines(intro=intro, items=[{"title": e["title"].strip(), "text": e["text"].strip()}
                                             for e in entries if e.get("title", "").strip()],
                         created_by_id=by.id if by else None)
    db.session.add(version)
    db.session.flush()
    if has_app_context():
        g.forum_guidelines = version
    return version
