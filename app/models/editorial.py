"""The Leaders Blog: proposals, their revisions, events, comments, tags and checklists."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, Column, ColumnElement, DateTime, ForeignKey, Index, Integer, String, Table, Text,
    UniqueConstraint, event, literal_column, text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.editorial.workflow import Stage, State
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow, value_enum


proposal_tags = Table(
    "proposal_tags",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # From a tag to its posts: the blog's tag pages and its list of tags in use.
    Index("ix_proposal_tags_tag", "tag_id", "proposal_id"),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    slug: Mapped[str] = mapped_column(String(40), unique=True)

    def __repr__(self) -> str:
        return f"<Tag {self.slug}>"


class Proposal(db.Model):
    """A pitch that may become a post on the Leaders Blog."""

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_state_waiting_since", "state", "waiting_since"),
                      Index("uq_proposals_form_token", "form_token", unique=True),
                      # The blog's lists newest first and their count, read from the published
                      # posts alone (PostgreSQL counted them by reading every proposal).
                      Index("ix_proposals_live", "published_at", "id",
                            sqlite_where=text("state = 'published'"), postgresql_where=text("state = 'published'")))

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[State] = mapped_column(value_enum(State, length=20), default=State.DRAFT)
    stage: Mapped[Stage] = mapped_column(value_enum(Stage, length=20), default=Stage.PITCH)

    title: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str] = mapped_column(Text, default="")
    why_it_matters: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    excerpt: Mapped[str] = mapped_column(String(400), default="")
    cover_image: Mapped[str | None] = mapped_column(String(80), index=True)  # looked up when served
    cover_alt: Mapped[str] = mapped_column(String(300), default="")
    slug: Mapped[str | None] = mapped_column(String(100), unique=True)

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # When it entered its current state: the editor queue sorts by it, oldest first.
    waiting_since: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    first_submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    publish_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    # Optimistic concurrency: every UPDATE checks and bumps it; stale writers get a 409.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The one-time token of the form that created it: sending that form again (Back, then
    # Submit) finds this proposal instead of making a second one.
    form_token: Mapped[str | None] = mapped_column(String(64))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    editor: Mapped[User | None] = relationship(foreign_keys=[editor_id])
    tags: Mapped[list[Tag]] = relationship(secondary=proposal_tags, order_by=Tag.slug)
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="proposal", order_by="Revision.number", cascade="all, delete-orphan",
        passive_deletes=True)
    events: Mapped[list[Event]] = relationship(
        back_populates="proposal", order_by="Event.id", cascade="all, delete-orphan",
        passive_deletes=True)
    comments: Mapped[list[Comment]] = relationship(
        back_populates="proposal", order_by="Comment.id", cascade="all, delete-orphan",
        passive_deletes=True)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.state} {self.title!r}>"

    @property
    def tag_text(self) -> str:
        return ", ".join(tag.name for tag in self.tags)

    @hybrid_property
    def is_live(self) -> bool:
        """Published: anyone may read it. The one rule, in Python and in SQL (Proposal.is_live
        in a query, as the blog's pages, feeds and sitemap use it)."""
        return self.state is State.PUBLISHED

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls) -> ColumnElement[bool]:
        # The value written into the SQL, not bound: that is what lets SQLite use ix_proposals_live,
        # an index of the published posts alone.
        return cls.state == literal_column(f"'{State.PUBLISHED.value}'")


class Revision(db.Model):
    """An immutable snapshot, taken at each submit and resubmit and at each editor's copy edit."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # submit, resubmit, copy_edit
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    title: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str] = mapped_column(Text, default="")
    why_it_matters: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    excerpt: Mapped[str] = mapped_column(String(400), default="")
    tags: Mapped[str] = mapped_column(String(300), default="")
    cover_alt: Mapped[str] = mapped_column(String(300), default="")

    proposal: Mapped[Proposal] = relationship(back_populates="revisions")
    made_by: Mapped[User | None] = relationship()

    KIND_LABELS = {"submit": "Submitted", "resubmit": "Resubmitted", "copy_edit": "Copy edit"}

    @property
    def label(self) -> str:
        return f"Revision {self.number}: {self.KIND_LABELS.get(self.kind, self.kind)}"


@event.listens_for(Revision, "before_update")
def _revisions_are_immutable(mapper, connection, target):
    raise ValueError("Revisions are immutable snapshots; make a new one instead.")


class Event(db.Model):
    """One step in a proposal's life: who moved it from which state to which, and why."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[State | None] = mapped_column(value_enum(State, length=20))
    to_state: Mapped[State] = mapped_column(value_enum(State, length=20))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Comment(db.Model):
    """Markdown discussion between the author and the editors; deleting leaves a marker."""

    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    writer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    proposal: Mapped[Proposal] = relationship(back_populates="comments")
    writer: Mapped[User | None] = relationship()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Checklist(db.Model):
    """The checklist an editor completed when approving a post."""

    __tablename__ = "proposal_checklists"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    items: Mapped[list] = mapped_column(JSON, default=list)
    completed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

