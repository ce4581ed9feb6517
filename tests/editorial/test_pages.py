"""Proposal pages: pitching, saving, submitting, conflicts, comments, diffs, covers, permissions."""
import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from app.editorial.workflow import Stage, State
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.editorial import Comment, Proposal, Revision
from app.models.notifications import Notification
from app.models.mail import OutboxMessage
from tests.conftest import shown

PITCH = {
    "title": "Night football for teenagers in Eastfield",
    "summary": "Every Friday we open the school pitch from 8 to 11 pm.",
    "why_it_matters": "Other towns can copy the insurance and volunteer rota we worked out.",
    "tags": "youth, sport",
    "body": "",
    "excerpt": "",
}


def _proposal(app, proposal_id):
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        db.session.expunge(proposal)
        return proposal


def _outbox(app):
    with app.app_context():
        return [(m.to, m.subject, m.body) for m in db.session.scalars(select(OutboxMessage))]


def test_members_get_a_friendly_explanation(client, people, act_as):
    act_as(people.member)
    for url in ("/proposals", "/proposals/new"):
        response = client.get(url)
        assert response.status_code == 403
        assert b"Proposals are written by leaders" in response.data
    response = client.post("/proposals/new", data=PITCH)
    assert response.status_code == 403


def test_anonymous_visitors_are_asked_to_log_in(client):
    assert client.get("/proposals/new").status_code == 302


