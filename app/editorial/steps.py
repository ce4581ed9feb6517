"""The workflow's steps: take_action checks one with the guard, makes it and tells people."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.editorial import notifications as tell
from app.editorial import services
from app.editorial.workflow import (
    ACTION_SPECS, Action, Actor, InputNeeded, Stage, State, Transition, TransitionError, check,
)
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.editorial import Checklist, Event, Proposal
from app.text.markdown import excerpt as make_excerpt
from app.text.markdown import slugify


def unique_slug(proposal: Proposal) -> str:
    base = slugify(proposal.title, 80)
    slug, number = base, 2
    while db.session.scalar(select(Proposal.id).where(Proposal.slug == slug,
                                                      Proposal.id != proposal.id)):
        slug, number = f"{base}-{number}", number + 1
    return slug


@dataclass(frozen=True)
class Step:
    """A step the guard allowed, as its step function sees it."""

    proposal: Proposal
    user: User | None
    transition: Transition
    now: datetime
    checklist: list[str]


def take_action(proposal: Proposal, action: Action | str, user: User | None, *,
                version: int | None = None, note: str | None = None,
                when: datetime | None = None, checklist: list[str] | tuple = (),
                now: datetime | None = None) -> Event:
    """Check the step with the workflow guard, make it, record it and tell who needs telling."""
    action = Action(action)
    spec = ACTION_SPECS[action]
    now = now or utcnow()
    services.check_version(proposal, version)
    actor = services.actor_for(user, proposal, action)
    if action in (Action.SUBMIT, Action.RESUBMIT) and actor is Actor.AUTHOR:
        _ready_to_send(proposal, action, actor, now)
    when_arg = proposal.publish_at if action is Action.PUBLISH_DUE else when
    transition = check(proposal.state, action, actor, stage=proposal.stage, note=note,
                       when=when_arg, now=now)
    if spec.checklist and set(services.checklist_items()) - set(checklist or ()):
        raise InputNeeded("checklist", "Complete the checklist before approving: tick every item.")

    source = proposal.state
    proposal.state = transition.target
    proposal.stage = transition.stage or proposal.stage
    proposal.waiting_since = now
    record = services.record_event(proposal, user, action, source, transition.target, transition.note)
    STEPS[action](Step(proposal, user, transition, now, list(checklist or ())))
    db.session.flush()
    if spec.mail:
        tell.TELLS[spec.mail](proposal, action, user, transition.note)
    return record


def _ready_to_send(proposal: Proposal, action: Action, actor: Actor, now: datetime) -> None:
    """Before the author sends it: allowed at all, reviewed as a post if written, complete."""
    check(proposal.state, action, actor, stage=proposal.stage, now=now)
    if proposal.body.strip() and proposal.stage is Stage.PITCH:
        # A pitch sent with the whole post already written is reviewed as a post.
        proposal.stage = Stage.POST
    missing = services.missing_for_submit(proposal)
    if missing:
        raise TransitionError("Before sending it, add " + _join(missing) + ".")


# One function per step: what it changes besides the state, the stage and the timeline.

def _sent(step: Step) -> None:
    proposal = step.proposal
    proposal.first_submitted_at = proposal.first_submitted_at or step.now
    if not proposal.excerpt and proposal.body:
        proposal.excerpt = make_excerpt(proposal.body, 40)
    services.snapshot(proposal, step.user, step.transition.action.value)


def _claimed(step: Step) -> None:
    step.proposal.editor = step.user


def _approved(step: Step) -> None:
    db.session.add(Checklist(proposal_id=step.proposal.id, editor_id=step.user.id,
                             items=step.checklist, completed_at=step.now))


def _scheduled(step: Step) -> None:
    step.proposal.publish_at = _naive_utc(step.transition.publish_at)


def _unscheduled(step: Step) -> None:
    step.proposal.publish_at = None


def _published_now(step: Step) -> None:
    _publish(step.proposal, step.now)


def _published_on_schedule(step: Step) -> None:
    _publish(step.proposal, step.proposal.publish_at or step.now)


def _publish(proposal: Proposal, at: datetime) -> None:
    proposal.slug = proposal.slug or unique_slug(proposal)
    proposal.published_at = at
    proposal.publish_at = None


def _unpublished(step: Step) -> None:
    step.proposal.published_at = None


def _decided(step: Step) -> None:
    """Nothing to change but the state: the note is on the timeline."""


STEPS: dict[Action, Callable[[Step], None]] = {
    Action.SUBMIT: _sent,
    Action.RESUBMIT: _sent,
    Action.CLAIM: _claimed,
    Action.APPROVE_PITCH: _decided,
    Action.APPROVE: _approved,
    Action.REQUEST_CHANGES: _decided,
    Action.SCHEDULE: _scheduled,
    Action.PUBLISH: _published_now,
    Action.PUBLISH_DUE: _published_on_schedule,
    Action.UNSCHEDULE: _unscheduled,
    Action.REJECT: _decided,
    Action.UNPUBLISH: _unpublished,
    Action.WITHDRAW: _decided,
}

def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def publish_due(now: datetime | None = None) -> list[Proposal]:
    """Publish every scheduled post whose time has come (run by cron), each in its own committed
    transaction, so the job is safe on every app host at once: a post another run holds
    (PostgreSQL: FOR UPDATE SKIP LOCKED) or has just published (its state or version moved)
    is left to that run, and a post that fails does not hold back the others."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Proposal.id).where(Proposal.state == State.SCHEDULED, Proposal.publish_at <= now)
        .order_by(Proposal.publish_at, Proposal.id)).all()
    db.session.rollback()  # end the read: each post is its own transaction
    published = []
    for proposal_id in due:
        proposal = db.session.scalar(
            select(Proposal).where(Proposal.id == proposal_id, Proposal.state == State.SCHEDULED)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True))
        if proposal is None:  # another run has it, or had it
            db.session.rollback()
            continue
        try:
            take_action(proposal, Action.PUBLISH_DUE, None, now=now)
            db.session.commit()
        except (StaleDataError, OperationalError) as error:
            db.session.rollback()
            if isinstance(error, OperationalError) and "locked" not in str(error):
                raise  # not the other run (SQLite: it wrote first), but a real failure
            continue
        published.append(proposal)
    return published