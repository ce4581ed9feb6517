"""Moderation: flags citing the community guidelines, the stewards' queue, their actions (each
one logged), pauses on posting and an author's one appeal of a removal. Views commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, exists, select, true, update
from sqlalchemy.orm import selectinload

from app import permissions
from app.database import insert_unique, lock_row
from app.extensions import db
from app.forum import members, posting, reading
from app.forum.moderation_kinds import FORUM_MODERATION
from app.models.accounts import User
from app.models.base import utcnow
from app.models.forum import (
    ForumFlag, ForumPost, ForumSteward, ForumThread, ModerationAction, PostStatus,
)
from app.notifications.services import notify
from app.prepared import prepared
from app.urls import site_path

NOTE_MAX = 500
APPEAL_MAX = 2000
PAUSE_DAYS_MIN, PAUSE_DAYS_MAX = 1, 90
# The pause's length goes in front of its note in the log ("For 7 days. ...").
PAUSE_NOTE_MAX = NOTE_MAX - 20
QUEUE_LIMIT = 100
LOG_PER_PAGE = 50

# How the log names each step, after the actor's name.
ACTION_LABELS = {
    "dismiss": "dismissed a flag on", "remove": "removed", "approve": "approved",
    "reject": "did not publish", "lock": "locked", "unlock": "unlocked", "pin": "pinned",
    "unpin": "unpinned", "pause": "paused the posting of", "appeal": "appealed the removal of",
    "answer_appeal": "answered the appeal on",
}


class ModerationError(Exception):
    """The step was not taken; the message says why, for the page to show."""


class NotAllowed(ModerationError):
    """This person may not take the step at all (the view answers 403)."""


# Who moderates where ----------------------------------------------------------------------

def _moderated(user: User, category_column):
    """A condition on a category id column: the categories this person moderates."""
    if permissions.is_admin(user):
        return true()
    return category_column.in_(select(ForumSteward.category_id)
                               .where(ForumSteward.user_id == user.id))


def moderates_anything(user: User) -> bool:
    """Admins, and stewards of at least one category: they have a moderation page."""
    if permissions.is_admin(user):
        return True
    if not permissions.is_signed_in(user):
        return False
    connection = db.session.connection()  # asked on every page a member sees: prepared
    return bool(prepared(connection, ("forum, is a steward",), lambda: (
        select(ForumSteward.user_id).where(ForumSteward.user_id == bindparam("user_id")).limit(1))
    ).rows(connection, {"user_id": user.id}))


def stewards_category(user_id: int, category_id: int) -> bool:
    """Whether the person is one of the category's stewards (permissions.is_steward)."""
    connection = db.session.connection()
    return bool(prepared(connection, ("forum, stewards the category",), lambda: (
        select(ForumSteward.user_id).where(ForumSteward.user_id == bindparam("user_id"),
                                           ForumSteward.category_id == bindparam("category_id")))
    ).rows(connection, {"user_id": user_id, "category_id": category_id}))


def _require_moderator(user: User, post_or_thread) -> None:
    thread = getattr(post_or_thread, "thread", post_or_thread)
    if not permissions.can_moderate(user, thread.category):
        raise NotAllowed("Only this category's stewards and the admins can do that.")


def _log(actor: User, action: str, thread: ForumThread | None, *, post: ForumPost | None = None,
         subject_id: int | None = None, item: int | None = None, note: str = "") -> None:
    db.session.add(ModerationAction(
        category_id=thread.category_id if thread else None, thread_id=thread.id if thread else None,
        post_id=post.id if post else None, actor_id=actor.id, subject_id=subject_id,
        action=action, item=item, note=note))


def _change_once(model, row_id: int, condition, **values) -> bool:
    """Makes the change only while the row still meets `condition`: two stewards pressing the
    same button at once make one change and one line in the log."""
    changed = db.session.execute(update(model).where(model.id == row_id, condition).values(**values))
    return changed.rowcount == 1


def _tell(person: User | None, actor: User, message: str, path: str) -> None:
    """The author or paused person hears of it in the app (not of their own steps)."""
    if person is not None and person.id != actor.id:
        notify(person, FORUM_MODERATION.name, message, path)


# What people type -------------------------------------------------------------------------

def check_item(number: int | None) -> int:
    """A guideline item of the version in force, or a message saying what to choose."""
    numbers = {item.number for item in members.items()}
    if not numbers:
        raise ModerationError("The community guidelines are not written yet, so no item can be "
                              "cited.")
    if number not in numbers:
        raise ModerationError("Choose the guideline item the message breaks.")
    return number


