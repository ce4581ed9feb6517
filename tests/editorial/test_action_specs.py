"""Every action is described once, by its ActionSpec, and every part of the site finds it there."""
from dataclasses import replace

from app.editorial import notifications as tell
from app.editorial import steps
from app.editorial.workflow import ACTION_SPECS, TRANSITIONS, Action, spec_problems


def test_every_action_has_a_complete_spec():
    assert spec_problems() == []
    assert set(ACTION_SPECS) == set(Action)


def test_a_missing_or_incomplete_spec_is_reported():
    without_reject = {action: spec for action, spec in ACTION_SPECS.items()
                      if action is not Action.REJECT}
    assert spec_problems(without_reject) == ["reject has no ActionSpec"]
    no_note = {**ACTION_SPECS, Action.REQUEST_CHANGES: replace(
        ACTION_SPECS[Action.REQUEST_CHANGES], note=None)}
    assert spec_problems(no_note) == [
        "request_changes needs a note: its spec needs a note field and a missing message"]
    no_page = {**ACTION_SPECS, Action.SCHEDULE: replace(ACTION_SPECS[Action.SCHEDULE],
                                                        button_only=True)}
    assert any(problem.startswith("schedule needs a time") for problem in spec_problems(no_page))
    no_warning = {**ACTION_SPECS, Action.WITHDRAW: replace(ACTION_SPECS[Action.WITHDRAW],
                                                           warning=None)}
    assert spec_problems(no_warning) == [
        "withdraw is destructive: say what it does on its page"]


def test_every_action_has_a_step_and_its_mail_a_declared_kind():
    assert set(steps.STEPS) == set(Action)
    declared = {kind.name for kind in tell.KINDS if kind.sends_mail}
    for action, spec in ACTION_SPECS.items():
        if spec.mail is not None:
            assert spec.mail in declared and spec.mail in tell.TELLS, action
        # A decision mail says what was decided; only decisions say it.
        assert (spec.mail == tell.PROPOSAL_DECISION.name) == bool(spec.decision), action
    assert {action for _, action in TRANSITIONS} == set(Action)


def test_the_action_page_asks_what_the_spec_says(app, client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state="in_review", editor_id=people.editor)
    act_as(people.editor)
    reject = client.get(f"/proposals/{proposal_id}/actions/reject").text
    spec = ACTION_SPECS[Action.REJECT]
    assert spec.note.label in reject and spec.note.hint in reject
    assert f"Are you sure? {spec.warning}" in reject
    assert "button--danger" in reject
    approve = client.get(f"/proposals/{proposal_id}/actions/approve_pitch").text
    assert "Are you sure?" not in approve and "Checklist" not in approve
