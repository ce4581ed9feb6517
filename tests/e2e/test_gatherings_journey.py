"""Gatherings in a browser: a leader hosts an online gathering through the form; a member sets
their time zone, finds it on /gatherings, answers "Going", sees their own join address appear,
downloads the .ics (with that address, never the meeting link) and joins; the host moves the
time and the member is told, in the app and by mail; the host cancels and the member's page
and join address say so. Once with the mouse at a desktop's and a phone's width, once with the
keyboard alone. axe-core checks every page; the meeting link itself never reaches the
member's pages."""
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from app.auth.services import create_user
from app.extensions import db
from app.gatherings import services
from app.models.accounts import Role, User
from app.models.base import utcnow
from tests.e2e.conftest import screenshot_dir
from tests.e2e.journey import click, enter_opens_page, log_out, nav_link, no_sideways_scroll

PASSWORD = "harbour violet compass 73"
HOST = ("rosa.gatherings@example.com", "Rosa Hartley")
MEMBER = ("tomas.gatherings@example.com", "Tomas Berg")
HOST_ZONE = "America/New_York"
MEMBER_ZONE = "Europe/Berlin"

TITLE = "Starting a tenants' association"
DESCRIPTION = "How three neighbours became forty: **the first meeting**, the letters, the landlord."
MEETING_LINK = "https://meet.example/tenants-circle-4d2e91"
REASON = "I am ill this week; we will pick a new date together soon."

BOTH = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                            {"width": 390, "height": 844}],
                               ids=["desktop", "phone"], indirect=True)
DESKTOP = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}], ids=["desktop"],
                                  indirect=True)

# The meeting service a join address leads to. Playwright cannot intercept the request a
# redirect makes (the browser would look meet.example up on the network), so the join address
# itself is intercepted: its real answer is fetched from the live server and recorded, and a
# redirect to the meeting is shown as the meeting's page.
MEETING_PAGE = ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                "<title>Meeting room</title></head><body><main><h1>Meeting room</h1>"
                "<p>Welcome to the meeting.</p></main></body></html>")
JOIN_PATH = re.compile(r"^[^?#]*/gatherings/\d+/join/[^/?#]+$")


def join_answers(page) -> list[tuple[int, str]]:
    """(status, Location) of every answer to a join address the browser opens. A 303 to the
    meeting shows the meeting's page; an error page (410) is shown with a 200, as Chromium
    logs a 4xx document as a console error, which the page fixture counts as a failure."""
    answers: list[tuple[int, str]] = []

    def route(route):
        response = route.fetch(max_redirects=0)
        location = response.headers.get("location", "")
        answers.append((response.status, location))
        if response.status == 303 and location == MEETING_LINK:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=MEETING_PAGE)
        else:
            route.fulfill(response=response, status=200 if response.status >= 300 else response.status)

    page.route(JOIN_PATH, route)
    return answers


# Setting up -------------------------------------------------------------------------------

def _people(app) -> None:
    """A leader whose account's zone is New York, and a confirmed member with no zone yet."""
    with app.app_context():
        host = create_user(HOST[0], HOST[1], PASSWORD, Role.LEADER, verified=True)
        host.time_zone = HOST_ZONE
        create_user(MEMBER[0], MEMBER[1], PASSWORD, Role.MEMBER, verified=True)
        db.session.commit()


def starts_local(days: int = 10, hour: int = 18, minute: int = 0) -> datetime:
    """A wall-clock time `days` from now in the host's zone (naive)."""
    here = utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(HOST_ZONE))
    return (here + timedelta(days=days)).replace(hour=hour, minute=minute, second=0,
                                                 microsecond=0, tzinfo=None)


def _published_gathering(app, start: datetime) -> int:
    """For the keyboard journey: the host's gathering, made through the service."""
    with app.test_request_context():
        host = db.session.scalar(db.select(User).where(User.email == HOST[0]))
        made = services.create(host, services.Details(
            title=TITLE, description=DESCRIPTION, mode="online", language="English",
            time_zone=HOST_ZONE, start=start, end=start + timedelta(hours=1, minutes=30),
            meeting_url=MEETING_LINK), publish=True)
        db.session.commit()
        return made[0].id


