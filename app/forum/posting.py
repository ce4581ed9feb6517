"""Writing in the forum: new threads, replies to a message, edits (earlier versions kept),
soft deletes, and the rules every message passes first. Views commit."""
from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app import permissions
from app.database import lock_row
from app.extensions import db
from app.forum import members, telling
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.forum import (
    ForumCategory, ForumPost, ForumPostVersion, ForumThread, PostStatus,
)
from app.text.markdown import plain_text, render_markdown, slugify

TITLE_MIN, TITLE_MAX = 5, 150
BODY_MAX = 20_000
SAME_TEXT_WINDOW = timedelta(minutes=10)
# A new member's first messages with a link wait for a steward.
HELD_WHILE_FEWER_THAN = 2
LINK = re.compile(r"(https?://|www\.|\]\(|<a\s)", re.IGNORECASE)


class Refused(Exception):
    """The message was not posted; `messages` say why, for the form to show."""

    def __init__(self, *messages: str):
        super().__init__(" ".join(messages))
        self.messages = list(messages)


class StalePost(Exception):
    """Someone changed the message since this person opened it; their edit was not made."""

    def __init__(self, post: ForumPost):
        super().__init__("This message changed since you opened it.")
        self.post = post


# The rules ---------------------------------------------------------------------------------

def cooked(body: str) -> str:
    """The body as the safe HTML pages show, @handles linked (rendered once, when written)."""
    return render_markdown(members.linked_mentions(body))


def check_title(title: str) -> list[str]:
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN:
        return [f"Give the thread a title of at least {TITLE_MIN} characters."]
    if len(title) > TITLE_MAX:
        return [f"The title is {len(title)} characters long; keep it to {TITLE_MAX}."]
    return []


def check_body(body: str) -> list[str]:
    if not (body or "").strip():
        return ["Write your message before sending it."]
    if len(body) > BODY_MAX:
        return [f"The message is {len(body):,} characters long; keep it to {BODY_MAX:,}."]
    return []


def check_author(user: User, accepted_guidelines: bool) -> list[str]:
    """What stops this person writing now: their account, a pause, the guidelines."""
    if not permissions.can_post_in_forum(user):
        return ["Confirm your email address before you write in the forum."]
    paused = members.posting_paused_until(user)
    if paused is not None:
        return [f"A steward paused your posting until {paused:%-d %B %Y, %H:%M} UTC."]
    if members.needs_to_accept(user) and not accepted_guidelines:
        return ["Read the community guidelines and tick the box to accept them."]
    return []


def _same_text_recently(user: User, body: str) -> bool:
    since = utcnow() - SAME_TEXT_WINDOW
    recent = db.session.scalars(select(ForumPost.body).where(
        ForumPost.author_id == user.id, ForumPost.created_at >= since)).all()
    wanted = body.strip()
    return any(text.strip() == wanted for text in recent)


def _too_fast(user: User) -> str | None:
    """The per-person pace (FORUM_PACE: messages per window), counted from the messages
    themselves, so it holds across every worker and refuses with the text still in the box;
    every window counted in one statement."""
    pace = current_app.config["FORUM_PACE"]
    if not pace:
        return None
    now = utcnow()
    starts = [now - timedelta(minutes=window) for _, window in pace]
    counts = db.session.execute(select(*(
        func.coalesce(func.sum(case((ForumPost.created_at >= since, 1), else_=0)), 0) for since in starts))
        .where(ForumPost.author_id == user.id, ForumPost.created_at >= min(starts))).one()
    for (limit, window), sent in zip(pace, counts):
        if sent >= limit:
            return (f"You have posted {sent} messages in the last {window} minutes, as many as "
                    "anyone may. Your text is still here: send it again in a few minutes.")
    return None


def _is_vetted(user: User) -> bool:
    """Leaders, editors and admins were vetted by people; their links are never held."""
    return user.role in (Role.LEADER, Role.EDITOR, Role.ADMIN)


