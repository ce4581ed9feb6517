"""The forum in a browser: start a thread, answer one particular reply in the box that opens
under it, the follow mail and its link to that reply, deleting one's own message, a flag citing
a guideline item, and a steward removing the message from the moderation queue. Once with the
mouse at a desktop's and a phone's width, once with the keyboard alone."""
import re
import secrets
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import mail
from app.auth.services import create_user
from app.extensions import db
from app.forum import members, posting
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.forum import ForumCategory, ForumFollow, ForumPost, ForumSteward, ForumThread
from tests.e2e.conftest import screenshot_dir
from tests.e2e.journey import click, enter_opens_page, log_out, no_sideways_scroll, open_menu

PASSWORD = "kettle meadow lantern 58"
AUTHOR = ("amara.forum@example.com", "Amara Okafor")
READER = ("bruno.forum@example.com", "Bruno Silva")
STEWARD = ("stella.forum@example.com", "Stella Reyes")
CATEGORY = "Running gatherings"
GUIDELINES = [
    {"title": "Disagree constructively", "text": "Take on the idea, not the person."},
    {"title": "No blaming, shaming or attacking", "text": "No insults, mockery or threats."},
    {"title": "Respect privacy", "text": "Do not share anyone's details without their consent."},
]
ATTACKING = "2. No blaming, shaming or attacking"

TITLE = "Setting out chairs before a gathering"
OPENING = "How early do you set out the chairs? Call me on 0161 496 0000 if it is easier."
STEWARD_REPLY = "An hour before: people come early to help, and they like being asked."
READER_REPLY = "Half an hour for us. We ask the first three people through the door to help."
SHARP_REPLY = "Honestly, anyone who turns up late to help with the chairs is hopeless."

BOTH = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900},
                                            {"width": 390, "height": 844}],
                               ids=["desktop", "phone"], indirect=True)


# Setting up -------------------------------------------------------------------------------

def _forum(app) -> None:
    """The category with its steward, the guidelines in force and three confirmed members."""
    with app.app_context():
        people = {email: create_user(email, name, PASSWORD, Role.MEMBER, verified=True)
                  for email, name in (AUTHOR, READER, STEWARD)}
        db.session.flush()
        members.publish_guidelines("How we talk to each other here.", GUIDELINES, None)
        category = ForumCategory(name=CATEGORY, slug="running-gatherings",
                                 description="Rooms, chairs, tea and the people who come.")
        db.session.add(category)
        db.session.flush()
        db.session.add(ForumSteward(category_id=category.id, user_id=people[STEWARD[0]].id))
        db.session.commit()


def _steward_replies(app, ten_minutes_pass: bool = True) -> int:
    """The steward answers the thread's opening message (it is already there when the reader
    comes): its author is mailed about it. ten_minutes_pass: the author's next reply mail is
    not held back by the at-most-one-mail-per-ten-minutes rule."""
    with app.test_request_context():
        steward = db.session.scalar(db.select(User).where(User.email == STEWARD[0]))
        thread = db.session.scalar(db.select(ForumThread).where(ForumThread.title == TITLE))
        opening = db.session.scalar(db.select(ForumPost).where(ForumPost.thread_id == thread.id,
                                                               ForumPost.depth == 0))
        answer = posting.reply(steward, thread, opening, STEWARD_REPLY, accepted_guidelines=True,
                               form_token=secrets.token_hex(8))
        db.session.commit()
        answer_id = answer.id
        mail.deliver_pending()  # as the app's after-request send or the cron would
        if ten_minutes_pass:
            author = db.session.scalar(db.select(User).where(User.email == AUTHOR[0]))
            follow = db.session.get(ForumFollow, (author.id, thread.id))
            follow.last_mailed_at = utcnow() - timedelta(minutes=11)
            db.session.commit()
        return answer_id


# Helpers for the mouse journey ------------------------------------------------------------

def log_in(page, a11y, email: str, name: str) -> None:
    page.goto("/login")
    a11y(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    a11y(page)
    assert f"You are logged in as {name}" in page.inner_text("main")


def open_thread(page, a11y) -> None:
    open_menu(page)
    click(page, a11y, page.get_by_role("link", name="Forum", exact=True))
    click(page, a11y, page.get_by_role("link", name=CATEGORY))
    click(page, a11y, page.get_by_role("link", name=TITLE))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def post_id_in(url: str) -> int:
    return int(re.search(r"#post-(\d+)$", url).group(1))


def shot(page, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"forum-{name}-{page.viewport_size['width']}.png"),
                    full_page=True)