# What people should read -------------------------------------------------------------------

def _day(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}"


def there_label(local: datetime) -> str:
    """"Tue 3 Dec, 18:00 in New York (EST)": the start in the gathering's own zone."""
    aware = local.replace(tzinfo=ZoneInfo(HOST_ZONE))
    return f"{_day(aware)}, {aware:%H:%M} in New York ({aware.tzname()})"


def yours_label(local: datetime, zone: str = MEMBER_ZONE) -> str:
    """"Wed 4 Dec, 00:00 your time (CET)": the same moment on the member's clock."""
    aware = local.replace(tzinfo=ZoneInfo(HOST_ZONE))
    mine = aware.astimezone(ZoneInfo(zone))
    day = "" if mine.date() == aware.date() else f"{_day(mine)}, "
    return f"{day}{mine:%H:%M} your time ({mine.tzname()})"


def field_value(local: datetime) -> str:
    return local.strftime("%Y-%m-%dT%H:%M")


# Helpers for the mouse journey ------------------------------------------------------------

def log_in(page, a11y, email: str, name: str) -> None:
    page.goto("/login")
    a11y(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    a11y(page)
    assert f"You are logged in as {name}" in page.inner_text("main")


def no_meeting_link(page) -> None:
    """The meeting link itself is in no page the member is shown (only their join address)."""
    html = page.content()
    assert MEETING_LINK not in html, f"the meeting link is in the member's page {page.url}"
    assert "meet.example" not in html, f"the meeting link's host is in the member's page {page.url}"


def shot(page, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"gatherings-{name}-{page.viewport_size['width']}.png"),
                    full_page=True)


def gathering_id_in(url: str) -> int:
    return int(re.search(r"/gatherings/(\d+)(?:[#?]|$)", url).group(1))


def join_href(page) -> str:
    """The member's own join address, as the page links it."""
    href = page.get_by_role("link", name="Join the meeting").get_attribute("href")
    assert re.fullmatch(r"/gatherings/\d+/join/[A-Za-z0-9_\-]{16,}", href), href
    return href


def calendar_file(download) -> tuple[Calendar, str]:
    """The downloaded .ics parsed back with icalendar, and its text with folded lines unfolded."""
    with open(download.path(), "rb") as file:
        raw = file.read()
    return Calendar.from_ical(raw), raw.decode().replace("\r\n ", "").replace("\r\n\t", "")


def only_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1, f"{len(events)} events in the file"
    return events[0]


def check_times(event, start: datetime, end: datetime) -> None:
    """DTSTART/DTEND in the gathering's own zone (TZID), the wall-clock time the host typed."""
    for name, local in (("DTSTART", start), ("DTEND", end)):
        assert event[name].params.get("TZID") == HOST_ZONE, event[name].params
        value = event[name].dt
        assert value.replace(tzinfo=None) == local, f"{name} is {value}, not {local}"
        assert value.utcoffset() == local.replace(tzinfo=ZoneInfo(HOST_ZONE)).utcoffset()


def mail_holding(mailbox, address: str, subject: str, text: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(mailbox.for_address(address)):
            if subject in message["Subject"] and text in mailbox.body(message):
                return message
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address} about {subject!r} holding {text!r} arrived; "
                         f"{[m['Subject'] for m in mailbox.for_address(address)]} did")


# Journey 1: with the mouse, on a desktop and on a phone --------------------------------------

