"""The forum: categories and their stewards, threads, messages (the opening one and the replies,
each answering one message), their earlier versions, appreciations, bookmarks, follows, drafts,
the community guidelines, flags and the moderation log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.text.fulltext import FullTextIndex


class ForumCategory(db.Model):
    """An area of the forum, admin-managed; members_only hides it from people not logged in, and a
    private one (not admin-managed) from everyone but its own readers."""

    __tablename__ = "forum_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    members_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # A hidden category whose threads only their own people read (app/partnerships: one thread per
    # learning partnership): never listed, searched, fed, mapped or moderated; admins too find nothing.
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    thread_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    # Loaded when shown (lists of categories ask with selectinload); whether one person is a
    # steward is asked of forum_stewards alone (permissions.is_steward).
    stewards: Mapped[list[User]] = relationship(secondary="forum_stewards", order_by="User.display_name")

    def __repr__(self) -> str:
        return f"<ForumCategory {self.slug}>"


class ForumSteward(db.Model):
    """A person who answers questions about a category and moderates it (chosen by admins)."""

    __tablename__ = "forum_stewards"

    category_id: Mapped[int] = mapped_column(
        ForeignKey("forum_categories.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class ForumThread(db.Model):
    """A discussion: its opening message is the first ForumPost (top_position 0)."""

    __tablename__ = "forum_threads"
    __table_args__ = (
        # A category's threads by last activity, newest first, page after page (keyset).
        Index("ix_forum_threads_category_activity", "category_id", "pinned", "last_activity_at", "id"),
        # A category's newest threads (its Atom feed).
        Index("ix_forum_threads_category_id_id", "category_id", "id"),
        # The whole forum's latest activity (the home page's "Active in the forum").
        Index("ix_forum_threads_last_activity", "last_activity_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    slug: Mapped[str] = mapped_column(String(100), default="")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    # How many top-level answers it has: the next one's top_position.
    top_count: Mapped[int] = mapped_column(Integer, default=0)
    last_reply_id: Mapped[int | None] = mapped_column(Integer)
    last_reply_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Optimistic concurrency for the opening message's edits and stewards' changes.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Counts every change to the thread or any of its messages, kept by database triggers
    # (THREAD_CHANGE_TRIGGERS): a page drawn for visitors is reused while it stands still.
    changes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    category: Mapped[ForumCategory] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    last_reply_by: Mapped[User | None] = relationship(foreign_keys=[last_reply_by_id])

    def __repr__(self) -> str:
        return f"<ForumThread {self.id} {self.title!r}>"


class PostStatus:
    PUBLISHED = "published"
    HELD = "held"  # a new member's early message with a link, waiting for a steward
    REJECTED = "rejected"  # a held message a steward turned down


class ForumPost(db.Model):
    """One message: the thread's opening (parent None) or a reply answering `parent`.

    depth is 0 for the opening, 1 for an answer to it, and so on; top_position is the position
    of its top-level answer (1, 2, ...; 0 for the opening), so a page of 50 top-level answers
    with their sub-threads is one range of an index.
    """

    __tablename__ = "forum_posts"
    __table_args__ = (
        Index("ix_forum_posts_thread_top", "thread_id", "top_position", "id"),
        Index("ix_forum_posts_author_created", "author_id", "created_at"),
        Index("ix_forum_posts_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"),
                                                  index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    top_position: Mapped[int] = mapped_column(Integer, default=0)
    # The thread's title on its opening message, empty on replies (for the keyword search).
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The body as plain words: what the search indexes and its snippets quote.
    plain: Mapped[str] = mapped_column(Text, default="")
    # The body as safe HTML, rendered once when written (a thread page shows 300 of them).
    html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=PostStatus.PUBLISHED)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A steward's removal: who, which guideline item it broke, and the author's one appeal.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_item: Mapped[int | None] = mapped_column(Integer)
    # The item as it read then ("3. Disagree constructively"): a later version may renumber.
    removed_reason: Mapped[str] = mapped_column(String(200), default="")
    appeal: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None] = mapped_column(DateTime)
    appreciation_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The one-time token of the form that sent it: sending that form twice makes one message.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    thread: Mapped[ForumThread] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def is_opening(self) -> bool:
        return self.top_position == 0

    @property
    def is_gone(self) -> bool:
        """Deleted by its author or removed by a steward: its text is not shown."""
        return self.deleted_at is not None or self.removed_at is not None

    def __repr__(self) -> str:
        return f"<ForumPost {self.id} of thread {self.thread_id}>"


# Titles and messages, searched through app.text.fulltext (FTS5 / tsvector + GIN).
POST_SEARCH = FullTextIndex("forum_posts", ("title", "plain"), prefixes=False)


@event.listens_for(db.metadata, "after_create")
def _create_post_search(_metadata, connection, tables=(), **_kwargs) -> None:
    """create_all makes the forum search's index and triggers, as the migration does."""
    if "forum_posts" not in {table.name for table in tables}:
        return
    dialect = connection.dialect.name
    for statement in POST_SEARCH.create_ddl(dialect) + THREAD_CHANGE_TRIGGERS.get(dialect, []):
        connection.exec_driver_sql(statement)