def mail_holding(mailbox, address: str, text: str, timeout: float = 10.0):
    """The mail to `address` whose text holds `text` (an earlier one about the thread may be
    there already, with the same subject)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(mailbox.for_address(address)):
            if text in mailbox.body(message):
                return message
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address} holding {text!r} arrived; "
                         f"{[m['Subject'] for m in mailbox.for_address(address)]} did")


def inline_box_under(page, post_id: int):
    """The reply box the script opens right under a message."""
    return page.locator(f"#post-{post_id} + form.message-form--inline")


# Journey 1: with the mouse, on a desktop and on a phone --------------------------------------

@BOTH
def test_thread_reply_to_a_reply_mail_delete_flag_and_remove(page, a11y, mailbox, live_app,
                                                              live_server):
    _forum(live_app)

    # The author starts a thread, ticking the guidelines box as a first message asks.
    log_in(page, a11y, *AUTHOR)
    open_menu(page)
    click(page, a11y, page.get_by_role("link", name="Forum", exact=True))
    click(page, a11y, page.get_by_role("link", name=CATEGORY))
    assert "Questions about this forum? Message Stella Reyes" in page.inner_text("main")
    click(page, a11y, page.get_by_role("link", name="Start a thread"))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your message").fill(OPENING)
    page.get_by_label("I have read the community guidelines and will keep to them").check()
    assert page.get_by_label("Email me when people reply").is_checked()  # authors follow
    click(page, a11y, page.get_by_role("button", name="Start the thread"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert OPENING in page.inner_text("main")
    assert "You get an email when people reply." in page.inner_text("main")
    log_out(page, a11y)

    # The steward answers; the author is mailed about it. Ten minutes later ...
    steward_reply = _steward_replies(live_app)
    assert STEWARD_REPLY in mailbox.body(mailbox.wait_for(AUTHOR[0], "new reply"))

    # ... the reader answers the steward's reply itself, in the box that opens under it.
    log_in(page, a11y, *READER)
    open_thread(page, a11y)
    steward_message = page.locator(f"#post-{steward_reply}")
    assert STEWARD_REPLY in steward_message.inner_text()
    steward_message.get_by_role("link", name="Reply to Stella Reyes").click()
    box = inline_box_under(page, steward_reply)
    expect(box).to_be_visible()
    expect(box.get_by_label("Your reply")).to_be_focused()
    box.get_by_label("Your reply").fill(READER_REPLY)
    # The reader's first message: the box asks them to accept the guidelines.
    box.get_by_label("I have read the community guidelines and will keep to them").check()
    no_sideways_scroll(page)
    box.scroll_into_view_if_needed()
    shot(page, "reply-box")
    click(page, a11y, box.get_by_role("button", name="Post reply"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)  # back on the thread
    reader_reply = post_id_in(page.url)
    answer = page.locator(f"#post-{reader_reply}")
    expect(answer).to_be_in_viewport()
    assert READER_REPLY in answer.inner_text() and "Bruno Silva" in answer.inner_text()
    # It sits under the steward's reply, not at the end of the thread.
    nested = page.locator(f"li:has(> #post-{steward_reply}) > ol.replies #post-{reader_reply}")
    expect(nested).to_have_count(1)
    log_out(page, a11y)

    # The author's mail holds the answer and a link to it; the link opens the answer.
    body = mailbox.body(mail_holding(mailbox, AUTHOR[0], READER_REPLY))
    assert "Bruno Silva replied in “Setting out chairs before a gathering”" in body
    link = re.search(r"https?://[^/\s]+(/forum/threads/\d+/posts/(\d+))", body)
    assert link, f"no link to the reply in the mail:\n{body}"
    assert int(link.group(2)) == reader_reply
    log_in(page, a11y, *AUTHOR)
    page.goto(link.group(1))
    a11y(page)
    assert page.url.endswith(f"#post-{reader_reply}")
    assert "/posts/" not in page.url  # the thread's page, not a page of its own
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert page.evaluate("document.querySelector(':target').id") == f"post-{reader_reply}"
    expect(page.locator(f"#post-{reader_reply}")).to_be_in_viewport()
    # A :target outline shows the reader which message the link meant.
    assert page.locator(f"#post-{reader_reply}").evaluate(
        "m => getComputedStyle(m).outlineStyle") != "none"
    no_sideways_scroll(page)
    shot(page, "thread-from-mail")

    # The author answers too, then deletes the opening message (their phone number is in it).
    page.locator(f"#post-{reader_reply}").get_by_role("link", name="Reply to Bruno Silva").click()
    box = inline_box_under(page, reader_reply)
    expect(box.get_by_label("Your reply")).to_be_focused()
    assert box.get_by_label("I have read the community guidelines and will keep to them").count() == 0
    box.get_by_label("Your reply").fill(SHARP_REPLY)
    click(page, a11y, box.get_by_role("button", name="Post reply"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)  # back on the thread
    sharp_reply = post_id_in(page.url)
    assert SHARP_REPLY in page.locator(f"#post-{sharp_reply}").inner_text()

    opening = page.locator("article.message").first
    opening_id = int(opening.get_attribute("id").removeprefix("post-"))
    click(page, a11y, opening.get_by_role("link", name="Delete", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your message?")
    assert OPENING in page.inner_text("main")
    click(page, a11y, page.get_by_role("button", name="Delete my message"))
    assert "Your message is deleted." in page.inner_text("main")
    assert page.url.endswith(f"#post-{opening_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)  # the thread stays
    deleted = page.locator(f"#post-{opening_id}")
    assert "This reply was deleted." in deleted.inner_text()
    assert "0161 496 0000" not in page.inner_text("main")
    assert READER_REPLY in page.inner_text("main")  # the answers around it still read
    log_out(page, a11y)

    # The reader flags the sharp reply, citing the guideline it breaks.
    log_in(page, a11y, *READER)
    open_thread(page, a11y)
    click(page, a11y, page.locator(f"#post-{sharp_reply}").get_by_role("link", name="Flag"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Flag a message")
    assert SHARP_REPLY in page.inner_text("main")
    page.get_by_label(ATTACKING).check()
    page.get_by_label("Anything the stewards should know (optional)").fill(
        "Calling people hopeless for being late.")
    click(page, a11y, page.get_by_role("button", name="Send the flag to the stewards"))
    assert "Your flag went to the stewards" in page.inner_text("main")
    assert SHARP_REPLY in page.locator(f"#post-{sharp_reply}").inner_text()  # it stays, for now
    log_out(page, a11y)

    # The steward finds it in the moderation queue and removes it, citing the same item.
    log_in(page, a11y, *STEWARD)
    open_menu(page)
    click(page, a11y, page.get_by_role("link", name="Moderation", exact=True))
    assert page.url.endswith("/forum/moderation")
    flagged = page.locator(f"#flagged-{sharp_reply}")
    expect(page.get_by_role("heading", name="Flagged messages (1)")).to_be_visible()
    assert SHARP_REPLY in flagged.inner_text()
    assert "Bruno Silva flagged it" in flagged.inner_text()
    assert f"guideline {ATTACKING}" in flagged.inner_text()
    assert "Calling people hopeless for being late." in flagged.inner_text()
    no_sideways_scroll(page)
    shot(page, "moderation")
    click(page, a11y, flagged.get_by_role("link", name="Remove the message…"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove a message")
    assert f"Bruno Silva: guideline {ATTACKING}" in page.inner_text("main")
    page.get_by_label(ATTACKING).check()
    page.get_by_label("A note for the log (optional)").fill("Second time this month.")
    click(page, a11y, page.get_by_role("button", name="Remove the message"))
    assert "The message is removed." in page.inner_text("main")
    expect(page.get_by_role("heading", name="Flagged messages (0)")).to_be_visible()
    log_row = page.locator("table.table tbody tr").first
    assert "Stella Reyes removed" in log_row.inner_text()
    assert ATTACKING in log_row.inner_text()
    click(page, a11y, log_row.get_by_role("link", name="a message by Amara Okafor"))
    assert page.url.endswith(f"#post-{sharp_reply}")
    removed = page.locator(f"#post-{sharp_reply}")
    assert f"Removed by a steward: it broke guideline {ATTACKING}." in removed.inner_text()
    assert "hopeless" not in page.inner_text("main")
    assert "This reply was deleted." in page.locator(f"#post-{opening_id}").inner_text()
    assert READER_REPLY in page.inner_text("main") and STEWARD_REPLY in page.inner_text("main")
    no_sideways_scroll(page)
    shot(page, "thread")


# Journey 2: the keyboard alone ------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: "body", name: "", id: ""};
  const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
  const name = (el.getAttribute("aria-label") || label || el.textContent || el.value || "")
    .replace(/\\s+/g, " ").trim();
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), name, id: el.id,
          ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, name: str, tag: str | None = None, backwards: bool = False, limit: int = 60):
    """Press Tab (or Shift+Tab) until the focus is on the element called `name`; it must show
    where the focus is."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        seen.append(now["name"][:40])
        if now["name"].startswith(name) and (tag is None or now["tag"] == tag):
            assert now["ring"], f"{name!r} has the focus but shows no focus outline"
            return now
    raise AssertionError(f"{limit} presses of {key} did not reach {name!r}; the focus went "
                         f"through {seen}")


