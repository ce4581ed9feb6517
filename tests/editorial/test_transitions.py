"""Every state and action, for every role, through HTTP: allowed steps move, refused ones answer
409, and a step missing its note, time or checklist is a form error (200)."""
from datetime import datetime, timedelta, timezone

import pytest
from markupsafe import escape

from app.editorial.services import DEFAULT_CHECKLIST
from app.editorial.workflow import TRANSITIONS, Action, Actor, Stage, State, TransitionError, check
from app.extensions import db
from app.models.editorial import Event, Proposal

ROLES = ["author", "editor", "admin", "other_leader", "member"]


def _form(action, version):
    when = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    return {"version": str(version), "note": "Please tighten the opening paragraph.",
            "when": when, "checklist": list(DEFAULT_CHECKLIST)}


def _stage(state, action):
    rule = TRANSITIONS.get((state, action))
    if rule and rule.stage:
        return rule.stage
    return None


@pytest.mark.parametrize("state", list(State), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_every_action_for_every_role(app, client, people, act_as, make_proposal,
                                     proposal_state, state, action):
    for role in ROLES:
        proposal_id = make_proposal(people.author, state=state, stage=_stage(state, action))
        before_state, version = proposal_state(proposal_id)
        with app.app_context():
            events_before = db.session.query(Event).filter_by(proposal_id=proposal_id).count()
            stage = db.session.get(Proposal, proposal_id).stage
        act_as(getattr(people, role))
        response = client.post(f"/proposals/{proposal_id}/actions/{action.value}",
                               data=_form(action, version))
        after_state, after_version = proposal_state(proposal_id)
        with app.app_context():
            events_after = db.session.query(Event).filter_by(proposal_id=proposal_id).count()

        visible = role == "author" or (role in ("editor", "admin") and state is not State.DRAFT)
        if not visible:
            assert response.status_code == 404, role
            assert after_state is before_state and events_after == events_before
            continue
        actor = Actor.AUTHOR if role == "author" else Actor.EDITOR
        rule = TRANSITIONS.get((state, action))
        if rule is not None and rule.actor is actor:
            assert response.status_code == 302, (role, response.data[:2000])
            assert after_state is rule.target, role
            assert after_version > version
            assert events_after == events_before + 1
        else:
            assert response.status_code == 409, role
            with pytest.raises(TransitionError) as refused:
                check(state, action, actor, stage=stage, note="x",
                      when=datetime.now(timezone.utc) + timedelta(days=1))
            assert str(escape(refused.value.message)).encode() in response.data
            assert after_state is before_state and after_version == version
            assert events_after == events_before


def test_unknown_action_is_404(client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.SUBMITTED)
    act_as(people.editor)
    assert client.post(f"/proposals/{proposal_id}/actions/explode").status_code == 404


MISSING_INPUT = [
    # (state, stage, action, what is sent, the field to mark, its message)
    (State.IN_REVIEW, Stage.PITCH, "request_changes", {"note": "   "}, "note",
     "Write a note telling the author what to change."),
    (State.IN_REVIEW, Stage.PITCH, "reject", {"note": ""}, "note", "Give a reason for rejecting."),
    (State.PUBLISHED, Stage.POST, "unpublish", {}, "note", "Give a reason for unpublishing."),
    (State.APPROVED, Stage.POST, "schedule", {"when": "", "note": "Kept note"}, "when",
     "Choose a publishing time."),
    (State.APPROVED, Stage.POST, "schedule", {"when": "2001-01-01T10:00", "note": "Kept note"},
     "when", "Choose a publishing time in the future."),
    (State.IN_REVIEW, Stage.POST, "approve",
     {"checklist": DEFAULT_CHECKLIST[:2], "note": "Kept note"}, "checklist",
     "Complete the checklist before approving: tick every item."),
]


@pytest.mark.parametrize("state,stage,action,sent,field,message", MISSING_INPUT,
                         ids=[f"{row[2]}-{row[4]}-{n}" for n, row in enumerate(MISSING_INPUT)])
def test_a_decision_missing_its_input_is_a_form_error_and_changes_nothing(
        client, people, act_as, make_proposal, proposal_state, state, stage, action, sent,
        field, message):
    proposal_id = make_proposal(people.author, state=state, stage=stage, editor_id=people.editor)
    _, version = proposal_state(proposal_id)
    act_as(people.editor)
    response = client.post(f"/proposals/{proposal_id}/actions/{action}",
                           data={"version": version, **sent})
    page = response.get_data(as_text=True)
    # The GOV.UK pattern: the form again (200), a summary linking to the marked field.
    assert response.status_code == 200
    assert "That did not happen" not in page
    assert "There is a problem" in page
    assert f'<a href="#{field}">{escape(message)}</a>' in page
    assert f'id="{field}-error"' in page and "field--error" in page
    assert proposal_state(proposal_id) == (state, version)
    if "note" in sent and sent["note"].strip():
        assert sent["note"] in page, "what was typed is kept"
    if action == "approve":  # the ticked boxes stay ticked
        assert page.count("checked") == 2


def test_a_stale_version_is_still_a_conflict_even_with_input_missing(
        app, client, people, act_as, make_proposal, proposal_state):
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, editor_id=people.editor)
    _, seen = proposal_state(proposal_id)
    with app.app_context():  # someone changes it after this editor opened the page
        db.session.get(Proposal, proposal_id).excerpt = "Changed in another tab."
        db.session.commit()
    act_as(people.editor)
    response = client.post(f"/proposals/{proposal_id}/actions/request_changes",
                           data={"version": seen, "note": ""})
    assert response.status_code == 409
    assert b"Someone else acted first" in response.data