def _status_for(user: User, body: str, category: ForumCategory) -> str:
    # Nobody moderates a private category (a learning partnership's own discussion): none held.
    if category.private or _is_vetted(user) or not LINK.search(body):
        return PostStatus.PUBLISHED
    published = db.session.scalar(select(db.func.count()).select_from(ForumPost).where(
        ForumPost.author_id == user.id, ForumPost.status == PostStatus.PUBLISHED)) or 0
    return PostStatus.HELD if published < HELD_WHILE_FEWER_THAN else PostStatus.PUBLISHED


def _by_token(form_token: str | None) -> ForumPost | None:
    if not form_token:
        return None
    return db.session.scalar(select(ForumPost).where(ForumPost.form_token == form_token))


def _sent_already(form_token: str | None) -> ForumPost:
    """The message the same form made a moment ago, in a request that committed first."""
    db.session.rollback()
    found = _by_token(form_token)
    if found is None:
        raise Refused("Something else changed at the same moment; nothing was posted. Send it again.")
    return found


def _refuse_if_bad(user: User, body: str, accepted: bool, title: str | None = None) -> None:
    problems = check_author(user, accepted)
    if not problems:
        problems = (check_title(title) if title is not None else []) + check_body(body)
    if not problems and _same_text_recently(user, body):
        problems = ["You posted this same text a few minutes ago; it is already in the forum."]
    if not problems and (pace := _too_fast(user)):
        problems = [pace]
    if problems:
        raise Refused(*problems)


# New threads and replies ------------------------------------------------------------------

def start_thread(user: User, category: ForumCategory, title: str, body: str, *,
                 accepted_guidelines: bool = False, form_token: str | None = None,
                 follow: bool = True, private: bool = False) -> ForumPost:
    """A thread and its opening message; the same form sent twice makes one thread.

    private: a thread of a private category, started by the feature that owns it (a learning
    partnership's discussion, app/partnerships), which checked who may write there."""
    again = _by_token(form_token)
    if again is not None:
        return again
    allowed = private if category.private else permissions.can_read_category(user, category)
    if not allowed:
        raise Refused("Only members can write in this category.")
    title = " ".join((title or "").split())
    _refuse_if_bad(user, body, accepted_guidelines, title=title)
    if accepted_guidelines:
        members.accept(user)
    now = utcnow()
    status = _status_for(user, body, category)
    try:
        with db.session.begin_nested():  # a second copy of the form, sent at the same moment
            thread = ForumThread(category_id=category.id, author_id=user.id, title=title,
                                 slug=slugify(title, 80), created_at=now, last_activity_at=now)
            db.session.add(thread)
            db.session.flush()
            post = ForumPost(thread_id=thread.id, author_id=user.id, depth=0, top_position=0,
                             title=title, body=body, plain=plain_text(body), html=cooked(body),
                             created_at=now,
                             status=status, form_token=form_token)
            db.session.add(post)
    except IntegrityError:
        return _sent_already(form_token)
    telling.set_following(user, thread, follow, chosen=True)
    if post.status == PostStatus.PUBLISHED:
        publish(post)
    return post