def _note(text: str | None, limit: int = NOTE_MAX) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ModerationError(f"The note is {len(text):,} characters long; keep it to {limit:,}.")
    return text


# Flags ------------------------------------------------------------------------------------

def can_be_flagged(post: ForumPost) -> bool:
    return post.status == PostStatus.PUBLISHED and not post.is_gone


def open_flag_of(user: User, post: ForumPost) -> ForumFlag | None:
    return db.session.scalar(select(ForumFlag).where(
        ForumFlag.post_id == post.id, ForumFlag.flagger_id == user.id,
        ForumFlag.resolved_at.is_(None)))


def open_flags_on(post: ForumPost) -> list[ForumFlag]:
    return list(db.session.scalars(select(ForumFlag).where(
        ForumFlag.post_id == post.id, ForumFlag.resolved_at.is_(None)).order_by(ForumFlag.id)))


def flag(user: User, post: ForumPost, item: int | None, note: str = "") -> ForumFlag:
    """A member's report that a published message breaks guideline `item`: one open flag per
    person per message (a flag a steward dismissed may be raised again)."""
    if not permissions.can_post_in_forum(user):
        raise NotAllowed("Confirm your email address before you flag a message.")
    if not can_be_flagged(post):
        raise ModerationError("This message is no longer in the forum, so there is nothing to flag.")
    if post.author_id == user.id:
        raise ModerationError("This is your own message: edit or delete it instead of flagging it.")
    item, note = check_item(item), _note(note)
    earlier = db.session.scalar(select(ForumFlag).where(
        ForumFlag.post_id == post.id, ForumFlag.flagger_id == user.id))
    if earlier is None:
        raised = ForumFlag(post_id=post.id, flagger_id=user.id, item=item, note=note)
        if insert_unique(raised):
            return raised
    elif _change_once(ForumFlag, earlier.id, ForumFlag.resolved_at.isnot(None), item=item,
                      note=note, created_at=utcnow(), resolved_at=None, resolution=""):
        return earlier
    raise ModerationError("You already flagged this message. A steward will look at it soon.")


def dismiss(user: User, flag: ForumFlag, note: str = "") -> None:
    """The steward finds the message keeps to the guidelines: the flag closes, the message stays."""
    post = flag.post
    _require_moderator(user, post)
    note = _note(note)
    if not _change_once(ForumFlag, flag.id, ForumFlag.resolved_at.is_(None),
                        resolved_at=utcnow(), resolution="dismissed"):
        raise ModerationError("This flag was already dealt with.")
    _log(user, "dismiss", post.thread, post=post, subject_id=post.author_id, item=flag.item,
         note=note)


# Removing a message, and the author's appeal ---------------------------------------------

def remove(user: User, post: ForumPost, item: int | None, note: str = "") -> None:
    """Takes a published message out for breaking guideline `item`: its text goes (as when its
    author deletes it), the marker saying which item it broke stays, its open flags close and
    the author is told, with the right to appeal once."""
    _require_moderator(user, post)
    item, note = check_item(item), _note(note)
    now = utcnow()
    still_there = and_(ForumPost.status == PostStatus.PUBLISHED, ForumPost.removed_at.is_(None),
                       ForumPost.deleted_at.is_(None))
    if not _change_once(ForumPost, post.id, still_there, removed_at=now, removed_by_id=user.id,
                        removed_item=item, removed_reason=members.item_title(item)):
        raise ModerationError("This message is already gone: its author deleted it or a steward "
                              "removed it.")
    posting.forget_text(post, deleted=False)
    db.session.execute(update(ForumFlag).where(ForumFlag.post_id == post.id,
                                               ForumFlag.resolved_at.is_(None))
                       .values(resolved_at=now, resolution="removed"))
    _log(user, "remove", post.thread, post=post, subject_id=post.author_id, item=item, note=note)
    _tell(post.author, user, f"A steward removed your message: it broke {members.item_title(item)}. "
                             "You can appeal once.", reading.post_path(post))


def can_appeal(user: User, post: ForumPost) -> bool:
    return (permissions.is_signed_in(user) and post.author_id == user.id
            and post.removed_at is not None)


