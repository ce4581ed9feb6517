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
    "ACTION_SPECS",
    "ActionSpec",
    "NoteField",
    "spec_problems",
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


# Each action described once ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NoteField:
    """The note or reason box on an action's page: its label and the hint under it."""

    label: str
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """Everything the site says and asks about one action, beside the table that allows it.

    What the step needs (a note, a reason, a time) is the transition table's; the spec says how
    the form asks for it (note, missing), and what the guard cannot know: the checklist.
    """

    button: str  # the button, and the heading of the action's page
    passive: str  # completes "A draft cannot be ..."
    active: str | None  # completes "Only the author can ..."; None for the system's own step
    done: str  # the message once it is done
    label: str | None = None  # on the timeline, when not the button's words
    note: NoteField | None = None  # the action's page asks for a note or reason
    missing: str | None = None  # what to say when the note, reason or time it needs is missing
    checklist: bool = False  # the approval checklist must be ticked in full
    button_only: bool = False  # a button on the proposal page; no page of its own
    destructive: bool = False
    warning: str | None = None  # after "Are you sure?" on a destructive action's page
    # The author's decision mail: completes "Eda Editor ..." (None: no decision mail).
    decision: str | None = None
    notes_author: bool = False  # its note is the latest word to the author until the next step
    mail: str | None = None  # the kind of notification the step sends, if any

    @property
    def timeline_label(self) -> str:
        return self.label or self.button


_NOTE_TO_AUTHOR = "Note to the author (optional)"

ACTION_SPECS: Final[Mapping[Action, ActionSpec]] = MappingProxyType({
    Action.SUBMIT: ActionSpec(
        "Submit proposal", "submitted", "submit a proposal",
        "Your proposal was sent to the editors. You will get an email when they decide.",
        label="Submitted", button_only=True, mail="proposal_submitted"),
    Action.RESUBMIT: ActionSpec(
        "Resubmit", "resubmitted", "resubmit a proposal",
        "Your changes were sent to the editors. You will get an email when they decide.",
        button_only=True, mail="proposal_submitted"),
    Action.CLAIM: ActionSpec(
        "Claim for review", "claimed for review", "claim a proposal for review",
        "You are reviewing this proposal now.", label="Claimed for review", button_only=True),
    Action.APPROVE_PITCH: ActionSpec(
        "Approve pitch", "approved as a pitch", "approve a pitch",
        "Pitch approved. The author can now write the full post.",
        note=NoteField(_NOTE_TO_AUTHOR, "Tell them what you would like to see in the full post."),
        decision="approved your pitch", notes_author=True, mail="proposal_decision"),
    Action.APPROVE: ActionSpec(
        "Approve", "approved", "approve a proposal", "Approved. Schedule it or publish it now.",
        note=NoteField(_NOTE_TO_AUTHOR, "Sent with the good news."), checklist=True,
        decision="approved your post", notes_author=True, mail="proposal_decision"),
    Action.REQUEST_CHANGES: ActionSpec(
        "Request changes", "sent back for changes", "request changes",
        "Sent back to the author with your note.",
        note=NoteField("What should the author change?",
                       "The author gets this note by email. Be specific and kind."),
        missing="Write a note telling the author what to change.",
        decision="asked for changes to your proposal", notes_author=True,
        mail="proposal_decision"),
    Action.SCHEDULE: ActionSpec(
        "Schedule", "scheduled", "schedule a proposal",
        "Scheduled. It will go live at the time you chose.", note=NoteField(_NOTE_TO_AUTHOR),
        missing="Choose a publishing time.", decision="scheduled your post",
        mail="proposal_decision"),
    Action.PUBLISH: ActionSpec(
        "Publish now", "published", "publish a proposal",
        "Published. The post is on the blog now.", label="Published", button_only=True,
        mail="post_published"),
    Action.PUBLISH_DUE: ActionSpec(
        "Publish on schedule", "published on schedule", None, "Published.",
        label="Published on schedule", mail="post_published"),
    Action.UNSCHEDULE: ActionSpec(
        "Cancel schedule", "taken off the schedule", "cancel a schedule",
        "Taken off the schedule. It is approved and waiting.", button_only=True,
        decision="took your post off the schedule", mail="proposal_decision"),
    Action.REJECT: ActionSpec(
        "Reject", "rejected", "reject a proposal", "Rejected. The author was told your reason.",
        note=NoteField("Reason for rejecting",
                       "The author gets this reason by email. Say what might work instead."),
        missing="Give a reason for rejecting.", destructive=True,
        warning="The author will be told your reason and the proposal closes.",
        decision="decided not to take your proposal", notes_author=True,
        mail="proposal_decision"),
    Action.UNPUBLISH: ActionSpec(
        "Unpublish", "unpublished", "unpublish a post", "Unpublished. The post is off the blog.",
        note=NoteField("Reason for unpublishing", "The author gets this reason by email."),
        missing="Give a reason for unpublishing.", destructive=True,
        warning="The post leaves the blog and its link stops working until it is published "
                "again.",
        decision="took your post off the blog", notes_author=True, mail="proposal_decision"),
    Action.WITHDRAW: ActionSpec(
        "Withdraw", "withdrawn", "withdraw a proposal", "You withdrew your proposal.",
        note=NoteField("Why are you withdrawing it? (optional)",
                       "The editors see this on the timeline."),
        destructive=True,
        warning="A withdrawn proposal cannot be sent again; you can start a new one."),
})

