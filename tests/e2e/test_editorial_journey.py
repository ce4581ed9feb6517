"""The whole editorial story in a browser: pitch, changes, resubmit, diff, checklist, publish;
the live word count, the preview, and the queue and diff on a phone."""
import re

import feedparser
import pytest

from app.auth.services import create_user
from app.editorial import needs, services, steps
from app.editorial.workflow import Action
from app.extensions import db
from app.models.accounts import Role, User
from tests.e2e.conftest import screenshot_dir
from tests.e2e.journey import no_sideways_scroll

PASSWORD = "harbour pepper violin 77"
LEADER = "leader.journey@example.com"
EDITOR = "editor.journey@example.com"
TITLE = "Tool library in Millbrook"


def _people(app) -> int:
    with app.app_context():
        leader = create_user(LEADER, "Rosa Millbrook", PASSWORD, Role.LEADER, verified=True)
        create_user(EDITOR, "Idris Editor", PASSWORD, Role.EDITOR, verified=True)
        db.session.commit()
        return leader.id


def log_in(page, a11y, email):
    page.goto("/login")
    a11y(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    a11y(page)


def log_out(page, a11y):
    page.get_by_role("button", name="Log out").click()
    a11y(page)


def open_proposal(page, a11y, via):
    page.get_by_role("link", name=via, exact=False).first.click()
    a11y(page)
    page.get_by_role("link", name=TITLE).first.click()
    a11y(page)


def test_pitch_review_resubmit_approve_publish(page, a11y, mailbox, live_app, live_server):
    leader_id = _people(live_app)

    # The leader pitches, saves a draft, then submits.
    log_in(page, a11y, LEADER)
    page.get_by_role("link", name="Proposals").click()
    a11y(page)
    page.get_by_role("link", name="Pitch a story").click()
    a11y(page)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Neighbours lend drills, ladders and sewing machines.")
    page.get_by_label("Why it matters to the network").fill(
        "Any leader with a shed and a spreadsheet can start one.")
    page.get_by_label("Tags").fill("sharing, neighbours")
    page.get_by_label("The full post").fill(
        "We started with twelve tools in a garage.\n\nNow the library lends forty a week.")
    page.get_by_role("button", name="Save draft").click()
    a11y(page)
    assert "Last saved at" in page.inner_text("main")
    assert "Draft" in page.inner_text(".proposal-meta")
    page.get_by_role("button", name="Submit proposal").click()
    a11y(page)
    assert "Your proposal was sent to the editors" in page.inner_text("main")
    assert "Submitted" in page.inner_text(".proposal-meta")
    log_out(page, a11y)

    # The editor is told, claims it and asks for changes with a note.
    assert TITLE in mailbox.body(mailbox.wait_for(EDITOR, "Proposal submitted"))
    log_in(page, a11y, EDITOR)
    open_proposal(page, a11y, "Editor queue")
    page.get_by_role("button", name="Claim for review").click()
    a11y(page)
    page.get_by_role("link", name="Request changes").click()
    a11y(page)
    page.get_by_label("What should the author change?").fill(
        "Please say how people borrow a tool and bring it back.")
    page.get_by_role("button", name="Request changes").click()
    a11y(page)
    assert "Changes requested" in page.inner_text(".proposal-meta")
    log_out(page, a11y)

    changes = mailbox.body(mailbox.wait_for(LEADER, "asked for changes"))
    assert "Please say how people borrow a tool and bring it back." in changes

    # The leader edits and resubmits.
    log_in(page, a11y, LEADER)
    open_proposal(page, a11y, "Proposals")
    assert "Please say how people borrow a tool" in page.inner_text("main")
    page.get_by_label("The full post").fill(
        "We started with twelve tools in a garage.\n\nNow the library lends forty a week.\n\n"
        "You book a tool online and bring it back within a week.")
    page.get_by_role("button", name="Resubmit").click()
    a11y(page)
    assert "Your changes were sent to the editors" in page.inner_text("main")
    log_out(page, a11y)

    # The editor sees the diff, completes the checklist, approves and publishes.
    mailbox.wait_for(EDITOR, "Proposal resubmitted")
    log_in(page, a11y, EDITOR)
    open_proposal(page, a11y, "Editor queue")
    diff = page.locator(".diff-view--split table.diff")  # side by side on a desktop
    assert "You book a tool online" in diff.inner_text()
    assert diff.locator("tr.diff__row--insert").count() >= 1
    assert "+" in diff.locator("tr.diff__row--insert td:nth-child(5)").first.inner_text()
    page.get_by_role("link", name="Approve").click()
    a11y(page)
    assert "Tick every item before approving." in page.inner_text("main")
    # Approving with boxes unticked is a form error: summary on top, the checklist marked.
    page.get_by_role("button", name="Approve").click()
    a11y(page)
    summary = page.locator("[data-error-summary]")
    assert "There is a problem" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    summary.get_by_role("link", name="Complete the checklist").click()
    assert page.url.endswith("#checklist")
    assert "Error:" in page.locator("#checklist").inner_text()
    for box in page.locator(".checklist input[type=checkbox]").all():
        box.check()
    page.get_by_role("button", name="Approve").click()
    a11y(page)
    assert "Approved" in page.inner_text(".proposal-meta")
    page.get_by_role("button", name="Publish now").click()
    a11y(page)
    assert "Published" in page.inner_text(".proposal-meta")

    # The post is on the blog, in the feed and on the author's page.
    page.get_by_role("link", name="Blog", exact=True).click()
    a11y(page)
    page.get_by_role("link", name=TITLE).click()
    a11y(page)
    assert "You book a tool online" in page.inner_text("main")
    assert "min read" in page.inner_text("main")
    post_url = page.url
    feed = feedparser.parse(page.request.get("/blog/feed.atom").body())
    assert not feed.bozo and feed.entries[0].title == TITLE
    page.get_by_role("link", name="Rosa Millbrook").first.click()
    a11y(page)
    assert page.url.endswith(f"/blog/author/{leader_id}")
    assert TITLE in page.inner_text("main")

    # The author received each decision by mail, the last one with the link.
    assert "approved your post" in mailbox.wait_for(LEADER, "approved")["Subject"]
    live = mailbox.body(mailbox.wait_for(LEADER, "is live"))
    link = re.search(r"https?://\S+/blog/\S+", live).group(0)
    assert link.split("/blog/")[1] == post_url.split("/blog/")[1]


# The pitch form's extras, and the editor's pages on a phone -----------------------------------

BOTH = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                            {"width": 390, "height": 844}],
                               ids=["desktop", "phone"], indirect=True)


