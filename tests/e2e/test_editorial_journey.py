"""The whole editorial story in a browser: pitch, changes, resubmit, diff, checklist, publish."""
import re

import feedparser

from app.auth.services import create_user
from app.extensions import db
from app.models.accounts import Role

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
    diff = page.locator("table.diff")
    assert "You book a tool online" in diff.inner_text()
    assert diff.locator("tr.diff__row--insert").count() >= 1
    assert "+" in diff.locator("tr.diff__row--insert td:nth-child(5)").first.inner_text()
    page.get_by_role("link", name="Approve").click()
    a11y(page)
    # (Approving with boxes unticked answers 409; tests/editorial covers that refusal.)
    assert "Tick every item before approving." in page.inner_text("main")
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