# The buttons' words, by action (as before the specs; the tests and templates read it).
ACTION_LABELS: Final[Mapping[Action, str]] = MappingProxyType(
    {action: spec.button for action, spec in ACTION_SPECS.items()})


def needs_of(action: Action) -> set[Needs | None]:
    """What the transition table's rules for this action need (one value for every action)."""
    return {rule.needs for (_, ruled), rule in TRANSITIONS.items() if ruled is Action(action)}


def spec_problems(specs: Mapping[Action, ActionSpec] = ACTION_SPECS) -> list[str]:
    """What is missing from the specs: an action without one, or a need its form cannot ask."""
    problems = [f"{action.value} has no ActionSpec" for action in Action if action not in specs]
    for action, spec in specs.items():
        needs = needs_of(action)
        if len(needs) != 1:
            problems.append(f"{action.value}: its rules need different things: {needs}")
        if needs & {Needs.NOTE, Needs.REASON} and (spec.note is None or not spec.missing):
            problems.append(f"{action.value} needs a note: its spec needs a note field and "
                            "a missing message")
        if Needs.TIME in needs and (not spec.missing or spec.button_only):
            problems.append(f"{action.value} needs a time: its spec needs a page and a "
                            "missing message")
        if spec.active is None and any(rule.actor is not Actor.SYSTEM for (_, ruled), rule
                                       in TRANSITIONS.items() if ruled is action):
            problems.append(f"{action.value}: a person takes it, so it needs active words")
        if spec.destructive and not spec.warning:
            problems.append(f"{action.value} is destructive: say what it does on its page")
        if spec.button_only and (spec.note is not None or spec.checklist):
            problems.append(f"{action.value} asks for input, so it needs a page of its own")
    return problems


def note_required(action: Action) -> bool:
    return bool(needs_of(action) & {Needs.NOTE, Needs.REASON})


def needs_time(action: Action) -> bool:
    return Needs.TIME in needs_of(action)


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

_ACTOR_NOUN: Final[Mapping[Actor, str]] = {
    Actor.AUTHOR: "the author",
    Actor.EDITOR: "an editor",
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
        raise TransitionError(f"{_STATE_SUBJECT[state]} cannot be {ACTION_SPECS[action].passive}.")
    if actor is not rule.actor:
        if rule.actor is Actor.SYSTEM:
            raise TransitionError(
                "A scheduled proposal is published automatically when its time comes."
            )
        raise TransitionError(f"Only {_ACTOR_NOUN[rule.actor]} can {ACTION_SPECS[action].active}.")
    if rule.stage is not None:
        if stage is None:
            raise ValueError(f"check() needs the proposal's stage to decide {action.value}")
        if stage is not rule.stage:
            raise TransitionError(_STAGE_REFUSAL[rule.stage])

    cleaned_note = note.strip() if note and note.strip() else None
    publish_at: datetime | None = None
    if rule.needs in (Needs.NOTE, Needs.REASON) and cleaned_note is None:
        raise InputNeeded("note", ACTION_SPECS[action].missing)
    if rule.needs in (Needs.TIME, Needs.DUE):
        if when is None:
            if rule.needs is Needs.DUE:
                raise ValueError("check() needs the scheduled time (when) to decide publish_due")
            raise InputNeeded("when", ACTION_SPECS[action].missing)
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