def reply(user: User, thread: ForumThread, parent: ForumPost, body: str, *,
          accepted_guidelines: bool = False, form_token: str | None = None,
          follow: bool | None = None) -> ForumPost:
    """An answer to `parent` (the opening message or a reply) in `thread`."""
    again = _by_token(form_token)
    if again is not None:
        return again
    if parent.thread_id != thread.id or parent.status != PostStatus.PUBLISHED:
        raise Refused("That message cannot be answered here.")
    if not permissions.can_reply(user, thread):
        raise Refused("This thread is locked: a steward closed it to new replies."
                      if thread.locked else "You cannot reply here.")
    _refuse_if_bad(user, body, accepted_guidelines)
    if accepted_guidelines:
        members.accept(user)
    # Top-level positions are handed out one at a time; the counters this reply moves are read
    # afresh with the lock.
    top_count, reply_count = lock_row(ForumThread, thread.id, ForumThread.top_count, ForumThread.reply_count)
    set_committed_value(thread, "top_count", top_count)
    set_committed_value(thread, "reply_count", reply_count)
    again = _by_token(form_token)  # the same form, sent again while this one waited
    if again is not None:
        return again
    if parent.depth == 0:
        thread.top_count += 1
        position = thread.top_count
    else:
        position = parent.top_position
    post = ForumPost(thread_id=thread.id, author_id=user.id, parent_id=parent.id,
                     depth=parent.depth + 1, top_position=position, body=body,
                     plain=plain_text(body), html=cooked(body),
                     status=_status_for(user, body, thread.category),
                     form_token=form_token)
    try:
        with db.session.begin_nested():  # a second copy of the form, sent at the same moment
            db.session.add(post)
    except IntegrityError:
        return _sent_already(form_token)
    telling.set_following(user, thread, follow, chosen=follow is not None, replying=True)
    if post.status == PostStatus.PUBLISHED:
        publish(post)
    return post


def publish(post: ForumPost) -> None:
    """A message goes out: the thread's counters and the notifications it brings."""
    post.status = PostStatus.PUBLISHED
    thread = db.session.get(ForumThread, post.thread_id)
    if post.depth == 0:
        db.session.execute(update(ForumCategory).where(ForumCategory.id == thread.category_id)
                           .values(thread_count=ForumCategory.thread_count + 1))
    else:
        thread.reply_count = (thread.reply_count or 0) + 1
        thread.last_activity_at = post.created_at or utcnow()
        thread.last_reply_id = post.id
        thread.last_reply_by_id = post.author_id
    if post.author_id is not None:
        members.member(post.author).approved_count += 1
        seen = telling.follow_row(post.author, thread)  # their own message is not unread to them
        seen.read_up_to = max(seen.read_up_to or 0, post.id)
    telling.published(post)


# Edits and deletes ------------------------------------------------------------------------

def edit(user: User, post: ForumPost, body: str, version: int | None, title: str | None = None) -> None:
    """The writer's new text; the old one is kept as a version (author and stewards see it)."""
    if not permissions.can_edit_post(user, post):
        raise Refused("You can only edit your own messages.")
    problems = check_body(body) + (check_title(title) if post.is_opening and title is not None else [])
    if problems:
        raise Refused(*problems)
    if version is not None and version != post.version:
        raise StalePost(post)
    title = " ".join(title.split()) if post.is_opening and title is not None else post.title
    if body == post.body and title == post.title:
        return
    db.session.add(ForumPostVersion(post_id=post.id, title=post.title, body=post.body,
                                    written_at=post.edited_at or post.created_at))
    changed = db.session.execute(
        update(ForumPost).where(ForumPost.id == post.id, ForumPost.version == post.version)
        .values(body=body, plain=plain_text(body), html=cooked(body), title=title, edited_at=utcnow(),
                version=ForumPost.version + 1))
    if changed.rowcount != 1:
        db.session.rollback()
        raise StalePost(db.session.get(ForumPost, post.id))
    if post.is_opening:
        thread = db.session.get(ForumThread, post.thread_id)
        thread.title, thread.slug = title, slugify(title, 80)
    db.session.expire(post)


def delete(user: User, post: ForumPost) -> None:
    """A soft delete: the text and its versions go, "This reply was deleted." stays in place
    and the answers to it stay where they are."""
    if not permissions.can_delete_post(user, post):
        raise Refused("You can only delete your own messages.")
    forget_text(post)


def forget_text(post: ForumPost, deleted: bool = True) -> None:
    """The message's text and earlier versions go; deleted=False for a steward's removal,
    which keeps its own marker instead of "deleted by its author"."""
    if deleted:
        post.deleted_at = post.deleted_at or utcnow()
    post.body, post.plain, post.html = "", "", ""
    if not post.is_opening:
        post.title = ""
    db.session.execute(db.delete(ForumPostVersion).where(ForumPostVersion.post_id == post.id))
