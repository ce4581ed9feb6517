"""Mail and in-app notifications, preferences, scheduling and the publish-due command."""
from datetime import timedelta

from sqlalchemy import select

from app.editorial.services import DEFAULT_CHECKLIST
from app.editorial.workflow import Stage, State
from app.extensions import db
from app.models.base import utcnow
from app.models.editorial import Proposal
from app.models.notifications import Notification
from app.models.mail import OutboxMessage
from tests.conftest import shown


def _version(app, proposal_id):
    with app.app_context():
        return db.session.get(Proposal, proposal_id).version


def _kinds_to(app, address):
    with app.app_context():
        return [m.kind for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to == address))]


def test_decision_mail_carries_the_note_and_the_reason(app, client, people, act_as,
                                                       make_proposal, mailbox):
    first = make_proposal(people.author, state=State.IN_REVIEW, editor_id=people.editor)
    act_as(people.editor)
    client.post(f"/proposals/{first}/actions/request_changes", data={
        "version": _version(app, first), "note": "Tell us how many volunteers you needed."})
    message = mailbox.wait_for("author@example.com", "asked for changes")
    body = mailbox.body(message)
    assert "Tell us how many volunteers you needed." in body
    assert f"http://localhost/proposals/{first}" in body

    second = make_proposal(people.author, state=State.IN_REVIEW, editor_id=people.editor,
                           title="Seed library")
    client.post(f"/proposals/{second}/actions/reject", data={
        "version": _version(app, second), "note": "We ran a seed library story in May."})
    message = mailbox.wait_for("author@example.com", "decided not to take")
    assert "Their reason:" in mailbox.body(message)
    assert "We ran a seed library story in May." in mailbox.body(message)


def test_approve_then_publish_mails_the_author_the_link(app, client, people, act_as,
                                                        make_proposal, mailbox):
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, stage=Stage.POST,
                                editor_id=people.editor)
    act_as(people.editor)
    assert client.post(f"/proposals/{proposal_id}/actions/approve", data={
        "version": _version(app, proposal_id), "checklist": DEFAULT_CHECKLIST}).status_code == 302
    assert "approved your post" in mailbox.wait_for("author@example.com", "approved")["Subject"]
    assert client.post(f"/proposals/{proposal_id}/actions/publish", data={
        "version": _version(app, proposal_id)}).status_code == 302
    live = mailbox.wait_for("author@example.com", "is live")
    with app.app_context():
        slug = db.session.get(Proposal, proposal_id).slug
    assert f"http://localhost/blog/{slug}" in mailbox.body(live)
    assert client.get(f"/blog/{slug}").status_code == 200


def test_submit_mails_editors(app, client, people, act_as, make_proposal, mailbox):
    proposal_id = make_proposal(people.author, state=State.DRAFT)
    act_as(people.author)
    client.post(f"/proposals/{proposal_id}/actions/submit",
                data={"version": _version(app, proposal_id)})
    message = mailbox.wait_for("editor@example.com", "Proposal submitted")
    assert "Amara Author submitted" in mailbox.body(message)


def test_turning_off_mail_keeps_the_in_app_notification(app, client, people, act_as,
                                                        make_proposal):
    act_as(people.author)
    page = client.get("/notifications/settings")
    assert b"Email me when an editor decides" in page.data
    assert b"sent or resent to the editors" not in page.data  # editors only
    response = client.post("/notifications/settings",
                           data={"post_published": "y"})  # decisions unticked
    assert response.status_code == 302

    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, editor_id=people.editor)
    act_as(people.editor)
    client.post(f"/proposals/{proposal_id}/actions/request_changes",
                data={"version": _version(app, proposal_id), "note": "Shorter, please."})
    assert "proposal_decision" not in _kinds_to(app, "author@example.com")

    act_as(people.author)
    listed = client.get("/notifications")
    assert b"asked for changes to your proposal" in listed.data
    assert b'class="nav-count">1' in listed.data
    client.post("/notifications/read")
    with app.app_context():
        assert db.session.scalar(select(Notification.read_at)) is not None
    read = shown(client.get("/notifications"), "asked for changes to your proposal")
    assert 'class="nav-count"' not in read
    assert b'class="nav-count"' not in client.get("/notifications").data


def test_save_draft_never_mails(app, client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.DRAFT)
    act_as(people.author)
    client.post(f"/proposals/{proposal_id}/save", data={
        "title": "Still thinking", "summary": "", "why_it_matters": "", "tags": "",
        "version": _version(app, proposal_id)})
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)) is None


def test_schedule_then_publish_due_from_the_command_line(app, client, runner, people, act_as,
                                                         make_proposal):
    proposal_id = make_proposal(people.author, state=State.APPROVED, editor_id=people.editor)
    act_as(people.editor)
    when = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/proposals/{proposal_id}/actions/schedule",
                           data={"version": _version(app, proposal_id), "when": when})
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        assert proposal.state is State.SCHEDULED
        assert proposal.publish_at.strftime("%Y-%m-%dT%H:%M") == when

    result = runner.invoke(args=["editorial", "publish-due"])
    assert result.exit_code == 0 and "Nothing is due." in result.output

    with app.app_context():
        db.session.get(Proposal, proposal_id).publish_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = runner.invoke(args=["editorial", "publish-due"])
    assert result.exit_code == 0, result.output
    assert f"Published #{proposal_id}" in result.output
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        assert proposal.state is State.PUBLISHED and proposal.slug
        assert proposal.events[-1].action == "publish_due" and proposal.events[-1].actor is None
    assert "post_published" in _kinds_to(app, "author@example.com")
    assert "Nothing is due." in runner.invoke(args=["editorial", "publish-due"]).output


def test_overdue_scheduled_posts_are_flagged_to_editors(app, client, people, act_as,
                                                        make_proposal):
    proposal_id = make_proposal(people.author, state=State.SCHEDULED, title="Late bloomer")
    act_as(people.editor)
    shown(client.get("/editor"), "Editor queue", "Late bloomer")
    assert b"did not go live" not in client.get("/editor").data
    with app.app_context():
        db.session.get(Proposal, proposal_id).publish_at = utcnow() - timedelta(minutes=20)
        db.session.commit()
    page = client.get("/editor")
    assert b"Scheduled posts that did not go live" in page.data and b"Late bloomer" in page.data
