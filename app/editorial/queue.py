"""The editors' queue: what waits for them, filtered, counted, oldest waiting first."""
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.editorial.workflow import State
from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.editorial import Proposal, Tag
from app.params import whole_number

OVERDUE_AFTER = timedelta(minutes=15)
WAITING_STATES = (State.SUBMITTED, State.IN_REVIEW, State.CHANGES_REQUESTED, State.APPROVED,
                  State.SCHEDULED)
AGE_CHOICES = {"1": 1, "3": 3, "7": 7, "14": 14, "30": 30}


def queue_query(*, state: str | None = None, tag: str | None = None,
                assignee: str | None = None, older_than: str | None = None,
                me: User | None = None, now: datetime | None = None):
    """The editors' view: waiting proposals (or one state), oldest waiting first."""
    # Each row shows author, editor and tags: load them with the page.
    query = (select(Proposal).where(Proposal.first_submitted_at.is_not(None))
             .options(joinedload(Proposal.author), joinedload(Proposal.editor),
                      selectinload(Proposal.tags)))
    if state in {s.value for s in State}:
        query = query.where(Proposal.state == State(state))
    else:
        query = query.where(Proposal.state.in_(WAITING_STATES))
    if tag:
        query = query.where(Proposal.tags.any(Tag.slug == tag))
    if assignee == "me" and me is not None:
        query = query.where(Proposal.editor_id == me.id)
    elif assignee == "none":
        query = query.where(Proposal.editor_id.is_(None))
    elif (editor_id := whole_number(assignee)) is not None:
        query = query.where(Proposal.editor_id == editor_id)
    if older_than in AGE_CHOICES:
        cutoff = (now or utcnow()) - timedelta(days=AGE_CHOICES[older_than])
        query = query.where(Proposal.waiting_since <= cutoff)
    return query.order_by(Proposal.waiting_since, Proposal.id)


def state_counts() -> dict[State, int]:
    rows = db.session.execute(
        select(Proposal.state, func.count()).where(Proposal.first_submitted_at.is_not(None))
        .group_by(Proposal.state)).all()
    counts = {state: 0 for state in State}
    counts.update({State(state): number for state, number in rows})
    return counts


def waiting_for_editors() -> int:
    """Proposals nobody has claimed yet: the number beside "Editor queue"."""
    return db.session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.state == State.SUBMITTED)) or 0


def queue_editors() -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role.in_((Role.EDITOR, Role.ADMIN))).order_by(User.display_name)))


def used_tags() -> list[Tag]:
    return list(db.session.scalars(select(Tag).where(Tag.id.in_(
        select(Tag.id).join(Proposal.tags.property.secondary))).order_by(Tag.slug)))


def overdue_scheduled(now: datetime | None = None) -> list[Proposal]:
    """Scheduled posts whose time passed a while ago: the publish-due job may not be running."""
    cutoff = (now or utcnow()) - OVERDUE_AFTER
    return list(db.session.scalars(
        select(Proposal).where(Proposal.state == State.SCHEDULED, Proposal.publish_at < cutoff)
        .order_by(Proposal.publish_at)
    ))
