"""The proposal workflow: its states, the one transition table, and the guard that applies it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "State",
    "Action",
    "Actor",
    "Stage",
    "Needs",
    "Rule",
    "TRANSITIONS",
    "Transition",
    "TransitionError",
    "InputNeeded",
    "check",
    "allowed_actions",
    "author_can_edit",
    "next_step",
    "STATUS_LABELS",
    "ACTION_LABELS",
    "NEXT_STEP",
]


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    # Declared in the order buttons should appear: the main step first, the way out last.
    SUBMIT = "submit"
    RESUBMIT = "resubmit"
    CLAIM = "claim"
    APPROVE_PITCH = "approve_pitch"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    SCHEDULE = "schedule"
    PUBLISH = "publish"
    PUBLISH_DUE = "publish_due"
    UNSCHEDULE = "unschedule"
    REJECT = "reject"
    UNPUBLISH = "unpublish"
    WITHDRAW = "withdraw"


class Actor(StrEnum):
    """Who takes a step. Admins act as editors: the caller maps a user's role to an Actor.

    Whether this user may touch this proposal at all (is it theirs? are they an editor?)
    is for app.permissions; the workflow only knows roles in the step.
    """

    AUTHOR = "author"
    EDITOR = "editor"
    SYSTEM = "system"  # the publish-due job


class Stage(StrEnum):
    """A proposal starts as a short pitch; once the pitch is approved the author writes the post."""

    PITCH = "pitch"
    POST = "post"


class Needs(StrEnum):
    """What the actor must supply for a transition to happen."""

    NOTE = "note"
    REASON = "reason"
    TIME = "time"
    DUE = "due"


@dataclass(frozen=True, slots=True)
class Rule:
    actor: Actor
    target: State
    needs: Needs | None = None
    stage: Stage | None = None
    next_stage: Stage | None = None


TRANSITIONS: Final[Mapping[tuple[State, Action], Rule]] = MappingProxyType(
    {
        (State.DRAFT, Action.SUBMIT): Rule(Actor.AUTHOR, State.SUBMITTED),
        (State.SUBMITTED, Action.CLAIM): Rule(Actor.EDITOR, State.IN_REVIEW),
        (State.IN_REVIEW, Action.REQUEST_CHANGES): Rule(
            Actor.EDITOR, State.CHANGES_REQUESTED, needs=Needs.NOTE
        ),
        (State.CHANGES_REQUESTED, Action.RESUBMIT): Rule(Actor.AUTHOR, State.IN_REVIEW),
        (State.IN_REVIEW, Action.APPROVE): Rule(Actor.EDITOR, State.APPROVED, stage=Stage.POST),
        # Approving a pitch sends it back to the author, who now writes the full post.
        (State.IN_REVIEW, Action.APPROVE_PITCH): Rule(
            Actor.EDITOR, State.DRAFT, stage=Stage.PITCH, next_stage=Stage.POST
        ),
        (State.APPROVED, Action.SCHEDULE): Rule(Actor.EDITOR, State.SCHEDULED, needs=Needs.TIME),
        (State.SCHEDULED, Action.PUBLISH_DUE): Rule(Actor.SYSTEM, State.PUBLISHED, needs=Needs.DUE),
        (State.SCHEDULED, Action.UNSCHEDULE): Rule(Actor.EDITOR, State.APPROVED),
        (State.APPROVED, Action.PUBLISH): Rule(Actor.EDITOR, State.PUBLISHED),
        (State.IN_REVIEW, Action.REJECT): Rule(Actor.EDITOR, State.REJECTED, needs=Needs.REASON),
        (State.DRAFT, Action.WITHDRAW): Rule(Actor.AUTHOR, State.WITHDRAWN),
        (State.SUBMITTED, Action.WITHDRAW): Rule(Actor.AUTHOR, State.WITHDRAWN),
        (State.CHANGES_REQUESTED, Action.WITHDRAW): Rule(Actor.AUTHOR, State.WITHDRAWN),
        (State.PUBLISHED, Action.UNPUBLISH): Rule(Actor.EDITOR, State.APPROVED, needs=Needs.REASON),
    }
)


STATUS_LABELS: Final[Mapping[State, str]] = MappingProxyType(
    {
        State.DRAFT: "Draft",
        State.SUBMITTED: "Submitted",
        State.IN_REVIEW: "In review",
        State.CHANGES_REQUESTED: "Changes requested",
        State.APPROVED: "Approved",
        State.SCHEDULED: "Scheduled",
        State.PUBLISHED: "Published",
        State.REJECTED: "Rejected",
        State.WITHDRAWN: "Withdrawn",
    }
)

ACTION_LABELS: Final[Mapping[Action, str]] = MappingProxyType(
    {
        Action.SUBMIT: "Submit proposal",
        Action.RESUBMIT: "Resubmit",
        Action.CLAIM: "Claim for review",
        Action.APPROVE_PITCH: "Approve pitch",
        Action.APPROVE: "Approve",
        Action.REQUEST_CHANGES: "Request changes",
        Action.SCHEDULE: "Schedule",
        Action.PUBLISH: "Publish now",
        Action.PUBLISH_DUE: "Publish on schedule",
        Action.UNSCHEDULE: "Cancel schedule",
        Action.REJECT: "Reject",
        Action.UNPUBLISH: "Unpublish",
        Action.WITHDRAW: "Withdraw",
    }
)

# What the author should expect next, shown on their proposal page.
NEXT_STEP: Final[Mapping[State, str]] = MappingProxyType(
    {
        State.DRAFT: "Only you can see this draft. Submit it to the editors when you are ready.",
        State.SUBMITTED: (
            "Your proposal was sent to the editors. You will get an email when they decide."
        ),
        State.IN_REVIEW: (
            "An editor is reading your proposal. You will get an email when they decide."
        ),
        State.CHANGES_REQUESTED: (
            "The editors asked for some changes. Read their note, edit your proposal "
            "and resubmit it."
        ),
        State.APPROVED: "Your post was approved. The editors will choose a day to publish it.",
        State.SCHEDULED: "Your post is scheduled and will appear on the blog at the time shown.",
        State.PUBLISHED: "Your post is live on the blog. Thank you for writing it.",
        State.REJECTED: (
            "The editors decided not to take this proposal. Their reason is below; "
            "you are welcome to pitch another idea."
        ),
        State.WITHDRAWN: "You withdrew this proposal. You can start a new one at any time.",
    }
)

_PITCH_APPROVED_STEP = (
    "Your pitch was approved. Write the full post and submit it when it is ready."
)

# Subjects for "... cannot be ..." sentences.
_STATE_SUBJECT: Final[Mapping[State, str]] = {
    State.DRAFT: "A draft",
    State.SUBMITTED: "A submitted proposal",
    State.IN_REVIEW: "A proposal in review",
    State.CHANGES_REQUESTED: "A proposal waiting for changes",
    State.APPROVED: "An approved proposal",
    State.SCHEDULED: "A scheduled proposal",
    State.PUBLISHED: "A published proposal",
    State.REJECTED: "A rejected proposal",
    State.WITHDRAWN: "A withdrawn proposal",
}

# Completes "A draft cannot be ...".
_ACTION_PASSIVE: Final[Mapping[Action, str]] = {
    Action.SUBMIT: "submitted",
    Action.RESUBMIT: "resubmitted",
    Action.CLAIM: "claimed for review",
    Action.APPROVE_PITCH: "approved as a pitch",
    Action.APPROVE: "approved",
    Action.REQUEST_CHANGES: "sent back for changes",
    Action.SCHEDULE: "scheduled",
    Action.PUBLISH: "published",
    Action.PUBLISH_DUE: "published on schedule",
    Action.UNSCHEDULE: "taken off the schedule",
    Action.REJECT: "rejected",
    Action.UNPUBLISH: "unpublished",
    Action.WITHDRAW: "withdrawn",
}

# Completes "Only the author can ...".
_ACTION_ACTIVE: Final[Mapping[Action, str]] = {
    Action.SUBMIT: "submit a proposal",
    Action.RESUBMIT: "resubmit a proposal",
    Action.CLAIM: "claim a proposal for review",
    Action.APPROVE_PITCH: "approve a pitch",
    Action.APPROVE: "approve a proposal",
    Action.REQUEST_CHANGES: "request changes",
    Action.SCHEDULE: "schedule a proposal",
    Action.PUBLISH: "publish a proposal",
    Action.UNSCHEDULE: "cancel a schedule",
    Action.REJECT: "reject a proposal",
    Action.UNPUBLISH: "unpublish a post",
    Action.WITHDRAW: "withdraw a proposal",
}

_ACTOR_NOUN: Final[Mapping[Actor, str]] = {
    Actor.AUTHOR: "the author",
    Actor.EDITOR: "an editor",
}

# Keyed by action, for the actions whose rule needs a note, a reason or a time.
_MISSING: Final[Mapping[Action, str]] = {
    Action.REQUEST_CHANGES: "Write a note telling the author what to change.",
    Action.REJECT: "Give a reason for rejecting.",
    Action.UNPUBLISH: "Give a reason for unpublishing.",
    Action.SCHEDULE: "Choose a publishing time.",
}

_STAGE_REFUSAL: Final[Mapping[Stage, str]] = {
    # Keyed by the stage the rule requires, worded for a proposal that is in the other one.
    Stage.POST: "Approve the pitch first: the full post is not written yet.",
    Stage.PITCH: "The pitch is already approved: approve the full post instead.",
}


class TransitionError(Exception):
    """A workflow step that is not allowed; str(error) is a sentence to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputNeeded(TransitionError):
    """The step is allowed, but the form lacks what it needs; field names the form field to mark."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Transition:
    """An allowed step and what to record: the new state and stage, the note, the publishing time."""

    source: State
    action: Action
    actor: Actor
    target: State
    stage: Stage | None
    note: str | None
    publish_at: datetime | None


def _as_utc(moment: datetime) -> datetime:
    # Naive datetimes are UTC in this codebase (see app.models.base.utcnow).
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def check(
    state: State,
    action: Action,
    actor: Actor,
    *,
    stage: Stage | None = None,
    note: str | None = None,
    when: datetime | None = None,
    now: datetime | None = None,
) -> Transition:
    """Return the transition for actor doing action to a proposal in state, or raise TransitionError.

    note is the editor's note or reason (optional for other actions, and recorded when given);
    when is the chosen publishing time for schedule and the scheduled time for publish_due.
    stage is required for approve and approve_pitch. Plain strings are accepted for the enums.
    """
    # StrEnum lookups accept members and their string values alike, e.g. a column or a form field.
    state, action, actor = State(state), Action(action), Actor(actor)
    stage = Stage(stage) if stage is not None else None

    rule = TRANSITIONS.get((state, action))
    if rule is None:
        raise TransitionError(f"{_STATE_SUBJECT[state]} cannot be {_ACTION_PASSIVE[action]}.")
    if actor is not rule.actor:
        if rule.actor is Actor.SYSTEM:
            raise TransitionError(
                "A scheduled proposal is published automatically when its time comes."
            )
        raise TransitionError(f"Only {_ACTOR_NOUN[rule.actor]} can {_ACTION_ACTIVE[action]}.")
    if rule.stage is not None:
        if stage is None:
            raise ValueError(f"check() needs the proposal's stage to decide {action.value}")
        if stage is not rule.stage:
            raise TransitionError(_STAGE_REFUSAL[rule.stage])

    cleaned_note = note.strip() if note and note.strip() else None
    publish_at: datetime | None = None
    if rule.needs in (Needs.NOTE, Needs.REASON) and cleaned_note is None:
        raise InputNeeded("note", _MISSING[action])
    if rule.needs in (Needs.TIME, Needs.DUE):
        if when is None:
            if rule.needs is Needs.DUE:
                raise ValueError("check() needs the scheduled time (when) to decide publish_due")
            raise InputNeeded("when", _MISSING[action])
        current = _as_utc(now if now is not None else datetime.now(timezone.utc))
        if rule.needs is Needs.TIME:
            if _as_utc(when) <= current:
                raise InputNeeded("when", "Choose a publishing time in the future.")
            publish_at = when
        elif _as_utc(when) > current:
            raise TransitionError("This proposal is not due to be published yet.")

    return Transition(
        source=state,
        action=action,
        actor=actor,
        target=rule.target,
        stage=rule.next_stage or stage,
        note=cleaned_note,
        publish_at=publish_at,
    )


def allowed_actions(state: State, actor: Actor, stage: Stage) -> list[Action]:
    """The actions actor may take on a proposal in state and stage, in button order.

    Notes, reasons and times are not checked here: they are asked for by the form.
    """
    state, actor, stage = State(state), Actor(actor), Stage(stage)
    return [
        action
        for action in Action
        if (rule := TRANSITIONS.get((state, action))) is not None
        and rule.actor is actor
        and rule.stage in (None, stage)
    ]


def author_can_edit(state: State) -> bool:
    """Authors edit only drafts and proposals sent back for changes, never while editors read them."""
    return State(state) in (State.DRAFT, State.CHANGES_REQUESTED)


def sending_action(state: State) -> Action | None:
    """How the author sends a proposal in this state to the editors (submit or resubmit), if at all."""
    return next((action for action in (Action.SUBMIT, Action.RESUBMIT)
                 if (State(state), action) in TRANSITIONS), None)


def next_step(state: State, stage: Stage) -> str:
    """NEXT_STEP for state, told apart for a draft whose pitch was already approved."""
    state, stage = State(state), Stage(stage)
    if state is State.DRAFT and stage is Stage.POST:
        return _PITCH_APPROVED_STEP
    return NEXT_STEP[state]
