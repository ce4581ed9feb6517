"""Reading the forum: categories, a category's threads page by page (keyset, newest activity
first), a thread's messages as a tree (50 top-level answers a page with their sub-threads),
a long sub-thread on its own page, the flat view, and where a message is."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import DateTime, Integer, bindparam, select, tuple_
from sqlalchemy.orm import defer, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import permissions
from app.forum import members
from app.extensions import db
from app.prepared import in_list, in_values, prepared
from app.urls import site_path
from app.models.accounts import User
from app.models.forum import (
    ForumAppreciation, ForumBookmark, ForumCategory, ForumFollow, ForumPost, ForumThread,
    PostStatus,
)

THREADS_PER_PAGE = 30
TOP_LEVEL_PER_PAGE = 50
FLAT_PER_PAGE = 50
# Answers deeper than this are shown under their ancestor at this depth, "in reply to" named.
NESTED_DEPTH = 3
# A depth-3 message with more answers below it than this shows the first ones and a link to
# "Continue this thread" on a page of its own.
SHOWN_UNDER_DEEPEST = 8


# Categories -------------------------------------------------------------------------------

def categories_for(user, with_stewards: bool = False) -> list[ForumCategory]:
    """Every category, in the admins' order; members-only ones to members only; with_stewards:
    their stewards loaded too (the forum's front page names them)."""
    query = select(ForumCategory).order_by(ForumCategory.position, ForumCategory.name)
    if with_stewards:
        query = query.options(selectinload(ForumCategory.stewards))
    found = db.session.scalars(query).all()
    return [category for category in found if permissions.can_read_category(user, category)]


def category_by_slug(slug: str) -> ForumCategory | None:
    if not slug or len(slug) > 80:
        return None
    return db.session.scalar(select(ForumCategory).where(ForumCategory.slug == slug))


# A category's threads ---------------------------------------------------------------------

@dataclass(frozen=True)
class Cursor:
    """Where a page of threads starts: after (last activity, id) of the previous page's last."""

    at: datetime
    id: int

    def token(self) -> str:
        return f"{self.at.strftime('%Y%m%d%H%M%S%f')}-{self.id}"

    @classmethod
    def read(cls, token: str | None) -> Cursor | None:
        if not token or len(token) > 40 or "-" not in token:
            return None
        stamp, _, number = token.partition("-")
        try:
            return cls(datetime.strptime(stamp, "%Y%m%d%H%M%S%f"), int(number))
        except ValueError:
            return None


@dataclass
class ThreadList:
    pinned: list[ThreadRow]
    threads: list[ThreadRow]
    next_cursor: Cursor | None
    previous_cursor: Cursor | None
    first_page: bool
    unread: dict[int, str] = field(default_factory=dict)  # thread id -> "new" or "unread"


class Person(NamedTuple):
    id: int
    display_name: str


class ThreadRow:
    """A thread as a category's list shows it (read straight from the driver, no ORM object):
    its own columns, and its starter's and last replier's names."""

    __slots__ = ("id", "title", "slug", "pinned", "locked", "last_activity_at", "reply_count",
                 "last_reply_id", "author_id", "author", "last_reply_by")

    def __init__(self, row, at_processor) -> None:
        (self.id, self.title, self.slug, pinned, locked, at, self.reply_count, self.last_reply_id,
         self.author_id, author_name, replier_id, replier_name) = row
        self.pinned, self.locked = bool(pinned), bool(locked)
        self.last_activity_at = at_processor(at) if at_processor and at is not None else at
        self.author = Person(self.author_id, author_name) if self.author_id is not None else None
        self.last_reply_by = Person(replier_id, replier_name) if replier_id is not None else None


def _thread_rows(shape: str, values: dict) -> list[ThreadRow]:
    """A category's threads by one of the list's statements (prepared: the hot path of every
    category page): shape is "first", "after", "before" or "pinned"."""
    def build():
        table = ForumThread.__table__
        threads = table.c
        starter, replier = User.__table__.alias("starter"), User.__table__.alias("replier")
        statement = (
            select(threads.id, threads.title, threads.slug, threads.pinned, threads.locked,
                   threads.last_activity_at, threads.reply_count, threads.last_reply_id, threads.author_id,
                   starter.c.display_name, threads.last_reply_by_id, replier.c.display_name)
            .select_from(table.outerjoin(starter, starter.c.id == threads.author_id)
                         .outerjoin(replier, replier.c.id == threads.last_reply_by_id))
            .where(threads.category_id == bindparam("category_id", type_=Integer),
                   threads.pinned.is_(shape == "pinned")))
        key = tuple_(threads.last_activity_at, threads.id)
        mark = tuple_(bindparam("at", type_=DateTime), bindparam("id", type_=Integer))
        if shape == "before":
            return (statement.where(key > mark).order_by(threads.last_activity_at.asc(), threads.id.asc())
                    .limit(THREADS_PER_PAGE + 1))
        if shape == "after":
            statement = statement.where(key < mark)
        if shape == "pinned":
            return statement.order_by(threads.last_activity_at.desc())
        return statement.order_by(threads.last_activity_at.desc(), threads.id.desc()).limit(THREADS_PER_PAGE + 1)

    connection = db.session.connection()
    dialect = connection.dialect
    at_processor = ForumThread.__table__.c.last_activity_at.type.dialect_impl(dialect).result_processor(dialect, None)
    rows = prepared(connection, ("forum, thread list", shape), build).rows(connection, values)
    return [ThreadRow(row, at_processor) for row in rows]


def thread_list(category: ForumCategory, viewer=None, after: Cursor | None = None,
                before: Cursor | None = None) -> ThreadList:
    """One page of a category's threads by last activity, from an index range (no OFFSET):
    `after` the previous page's last, or `before` the next page's first (going back)."""
    # Row values: (a, b) < (x, y) is one range of the (category, pinned, activity, id) index.
    values = {"category_id": category.id}
    if before is not None:
        rows = _thread_rows("before", {**values, "at": before.at, "id": before.id})
        newer_exists = len(rows) > THREADS_PER_PAGE
        rows = list(reversed(rows[:THREADS_PER_PAGE]))
        first = not newer_exists
        has_next = True
    else:
        if after is not None:
            rows = _thread_rows("after", {**values, "at": after.at, "id": after.id})
        else:
            rows = _thread_rows("first", values)
        has_next = len(rows) > THREADS_PER_PAGE
        rows = rows[:THREADS_PER_PAGE]
        first = after is None
    pinned = _thread_rows("pinned", values) if first else []
    listing = ThreadList(
        pinned=pinned, threads=rows,
        next_cursor=Cursor(rows[-1].last_activity_at, rows[-1].id) if rows and has_next else None,
        previous_cursor=Cursor(rows[0].last_activity_at, rows[0].id) if rows and not first else None,
        first_page=first)
    listing.unread = unread_marks(viewer, listing.pinned + listing.threads)
    return listing


def unread_marks(viewer, threads: list[ForumThread]) -> dict[int, str]:
    """For a member: 'new' for threads never opened, 'unread' for threads with replies since
    they last read them."""
    if not getattr(viewer, "is_authenticated", False) or not threads:
        return {}
    ids = list(dict.fromkeys(thread.id for thread in threads))
    connection = db.session.connection()  # every category page a member sees: prepared, per count
    seen = dict(prepared(connection, ("forum, unread marks", len(ids)), lambda: (
        select(ForumFollow.thread_id, ForumFollow.read_up_to).where(
            ForumFollow.user_id == bindparam("user_id", type_=Integer),
            in_list(ForumFollow.thread_id, len(ids))))
    ).rows(connection, {"user_id": viewer.id, **in_values(ids)}))
    marks = {}
    for thread in threads:
        if thread.author_id == viewer.id and thread.id not in seen:
            continue
        if thread.id not in seen:
            marks[thread.id] = "new"
        elif (thread.last_reply_id or 0) > seen[thread.id]:
            marks[thread.id] = "unread"
    return marks


# A thread's messages ----------------------------------------------------------------------

@dataclass
class Node:
    """A message as drawn: its answers below it, and for answers drawn under a depth-3
    ancestor, the message they answer."""

    post: ForumPost
    children: list[Node] = field(default_factory=list)
    in_reply_to: ForumPost | None = None
    more: int = 0  # answers not drawn here: "Continue this thread"

    @property
    def shown_depth(self) -> int:
        return min(self.post.depth, NESTED_DEPTH)


def visible(post: ForumPost, viewer) -> bool:
    """Published messages to everyone; a held or rejected one to its writer and moderators."""
    if post.status == PostStatus.PUBLISHED:
        return True
    if not getattr(viewer, "is_authenticated", False):
        return False
    return post.author_id == viewer.id or permissions.can_moderate(viewer, post.thread.category)


def _load(query) -> list[ForumPost]:
    """Messages of one thread in id order, with their authors and those authors' forum rows
    (their handles) loaded in two more statements, and the thread set on each from the
    session: a page of 300 draws without a statement per message."""
    # Drawn from their HTML: the Markdown source, the plain text (mail, search) and an appeal's
    # text stay in the database unless something asks (then one statement for that message).
    posts = db.session.scalars(query.options(selectinload(ForumPost.author),
                                             defer(ForumPost.body), defer(ForumPost.plain),
                                             defer(ForumPost.appeal))
                               .order_by(ForumPost.id)).all()
    if posts:
        thread = db.session.get(ForumThread, posts[0].thread_id)
        for post in posts:
            set_committed_value(post, "thread", thread)
        members.remember_handles({post.author_id for post in posts if post.author_id})
    return posts


def build_tree(posts: list[ForumPost], viewer, root_depth: int = 1) -> list[Node]:
    """Messages (in id order) as trees of Nodes; roots are those at root_depth or whose parent
    is not among them. Deeper than NESTED_DEPTH below the root, answers hang under their
    ancestor at that depth, each naming the message it answers, the first SHOWN_UNDER_DEEPEST
    of them drawn and the rest counted for "Continue this thread"."""
    nodes: dict[int, Node] = {}
    by_id = {post.id: post for post in posts}
    roots: list[Node] = []
    for post in posts:
        if not visible(post, viewer):
            continue
        node = nodes[post.id] = Node(post)
        level = post.depth - root_depth + 1
        parent = nodes.get(post.parent_id) if level > 1 else None
        if parent is None:
            roots.append(node)
        elif level <= NESTED_DEPTH:
            parent.children.append(node)
        else:
            anchor = by_id[post.parent_id]
            while anchor.depth - root_depth + 1 > NESTED_DEPTH:
                anchor = by_id[anchor.parent_id]
            holder = nodes[anchor.id]
            node.in_reply_to = by_id[post.parent_id]
            if len(holder.children) >= SHOWN_UNDER_DEEPEST:
                holder.more += 1
            else:
                holder.children.append(node)
    return roots


@dataclass
class ThreadPage:
    opening: ForumPost
    nodes: list[Node]
    page: int
    pages: int
    posts: list[ForumPost]  # every reply loaded for the page, whoever may see it


def thread_page(thread: ForumThread, viewer, page: int = 1) -> ThreadPage:
    """The opening message and one page of top-level answers with their sub-threads: one
    range of the (thread_id, top_position) index."""
    pages = max(1, -(-thread.top_count // TOP_LEVEL_PER_PAGE))
    page = min(max(page, 1), pages)
    low = (page - 1) * TOP_LEVEL_PER_PAGE + 1
    high = page * TOP_LEVEL_PER_PAGE
    posts = _load(select(ForumPost).where(ForumPost.thread_id == thread.id,
                                          ForumPost.top_position.between(low, high)))
    return ThreadPage(opening_of(thread), build_tree(posts, viewer), page, pages, posts)


def opening_of(thread: ForumThread) -> ForumPost:
    return db.session.scalar(select(ForumPost).where(ForumPost.thread_id == thread.id,
                                                     ForumPost.top_position == 0))


def subthread(post: ForumPost, viewer) -> list[Node]:
    """A message and everything below it, nested again from it ("Continue this thread")."""
    posts = _load(select(ForumPost).where(ForumPost.thread_id == post.thread_id,
                                          ForumPost.top_position == post.top_position,
                                          ForumPost.id >= post.id))
    below = _descendants(post, posts)
    return build_tree([item for item in posts if item.id in below], viewer, root_depth=post.depth)


def _descendants(post: ForumPost, posts: list[ForumPost]) -> set[int]:
    wanted = {post.id}
    for item in posts:  # id order: a parent comes before its answers
        if item.parent_id in wanted:
            wanted.add(item.id)
    return wanted


@dataclass
class FlatPage:
    posts: list[ForumPost]
    next_after: int | None  # where the next page starts
    answered: dict[int, ForumPost]  # an answer's id -> the reply it answers (not the opening)
    everything: list[ForumPost]  # the page's replies, whoever may see them


def flat_page(thread: ForumThread, viewer, after: int = 0) -> FlatPage:
    """Replies in the order they were written, FLAT_PER_PAGE at a time after reply `after`,
    with the replies they answer (those before this page read in one more statement)."""
    posts = _load(select(ForumPost).where(ForumPost.thread_id == thread.id,
                                          ForumPost.top_position > 0, ForumPost.id > after)
                  .limit(FLAT_PER_PAGE + 1))
    more = len(posts) > FLAT_PER_PAGE
    posts = posts[:FLAT_PER_PAGE]
    by_id = {post.id: post for post in posts}
    earlier = {post.parent_id for post in posts if post.depth > 1} - by_id.keys()
    if earlier:
        by_id.update((post.id, post) for post in _load(select(ForumPost).where(ForumPost.id.in_(earlier))))
    return FlatPage([post for post in posts if visible(post, viewer)],
                    posts[-1].id if more else None,
                    {post.id: by_id[post.parent_id] for post in posts if post.depth > 1},
                    posts)


def post_path(post: ForumPost) -> str:
    """A message's permalink, for links in pages and in the app's notifications."""
    return site_path("forum.post", thread_id=post.thread_id, post_id=post.id)


def page_of(post: ForumPost) -> int:
    return max(1, -(-post.top_position // TOP_LEVEL_PER_PAGE)) if post.top_position else 1


def is_collapsed(post: ForumPost) -> ForumPost | None:
    """The depth-3 ancestor whose "Continue this thread" page shows this message, when the
    thread page does not (it is past the answers drawn under that ancestor)."""
    if post.depth <= NESTED_DEPTH:
        return None
    anchor = post
    while anchor.depth > NESTED_DEPTH:
        anchor = db.session.get(ForumPost, anchor.parent_id)
        if anchor is None:
            return None
    below = _descendants(anchor, _load(select(ForumPost).where(
        ForumPost.thread_id == post.thread_id, ForumPost.top_position == post.top_position,
        ForumPost.id > anchor.id, ForumPost.status == PostStatus.PUBLISHED)))
    ordered = sorted(below - {anchor.id})
    return anchor if post.id in ordered[SHOWN_UNDER_DEEPEST:] else None


# What a viewer did here -------------------------------------------------------------------

def viewer_marks(viewer, posts: list[ForumPost]) -> tuple[set[int], set[int]]:
    """The messages this person appreciated and bookmarked, among these (one thread's). Read as
    the person's marks in that thread, through the (user, post) keys and prepared statements:
    a thread page shows 300 messages, and an IN list of 300 ids cost more to build than to run."""
    if not posts:
        return set(), set()
    return viewer_marks_in(viewer, posts[0].thread_id, {post.id for post in posts})


def viewer_marks_in(viewer, thread_id: int, ids) -> tuple[set[int], set[int]]:
    """viewer_marks for the messages of thread_id whose ids are given."""
    if not getattr(viewer, "is_authenticated", False) or not ids:
        return set(), set()
    connection = db.session.connection()
    values = {"user_id": viewer.id, "thread_id": thread_id}
    marks = []
    for model in (ForumAppreciation, ForumBookmark):
        rows = prepared(connection, ("forum, viewer marks", model.__tablename__), lambda model=model: (
            select(model.post_id).join(ForumPost, ForumPost.id == model.post_id)
            .where(model.user_id == bindparam("user_id", type_=Integer),
                   ForumPost.thread_id == bindparam("thread_id", type_=Integer)))
        ).rows(connection, values)
        marks.append({post_id for (post_id,) in rows if post_id in ids})
    return marks[0], marks[1]


def mark_read(viewer, thread: ForumThread) -> None:
    from app.forum.telling import follow_row  # one follow row per person and thread
    if getattr(viewer, "is_authenticated", False):
        row = follow_row(viewer, thread)
        if row.read_up_to < (thread.last_reply_id or 0):
            row.read_up_to = thread.last_reply_id or 0


def appreciated_by(post: ForumPost, limit: int = 20) -> list[User]:
    return db.session.scalars(select(User).join(ForumAppreciation, ForumAppreciation.user_id == User.id)
                              .where(ForumAppreciation.post_id == post.id)
                              .order_by(ForumAppreciation.created_at).limit(limit)).all()


def recent_by(user: User, viewer, limit: int = 10) -> list[ForumPost]:
    """A person's latest messages the viewer may read (for their profile)."""
    posts = db.session.scalars(
        select(ForumPost).where(ForumPost.author_id == user.id,
                                ForumPost.status == PostStatus.PUBLISHED,
                                ForumPost.deleted_at.is_(None), ForumPost.removed_at.is_(None))
        .options(selectinload(ForumPost.thread).selectinload(ForumThread.category))
        .order_by(ForumPost.created_at.desc()).limit(limit * 3)).all()
    return [post for post in posts if permissions.can_read_category(viewer, post.thread.category)][:limit]