_BUMP = "UPDATE forum_threads SET changes = changes + 1 WHERE id = {}"
THREAD_CHANGE_TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER forum_posts_changed_on_insert AFTER INSERT ON forum_posts BEGIN {_BUMP.format('NEW.thread_id')}; END",
        f"CREATE TRIGGER forum_posts_changed_on_update AFTER UPDATE ON forum_posts BEGIN {_BUMP.format('NEW.thread_id')}; END",
        f"CREATE TRIGGER forum_posts_changed_on_delete AFTER DELETE ON forum_posts BEGIN {_BUMP.format('OLD.thread_id')}; END",
        "CREATE TRIGGER forum_threads_changed AFTER UPDATE OF title, slug, pinned, locked, category_id "
        f"ON forum_threads BEGIN {_BUMP.format('NEW.id')}; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION forum_posts_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{_BUMP.format('CASE WHEN TG_OP = $q$DELETE$q$ THEN OLD.thread_id ELSE NEW.thread_id END')}; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER forum_posts_changed AFTER INSERT OR UPDATE OR DELETE ON forum_posts "
        "FOR EACH ROW EXECUTE FUNCTION forum_posts_changed()",
        "CREATE OR REPLACE FUNCTION forum_threads_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "NEW.changes := OLD.changes + 1; RETURN NEW; END $$",
        "CREATE TRIGGER forum_threads_changed BEFORE UPDATE OF title, slug, pinned, locked, category_id "
        "ON forum_threads FOR EACH ROW EXECUTE FUNCTION forum_threads_changed()",
    ],
}


class ForumPostVersion(db.Model):
    """What a message said before an edit: shown to its author and to stewards."""

    __tablename__ = "forum_post_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    written_at: Mapped[datetime] = mapped_column(DateTime)
    replaced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ForumAppreciation(db.Model):
    __tablename__ = "forum_appreciations"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ForumBookmark(db.Model):
    """A message kept for later; a thread's bookmark is its opening message's."""

    __tablename__ = "forum_bookmarks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ForumFollow(db.Model):
    """One person and one thread: 'Email me when people reply' (following: True on, False
    turned off, which a later reply of theirs does not turn on again, None never chosen) and
    the last reply they saw there (the unread marker).

    held_since: the first reply not yet mailed (mail waits while the last one is under ten
    minutes old); mailed_up_to: the last reply a mail held."""

    __tablename__ = "forum_follows"
    __table_args__ = (Index("ix_forum_follows_thread", "thread_id", "following"),
                      Index("ix_forum_follows_held", "held_since"))

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"),
                                           primary_key=True)
    following: Mapped[bool | None] = mapped_column(Boolean)
    last_mailed_at: Mapped[datetime | None] = mapped_column(DateTime)
    mailed_up_to: Mapped[int] = mapped_column(Integer, default=0)
    held_since: Mapped[datetime | None] = mapped_column(DateTime)
    # The last reply this person has seen on the thread page (the unread marker).
    read_up_to: Mapped[int] = mapped_column(Integer, default=0)


class ForumCategoryFollow(db.Model):
    """A category whose new threads and best replies go into the person's digest."""

    __tablename__ = "forum_category_follows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id", ondelete="CASCADE"),
                                             primary_key=True)


class ForumMember(db.Model):
    """A person's place in the forum: the handle @mentions use, the guidelines they accepted,
    a pause on posting, and their digest (how often, at which hour of which time zone)."""

    __tablename__ = "forum_members"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    handle: Mapped[str] = mapped_column(String(80), unique=True)
    accepted_guidelines: Mapped[int] = mapped_column(Integer, default=0)
    paused_until: Mapped[datetime | None] = mapped_column(DateTime)
    follow_on_reply: Mapped[bool] = mapped_column(Boolean, default=True)
    digest: Mapped[str] = mapped_column(String(8), default="off")  # off, daily, weekly
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0)  # Monday
    time_zone: Mapped[str] = mapped_column(String(60), default="UTC")
    # The last period a digest went out for ("2026-12-01" or "2026-W49"): never twice for one.
    digest_sent_for: Mapped[str] = mapped_column(String(12), default="")
    approved_count: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship()


class ForumDraft(db.Model):
    """What someone is typing, saved on the server: place says where ('thread:7:0' answers
    thread 7's opening message, 'thread:7:42' reply 42, 'new:3' a new thread in category 3,
    'edit:42' an edit)."""

    __tablename__ = "forum_drafts"
    __table_args__ = (UniqueConstraint("user_id", "place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    place: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Guidelines(db.Model):
    """One version of the community guidelines: numbered items, the newest one in force."""

    __tablename__ = "forum_guidelines"

    id: Mapped[int] = mapped_column(primary_key=True)  # the version number
    intro: Mapped[str] = mapped_column(Text, default="")
    # [{"title": ..., "text": ...}, ...]: item n is items[n - 1].
    items: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ForumFlag(db.Model):
    """A member's report that a message breaks a guideline item; open until a steward acts."""

    __tablename__ = "forum_flags"
    __table_args__ = (UniqueConstraint("post_id", "flagger_id"),
                      Index("ix_forum_flags_open", "resolved_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    flagger_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                   index=True)
    item: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str] = mapped_column(String(20), default="")

    post: Mapped[ForumPost] = relationship()
    flagger: Mapped[User | None] = relationship()


class ModerationAction(db.Model):
    """Every moderation step, listed on the moderation page."""

    __tablename__ = "forum_moderation_actions"
    __table_args__ = (Index("ix_forum_moderation_actions_category", "category_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_categories.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_threads.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    item: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])
    thread: Mapped[ForumThread | None] = relationship()
