"""The proposal workflow: every state, action and actor against a table written out here."""
from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta, timezone

import pytest

from app.editorial.workflow import (
    ACTION_LABELS,
    NEXT_STEP,
    STATUS_LABELS,
    Action,
    Actor,
    Stage,
    State,
    Transition,
    TransitionError,
    allowed_actions,
    author_can_edit,
    check,
    next_step,
)

# Plain strings, independent of the module, so a change to its table must be made here too.
STATES = [
    "draft", "submitted", "in_review", "changes_requested", "approved",
    "scheduled", "published", "rejected", "withdrawn",
]
ACTIONS = [
    "submit", "claim", "request_changes", "resubmit", "approve", "approve_pitch", "schedule",
    "publish_due", "unschedule", "publish", "reject", "withdraw", "unpublish",
]
ACTORS = ["author", "editor", "system"]
STAGES = ["pitch", "post"]

# (state, action, actor) -> target state
EXPECTED = {
    ("draft", "submit", "author"): "submitted",
    ("submitted", "claim", "editor"): "in_review",
    ("in_review", "request_changes", "editor"): "changes_requested",
    ("changes_requested", "resubmit", "author"): "in_review",
    ("in_review", "approve", "editor"): "approved",
    ("in_review", "approve_pitch", "editor"): "draft",
    ("approved", "schedule", "editor"): "scheduled",
    ("scheduled", "publish_due", "system"): "published",
    ("scheduled", "unschedule", "editor"): "approved",
    ("approved", "publish", "editor"): "published",
    ("in_review", "reject", "editor"): "rejected",
    ("draft", "withdraw", "author"): "withdrawn",
    ("submitted", "withdraw", "author"): "withdrawn",
    ("changes_requested", "withdraw", "author"): "withdrawn",
    ("published", "unpublish", "editor"): "approved",
}
# Actions that only make sense at one stage of the proposal.
STAGE_REQUIRED = {"approve": "post", "approve_pitch": "pitch"}

NOW = datetime(2030, 6, 1, 12, 0)
FUTURE = NOW + timedelta(days=1)
PAST = NOW - timedelta(minutes=1)


def is_expected(state: str, action: str, actor: str, stage: str) -> bool:
    return (state, action, actor) in EXPECTED and STAGE_REQUIRED.get(action, stage) == stage


def full_check(state: str, action: str, actor: str, stage: str) -> Transition:
    """check() with every optional input filled in, so only the table and stage decide."""
    when = FUTURE if action == "schedule" else PAST
    return check(
        State(state), Action(action), Actor(actor),
        stage=Stage(stage), note="Because it reads well.", when=when, now=NOW,
    )


def assert_sentence(message: str) -> None:
    assert re.fullmatch(r"[A-Z][^_]*[.!?]", message), message
    assert " " in message
    assert "State." not in message and "Action." not in message and "Actor." not in message


def test_test_lists_cover_the_enums() -> None:
    assert sorted(STATES) == sorted(s.value for s in State)
    assert sorted(ACTIONS) == sorted(a.value for a in Action)
    assert sorted(ACTORS) == sorted(a.value for a in Actor)
    assert sorted(STAGES) == sorted(s.value for s in Stage)


def test_state_values_are_lowercase_strings() -> None:
    for state in State:
        assert isinstance(state, str)
        assert state == state.value == state.value.lower()


@pytest.mark.parametrize(
    ("state", "action", "actor", "stage"), list(itertools.product(STATES, ACTIONS, ACTORS, STAGES))
)
def test_every_combination_follows_the_table(state: str, action: str, actor: str, stage: str) -> None:
    if is_expected(state, action, actor, stage):
        transition = full_check(state, action, actor, stage)
        assert transition.target == EXPECTED[(state, action, actor)]
        assert (transition.source, transition.action, transition.actor) == (state, action, actor)
        assert Action(action) in allowed_actions(State(state), Actor(actor), Stage(stage))
    else:
        with pytest.raises(TransitionError) as refused:
            full_check(state, action, actor, stage)
        assert_sentence(str(refused.value))
        assert refused.value.message == str(refused.value)
        assert Action(action) not in allowed_actions(State(state), Actor(actor), Stage(stage))