def test_keyboard_only_log_in_start_a_thread_and_answer_a_reply(page, a11y, mailbox, live_app,
                                                                 live_server):
    _forum(live_app)
    page.goto("/login")
    a11y(page)
    skip = tab_to(page, "Skip to main content")
    assert skip["tag"] == "a"
    tab_to(page, "Email address", "input")
    page.keyboard.type(AUTHOR[0])
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Password"
    page.keyboard.type(PASSWORD)
    enter_opens_page(page, a11y)  # Enter in the password field sends the form
    assert "You are logged in as Amara Okafor" in page.inner_text("main")

    tab_to(page, "Forum", "a")
    enter_opens_page(page, a11y)
    tab_to(page, CATEGORY, "a")
    enter_opens_page(page, a11y)
    tab_to(page, "Start a thread", "a")
    enter_opens_page(page, a11y)

    # Sending it empty: the summary of what is wrong takes the focus.
    tab_to(page, "Start the thread", "button")
    enter_opens_page(page, a11y)
    summary = page.locator("[data-error-summary]")
    assert "There is a problem" in summary.inner_text()
    assert "tick the box" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")

    tab_to(page, "Title", "input")
    page.keyboard.type(TITLE)
    tab_to(page, "Your message", "textarea")
    page.keyboard.type(OPENING)
    box = tab_to(page, "I have read the community guidelines", "input")
    page.keyboard.press("Space")
    assert page.locator(f"#{box['id']}").is_checked()
    tab_to(page, "Start the thread", "button")
    enter_opens_page(page, a11y)
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert OPENING in page.inner_text("main")

    # The steward answers meanwhile; the author comes back to the thread by its category.
    steward_reply = _steward_replies(live_app, ten_minutes_pass=False)
    tab_to(page, CATEGORY, "a")
    enter_opens_page(page, a11y)
    tab_to(page, TITLE, "a")
    enter_opens_page(page, a11y)
    assert STEWARD_REPLY in page.locator(f"#post-{steward_reply}").inner_text()

    # Reply under the steward's message: Enter opens the box there, with the focus in it.
    reply_link = tab_to(page, "Reply to Stella Reyes", "a")
    thread_url = page.url
    page.keyboard.press("Enter")
    box = inline_box_under(page, steward_reply)
    expect(box).to_be_visible()
    assert focused(page)["id"] == f"reply-to-post-{steward_reply}-body"
    assert focused(page)["name"] == "Your reply"
    assert page.url == thread_url  # the box opened here, not on a page of its own
    # Cancel closes it and gives the focus back to the Reply link.
    tab_to(page, "Cancel", "button")
    page.keyboard.press("Enter")
    expect(box).to_have_count(0)
    assert focused(page)["name"] == reply_link["name"]
    page.keyboard.press("Enter")
    expect(box).to_be_visible()
    assert focused(page)["id"] == f"reply-to-post-{steward_reply}-body"
    page.keyboard.type("An hour it is. I will ask the first people in to help, as you say.")
    tab_to(page, "Post reply", "button")
    enter_opens_page(page, a11y)
    assert page.get_by_role("heading", level=1).inner_text() == TITLE  # back on the thread
    mine = post_id_in(page.url)
    answer = page.locator(f"#post-{mine}")
    expect(answer).to_be_in_viewport()
    assert "An hour it is." in answer.inner_text()
    nested = page.locator(f"li:has(> #post-{steward_reply}) > ol.replies #post-{mine}")
    expect(nested).to_have_count(1)
    # The steward, whose message was answered, follows the thread by replying: a mail came.
    steward_mail = mailbox.body(mail_holding(mailbox, STEWARD[0], "An hour it is."))
    assert "/forum/threads/" in steward_mail and f"/posts/{mine}" in steward_mail
