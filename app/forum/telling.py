"""What the forum tells people: follows ("Email me when people reply"), replies to them and
@mentions in the app, and the reply mail (at most one per thread per person per ten minutes)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from markdown_it import MarkdownIt
from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.orm.attributes import set_committed_value

from app import mail
from app.database import get_held, get_or_create
from app.extensions import db
from app.forum import members, reading
from app.forum.notifications import (
    FORUM_FOLLOW, FORUM_MENTION, FORUM_REPLY, thread_unsubscribe_urls,
)
from app.models.accounts import User
from app.models.base import utcnow
from app.models.forum import ForumFollow, ForumMember, ForumPost, ForumThread, PostStatus
from app.notifications.services import notify, wanting_email, wants_email
from app.permissions import can_read_category, can_read_thread
from app.urls import site_url

# At most one mail per thread per person in this time; replies meanwhile wait for the next.
MAIL_WINDOW = timedelta(minutes=10)
MAX_REPLIES_IN_ONE_MAIL = 20  # the rest are a link away
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


# Following a thread ------------------------------------------------------------------------

def follow_row(user: User, thread: ForumThread) -> ForumFollow:
    found = get_held(ForumFollow, (user.id, thread.id))  # the session's, if it holds it
    if found is not None:
        return found
    return get_or_create(ForumFollow, lambda: ForumFollow(user_id=user.id, thread_id=thread.id),
                         missing=True, user_id=user.id, thread_id=thread.id)


def is_following(user: User, thread: ForumThread) -> bool:
    found = get_held(ForumFollow, (user.id, thread.id))
    return bool(found and found.following)


def reply_box_ticked(user: User, thread: ForumThread) -> bool:
    """How a reply form's "Email me when people reply" starts: as the person last chose for
    this thread, else their default (so a box they unticked is not ticked for them again)."""
    found = get_held(ForumFollow, (user.id, thread.id))
    if found is not None and found.following is not None:
        return found.following
    chosen = get_held(ForumMember, user.id)
    return chosen.follow_on_reply if chosen is not None else True


def set_following(user: User, thread: ForumThread, follow: bool | None, *, chosen: bool,
                  replying: bool = False) -> None:
    """chosen: the person ticked or unticked the box (kept as they said). Otherwise, replying
    turns following on (their default, in their forum settings) unless they turned it off."""
    row = follow_row(user, thread)
    if chosen:
        _follow(row, bool(follow))
    elif replying and row.following is None:
        _follow(row, members.member(user).follow_on_reply)


def _follow(row: ForumFollow, on: bool) -> None:
    """Starting to follow mails only what comes next, not the thread so far; stopping drops
    the replies still waiting."""
    if on and not row.following:
        latest = db.session.scalar(select(func.max(ForumPost.id))
                                   .where(ForumPost.thread_id == row.thread_id)) or 0
        row.mailed_up_to = max(row.mailed_up_to or 0, latest)
    if not on:
        row.held_since = None
    row.following = on


# A message went out ------------------------------------------------------------------------

def published(post: ForumPost) -> None:
    """Tell the people it concerns: the writer of the message it answers and the people it
    mentions, in the app; the thread's followers, by mail."""
    thread = db.session.get(ForumThread, post.thread_id)
    told = _tell_replied_to(post, thread)
    _tell_mentioned(post, thread, told)
    if not post.is_opening:
        _mail_followers(post, thread)


def message_steward(sender: User, steward: User, category, message: str) -> None:
    """"Questions about this forum? Message <steward>": by mail, answered by replying to it,
    the steward's address never shown to the sender."""
    mail.queue(steward.email, f"{sender.display_name} asks about {category.name}",
               "forum_steward_message", reply_to=sender.email, kind="contact", sender=sender,
               steward=steward, category=category, message=message.strip(),
               link=site_url("forum.category", slug=category.slug))


def writer_name(post: ForumPost) -> str:
    return post.author.display_name if post.author else "Someone"


def permalink(post: ForumPost) -> str:
    return site_url("forum.post", thread_id=post.thread_id, post_id=post.id)


def _may_read(person: User | None, thread: ForumThread) -> bool:
    if person is None or not person.active:
        return False
    if thread.category.private:  # a learning partnership's conversation: its partners only
        return can_read_thread(person, thread)
    return can_read_category(person, thread.category)


def _tell_replied_to(post: ForumPost, thread: ForumThread) -> set[int]:
    parent = db.session.get(ForumPost, post.parent_id) if post.parent_id else None
    person = parent.author if parent else None
    if person is None or person.id == post.author_id or not _may_read(person, thread):
        return set()
    notify(person, FORUM_REPLY.name, f"{writer_name(post)} replied to you in “{thread.title}”",
           reading.post_path(post))
    return {person.id}