@pytest.mark.parametrize(
    ("state", "actor", "stage"), list(itertools.product(STATES, ACTORS, STAGES))
)
def test_allowed_actions_match_the_table(state: str, actor: str, stage: str) -> None:
    expected = {a for a in ACTIONS if is_expected(state, a, actor, stage)}
    got = allowed_actions(State(state), Actor(actor), Stage(stage))
    assert {a.value for a in got} == expected
    assert len(got) == len(set(got))


def test_allowed_actions_are_in_button_order() -> None:
    assert allowed_actions(State.IN_REVIEW, Actor.EDITOR, Stage.POST) == [
        Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT,
    ]
    assert allowed_actions(State.DRAFT, Actor.AUTHOR, Stage.PITCH) == [Action.SUBMIT, Action.WITHDRAW]


def test_refused_by_state_before_actor() -> None:
    with pytest.raises(TransitionError, match=r"^A proposal in review cannot be withdrawn\.$"):
        check(State.IN_REVIEW, Action.WITHDRAW, Actor.AUTHOR)
    with pytest.raises(TransitionError, match=r"^A draft cannot be claimed for review\.$"):
        check(State.DRAFT, Action.CLAIM, Actor.AUTHOR)


def test_refused_by_actor() -> None:
    with pytest.raises(TransitionError, match=r"^Only the author can resubmit a proposal\.$"):
        check(State.CHANGES_REQUESTED, Action.RESUBMIT, Actor.EDITOR)
    with pytest.raises(TransitionError, match=r"^Only an editor can claim a proposal for review\.$"):
        check(State.SUBMITTED, Action.CLAIM, Actor.AUTHOR)
    with pytest.raises(TransitionError, match="published automatically"):
        check(State.SCHEDULED, Action.PUBLISH_DUE, Actor.EDITOR, when=PAST, now=NOW)


@pytest.mark.parametrize("note", [None, "", "   \n\t"])
def test_request_changes_needs_a_note(note: str | None) -> None:
    with pytest.raises(TransitionError, match=r"^Write a note telling the author what to change\.$"):
        check(State.IN_REVIEW, Action.REQUEST_CHANGES, Actor.EDITOR, note=note)


@pytest.mark.parametrize("note", [None, "", "  "])
def test_reject_needs_a_reason(note: str | None) -> None:
    with pytest.raises(TransitionError, match=r"^Give a reason for rejecting\.$"):
        check(State.IN_REVIEW, Action.REJECT, Actor.EDITOR, note=note)


def test_unpublish_needs_a_reason() -> None:
    with pytest.raises(TransitionError, match=r"^Give a reason for unpublishing\.$"):
        check(State.PUBLISHED, Action.UNPUBLISH, Actor.EDITOR, note=" ")
    moved = check(State.PUBLISHED, Action.UNPUBLISH, Actor.EDITOR, note="Out of date.")
    assert moved.target is State.APPROVED


def test_note_is_recorded_stripped() -> None:
    moved = check(State.IN_REVIEW, Action.REQUEST_CHANGES, Actor.EDITOR, note="  Shorter, please.\n")
    assert moved.note == "Shorter, please."
    assert moved.target is State.CHANGES_REQUESTED


def test_optional_note_is_recorded_when_given() -> None:
    assert check(State.DRAFT, Action.SUBMIT, Actor.AUTHOR, note=" Hi ").note == "Hi"
    assert check(State.DRAFT, Action.SUBMIT, Actor.AUTHOR, note="  ").note is None
    assert check(State.DRAFT, Action.SUBMIT, Actor.AUTHOR).note is None


def test_schedule_needs_a_time() -> None:
    with pytest.raises(TransitionError, match=r"^Choose a publishing time\.$"):
        check(State.APPROVED, Action.SCHEDULE, Actor.EDITOR, now=NOW)