@BOTH
def test_host_an_online_gathering_rsvp_calendar_time_change_and_cancel(page, a11y, mailbox,
                                                                         live_app, live_server):
    _people(live_app)
    joins = join_answers(page)
    start, end = starts_local(hour=18), starts_local(hour=19, minute=30)
    new_start, new_end = starts_local(hour=19, minute=30), starts_local(hour=21)

    # The leader hosts an online gathering through the form, in their own zone.
    log_in(page, a11y, *HOST)
    page.goto("/gatherings")
    a11y(page)
    click(page, a11y, page.get_by_role("main").get_by_role("link", name="Host a gathering"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Host a gathering")
    assert page.get_by_label("Time zone").input_value() == HOST_ZONE  # the host's, by default
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_role("radio", name="Online", exact=True).check()
    page.get_by_label("Time zone").select_option(HOST_ZONE)
    page.get_by_label("Starts").fill(field_value(start))
    page.get_by_label("Ends").fill(field_value(end))
    expect(page.get_by_label("Venue")).to_be_hidden()  # the in-person part folds away
    page.get_by_label("Meeting link").fill(MEETING_LINK)
    no_sideways_scroll(page)
    shot(page, "new-form")
    click(page, a11y, page.get_by_role("button", name="Publish", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    main = page.inner_text("main")
    assert f"“{TITLE}” is published." in main
    assert there_label(start) in main
    assert "You're hosting" in main
    gathering = gathering_id_in(page.url)
    log_out(page, a11y)

    # The member chooses their time zone in their account ...
    log_in(page, a11y, *MEMBER)
    click(page, a11y, nav_link(page, "Your account"))
    click(page, a11y, page.get_by_role("link", name="Change time zone"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your time zone")
    page.get_by_label("Your time zone").select_option(MEMBER_ZONE)
    click(page, a11y, page.get_by_role("button", name="Save"))
    assert "Times are shown in Europe/Berlin now." in page.inner_text("main")

    # ... finds the gathering on /gatherings, at its time and their own ...
    page.goto("/gatherings")
    a11y(page)
    no_meeting_link(page)
    card = page.locator(f"[data-results] li[data-gathering='{gathering}']")
    expect(card).to_have_count(1)
    assert there_label(start) in card.inner_text()
    assert yours_label(start) in card.inner_text()
    assert "Online" in card.inner_text() and f"Hosted by {HOST[1]}" in card.inner_text()
    click(page, a11y, card.get_by_role("link", name=TITLE))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert yours_label(start) in page.inner_text("main")
    assert "The meeting link is given to the people going." in page.inner_text("main")
    expect(page.get_by_role("link", name="Join the meeting")).to_have_count(0)
    no_meeting_link(page)

    # ... answers "Going": their own join address appears, never the link itself.
    click(page, a11y, page.get_by_role("button", name="Going", exact=True))
    main = page.inner_text("main")
    assert "You're going. The join address is on this page and in your calendar file." in main
    assert "You're going" in page.locator("#rsvp").inner_text()
    assert "1 going" in page.locator("#rsvp").inner_text()
    join = join_href(page)
    assert page.locator(".join-box__address").inner_text().endswith(join)
    expect(page.get_by_role("button", name="I can't go anymore")).to_be_visible()
    no_meeting_link(page)
    no_sideways_scroll(page)
    page.locator("#rsvp").scroll_into_view_if_needed()
    shot(page, "member-going")

    # The calendar file: the host's wall-clock time in New York, the member's join address.
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    assert downloaded.value.suggested_filename.endswith(".ics")
    calendar, text = calendar_file(downloaded.value)
    event = only_event(calendar)
    check_times(event, start, end)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == [HOST_ZONE]
    assert str(event["SUMMARY"]) == TITLE
    assert join in str(event["DESCRIPTION"]) and join in str(event["LOCATION"])
    assert MEETING_LINK not in text and "meet.example" not in text
    first_sequence = int(event["SEQUENCE"])

    # The join address leads to the meeting (the live server's answer: a redirect to the link).
    click(page, a11y, page.get_by_role("link", name="Join the meeting"))
    assert joins == [(303, MEETING_LINK)]
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting room")
    page.go_back()
    a11y(page)
    log_out(page, a11y)

    # The host sees the link and the member going, and moves the time by an hour and a half.
    log_in(page, a11y, *HOST)
    click(page, a11y, nav_link(page, "Your account"))
    click(page, a11y, page.get_by_role("link", name="Your gatherings"))
    click(page, a11y, page.get_by_role("link", name=TITLE))
    side = page.locator("#rsvp")
    assert "You're hosting" in side.inner_text() and "1 going" in side.inner_text()
    assert MEMBER[1] in side.inner_text()
    expect(side.get_by_role("link", name=MEETING_LINK)).to_be_visible()  # the hosts see it
    no_sideways_scroll(page)
    shot(page, "host")
    click(page, a11y, page.get_by_role("link", name="Edit the gathering"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the gathering")
    assert page.get_by_label("Starts").input_value() == field_value(start)
    assert page.get_by_label("Meeting link").input_value() == MEETING_LINK
    page.get_by_label("Starts").fill(field_value(new_start))
    page.get_by_label("Ends").fill(field_value(new_end))
    click(page, a11y, page.get_by_role("button", name="Save changes"))
    assert "Saved." in page.inner_text("main")
    assert there_label(new_start) in page.inner_text("main")
    log_out(page, a11y)

    # The member is told: by mail (from the real SMTP server) and in the app.
    told = mailbox.body(mail_holding(mailbox, MEMBER[0], f"New time for “{TITLE}”", "has changed"))
    assert f"{there_label(new_start)} · {yours_label(new_start)}" in told
    assert f"http://localhost{join}" in told  # their own join address, ...
    assert MEETING_LINK not in told and "meet.example" not in told  # ... not the link
    log_in(page, a11y, *MEMBER)
    expect(nav_link(page, "Notifications 1 unread")).to_be_visible()
    click(page, a11y, nav_link(page, "Notifications 1 unread"))
    no_meeting_link(page)
    notice = page.get_by_role("link", name=f"“{TITLE}” has a new time.")
    expect(notice).to_have_count(1)
    assert there_label(new_start) in notice.inner_text()
    click(page, a11y, notice)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    main = page.inner_text("main")
    assert there_label(new_start) in main and yours_label(new_start) in main
    assert join_href(page) == join  # the same address: nothing to send again
    no_meeting_link(page)
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    calendar, text = calendar_file(downloaded.value)
    event = only_event(calendar)
    check_times(event, new_start, new_end)
    assert int(event["SEQUENCE"]) > first_sequence
    assert MEETING_LINK not in text
    log_out(page, a11y)

    # The host cancels, with a reason.
    log_in(page, a11y, *HOST)
    page.goto(f"/gatherings/{gathering}")
    a11y(page)
    click(page, a11y, page.get_by_role("link", name="Cancel the gathering"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel the gathering")
    page.get_by_label("Why is it cancelled?").fill(REASON)
    click(page, a11y, page.get_by_role("button", name="Cancel the gathering"))
    assert "Cancelled; the people coming have been told." in page.inner_text("main")
    expect(page.get_by_role("heading", name="This gathering is cancelled")).to_be_visible()
    expect(page.get_by_role("link", name="Edit the gathering")).to_have_count(0)
    log_out(page, a11y)

    # The member is told, sees it is cancelled, and the join address no longer opens the meeting.
    told = mailbox.body(mail_holding(mailbox, MEMBER[0], f"Cancelled: “{TITLE}”", REASON))
    assert MEETING_LINK not in told and join not in told
    log_in(page, a11y, *MEMBER)
    click(page, a11y, nav_link(page, "Notifications 2 unread"))  # the change's, and this one
    no_meeting_link(page)
    click(page, a11y, page.get_by_role("link", name=re.compile(r"is cancelled: " + re.escape(REASON))))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    cancelled = page.get_by_role("region", name="This gathering is cancelled")
    expect(cancelled).to_be_visible()
    assert REASON in cancelled.inner_text()
    expect(page.get_by_role("link", name="Join the meeting")).to_have_count(0)
    expect(page.locator(".join-box")).to_have_count(0)
    expect(page.locator("#rsvp").get_by_role("button")).to_have_count(0)  # nothing to answer
    no_meeting_link(page)
    no_sideways_scroll(page)
    shot(page, "cancelled")
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    calendar, text = calendar_file(downloaded.value)
    event = only_event(calendar)
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert join not in text and MEETING_LINK not in text

    page.goto(join)
    a11y(page)
    assert joins[1:] == [(410, "")]  # no longer to the meeting
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This join address does not open the meeting now")
    assert f"“{TITLE}” is cancelled: {REASON}" in page.inner_text("main")
    no_meeting_link(page)

    # The upcoming list no longer offers it (or, should it list cancelled ones, says so).
    page.goto("/gatherings")
    a11y(page)
    card = page.locator(f"li[data-gathering='{gathering}']")
    assert card.count() == 0 or "Cancelled" in card.inner_text()
    no_meeting_link(page)


# Journey 2: the keyboard alone ------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: "body", name: "", id: "", href: ""};
  const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
  const name = (el.getAttribute("aria-label") || label || el.textContent || el.value || "")
    .replace(/\\s+/g, " ").trim();
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), name, id: el.id, href: el.getAttribute("href") || "",
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


@DESKTOP
def test_keyboard_only_find_rsvp_download_and_withdraw(page, a11y, live_app, live_server):
    _people(live_app)
    joins = join_answers(page)
    start = starts_local(days=12, hour=18)
    gathering = _published_gathering(live_app, start)

    page.goto("/login")
    a11y(page)
    tab_to(page, "Email address", "input")
    page.keyboard.type(MEMBER[0])
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Password"
    page.keyboard.type(PASSWORD)
    enter_opens_page(page, a11y)
    assert f"You are logged in as {MEMBER[1]}" in page.inner_text("main")

    # Finding it: from the account to "Your gatherings", to what is coming up, to the gathering.
    tab_to(page, "Your account", "a")
    enter_opens_page(page, a11y)
    tab_to(page, "Your gatherings", "a")
    enter_opens_page(page, a11y)
    tab_to(page, "See what is coming up", "a")
    enter_opens_page(page, a11y)
    assert page.url.endswith("/gatherings")
    no_meeting_link(page)
    link = tab_to(page, TITLE, "a")
    assert link["href"] == f"/gatherings/{gathering}"
    enter_opens_page(page, a11y)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert there_label(start) in page.inner_text("main")
    no_meeting_link(page)

    # Not showing their name (Space), then "Going" (Enter).
    box = tab_to(page, "Show my name to the other people going", "input")
    assert page.locator(f"#{box['id']}").is_checked()
    page.keyboard.press("Space")
    assert not page.locator(f"#{box['id']}").is_checked()
    tab_to(page, "Going", "button")
    enter_opens_page(page, a11y)
    assert "You're going" in page.locator("#rsvp").inner_text()
    assert "1 going" in page.locator("#rsvp").inner_text()
    assert MEMBER[1] not in page.locator("#rsvp").inner_text()  # their name is not shown
    no_meeting_link(page)
    # The page opens at the answer (#rsvp): the next Tab reaches the join address.
    join = tab_to(page, "Join the meeting", "a", limit=5)["href"]
    assert re.fullmatch(rf"/gatherings/{gathering}/join/[A-Za-z0-9_\-]{{16,}}", join), join

    # The calendar file, back up the page, with Enter.
    tab_to(page, "Add to my calendar (.ics)", "a", backwards=True)
    with page.expect_download() as downloaded:
        page.keyboard.press("Enter")
    calendar, text = calendar_file(downloaded.value)
    event = only_event(calendar)
    check_times(event, start, start + timedelta(hours=1, minutes=30))
    assert join in str(event["DESCRIPTION"])
    assert MEETING_LINK not in text and "meet.example" not in text

    # Enter on the join address opens the meeting.
    tab_to(page, "Join the meeting", "a")
    enter_opens_page(page, a11y)
    assert joins == [(303, MEETING_LINK)]
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting room")
    page.go_back()  # the browser's Back
    a11y(page)

    # "I can't go anymore": the join address stops opening the meeting.
    tab_to(page, "I can't go anymore", "button")
    enter_opens_page(page, a11y)
    assert "Thanks for letting the host know you can't go." in page.inner_text("main")
    expect(page.get_by_role("link", name="Join the meeting")).to_have_count(0)
    no_meeting_link(page)
    page.goto(join)
    a11y(page)
    assert joins[1:] == [(410, "")]
    assert "A personal join address opens the meeting only while its owner is going." in (
        page.inner_text("main"))
    tab_to(page, f"Go to “{TITLE}”", "a")
    enter_opens_page(page, a11y)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
