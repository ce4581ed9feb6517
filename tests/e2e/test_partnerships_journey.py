"""Learning partnerships in a browser: two people find each other on the "looking for learning
partners" board; one posts a request, is shown the other among the people whose requests fit
and invites them; the other joins from their partnerships page; the room says who is still to
answer the opening until both have answered the questions and accepted the agreement; the
partnership becomes active; one of them sets the rhythm, and the first meeting is on both
people's "Your gatherings" and in both personal calendar feeds (parsed back with icalendar) at
the rhythm's wall-clock time in its zone. Nobody else (a third member, a visitor) gets more than
a 404 at the partnership's page. Once with the mouse at a desktop's and a phone's width, once
with the keyboard alone. axe-core checks every page."""
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from app.auth.services import create_user
from app.extensions import db
from app.gatherings import calendar as gathering_calendar
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.directory import FocusArea
from app.models.partnerships import Partnership, PartnershipState
from app.partnerships import board
from tests.e2e.conftest import screenshot_dir
from tests.partnerships.helpers import accept, answer_all
from tests.e2e.journey import click, enter_opens_page, log_out, nav_link, no_sideways_scroll

PASSWORD = "saffron kestrel ladder 41"
INVITER = ("niamh.partners@example.com", "Niamh Doyle", "Europe/Dublin")
INVITEE = ("kwame.partners@example.com", "Kwame Asante", "Africa/Accra")
OUTSIDER = ("helga.partners@example.com", "Helga Lindqvist", "Europe/Stockholm")
AREA = ("Community organising", "community-organising")

INVITER_ABOUT = ("I run a food co-op and want to get better at bringing quiet members into "
                 "decisions. Looking for two or three people to compare notes with each month.")
INVITEE_ABOUT = ("I coordinate volunteers for a youth football league and would like to learn "
                 "how other organisers keep people coming back after the first season.")
INVITATION = "Your request sounds close to mine: shall we learn from each other this spring?"
ANSWERS = [
    "To run meetings where the newest member speaks as often as the oldest.",
    "Plainly and kindly. I need a moment before I answer a hard question.",
    "Stories about named volunteers stay here; what we learn in general can travel.",
    "Say so early, then each explain what we would lose with the other's idea.",
    "Every two weeks in the evening suits me; only illness would make me cancel.",
]
MEETING_LINK = "https://meet.example/partners-room-7c41"
MEETING_TITLE = "Learning partnership meeting 1"

BOTH = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                            {"width": 390, "height": 844}],
                               ids=["desktop", "phone"], indirect=True)
DESKTOP = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}], ids=["desktop"],
                                  indirect=True)


# Setting up -------------------------------------------------------------------------------

def _people(app) -> None:
    """Three confirmed members, each with their own time zone, and one official focus area."""
    with app.app_context():
        for email, name, zone in (INVITER, INVITEE, OUTSIDER):
            person = create_user(email, name, PASSWORD, Role.MEMBER, verified=True)
            person.time_zone = zone
        db.session.add(FocusArea(name=AREA[0], slug=AREA[1], official=True))
        db.session.commit()


def _invitee_request(app) -> None:
    """For the keyboard journey: the invitee's request is on the board already."""
    with app.test_request_context(method="POST"):
        person = db.session.scalar(db.select(User).where(User.email == INVITEE[0]))
        board.post(person, board.Wanted(about=INVITEE_ABOUT, focus_areas=[AREA[1]], languages="English, Twi",
                                        time_zone=INVITEE[2], mode="online"))
        db.session.commit()


def _user(app, email: str) -> User:
    with app.app_context():
        found = db.session.scalar(db.select(User).where(User.email == email))
        db.session.expunge(found)
        return found


def _state(app, partnership_id: int) -> PartnershipState:
    with app.app_context():
        return db.session.get(Partnership, partnership_id).state


def first_meeting(zone: str, days: int = 9, hour: int = 18, minute: int = 30) -> datetime:
    """A wall-clock time `days` from now in `zone` (naive)."""
    here = utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone))
    return (here + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0,
                                                 tzinfo=None)


# Helpers for the mouse journey ------------------------------------------------------------

