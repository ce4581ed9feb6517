"""Pitching a story as a new leader lives it: a form sent twice makes one proposal, every missing
field is named in one round, a preview before sending, and the page says what happened last."""
import re

import pytest
from sqlalchemy import func, select

from app.editorial.workflow import Stage, State
from app.extensions import db
from app.models.accounts import Role
from app.models.editorial import Event, Proposal
from app.models.mail import OutboxMessage
from tests.conftest import PASSWORD, shown
from tests.live import Visitor, at_once

PITCH = {
    "title": "Seed swaps in the old tram depot",
    "summary": "Once a month forty gardeners trade seeds and cuttings under one roof.",
    "why_it_matters": "Anyone with a spare hall can start one next month.",
    "tags": "gardens, sharing",
    "body": "",
    "excerpt": "",
}


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _editor_mails(app) -> int:
    return _count(app, OutboxMessage, OutboxMessage.subject.like("Proposal submitted%"))


def _token(page: str) -> str:
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)


# A form sent twice ----------------------------------------------------------------------------

def test_back_then_submit_again_makes_one_proposal_and_one_batch_of_mails(
        app, client, people, act_as):
    act_as(people.author)
    token = _token(client.get("/proposals/new").get_data(as_text=True))
    first = client.post("/proposals/new", data={**PITCH, "form_token": token, "intent": "submit"})
    assert first.status_code == 302
    mails = _editor_mails(app)
    assert mails == 2  # the two editors
    # Back to the filled form, then Submit once more: the same proposal, nothing sent again.
    again = client.post("/proposals/new", data={**PITCH, "form_token": token, "intent": "submit"})
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "no second proposal was made" in page
    assert _count(app, Proposal) == 1
    assert _editor_mails(app) == mails
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.state is State.SUBMITTED and len(proposal.revisions) == 1
        assert [e.action for e in proposal.events] == ["create", "submit"]


def test_each_new_form_gets_its_own_token_so_two_pitches_make_two_proposals(
        app, client, people, act_as):
    act_as(people.author)
    for title in ("First pitch", "Second pitch"):
        token = _token(client.get("/proposals/new").get_data(as_text=True))
        assert client.post("/proposals/new", data={**PITCH, "title": title,
                                                   "form_token": token}).status_code == 302
    assert _count(app, Proposal) == 2


def test_a_form_re_shown_with_errors_keeps_its_token(client, people, act_as):
    act_as(people.author)
    token = _token(client.get("/proposals/new").get_data(as_text=True))
    page = client.post("/proposals/new", data={**PITCH, "title": "", "form_token": token})
    assert _token(page.get_data(as_text=True)) == token


def test_another_authors_token_does_not_reveal_or_block_their_proposal(
        app, client, people, act_as):
    act_as(people.author)
    token = _token(client.get("/proposals/new").get_data(as_text=True))
    mine = client.post("/proposals/new", data={**PITCH, "form_token": token})
    act_as(people.other_leader)
    theirs = client.post("/proposals/new", data={**PITCH, "title": "Theirs", "form_token": token})
    assert theirs.status_code == 302 and theirs.headers["Location"] != mine.headers["Location"]
    assert _count(app, Proposal, Proposal.author_id == people.other_leader) == 1


@pytest.mark.parametrize("token", ["", "x" * 500, "not a token!", "\u00e9" * 40])
def test_a_missing_or_odd_token_still_makes_the_proposal(app, client, people, act_as, token):
    act_as(people.author)
    assert client.post("/proposals/new", data={**PITCH, "form_token": token}).status_code == 302
    assert _count(app, Proposal) == 1


def test_the_same_form_sent_at_once_makes_one_proposal_and_one_batch_of_mails(
        app, live, make_user):
    leader = make_user(role=Role.LEADER)
    for _ in range(2):
        make_user(role=Role.EDITOR)
    person = Visitor(live.url)
    person.log_in(leader.email, PASSWORD)
    token = _token(person.get("/proposals/new").text)
    form = {**PITCH, "form_token": token, "intent": "submit"}
    answers = at_once([lambda: person.post("/proposals/new", form) for _ in range(6)])
    assert [answer.status for answer in answers] == [302] * 6, [a.status for a in answers]
    assert len({answer.location for answer in answers}) == 1, "every click lands on one proposal"
    assert _count(app, Proposal) == 1
    assert _count(app, Event, Event.action == "submit") == 1
    assert _editor_mails(app) == 2