def shot(page, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"{name}-{page.viewport_size['width']}.png"),
                    full_page=True)


def _resubmitted_proposal(app) -> int:
    """A proposal sent back for changes and resubmitted: two revisions, so a diff to read."""
    _people(app)
    with app.app_context():
        leader = db.session.scalar(db.select(User).where(User.email == LEADER))
        editor = db.session.scalar(db.select(User).where(User.email == EDITOR))
        body = ("We started with twelve tools in a garage.\n\nNow the library lends forty a week. "
                "Booking is at https://example.org/millbrook-tool-library/bookings/"
                "a-very-long-path-that-must-wrap-on-a-phone")
        proposal = services.create_proposal(leader, needs.ProposalInput(
            title=TITLE, summary="Neighbours lend drills, ladders and sewing machines.",
            why_it_matters="Any leader with a shed and a spreadsheet can start one.",
            tags=["sharing", "neighbours"], body=body))
        steps.take_action(proposal, Action.SUBMIT, leader)
        steps.take_action(proposal, Action.CLAIM, editor)
        steps.take_action(proposal, Action.REQUEST_CHANGES, editor,
                          note="Please say how people bring a tool back.")
        services.save_proposal(proposal, leader, needs.ProposalInput(
            title=TITLE, summary="Neighbours lend drills, ladders and sewing machines.",
            why_it_matters="Any leader with a shed and a spreadsheet can start one.",
            tags=["sharing", "neighbours"],
            body=body + "\n\nYou bring a tool back within a week, cleaned."), None)
        steps.take_action(proposal, Action.RESUBMIT, leader)
        for number in range(3):
            other = services.create_proposal(leader, needs.ProposalInput(
                title=f"Community fridge number {number + 1} behind the bakery on Long Street",
                summary="Shops leave food.", why_it_matters="Less waste.",
                tags=["food", "waste", "neighbours"]))
            steps.take_action(other, Action.SUBMIT, leader)
        db.session.commit()
        return proposal.id