def log_in(page, a11y, email: str, name: str) -> None:
    page.goto("/login")
    a11y(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    a11y(page)
    assert f"You are logged in as {name}" in page.inner_text("main")


def shot(page, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"partnerships-{name}-{page.viewport_size['width']}.png"),
                    full_page=True)


def partnership_id_in(url: str) -> int:
    return int(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])


def progress_of(page) -> dict[str, str]:
    """The room's "Who has done the opening" list: {name ("You" for oneself): its steps}."""
    rows = page.get_by_role("list", name="Who has done the opening").get_by_role("listitem")
    found = {}
    for row in rows.all():
        found[row.locator(".progress-item__name").inner_text().strip()] = (
            row.locator(".progress-item__steps").inner_text())
    return found


def still_line(page) -> str:
    """The room's "Still to answer or accept: ..." line ("" when there is none)."""
    line = page.locator(".room-card--opening p", has_text="Still to answer or accept:")
    return line.inner_text() if line.count() else ""


def feed_path(page) -> str:
    """The person's calendar address, as their "Your gatherings in your calendar" page shows it
    (an absolute address on the site's own host), as a path on the live server."""
    address = page.get_by_label("Your calendar address").input_value()
    parts = urlsplit(address)
    assert parts.path.startswith("/gatherings/calendar/") and parts.path.endswith(".ics"), address
    return parts.path


def feed_events(page, path: str) -> list:
    """The calendar feed fetched as a calendar app would (no cookies needed: the secret is the
    key), parsed back with icalendar."""
    answer = page.context.request.get(path)
    assert answer.status == 200, answer.status
    assert answer.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(answer.body()).walk("VEVENT")


def check_meeting_event(events, start: datetime, zone: str, minutes: int = 60) -> None:
    """The first meeting is in the feed at the rhythm's wall-clock time in the rhythm's zone."""
    found = [event for event in events if str(event["SUMMARY"]) == MEETING_TITLE]
    assert len(found) == 1, [str(event["SUMMARY"]) for event in events]
    event = found[0]
    for name, local in (("DTSTART", start), ("DTEND", start + timedelta(minutes=minutes))):
        value = event[name].dt
        if "TZID" in event[name].params:
            assert event[name].params["TZID"] == zone, event[name].params
            assert value.replace(tzinfo=None) == local, f"{name} is {value}, not {local}"
        else:  # a zone that is UTC all year round (Accra) is written as UTC, ending in Z
            assert value.utcoffset() == timedelta(0) == ZoneInfo(zone).utcoffset(local), value
        assert value.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == local, f"{name} is {value}, not {local}"
        assert value.utcoffset() == local.replace(tzinfo=ZoneInfo(zone)).utcoffset()
    text = event.to_ical().decode()
    assert MEETING_LINK not in text  # each person's own join address, never the link itself


def not_found_for(page, partnership_id: int) -> None:
    """The partnership's page and its opening answer 404 to whoever asks with these cookies."""
    for path in (f"/partnerships/{partnership_id}", f"/partnerships/{partnership_id}/opening"):
        answer = page.context.request.get(path, max_redirects=0)
        assert answer.status == 404, f"{path}: {answer.status}"
        assert INVITER[1] not in answer.text() and INVITEE[1] not in answer.text()


# Journey 1: with the mouse, on a desktop and on a phone --------------------------------------