def appeal(author: User, post: ForumPost, text: str) -> None:
    """The author says why the removal was wrong; the stewards see it in their queue. Once."""
    if not can_appeal(author, post):
        raise NotAllowed("Only the author of a removed message can appeal its removal.")
    text = (text or "").strip()
    if not text:
        raise ModerationError("Write why you think the removal was wrong.")
    if len(text) > APPEAL_MAX:
        raise ModerationError(f"Your appeal is {len(text):,} characters long; keep it to "
                              f"{APPEAL_MAX:,}.")
    if not _change_once(ForumPost, post.id, ForumPost.appealed_at.is_(None), appeal=text,
                        appealed_at=utcnow()):
        raise ModerationError("You already appealed this removal. Each removal can be appealed "
                              "once; a steward will answer it.")
    _log(author, "appeal", post.thread, post=post, subject_id=author.id)


def _answered():
    return exists().where(ModerationAction.post_id == ForumPost.id,
                          ModerationAction.action == "answer_appeal")


def answer_of(post: ForumPost) -> ModerationAction | None:
    """A steward's answer to the appeal on this message, if there is one yet."""
    return db.session.scalar(select(ModerationAction).where(
        ModerationAction.post_id == post.id, ModerationAction.action == "answer_appeal")
        .order_by(ModerationAction.id.desc()).limit(1))


def answer_appeal(user: User, post: ForumPost, note: str) -> None:
    """A steward's answer closes the appeal; the author is told what they said. The removal
    stands: the text is gone, and the author may write the message again if they were right."""
    _require_moderator(user, post)
    note = _note(note)
    if not note:
        raise ModerationError("Write your answer to the appeal: the author reads it.")
    lock_row(ForumPost, post.id)  # two stewards answering at once: one answer
    waiting = db.session.scalar(select(exists().where(
        ForumPost.id == post.id, ForumPost.appealed_at.isnot(None), ~_answered())))
    if not waiting:
        raise ModerationError("This appeal was already answered.")
    _log(user, "answer_appeal", post.thread, post=post, subject_id=post.author_id, note=note)
    _tell(post.author, user, f"A steward answered your appeal: {note}", reading.post_path(post))


# Held messages ---------------------------------------------------------------------------

def _still_held():
    return and_(ForumPost.status == PostStatus.HELD, ForumPost.deleted_at.is_(None))


def approve(user: User, post: ForumPost) -> None:
    """A held message goes out as if it had just been posted."""
    _require_moderator(user, post)
    if not _change_once(ForumPost, post.id, _still_held(), status=PostStatus.PUBLISHED):
        raise ModerationError("This message is no longer waiting: someone already decided on it.")
    posting.publish(post)
    _log(user, "approve", post.thread, post=post, subject_id=post.author_id)
    _tell(post.author, user, "A steward approved your message: it is now in the forum.",
          reading.post_path(post))


def reject(user: User, post: ForumPost, note: str = "") -> None:
    """A held message is not published; its author is told, with the steward's note."""
    _require_moderator(user, post)
    note = _note(note)
    if not _change_once(ForumPost, post.id, _still_held(), status=PostStatus.REJECTED):
        raise ModerationError("This message is no longer waiting: someone already decided on it.")
    _log(user, "reject", post.thread, post=post, subject_id=post.author_id, note=note)
    _tell(post.author, user, "A steward decided not to publish your message"
                             + (f": {note}" if note else "."), site_path("forum.guidelines"))


# Threads ---------------------------------------------------------------------------------

# step: (column, value, the message when it is already so)
THREAD_STEPS = {
    "lock": ("locked", True, "This thread is already locked."),
    "unlock": ("locked", False, "This thread is not locked."),
    "pin": ("pinned", True, "This thread is already pinned."),
    "unpin": ("pinned", False, "This thread is not pinned."),
}


def _change_thread(user: User, thread: ForumThread, step: str) -> None:
    _require_moderator(user, thread)
    column, value, already = THREAD_STEPS[step]
    if not _change_once(ForumThread, thread.id, getattr(ForumThread, column).isnot(value),
                        **{column: value, "version": ForumThread.version + 1}):
        raise ModerationError(already)
    _log(user, step, thread)


def lock(user: User, thread: ForumThread) -> None:
    """Only the category's moderators reply to a locked thread (permissions.can_reply)."""
    _change_thread(user, thread, "lock")


def unlock(user: User, thread: ForumThread) -> None:
    _change_thread(user, thread, "unlock")


def pin(user: User, thread: ForumThread) -> None:
    """A pinned thread heads its category's list."""
    _change_thread(user, thread, "pin")