@BOTH
def test_the_summary_counts_its_words_while_typing_and_preview_shows_the_post(
        page, a11y, live_app, live_server):
    _people(live_app)
    log_in(page, a11y, LEADER)
    page.goto("/proposals/new")
    a11y(page)
    summary = page.get_by_label("Summary")
    count = page.locator("[data-word-count]")
    assert count.inner_text() == "0 of 300 words"
    summary.press_sequentially("Neighbours lend drills")
    assert count.inner_text() == "3 of 300 words"
    summary.fill("word " * 302)
    assert count.inner_text() == "You have 2 words too many (302 of 300 words)"
    assert "word-count--over" in count.get_attribute("class")
    assert "summary-count" in summary.get_attribute("aria-describedby")
    # The server keeps the limit.
    page.get_by_label("Title").fill(TITLE)
    page.get_by_role("button", name="Save draft").click()
    a11y(page)
    assert "Write the summary in at most 300 words (it has 302)." in page.inner_text("main")
    assert count.inner_text().startswith("You have 2 words too many")

    summary.fill("Neighbours lend drills, ladders and sewing machines.")
    page.get_by_label("Why it matters to the network").fill("Anyone with a shed can start one.")
    page.get_by_label("Tags").fill("sharing, neighbours")
    page.get_by_label("The full post").fill(
        "## How it works\n\nYou book a **drill** online.\n\n<script>document.title='x'</script>")
    page.get_by_role("button", name="Preview").click()
    a11y(page)
    preview = page.locator("#preview")
    assert preview.locator("h2", has_text="How it works").count() == 1
    assert preview.locator("strong", has_text="drill").count() == 1
    assert preview.locator("script").count() == 0 and page.title() != "x"
    assert page.evaluate("document.activeElement.id") == "preview"
    assert "How it works" in page.get_by_label("The full post").input_value()
    # With JavaScript the open preview follows the typing.
    page.get_by_label("The full post").fill("## How to borrow\n\nAsk *Rosa*.")
    preview.locator("h2", has_text="How to borrow").wait_for()
    assert preview.locator("em", has_text="Rosa").count() == 1
    page.get_by_role("button", name="Save draft").click()
    a11y(page)
    assert "Draft saved at" in page.inner_text("main")
    no_sideways_scroll(page)
    shot(page, "proposal")


@BOTH
def test_the_queue_and_the_diff_fit_the_screen(page, a11y, live_app, live_server):
    proposal_id = _resubmitted_proposal(live_app)
    phone = page.viewport_size["width"] < 700
    log_in(page, a11y, EDITOR)
    page.goto("/editor")
    a11y(page)
    no_sideways_scroll(page)
    rows = page.locator("tr.queue__row")
    assert rows.count() == 4
    if phone:  # stacked rows: each value under the one before, with its label
        first = rows.first.bounding_box()
        assert first["width"] <= 390
        assert page.locator("table.queue thead").bounding_box()["height"] <= 1
        author = rows.first.locator("td[data-label=Author]")
        label = author.evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label == '"Author: "' and author.inner_text() == "Rosa Millbrook"
        cells = [rows.first.locator("td").nth(n).bounding_box() for n in range(2)]
        assert cells[1]["y"] >= cells[0]["y"] + cells[0]["height"] - 1, "cells stack"
    shot(page, "queue")

    page.goto(f"/proposals/{proposal_id}")
    a11y(page)
    no_sideways_scroll(page)
    split, one_column = page.locator(".diff-view--split"), page.locator(".diff-view--unified")
    assert one_column.is_visible() is phone and split.is_visible() is not phone
    shown = one_column if phone else split
    assert "You bring a tool back within a week" in shown.inner_text()
    shot(page, "proposal-editor")
    # The switch works without JavaScript: a link that keeps the choice in the address.
    other = "side by side" if phone else "in one column"
    page.get_by_role("link", name=other).click()
    a11y(page)
    assert split.is_visible() is phone and one_column.is_visible() is not phone
    no_sideways_scroll(page)