# Every missing field in one round -------------------------------------------------------------

EMPTY = {"title": "", "summary": "", "why_it_matters": "", "tags": "", "body": "", "excerpt": ""}
EVERY_MISSING = ["Enter a title for your proposal.", "Write a short summary of your story.",
                 "Say why this story matters to the network.", "Add at least one tag"]


def _summary_links(page: str) -> list[str]:
    summary = page[page.index("There is a problem"):page.index("</ul>", page.index("There is a problem"))]
    return re.findall(r'<a href="#(\w+)">', summary)


def test_an_empty_submit_names_every_missing_field_at_once(app, client, people, act_as):
    act_as(people.author)
    response = client.post("/proposals/new", data={**EMPTY, "intent": "submit"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in EVERY_MISSING:
        assert message in page, message
    assert _summary_links(page) == ["title", "summary", "why_it_matters", "tags"]
    assert page.count('aria-invalid="true"') == 4
    assert _count(app, Proposal) == 0


def test_an_empty_save_of_a_draft_post_names_every_missing_field_at_once(
        app, client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.DRAFT, stage=Stage.POST)
    with app.app_context():
        version = db.session.get(Proposal, proposal_id).version
    act_as(people.author)
    response = client.post(f"/proposals/{proposal_id}/save",
                           data={**EMPTY, "version": version, "intent": "submit"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _summary_links(page) == ["title", "summary", "why_it_matters", "tags", "body"]
    assert "Write the full post before sending it." in page


# The page says what happened last ----------------------------------------------------------

def test_a_published_post_leads_with_its_publication_not_an_old_note(
        app, client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.PUBLISHED)
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        db.session.add(Event(proposal=proposal, actor_id=people.editor, action="request_changes",
                             from_state=State.IN_REVIEW, to_state=State.CHANGES_REQUESTED,
                             note="Please add a photo of the depot."))
        for action, source, target in (("resubmit", State.CHANGES_REQUESTED, State.IN_REVIEW),
                                       ("approve", State.IN_REVIEW, State.APPROVED),
                                       ("publish", State.APPROVED, State.PUBLISHED)):
            db.session.add(Event(proposal=proposal, actor_id=people.editor, action=action,
                                 from_state=source, to_state=target))
        db.session.commit()
        slug = proposal.slug
    for who in (people.author, people.editor):
        act_as(who)
        page = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
        box = page[page.index('class="next-step'):page.index("</div>", page.index('class="next-step'))]
        assert "Published" in box and "Live on the blog since" in box
        assert f"/blog/{slug}" in box
        assert "Please add a photo" not in box and "wrote:" not in box
        assert "Please add a photo" in page, "the note is still on the timeline"


def test_the_latest_decision_note_leads_while_nothing_happened_since(
        client, people, act_as, make_proposal, app):
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, editor_id=people.editor)
    act_as(people.editor)
    with app.app_context():
        version = db.session.get(Proposal, proposal_id).version
    client.post(f"/proposals/{proposal_id}/actions/request_changes",
                data={"version": version, "note": "Say who runs the swap."})
    act_as(people.author)
    page = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    box = page[page.index('class="next-step'):page.index("</div>", page.index('class="next-step'))]
    assert "Eda Editor wrote:" in box and "Say who runs the swap." in box


def test_the_authors_draft_leads_with_editing_and_submit_and_withdraw_comes_last(
        client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.DRAFT)
    act_as(people.author)
    page = shown(client.get(f"/proposals/{proposal_id}"), "<h1>Saturday repair café in Riverside</h1>")
    assert ">Decide<" not in page
    edit, submit = page.index("Edit your proposal"), page.index(">Submit proposal</button>")
    withdraw = page.index("Withdraw this proposal")
    assert edit < submit < withdraw
    assert 'class="button">Submit proposal' in page, "Submit is the primary button"
    link = re.search(r'<a class="([^"]+)" href="[^"]+/actions/withdraw">', page)
    assert link and "button--danger" not in link.group(1)
    confirm = client.get(f"/proposals/{proposal_id}/actions/withdraw")
    assert b"Are you sure?" in confirm.data


def test_editors_still_decide_above_the_proposal(client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, editor_id=people.editor)
    act_as(people.editor)
    page = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert page.index(">Decide<") < page.index("Request changes") < page.index("Copy edit")


# Preview and the word limit ----------------------------------------------------------------

HOSTILE_BODY = ("## Our first swap\n\nWe came with **tomato seeds**.\n\n"
                "<script>alert('x')</script>\n\n[click](javascript:alert(1)) "
                "<img src=x onerror=alert(1)>")


def test_preview_draws_the_markdown_sanitised_and_saves_nothing(app, client, people, act_as):
    act_as(people.author)
    response = client.post("/proposals/new", data={**PITCH, "body": HOSTILE_BODY,
                                                   "intent": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = page[page.index('id="preview"'):page.index("</section>", page.index('id="preview"'))]
    assert "<h2" in preview and "Our first swap" in preview
    assert "<strong>tomato seeds</strong>" in preview
    assert "<script" not in preview and "javascript:" not in preview
    assert "onerror" not in preview.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "<script>alert" not in page
    assert "tomato seeds" in page[page.index("<textarea"):], "the typed text is back in the form"
    assert _count(app, Proposal) == 0


def test_preview_of_a_saved_draft_changes_nothing(app, client, people, act_as, make_proposal):
    proposal_id = make_proposal(people.author, state=State.DRAFT)
    with app.app_context():
        before = db.session.get(Proposal, proposal_id)
        version, title = before.version, before.title
    act_as(people.author)
    response = client.post(f"/proposals/{proposal_id}/save", data={
        **PITCH, "title": "A new title", "body": "*New* words", "version": version,
        "intent": "preview"})
    assert response.status_code == 200
    assert b"<em>New</em>" in response.data and b"A new title" in response.data
    with app.app_context():
        after = db.session.get(Proposal, proposal_id)
        assert (after.version, after.title) == (version, title)


def test_the_server_keeps_the_300_word_limit(app, client, people, act_as):
    act_as(people.author)
    over = client.post("/proposals/new", data={**PITCH, "summary": "word " * 301,
                                               "intent": "save"})
    assert over.status_code == 200
    assert b"Write the summary in at most 300 words (it has 301)." in over.data
    assert b'data-word-limit="300"' in over.data
    assert _count(app, Proposal) == 0
    at_limit = client.post("/proposals/new", data={**PITCH, "summary": "word " * 300})
    assert at_limit.status_code == 302


def test_the_live_preview_answers_sanitised_html_for_writers_only(client, people, act_as):
    act_as(people.author)
    answer = client.post("/proposals/preview", data={"body": HOSTILE_BODY})
    assert answer.status_code == 200
    html = answer.get_json()["body_html"]
    assert "<strong>tomato seeds</strong>" in html and "<script" not in html
    assert "javascript:" not in html
    too_long = client.post("/proposals/preview", data={"body": "x" * 60001})
    assert too_long.status_code == 413 and "60,000" in too_long.get_json()["error"]
    act_as(people.member)
    assert client.post("/proposals/preview", data={"body": "Hi"}).status_code == 403


def test_back_then_sending_a_changed_draft_keeps_the_new_text_to_save(
        app, client, people, act_as):
    act_as(people.author)
    token = _token(client.get("/proposals/new").get_data(as_text=True))
    first = client.post("/proposals/new", data={**PITCH, "form_token": token})
    assert first.status_code == 302
    # Back, a better title typed, Save draft again: no second proposal, and the new title is
    # in the form on the proposal's page, ready to save, not silently dropped.
    again = client.post("/proposals/new", data={**PITCH, "title": "Seed swaps every month",
                                                "form_token": token})
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "no second proposal was made" in page and "not saved yet" in page
    assert 'value="Seed swaps every month"' in page
    assert _count(app, Proposal) == 1
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.title == PITCH["title"]
        version = proposal.version
    assert f'name="version" type="hidden" value="{version}"' in page
    saved = client.post(f"/proposals/{proposal.id}/save",
                        data={**PITCH, "title": "Seed swaps every month", "version": version})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Proposal.title)) == "Seed swaps every month"