def unpin(user: User, thread: ForumThread) -> None:
    _change_thread(user, thread, "unpin")


# Pausing a person's posting ---------------------------------------------------------------

def can_pause(user: User, person: User, post: ForumPost | None) -> bool:
    """From one of the person's messages, that category's moderators; without one, admins."""
    if post is not None and post.author_id != person.id:
        return False
    return (permissions.can_moderate(user, post.thread.category) if post is not None
            else permissions.is_admin(user))


def pause(user: User, person: User, days: int | None, note: str = "",
          post: ForumPost | None = None) -> datetime:
    """Stops the person writing anywhere in the forum for 1 to 90 days (a later pause replaces
    an earlier one); they are told until when. Returns that moment."""
    if not can_pause(user, person, post):
        raise NotAllowed("Only the stewards of this message's category and the admins can pause "
                         "its author.")
    if person.id == user.id:
        raise ModerationError("You cannot pause your own posting.")
    if permissions.is_admin(person):
        raise ModerationError("Admins cannot be paused.")
    if days is None or not PAUSE_DAYS_MIN <= days <= PAUSE_DAYS_MAX:
        raise ModerationError(f"Choose a pause of {PAUSE_DAYS_MIN} to {PAUSE_DAYS_MAX} days.")
    note = _note(note, PAUSE_NOTE_MAX)
    until = utcnow() + timedelta(days=days)
    members.member(person).paused_until = until
    length = f"For {days} day{'' if days == 1 else 's'}."
    _log(user, "pause", post.thread if post else None, post=post, subject_id=person.id,
         note=f"{length} {note}".strip())
    _tell(person, user, f"A steward paused your posting in the forum until "
                        f"{until:%-d %B %Y, %H:%M} UTC" + (f": {note}" if note else "."),
          site_path("forum.guidelines"))
    return until


# The queue and the log --------------------------------------------------------------------

@dataclass(frozen=True)
class FlaggedMessage:
    post: ForumPost
    flags: list[ForumFlag]


@dataclass(frozen=True)
class Queue:
    flagged: list[FlaggedMessage]
    held: list[ForumPost]
    appeals: list[ForumPost]

    @property
    def count(self) -> int:
        return len(self.flagged) + len(self.held) + len(self.appeals)


def _posts_in_reach(user: User):
    return (select(ForumPost).join(ForumThread, ForumThread.id == ForumPost.thread_id)
            .where(_moderated(user, ForumThread.category_id))
            .options(selectinload(ForumPost.author), selectinload(ForumPost.thread)))


def queue_for(user: User) -> Queue:
    """What waits for this person: flagged messages (the longest waiting first), held messages
    and appeals, in the categories they moderate (the oldest QUEUE_LIMIT of each)."""
    flags = db.session.scalars(
        select(ForumFlag).join(ForumPost, ForumPost.id == ForumFlag.post_id)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .where(ForumFlag.resolved_at.is_(None), _moderated(user, ForumThread.category_id))
        .order_by(ForumFlag.created_at, ForumFlag.id).limit(QUEUE_LIMIT)
        .options(selectinload(ForumFlag.flagger))).all()
    by_post: dict[int, list[ForumFlag]] = {}
    for raised in flags:
        by_post.setdefault(raised.post_id, []).append(raised)
    flagged = [FlaggedMessage(found[0].post, found) for found in by_post.values()]
    held = db.session.scalars(_posts_in_reach(user).where(_still_held())
                              .order_by(ForumPost.created_at, ForumPost.id).limit(QUEUE_LIMIT)).all()
    appeals = db.session.scalars(_posts_in_reach(user).where(
        ForumPost.appealed_at.isnot(None), ~_answered())
        .order_by(ForumPost.appealed_at, ForumPost.id).limit(QUEUE_LIMIT)).all()
    return Queue(flagged, list(held), list(appeals))


def log_for(user: User, page: int = 1):
    """The moderation steps in the categories this person moderates, newest first (a page of
    them); steps outside any category, pauses without a message, are the admins'."""
    query = (select(ModerationAction).where(_moderated(user, ModerationAction.category_id))
             .order_by(ModerationAction.id.desc())
             .options(selectinload(ModerationAction.actor), selectinload(ModerationAction.subject),
                      selectinload(ModerationAction.thread).selectinload(ForumThread.category)))
    return db.paginate(query, page=page, per_page=LOG_PER_PAGE, error_out=False)