@BOTH
def test_find_a_partner_on_the_board_invite_open_and_meet(page, a11y, live_app, live_server):
    _people(live_app)
    zone = INVITER[2]
    start = first_meeting(zone)

    # The invitee posts that they are looking.
    log_in(page, a11y, *INVITEE[:2])
    click(page, a11y, nav_link(page, "Learning partners"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your learning partnerships")
    click(page, a11y, page.get_by_role("main").get_by_role("link", name="Post that you are looking"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Post that you are looking")
    assert page.get_by_label("Your time zone").input_value() == INVITEE[2]  # the account's
    page.get_by_label("What you hope to learn").fill(INVITEE_ABOUT)
    page.get_by_label(AREA[0]).check()
    page.get_by_label("Languages you could meet in").fill("English, Twi")
    assert page.get_by_role("radio", name="Online", exact=True).is_checked()
    no_sideways_scroll(page)
    click(page, a11y, page.get_by_role("button", name="Post my request"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request")
    assert "Your request is on the board." in page.inner_text("main")
    assert "No open request fits yours yet." in page.inner_text("main")
    log_out(page, a11y)

    # The inviter finds the board, sees the request, and posts their own.
    log_in(page, a11y, *INVITER[:2])
    click(page, a11y, nav_link(page, "Learning partners"))
    click(page, a11y, page.get_by_role("link", name="Find partners on the request board"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Looking for learning partners")
    card = page.locator(".request-card", has_text=INVITEE[1])
    expect(card).to_have_count(1)
    assert INVITEE_ABOUT[:60] in card.inner_text()
    assert "Accra time" in card.inner_text() and AREA[0] in card.inner_text()
    no_sideways_scroll(page)
    shot(page, "board")
    click(page, a11y, page.get_by_role("main").get_by_role("link", name="Post that you are looking"))
    page.get_by_label("What you hope to learn").fill(INVITER_ABOUT)
    page.get_by_label(AREA[0]).check()
    page.get_by_label("Languages you could meet in").fill("English, Irish")
    click(page, a11y, page.get_by_role("button", name="Post my request"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request")

    # Their request's page suggests the invitee, and says why.
    suggestions = page.get_by_role("region", name="People whose requests fit yours")
    suggestion = suggestions.locator(".suggestion", has_text=INVITEE[1])
    expect(suggestion).to_have_count(1)
    why = suggestion.get_by_role("list", name=f"Why {INVITEE[1]}").inner_text()
    assert f"Both: {AREA[0]}" in why and "You both speak English" in why
    assert "You would both meet online" in why
    no_sideways_scroll(page)
    shot(page, "request-with-suggestions")
    click(page, a11y, suggestion.get_by_role("link", name=f"Invite {INVITEE[1]}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invite {INVITEE[1]} to a learning partnership")
    assert page.get_by_role("radio", name="A new partnership").is_checked()
    page.get_by_label("A few words to them (optional)").fill(INVITATION)
    click(page, a11y, page.get_by_role("button", name="Send the invitation"))
    assert f"Your invitation is on its way to {INVITEE[1]}." in page.inner_text("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your learning partnership")
    partnership = partnership_id_in(page.url)
    assert f"Waiting for an answer from {INVITEE[1]}." in page.inner_text("main")
    log_out(page, a11y)

    # The invitee accepts on their partnerships page.
    log_in(page, a11y, *INVITEE[:2])
    click(page, a11y, nav_link(page, "Learning partners"))
    invitations = page.get_by_role("region", name="Invitations to you")
    assert f"{INVITER[1]} invites you to a learning partnership." in invitations.inner_text()
    assert INVITATION in invitations.inner_text()
    click(page, a11y, invitations.get_by_role("button", name="Join the partnership"))
    assert "Welcome to the partnership." in page.inner_text("main")
    assert page.locator(".room__with").inner_text() == f"With {INVITER[1]}"
    assert page.locator(".room__meta .partnership-state").inner_text() == "In its opening"
    # Nobody has answered: the room says so for both.
    progress = progress_of(page)
    assert set(progress) == {"You", INVITER[1]}
    assert all("Still to answer" in steps for steps in progress.values())
    assert INVITER[1] in still_line(page) and "you" in still_line(page)  # the reader is "you"
    assert INVITEE[1] not in still_line(page)
    no_sideways_scroll(page)
    shot(page, "room-opening")

    # The invitee answers the opening questions ...
    click(page, a11y, page.get_by_role("link", name="Answer the opening questions"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The opening questions")
    assert f"Still to answer: {INVITER[1]}, you." in page.inner_text("main") or (
        f"Still to answer: you, {INVITER[1]}." in page.inner_text("main"))
    boxes = page.get_by_label("Your answer")
    expect(boxes).to_have_count(len(ANSWERS))
    for number, text in enumerate(ANSWERS):
        boxes.nth(number).fill(text)
    no_sideways_scroll(page)
    shot(page, "opening-form")
    click(page, a11y, page.get_by_role("button", name="Save my answers"))
    assert "Your answers are saved: your partners can read them now." in page.inner_text("main")
    progress = progress_of(page)
    assert "✓ Answered" in progress["You"]
    assert "Still to answer" in progress[INVITER[1]]  # the inviter has not answered yet
    assert "Still to accept the agreement" in progress["You"]

    # ... and accepts the agreement.
    click(page, a11y, page.get_by_role("link", name="Read and accept the agreement"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your agreement")
    click(page, a11y, page.get_by_role("button", name="I accept version 1"))
    assert "You accepted the agreement." in page.inner_text("main")
    assert "your partnership is active" not in page.inner_text("main")
    assert still_line(page) == f"Still to answer or accept: {INVITER[1]}."
    assert _state(live_app, partnership) == PartnershipState.OPENING
    log_out(page, a11y)

    # Someone who is not a partner, and a visitor, get a 404.
    log_in(page, a11y, *OUTSIDER[:2])
    not_found_for(page, partnership)
    log_out(page, a11y)
    not_found_for(page, partnership)

    # The inviter reads the invitee's answers, answers and accepts: the partnership is active.
    log_in(page, a11y, *INVITER[:2])
    page.goto(f"/partnerships/{partnership}")
    a11y(page)
    progress = progress_of(page)
    assert "✓ Answered" in progress[INVITEE[1]] and "✓ Accepted the agreement" in progress[INVITEE[1]]
    assert "Still to answer" in progress["You"]
    click(page, a11y, page.get_by_role("link", name="Answer the opening questions"))
    assert "Still to answer: you." in page.inner_text("main")
    assert ANSWERS[0] in page.locator(".question").first.inner_text()  # the partner's answer
    boxes = page.get_by_label("Your answer")
    for number, text in enumerate(ANSWERS):
        boxes.nth(number).fill(f"{text} Me too.")
    click(page, a11y, page.get_by_role("button", name="Save my answers"))
    click(page, a11y, page.get_by_role("link", name="Read and accept the agreement"))
    click(page, a11y, page.get_by_role("button", name="I accept version 1"))
    assert ("You accepted the agreement. Everyone has done the opening: your partnership is active."
            in page.inner_text("main"))
    assert page.locator(".room__meta .partnership-state").inner_text() == "Active"
    expect(page.get_by_role("list", name="Who has done the opening")).to_have_count(0)
    assert _state(live_app, partnership) == PartnershipState.ACTIVE

    # The inviter sets the rhythm: every week, from a date at 18:30 in Dublin.
    click(page, a11y, page.get_by_role("link", name="Choose your rhythm"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your rhythm")
    page.get_by_role("radio", name="Every week").check()
    page.get_by_label("Your first meeting").fill(start.strftime("%Y-%m-%dT%H:%M"))
    assert page.get_by_label("Time zone of that time").input_value() == zone
    page.get_by_label("Time zone of that time").select_option(zone)
    page.get_by_label("Meeting link (for online)").fill(MEETING_LINK)
    no_sideways_scroll(page)
    click(page, a11y, page.get_by_role("button", name="Save our rhythm"))
    main = page.inner_text("main")
    assert "Your rhythm is saved. The next meeting is in your calendars" in main
    weekday = start.strftime("%A")
    assert f"Every week on {weekday} at {start:%H:%M} Dublin time, for 60 minutes, online" in main
    meeting = page.get_by_role("region", name="Your next meeting")
    assert "Convened by you." in meeting.inner_text()
    no_sideways_scroll(page)
    shot(page, "room-active")

    # The meeting is on the inviter's gatherings, and in their calendar feed at 18:30 Dublin time.
    click(page, a11y, nav_link(page, "Your account"))
    click(page, a11y, page.get_by_role("link", name="Your gatherings"))
    going = page.get_by_role("region", name="Going")
    expect(going.get_by_role("link", name=MEETING_TITLE)).to_have_count(1)
    click(page, a11y, page.get_by_role("link", name="Your calendar feed"))
    check_meeting_event(feed_events(page, feed_path(page)), start, zone)
    log_out(page, a11y)

    # And on the invitee's, in their feed too.
    log_in(page, a11y, *INVITEE[:2])
    click(page, a11y, nav_link(page, "Your account"))
    click(page, a11y, page.get_by_role("link", name="Your gatherings"))
    going = page.get_by_role("region", name="Going")
    expect(going.get_by_role("link", name=MEETING_TITLE)).to_have_count(1)
    click(page, a11y, page.get_by_role("link", name="Your calendar feed"))
    check_meeting_event(feed_events(page, feed_path(page)), start, zone)
    page.goto(f"/partnerships/{partnership}")
    a11y(page)
    assert f"Convened by {INVITER[1]}." in page.get_by_role("region", name="Your next meeting").inner_text()
    log_out(page, a11y)

    # The outsider still gets nothing.
    log_in(page, a11y, *OUTSIDER[:2])
    not_found_for(page, partnership)


# Journey 2: the keyboard alone ------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: "body", name: "", id: "", href: ""};
  const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
  const name = (el.getAttribute("aria-label") || label || el.textContent || el.value || "")
    .replace(/\\s+/g, " ").trim();
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), name, id: el.id, href: el.getAttribute("href") || "",
          type: el.getAttribute("type") || "",
          ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, name: str, tag: str | None = None, backwards: bool = False, limit: int = 80):
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


def keyboard_log_in(page, a11y, email: str, name: str) -> None:
    page.goto("/login")
    a11y(page)
    tab_to(page, "Email address", "input")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Password"
    page.keyboard.type(PASSWORD)
    enter_opens_page(page, a11y)
    assert f"You are logged in as {name}" in page.inner_text("main")


def keyboard_log_out(page, a11y) -> None:
    tab_to(page, "Log out", "button")
    enter_opens_page(page, a11y)
    assert "You are logged out" in page.inner_text("main")


def type_local_time(page, moment: datetime) -> None:
    """Into a focused date-and-time field (Chromium, en-US): month, day, year; Tab; hours,
    minutes, AM or PM."""
    page.keyboard.type(moment.strftime("%m%d%Y"))
    page.keyboard.press("Tab")
    page.keyboard.type(moment.strftime("%I%M") + ("P" if moment.hour >= 12 else "A"))


@DESKTOP
def test_keyboard_only_invite_from_suggestions_join_open_and_set_the_rhythm(page, a11y, live_app,
                                                                         live_server):
    _people(live_app)
    _invitee_request(live_app)
    zone = INVITEE[2]
    start = first_meeting(zone, days=11, hour=17, minute=45)

    # The inviter: from the menu to the board, then their own request.
    keyboard_log_in(page, a11y, *INVITER[:2])
    tab_to(page, "Learning partners", "a")
    enter_opens_page(page, a11y)
    tab_to(page, "Find partners on the request board", "a")
    enter_opens_page(page, a11y)
    assert page.get_by_role("heading", level=1).inner_text() == "Looking for learning partners"
    assert INVITEE[1] in page.locator(".request-grid").inner_text()
    tab_to(page, "Post that you are looking", "a")
    enter_opens_page(page, a11y)
    tab_to(page, "What you hope to learn", "textarea")
    page.keyboard.type(INVITER_ABOUT)
    box = tab_to(page, AREA[0], "input")
    page.keyboard.press("Space")
    assert page.locator(f"#{box['id']}").is_checked()
    tab_to(page, "Languages you could meet in", "input")
    page.keyboard.type("English")
    assert page.get_by_label("Your time zone").input_value() == INVITER[2]
    tab_to(page, "Post my request", "button")
    enter_opens_page(page, a11y)
    assert page.get_by_role("heading", level=1).inner_text() == "Your request"

    # The suggestion's invite link, then the invitation.
    tab_to(page, f"Invite {INVITEE[1]}", "a")
    enter_opens_page(page, a11y)
    assert page.get_by_role("heading", level=1).inner_text() == f"Invite {INVITEE[1]} to a learning partnership"
    tab_to(page, "A few words to them", "textarea")
    page.keyboard.type(INVITATION)
    tab_to(page, "Send the invitation", "button")
    enter_opens_page(page, a11y)
    assert f"Your invitation is on its way to {INVITEE[1]}." in page.inner_text("main")
    partnership = partnership_id_in(page.url)
    keyboard_log_out(page, a11y)
    not_found_for(page, partnership)  # a visitor

    # The invitee joins from their partnerships page.
    keyboard_log_in(page, a11y, *INVITEE[:2])
    tab_to(page, "Learning partners", "a")
    enter_opens_page(page, a11y)
    tab_to(page, "Join the partnership", "button")
    enter_opens_page(page, a11y)
    assert "Welcome to the partnership." in page.inner_text("main")
    progress = progress_of(page)
    assert all("Still to answer" in steps for steps in progress.values()), progress

    # Meanwhile the inviter answers and accepts (through the services).
    answer_all(live_app, partnership, _user(live_app, INVITER[0]))
    accept(live_app, partnership, _user(live_app, INVITER[0]))

    # The invitee answers every question ...
    page.reload()
    a11y(page)
    progress = progress_of(page)
    assert "✓ Answered" in progress[INVITER[1]] and "Still to answer" in progress["You"]
    assert still_line(page) == "Still to answer or accept: you."
    tab_to(page, "Answer the opening questions", "a")
    enter_opens_page(page, a11y)
    assert "Still to answer: you." in page.inner_text("main")
    for text in ANSWERS:
        tab_to(page, "Your answer", "textarea")
        page.keyboard.type(text)
    tab_to(page, "Save my answers", "button")
    enter_opens_page(page, a11y)
    assert "Your answers are saved" in page.inner_text("main")
    assert _state(live_app, partnership) == PartnershipState.OPENING

    # ... and accepts the agreement: the partnership is active.
    tab_to(page, "Read and accept the agreement", "a")
    enter_opens_page(page, a11y)
    tab_to(page, "I accept version 1", "button")
    enter_opens_page(page, a11y)
    assert "Everyone has done the opening: your partnership is active." in page.inner_text("main")
    assert _state(live_app, partnership) == PartnershipState.ACTIVE

    # The rhythm: every two weeks (the default, Space keeps it), from a date at 17:45 in Accra.
    tab_to(page, "Choose your rhythm", "a")
    enter_opens_page(page, a11y)
    radio = tab_to(page, "Every two weeks", "input")
    page.keyboard.press("Space")
    assert page.locator(f"#{radio['id']}").is_checked()
    tab_to(page, "Your first meeting", "input")
    type_local_time(page, start)
    assert page.get_by_label("Your first meeting").input_value() == start.strftime("%Y-%m-%dT%H:%M")
    assert page.get_by_label("Time zone of that time").input_value() == zone  # the account's
    tab_to(page, "Meeting link (for online)", "input")
    page.keyboard.type(MEETING_LINK)
    tab_to(page, "Save our rhythm", "button")
    enter_opens_page(page, a11y)
    main = page.inner_text("main")
    assert "Your rhythm is saved. The next meeting is in your calendars" in main
    assert f"Every two weeks on {start:%A} at {start:%H:%M} Accra time" in main
    assert f"Convened by {INVITER[1]}." in main

    # Their gatherings, then their calendar address; the feed has the meeting at 17:45 Accra time.
    tab_to(page, "Your account", "a")
    enter_opens_page(page, a11y)
    tab_to(page, "Your gatherings", "a")
    enter_opens_page(page, a11y)
    assert MEETING_TITLE in page.get_by_role("region", name="Going").inner_text()
    tab_to(page, "Your calendar feed", "a")
    enter_opens_page(page, a11y)
    check_meeting_event(feed_events(page, feed_path(page)), start, zone)

    # The inviter's feed has it too (their address, as their own page would show it).
    with live_app.app_context():
        secret = gathering_calendar.feed_of(db.session.get(User, _user(live_app, INVITER[0]).id)).secret
        db.session.commit()
    check_meeting_event(feed_events(page, f"/gatherings/calendar/{secret}.ics"), start, zone)

    # Enter on the meeting's link in the list opens the meeting's page.
    tab_to(page, MEETING_TITLE, "a")
    enter_opens_page(page, a11y)
    assert page.get_by_role("heading", level=1).inner_text() == MEETING_TITLE