def mentioned_handles(body: str) -> list[str]:
    """The handles a message @mentions (members.MENTION, as its page links them), first ones
    first, at most members.MAX_MENTIONS; not in code, where @ is only text."""
    handles: list[str] = []
    for run in _prose_runs(body):
        for match in members.MENTION.finditer(run):
            handle = match[1].lower()
            if handle not in handles:
                handles.append(handle)
            if len(handles) == members.MAX_MENTIONS:
                return handles
    return handles


def _prose_runs(body: str):
    """The stretches of text a reader sees, cut wherever code, a link or a line break is."""
    for token in _MARKDOWN.parse(body or ""):
        if token.type != "inline":
            continue  # code blocks and fences hold no mentions
        run: list[str] = []
        for child in token.children or []:
            if child.type == "text":
                run.append(child.content)
            else:
                yield "".join(run)
                run = []
        yield "".join(run)


def _tell_mentioned(post: ForumPost, thread: ForumThread, told: set[int]) -> None:
    """Mentioned people who can read the thread; one who cannot is not told it exists."""
    for handle in mentioned_handles(post.body):
        person = members.by_handle(handle)
        if person is None or person.id == post.author_id or person.id in told:
            continue
        if _may_read(person, thread):
            notify(person, FORUM_MENTION.name,
                   f"{writer_name(post)} mentioned you in “{thread.title}”", reading.post_path(post))
            told.add(person.id)


# The follow mail ---------------------------------------------------------------------------

def _mail_followers(post: ForumPost, thread: ForumThread) -> None:
    """Each follower gets the reply now, or, within ten minutes of their last mail about the
    thread, in the next mail (send_held_replies)."""
    now = utcnow()
    query = (select(ForumFollow, User).join(User, User.id == ForumFollow.user_id)
             .where(ForumFollow.thread_id == thread.id, ForumFollow.following.is_(True),
                    User.active.is_(True)))
    if post.author_id is not None:
        query = query.where(ForumFollow.user_id != post.author_id)
    followers = db.session.execute(query).all()
    wanting = wanting_email([person.id for _, person in followers], FORUM_FOLLOW)
    due = [(follow, person) for follow, person in followers
           if person.id in wanting and _may_read(person, thread)]
    sending = [follow for follow, _ in due
               if follow.last_mailed_at is None or follow.last_mailed_at <= now - MAIL_WINDOW]
    # One read of the replies any of them has not been mailed, and the mails flushed together.
    since = _standing_replies(thread, min((follow.mailed_up_to for follow in sending), default=0))
    with db.session.no_autoflush:
        mails = {}
        for follow, person in due:
            if follow not in sending:
                follow.held_since = follow.held_since or now
                continue
            replies = _unmailed(follow, thread, since)
            if replies:
                mails[follow.user_id] = (follow, person, replies)
            else:
                follow.held_since = None
        # The rows are moved past their replies in one statement for all (a compare and set on
        # each row's mailed_up_to, as _claim does for one), then the claimed ones' mail queued.
        drawn: dict = {}
        claimed = _claim_all([(follow, replies[-1].id) for follow, _, replies in mails.values()], now)
        stop_links = thread_unsubscribe_urls()
        mail.queue_all([_letter(person, thread, replies, drawn, stop_links)
                        for _, person, replies in map(mails.get, claimed)])


def _wants_mail(person: User, thread: ForumThread) -> bool:
    return _may_read(person, thread) and wants_email(person, FORUM_FOLLOW)


def send_held_replies(now: datetime | None = None) -> int:
    """Mail the replies that waited, once ten minutes have passed since the person's last mail
    about the thread (cron, through `flask forum send-replies`); how many mails. The caller
    commits."""
    now = now or utcnow()
    due = db.session.scalars(
        select(ForumFollow).where(ForumFollow.held_since.is_not(None),
                                  or_(ForumFollow.last_mailed_at.is_(None),
                                      ForumFollow.last_mailed_at <= now - MAIL_WINDOW))
        .order_by(ForumFollow.held_since)).all()
    sent = 0
    for follow in due:
        person = db.session.get(User, follow.user_id)
        thread = db.session.get(ForumThread, follow.thread_id)
        if follow.following and person.active and _wants_mail(person, thread):
            sent += _send(follow, person, thread, now)
        else:
            follow.held_since = None
    return sent