def test_save_draft_shows_last_saved_and_sends_no_mail(app, client, people, act_as):
    act_as(people.author)
    response = client.post("/proposals/new", data={**PITCH, "intent": "save"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert b"Last saved at" in page.data and b"Draft saved at" in page.data
    assert b"Draft" in page.data
    assert _outbox(app) == []
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.state is State.DRAFT and proposal.revisions == []
        assert [t.slug for t in proposal.tags] == ["sport", "youth"]


def test_bad_input_gets_a_message_and_creates_nothing(app, client, people, act_as):
    act_as(people.author)
    response = client.post("/proposals/new", data={**PITCH, "title": "", "intent": "save"})
    assert response.status_code == 200
    assert b"Enter a title for your proposal." in response.data
    long = client.post("/proposals/new", data={**PITCH, "summary": "word " * 301})
    assert b"at most 300 words" in long.data
    missing = client.post("/proposals/new", data={**PITCH, "why_it_matters": "",
                                                  "intent": "submit"})
    assert b"Say why this story matters" in missing.data
    with app.app_context():
        assert db.session.scalar(select(Proposal)) is None


def test_a_tag_too_long_is_named_and_nothing_is_cut_off(app, client, people, act_as):
    """One limit for tags, in the service: the form shows it, and the service refuses a longer
    tag from any caller instead of cutting it short."""
    import pytest
    from app.editorial import needs, services
    act_as(people.author)
    long_tag = "neighbourhood food sharing schemes"  # 34 characters
    response = client.post("/proposals/new", data={**PITCH, "tags": f"youth, {long_tag}"})
    assert response.status_code == 200
    assert b"Keep each tag to at most 30 characters." in response.data
    assert long_tag.encode() in response.data  # what was typed is shown again
    with app.app_context():
        assert db.session.scalar(select(Proposal)) is None
        with pytest.raises(needs.InputTooLong, match="at most 30 characters"):
            services.create_proposal(db.session.get(User, people.author), needs.ProposalInput(
                title="A title", tags=[long_tag]))


def test_the_form_and_the_guard_ask_for_the_same_things(app, people):
    """What a submission needs is one table (needs.NEEDS): the form's messages beside the
    fields and the guard's "Before sending it, add ..." come from it."""
    from app.editorial import needs, services
    from app.editorial.forms import ProposalForm
    with app.test_request_context(method="POST", data={"title": "Only a title"}):
        form = ProposalForm()
        assert form.missing_for_submit(needs_body=True)
        assert form.summary.errors == [needs.NEEDS["summary"].ask]
        assert form.why_it_matters.errors == [needs.NEEDS["why_it_matters"].ask]
        assert form.tags.errors == [needs.NEEDS["tags"].ask]
        assert form.body.errors == [needs.NEEDS["body"].ask]
    with app.app_context():
        proposal = services.create_proposal(db.session.get(User, people.author),
                                            needs.ProposalInput(title="Only a title"))
        assert services.missing_for_submit(proposal) == [
            "a summary", "why it matters to the network", "at least one tag"]


def test_a_leader_cannot_see_another_leaders_draft(client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.DRAFT)
    act_as(people.other_leader)
    assert client.get(f"/proposals/{proposal_id}").status_code == 404
    act_as(people.editor)
    assert client.get(f"/proposals/{proposal_id}").status_code == 404  # not submitted yet
    act_as(people.author)
    assert client.get(f"/proposals/{proposal_id}").status_code == 200


def test_submit_tells_the_editors_and_keeps_a_revision(app, client, people, act_as):
    act_as(people.author)
    response = client.post("/proposals/new", data={**PITCH, "intent": "submit"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert b"Your proposal was sent to the editors" in page.data
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.state is State.SUBMITTED and proposal.stage is Stage.PITCH
        assert [r.kind for r in proposal.revisions] == ["submit"]
    recipients = sorted(to for to, subject, body in _outbox(app))
    assert recipients == ["editor2@example.com", "editor@example.com"]
    assert all("Night football" in body for _, _, body in _outbox(app))


def test_author_cannot_edit_while_in_review(app, client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW)
    act_as(people.author)
    page = client.get(f"/proposals/{proposal_id}")
    shown(page, "<h1>Saturday repair café in Riverside</h1>")
    assert b"Save draft" not in page.data
    response = client.post(f"/proposals/{proposal_id}/save",
                           data={**PITCH, "title": "Sneaky change", "version": "1"})
    assert response.status_code == 409
    assert b"cannot edit your proposal while the editors have it" in response.data
    assert _proposal(app, proposal_id).title != "Sneaky change"


def test_editor_copy_edit_is_recorded_as_their_revision(app, client, people, act_as,
                                                         make_proposal):
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, editor_id=people.editor)
    version = _proposal(app, proposal_id).version
    act_as(people.editor)
    response = client.post(f"/proposals/{proposal_id}/save", data={
        **PITCH, "title": "Friday night football in Eastfield", "version": version})
    assert response.status_code == 302
    with app.app_context():
        revision = db.session.scalars(select(Revision).order_by(Revision.number.desc())).first()
        assert revision.kind == "copy_edit" and revision.made_by_id == people.editor
        assert revision.title == "Friday night football in Eastfield"


def test_two_editors_the_second_gets_a_conflict_page_keeping_their_text(
        app, client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, stage=Stage.POST)
    seen = _proposal(app, proposal_id).version
    act_as(people.editor)
    first = client.post(f"/proposals/{proposal_id}/actions/request_changes",
                        data={"version": seen, "note": "Add a photo of the pitch."})
    assert first.status_code == 302
    act_as(people.editor2)
    second = client.post(f"/proposals/{proposal_id}/actions/reject",
                         data={"version": seen, "note": "We covered football last month."})
    assert second.status_code == 409
    assert b"Someone else acted first" in second.data
    assert b"We covered football last month." in second.data
    assert b"Eda Editor" in second.data
    proposal = _proposal(app, proposal_id)
    assert proposal.state is State.CHANGES_REQUESTED
    with app.app_context():
        notes = [e.note for e in db.session.get(Proposal, proposal_id).events]
    assert "We covered football last month." not in notes


def test_a_stale_edit_keeps_the_typed_text(app, client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.DRAFT)
    version = _proposal(app, proposal_id).version
    act_as(people.author)
    assert client.post(f"/proposals/{proposal_id}/save",
                       data={**PITCH, "version": version}).status_code == 302
    stale = client.post(f"/proposals/{proposal_id}/save",
                        data={**PITCH, "title": "My other tab's title", "version": version})
    assert stale.status_code == 409
    assert b"My other tab&#39;s title" in stale.data or b"My other tab's title" in stale.data
    assert _proposal(app, proposal_id).title == PITCH["title"]


def test_resubmission_shows_a_side_by_side_diff_with_markers(app, client, people, act_as,
                                                              make_proposal):
    proposal_id = make_proposal(people.author, state=State.CHANGES_REQUESTED,
                                stage=Stage.POST, editor_id=people.editor)
    version = _proposal(app, proposal_id).version
    act_as(people.author)
    response = client.post(f"/proposals/{proposal_id}/save", data={
        **PITCH, "title": "Saturday repair café in Riverside", "tags": "repairs, neighbours",
        "body": "We began with **three tables** and a kettle.\n\nNow sixty people come.",
        "excerpt": "How a repair café grew.", "version": version, "intent": "submit"})
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        assert proposal.state is State.IN_REVIEW
        assert [r.kind for r in proposal.revisions] == ["submit", "resubmit"]
    assert any(to == "editor@example.com" and "resubmitted" in subject
               for to, subject, _ in _outbox(app))
    act_as(people.editor)
    page = client.get(f"/proposals/{proposal_id}")
    assert b"Changes from revision 1 to revision 2" in page.data
    assert b"<ins>sixty</ins>" in page.data and b"<del>forty</del>" in page.data
    assert "−".encode() in page.data and b'<span aria-hidden="true">+</span>' in page.data
    chosen = client.get(f"/proposals/{proposal_id}?from=2&to=1")
    assert b"Changes from revision 2 to revision 1" in chosen.data


def test_revisions_are_immutable(app, people, make_proposal):
    import pytest
    proposal_id = make_proposal(people.author, state=State.SUBMITTED)
    with app.app_context():
        revision = db.session.scalar(select(Revision).where(Revision.proposal_id == proposal_id))
        revision.title = "Rewritten history"
        with pytest.raises(ValueError):
            db.session.flush()
        db.session.rollback()


def test_comments_are_sanitised_editable_and_deletable_by_their_writer(
        app, client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, editor_id=people.editor)
    act_as(people.editor)
    payload = ("Nice! <script>alert('x')</script> [click](javascript:alert(1)) "
               "<img src=x onerror=alert(1)> **bold**")
    response = client.post(f"/proposals/{proposal_id}/comments", data={"text": payload})
    assert response.status_code == 302
    page = client.get(f"/proposals/{proposal_id}")
    shown(page, "<h1>Saturday repair café in Riverside</h1>", "Nice!")
    assert b"<script>alert" not in page.data
    assert b"javascript:" not in page.data and b"onerror=alert" not in page.data.replace(
        b"&lt;img src=x onerror=alert(1)&gt;", b"")
    assert b"<strong>bold</strong>" in page.data
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
        assert db.session.scalar(select(Notification.user_id)) == people.author

    act_as(people.author)
    assert client.get(f"/comments/{comment_id}/edit").status_code == 403
    assert client.post(f"/comments/{comment_id}/delete").status_code == 403

    act_as(people.editor)
    assert client.post(f"/comments/{comment_id}/edit",
                       data={"text": "Edited kindly."}).status_code == 302
    confirm = client.get(f"/comments/{comment_id}/delete")
    assert b"Delete your comment?" in confirm.data
    assert client.post(f"/comments/{comment_id}/delete").status_code == 302
    page = client.get(f"/proposals/{proposal_id}")
    shown(page, "<h1>Saturday repair café in Riverside</h1>")
    assert b"Comment deleted." in page.data and b"Edited kindly." not in page.data
    assert client.get(f"/comments/{comment_id}/edit").status_code == 403


def test_empty_comment_gets_a_message(client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.SUBMITTED)
    act_as(people.author)
    response = client.post(f"/proposals/{proposal_id}/comments", data={"text": ""})
    assert response.status_code == 200 and b"Write your comment." in response.data


def _image(fmt="PNG", size=(400, 300), exif=True):
    image = Image.new("RGB", size, (200, 120, 40))
    buffer = io.BytesIO()
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        extra["exif"] = data.tobytes()
    image.save(buffer, fmt, **extra)
    buffer.seek(0)
    return buffer


def test_cover_image_is_reencoded_without_exif_and_needs_alt_text(app, client, people, act_as,
                                                                   make_proposal):
    proposal_id = make_proposal(people.author, state=State.DRAFT)
    act_as(people.author)
    version = _proposal(app, proposal_id).version
    no_alt = client.post(f"/proposals/{proposal_id}/save", data={
        **PITCH, "version": version, "cover": (_image("JPEG"), "cover.jpg"), "cover_alt": ""},
        content_type="multipart/form-data")
    assert no_alt.status_code == 200
    assert b"Describe the cover image" in no_alt.data
    assert _proposal(app, proposal_id).cover_image is None

    not_image = client.post(f"/proposals/{proposal_id}/save", data={
        **PITCH, "version": version, "cover": (io.BytesIO(b"GIF89a nope"), "cover.png"),
        "cover_alt": "A pitch"}, content_type="multipart/form-data")
    assert b"Choose a JPEG, PNG or WebP image." in not_image.data

    ok = client.post(f"/proposals/{proposal_id}/save", data={
        **PITCH, "version": version, "cover": (_image("JPEG"), "cover.jpg"),
        "cover_alt": "Teenagers playing football under floodlights"},
        content_type="multipart/form-data")
    assert ok.status_code == 302
    name = _proposal(app, proposal_id).cover_image
    assert name and name.endswith(".jpg") and name != "cover.jpg"
    served = client.get(f"/blog/covers/{name}")
    assert served.status_code == 200
    stored = Image.open(io.BytesIO(served.data))
    assert stored.format == "JPEG" and not stored.getexif()
    assert client.get("/blog/covers/..%2Finstance.jpg").status_code == 404


def test_withdraw_asks_first(app, client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.SUBMITTED)
    act_as(people.author)
    page = client.get(f"/proposals/{proposal_id}")
    assert f"/proposals/{proposal_id}/actions/withdraw".encode() in page.data
    response = client.post(f"/proposals/{proposal_id}/actions/withdraw",
                           data={"version": _proposal(app, proposal_id).version})
    assert response.status_code == 302
    assert _proposal(app, proposal_id).state is State.WITHDRAWN


def test_my_proposals_list_shows_status_and_next_step(client, people, act_as, make_proposal):
    make_proposal(people.author, state=State.CHANGES_REQUESTED, title="Community fridge")
    act_as(people.author)
    page = client.get("/proposals")
    assert b"Community fridge" in page.data
    assert b"status--changes" in page.data and b"Changes requested" in page.data
    assert b"Read their note" in page.data


def test_editor_queue_filters_counts_and_oldest_first(app, client, people, act_as,
                                                      make_proposal):
    old = make_proposal(people.author, state=State.SUBMITTED, title="Old pitch",
                        tags=["food"])
    new = make_proposal(people.author, state=State.IN_REVIEW, title="New pitch",
                        editor_id=people.editor)
    make_proposal(people.author, state=State.DRAFT, title="Secret draft")
    with app.app_context():
        db.session.get(Proposal, old).waiting_since = utcnow() - timedelta(days=10)
        db.session.commit()
    act_as(people.editor)
    page = client.get("/editor")
    text = shown(page, "Old pitch", "New pitch")
    assert text.index("Old pitch") < text.index("New pitch")
    assert "Secret draft" not in text
    # Each filter leaves one pitch out and still shows the other.
    assert shown(client.get("/editor?tag=food"), "Old pitch").count("New pitch") == 0
    assert client.get("/editor?tag=food").data.count(b"New pitch") == 0
    assert "Old pitch" not in shown(client.get("/editor?assignee=me"), "New pitch")
    assert b"Old pitch" not in client.get("/editor?assignee=me").data
    assert "New pitch" not in shown(client.get("/editor?older_than=7"), "Old pitch")
    assert b"New pitch" not in client.get("/editor?older_than=7").data
    assert "Old pitch" not in shown(client.get("/editor?state=in_review"), "New pitch")
    assert b"Old pitch" not in client.get("/editor?state=in_review").data
    assert b"Editor queue" in page.data and b'class="nav-count">1' in page.data
    act_as(people.author)
    assert client.get("/editor").status_code == 403
    assert new