@pytest.mark.parametrize("when", [PAST, NOW, NOW - timedelta(days=365)])
def test_schedule_needs_a_time_in_the_future(when: datetime) -> None:
    with pytest.raises(TransitionError, match=r"^Choose a publishing time in the future\.$"):
        check(State.APPROVED, Action.SCHEDULE, Actor.EDITOR, when=when, now=NOW)


def test_schedule_records_the_time() -> None:
    moved = check(State.APPROVED, Action.SCHEDULE, Actor.EDITOR, when=FUTURE, now=NOW)
    assert moved.target is State.SCHEDULED
    assert moved.publish_at == FUTURE
    assert check(State.APPROVED, Action.PUBLISH, Actor.EDITOR, when=FUTURE).publish_at is None


def test_schedule_compares_aware_and_naive_times_as_utc() -> None:
    aware_now = NOW.replace(tzinfo=timezone.utc)
    paris = timezone(timedelta(hours=2))
    # 13:30 in Paris is 11:30 UTC, before NOW (12:00 UTC).
    with pytest.raises(TransitionError):
        check(State.APPROVED, Action.SCHEDULE, Actor.EDITOR,
              when=datetime(2030, 6, 1, 13, 30, tzinfo=paris), now=NOW)
    moved = check(State.APPROVED, Action.SCHEDULE, Actor.EDITOR,
                  when=datetime(2030, 6, 1, 14, 30, tzinfo=paris), now=NOW)
    assert moved.target is State.SCHEDULED
    assert check(State.APPROVED, Action.SCHEDULE, Actor.EDITOR, when=FUTURE, now=aware_now)


def test_schedule_defaults_now_to_the_clock() -> None:
    far = datetime.now(timezone.utc) + timedelta(days=30)
    assert check(State.APPROVED, Action.SCHEDULE, Actor.EDITOR, when=far).target is State.SCHEDULED
    with pytest.raises(TransitionError):
        check(State.APPROVED, Action.SCHEDULE, Actor.EDITOR, when=datetime(2000, 1, 1))


def test_publish_due_waits_for_its_time() -> None:
    with pytest.raises(TransitionError) as refused:
        check(State.SCHEDULED, Action.PUBLISH_DUE, Actor.SYSTEM, when=FUTURE, now=NOW)
    assert_sentence(str(refused.value))
    assert check(State.SCHEDULED, Action.PUBLISH_DUE, Actor.SYSTEM, when=NOW, now=NOW).target is State.PUBLISHED


def test_publish_due_without_its_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        check(State.SCHEDULED, Action.PUBLISH_DUE, Actor.SYSTEM, now=NOW)


def test_full_approval_needs_the_post_stage() -> None:
    with pytest.raises(TransitionError, match=r"^Approve the pitch first: the full post is not written yet\.$"):
        check(State.IN_REVIEW, Action.APPROVE, Actor.EDITOR, stage=Stage.PITCH)
    moved = check(State.IN_REVIEW, Action.APPROVE, Actor.EDITOR, stage=Stage.POST)
    assert (moved.target, moved.stage) == (State.APPROVED, Stage.POST)


def test_pitch_approval_needs_the_pitch_stage_and_moves_to_post() -> None:
    with pytest.raises(TransitionError) as refused:
        check(State.IN_REVIEW, Action.APPROVE_PITCH, Actor.EDITOR, stage=Stage.POST)
    assert_sentence(str(refused.value))
    moved = check(State.IN_REVIEW, Action.APPROVE_PITCH, Actor.EDITOR, stage=Stage.PITCH)
    assert (moved.target, moved.stage) == (State.DRAFT, Stage.POST)


@pytest.mark.parametrize("action", [Action.APPROVE, Action.APPROVE_PITCH])
def test_approval_without_a_stage_is_a_programming_error(action: Action) -> None:
    with pytest.raises(ValueError):
        check(State.IN_REVIEW, action, Actor.EDITOR)


