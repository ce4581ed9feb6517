"""Drafts kept on the server while someone types, so a reply survives a closed tab, another
device or an ended session. A draft's place names what it answers (see ForumDraft)."""
from __future__ import annotations

import re

from sqlalchemy import delete, select

from app.database import get_or_create
from app.extensions import db
from app.forum.posting import BODY_MAX, TITLE_MAX
from app.models.base import utcnow
from app.models.forum import ForumDraft

PLACE = re.compile(r"^(new:\d{1,9}|thread:\d{1,12}:\d{1,12}|edit:\d{1,12})$")


def valid_place(place: str | None) -> bool:
    return bool(place) and bool(PLACE.match(place))


def reply_place(thread_id: int, parent_id: int) -> str:
    return f"thread:{thread_id}:{parent_id}"


def new_thread_place(category_id: int) -> str:
    return f"new:{category_id}"


def load(user, place: str) -> ForumDraft | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(ForumDraft).where(ForumDraft.user_id == user.id,
                                                      ForumDraft.place == place))


def save(user, place: str, body: str, title: str = "") -> ForumDraft | None:
    """Keep what is typed (an empty box deletes the draft)."""
    if not (body or "").strip() and not (title or "").strip():
        discard(user, place)
        return None
    draft = get_or_create(ForumDraft, lambda: ForumDraft(user_id=user.id, place=place),
                          user_id=user.id, place=place)
    draft.body, draft.title, draft.saved_at = body[:BODY_MAX + 1000], (title or "")[:TITLE_MAX], utcnow()
    return draft


def discard(user, place: str) -> None:
    db.session.execute(delete(ForumDraft).where(ForumDraft.user_id == user.id,
                                                ForumDraft.place == place))


def of(user) -> list[ForumDraft]:
    return db.session.scalars(select(ForumDraft).where(ForumDraft.user_id == user.id)
                              .order_by(ForumDraft.saved_at.desc())).all()