def test_a_wrong_state_is_still_a_conflict_even_with_input_missing(
        client, people, act_as, make_proposal, proposal_state):
    proposal_id = make_proposal(people.author, state=State.APPROVED, editor_id=people.editor)
    _, version = proposal_state(proposal_id)
    act_as(people.editor)
    response = client.post(f"/proposals/{proposal_id}/actions/request_changes",
                           data={"version": version, "note": ""})
    assert response.status_code == 409
    assert b"An approved proposal cannot be sent back for changes." in response.data


def test_the_checklist_comes_from_config(app, client, people, act_as, make_proposal,
                                         proposal_state):
    app.config["EDITORIAL_CHECKLIST"] = ["Read it aloud once"]
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, stage=Stage.POST)
    _, version = proposal_state(proposal_id)
    act_as(people.editor)
    page = client.get(f"/proposals/{proposal_id}/actions/approve")
    assert b"Read it aloud once" in page.data
    response = client.post(f"/proposals/{proposal_id}/actions/approve",
                           data={"version": version, "checklist": ["Read it aloud once"]})
    assert response.status_code == 302
    assert proposal_state(proposal_id)[0] is State.APPROVED


def test_a_bad_time_gets_a_message_not_a_500(client, people, act_as, make_proposal,
                                             proposal_state):
    proposal_id = make_proposal(people.author, state=State.APPROVED)
    _, version = proposal_state(proposal_id)
    act_as(people.editor)
    response = client.post(f"/proposals/{proposal_id}/actions/schedule",
                           data={"version": version, "when": "next tuesday"})
    assert response.status_code in (200, 409)
    assert proposal_state(proposal_id) == (State.APPROVED, version)


def test_destructive_actions_confirm_on_their_own_page(client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW)
    act_as(people.editor)
    page = client.get(f"/proposals/{proposal_id}/actions/reject")
    assert page.status_code == 200
    assert b"Are you sure?" in page.data and b"Reason for rejecting" in page.data
    act_as(people.author)
    draft_id = make_proposal(people.author, state=State.DRAFT)
    page = client.get(f"/proposals/{draft_id}/actions/withdraw")
    assert b"Are you sure?" in page.data