def test_other_transitions_keep_the_stage() -> None:
    assert check(State.DRAFT, Action.SUBMIT, Actor.AUTHOR, stage=Stage.PITCH).stage is Stage.PITCH
    assert check(State.DRAFT, Action.SUBMIT, Actor.AUTHOR).stage is None


def test_plain_strings_are_accepted() -> None:
    moved = check("in_review", "approve_pitch", "editor", stage="pitch")  # type: ignore[arg-type]
    assert moved.target is State.DRAFT and moved.stage is Stage.POST
    assert allowed_actions("draft", "author", "post") == [Action.SUBMIT, Action.WITHDRAW]  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        check("nonsense", "submit", "author")  # type: ignore[arg-type]


def test_the_whole_journey_of_a_pitch() -> None:
    state, stage = State.DRAFT, Stage.PITCH
    steps = [
        (Action.SUBMIT, Actor.AUTHOR, None),
        (Action.CLAIM, Actor.EDITOR, None),
        (Action.APPROVE_PITCH, Actor.EDITOR, None),
        (Action.SUBMIT, Actor.AUTHOR, None),
        (Action.CLAIM, Actor.EDITOR, None),
        (Action.REQUEST_CHANGES, Actor.EDITOR, "Add a photo."),
        (Action.RESUBMIT, Actor.AUTHOR, None),
        (Action.APPROVE, Actor.EDITOR, None),
        (Action.SCHEDULE, Actor.EDITOR, None),
        (Action.PUBLISH_DUE, Actor.SYSTEM, None),
    ]
    for action, actor, note in steps:
        when = FUTURE if action is Action.SCHEDULE else PAST
        moved = check(state, action, actor, stage=stage, note=note, when=when, now=NOW)
        state, stage = moved.target, moved.stage or stage
    assert (state, stage) == (State.PUBLISHED, Stage.POST)


@pytest.mark.parametrize("state", STATES)
def test_author_can_edit_only_drafts_and_changes_requested(state: str) -> None:
    assert author_can_edit(State(state)) is (state in ("draft", "changes_requested"))


def test_status_labels() -> None:
    assert dict(STATUS_LABELS) == {
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


def test_action_labels() -> None:
    buttons = {
        "submit": "Submit proposal",
        "claim": "Claim for review",
        "request_changes": "Request changes",
        "approve": "Approve",
        "approve_pitch": "Approve pitch",
        "schedule": "Schedule",
        "publish": "Publish now",
        "reject": "Reject",
        "withdraw": "Withdraw",
        "unpublish": "Unpublish",
        "resubmit": "Resubmit",
        "unschedule": "Cancel schedule",
    }
    for action, label in buttons.items():
        assert ACTION_LABELS[Action(action)] == label
    assert set(ACTION_LABELS) == set(Action)


def test_next_step_for_every_state() -> None:
    assert set(NEXT_STEP) == set(State)
    for state in State:
        assert_sentence(NEXT_STEP[state])
        assert next_step(state, Stage.PITCH) == NEXT_STEP[state]
    assert NEXT_STEP[State.SUBMITTED] == (
        "Your proposal was sent to the editors. You will get an email when they decide."
    )
    # A draft whose pitch was approved tells the author to write the post.
    assert next_step(State.DRAFT, Stage.POST) != NEXT_STEP[State.DRAFT]
    assert "full post" in next_step(State.DRAFT, Stage.POST)


def test_transition_error_is_an_exception_with_the_sentence() -> None:
    error = TransitionError("A draft cannot be approved.")
    assert isinstance(error, Exception)
    assert str(error) == error.message == "A draft cannot be approved."


def test_sending_action_names_submit_or_resubmit_only_where_the_table_allows() -> None:
    from app.editorial.workflow import sending_action
    assert sending_action(State.DRAFT) is Action.SUBMIT
    assert sending_action(State.CHANGES_REQUESTED) is Action.RESUBMIT
    for state in set(State) - {State.DRAFT, State.CHANGES_REQUESTED}:
        assert sending_action(state) is None