def _standing_replies(thread: ForumThread, after: int) -> list[ForumPost]:
    """The thread's replies after reply `after` that still stand, in order."""
    return list(db.session.scalars(
        select(ForumPost).where(ForumPost.thread_id == thread.id, ForumPost.id > after,
                                ForumPost.depth > 0, ForumPost.status == PostStatus.PUBLISHED,
                                ForumPost.deleted_at.is_(None), ForumPost.removed_at.is_(None))
        .order_by(ForumPost.id)))


def _unmailed(follow: ForumFollow, thread: ForumThread,
              standing: list[ForumPost] | None = None) -> list[ForumPost]:
    """The replies since the person's last mail that still stand, others' only (from
    `standing`, the thread's standing replies since an earlier point, when given)."""
    replies = _standing_replies(thread, follow.mailed_up_to) if standing is None else standing
    return [reply for reply in replies
            if reply.id > follow.mailed_up_to and reply.author_id != follow.user_id]


def _send(follow: ForumFollow, person: User, thread: ForumThread, now: datetime,
          standing: list[ForumPost] | None = None) -> bool:
    """One mail holding every reply not mailed yet; False when there was none to send or a
    send running at the same moment already took them."""
    replies = _unmailed(follow, thread, standing)
    if not replies:
        follow.held_since = None
        return False
    if not _claim(follow, replies[-1].id, now):
        return False
    mail.queue_all([_letter(person, thread, replies, {}, thread_unsubscribe_urls())])
    return True


_PERSONAL = re.compile("\x00(name|stop)\x00")


def _letter(person: User, thread: ForumThread, replies: list[ForumPost], drawn: dict, stop_links) -> dict:
    """One follow mail, for mail.queue_all. drawn: the mails of one send, by the replies they
    hold, drawn once with the person's name and link left as marks (the template is plain
    text, nothing in it escaped) and filled in for each person in one pass. stop_links:
    thread_unsubscribe_urls()."""
    shown = replies[:MAX_REPLIES_IN_ONE_MAIL]
    more = len(replies) - len(shown)
    key = (tuple(reply.id for reply in shown), more)
    if key not in drawn:
        drawn[key] = mail.render(
            f"mail/{FORUM_FOLLOW.template}.txt", stop_link="\x00stop\x00", user={"display_name": "\x00name\x00"},
            thread=thread, more=more, settings_link=site_url("forum.settings"),
            replies=[{"name": writer_name(reply), "at": reply.created_at, "text": reply.plain,
                      "link": permalink(reply)} for reply in shown])
    stop = stop_links(person.id, thread.id)
    values = {"name": person.display_name, "stop": stop}
    return {"to": person.email, "subject": _subject(thread, len(replies)), "kind": FORUM_FOLLOW.name,
            "unsubscribe_url": stop, "body": _PERSONAL.sub(lambda found: values[found[1]], drawn[key])}


def _claim(follow: ForumFollow, up_to: int, now: datetime) -> bool:
    """Move the row past the replies this mail holds, unless another send moved it first
    (compare and set on mailed_up_to: of two racing sends, one mails)."""
    return bool(_claim_all([(follow, up_to)], now))


def _claim_all(claims: list[tuple[ForumFollow, int]], now: datetime) -> list[int]:
    """_claim for many rows of one thread, (row, up to) each, in one statement per target; the
    people whose rows moved (the rows in the session then say what the database holds)."""
    by_target: dict[int, list[ForumFollow]] = {}
    for follow, up_to in claims:
        by_target.setdefault(up_to, []).append(follow)
    moved: list[int] = []
    for up_to, follows in by_target.items():  # one target for all, but for a rare follower
        rows = {(follow.user_id, follow.mailed_up_to): follow for follow in follows}
        thread_id = follows[0].thread_id
        claimed = db.session.execute(
            update(ForumFollow)
            .where(ForumFollow.thread_id == thread_id,
                   tuple_(ForumFollow.user_id, ForumFollow.mailed_up_to).in_(list(rows)))
            .values(mailed_up_to=up_to, last_mailed_at=now, held_since=None)
            .returning(ForumFollow.user_id)
            .execution_options(synchronize_session=False)).scalars().all()
        for follow in follows:
            if follow.user_id in claimed:
                for name, value in (("mailed_up_to", up_to), ("last_mailed_at", now), ("held_since", None)):
                    set_committed_value(follow, name, value)
        moved.extend(claimed)
    return moved


def _subject(thread: ForumThread, count: int) -> str:
    what = "A new reply" if count == 1 else f"{count} new replies"
    return f"{what} in “{thread.title}”"
