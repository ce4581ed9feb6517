"""Alerts in a browser: a visitor searches leaders near Lyon, follows "Alert me" after the
results, is asked to log in (or create an account), logs in and comes back to save the alert;
then a new leader is listed near Lyon, the alerts are sent at the person's hour (what
`flask alerts send` runs), and the mail that reaches the real SMTP server names the leader and
links to their profile; the link opens the profile, and the alert's own one-click unsubscribe
link stops its mail. Once with the mouse at a desktop's and a phone's width, once with the
keyboard alone. axe-core checks every page."""
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import mail
from app.alerts import matching, sending
from app.auth.services import create_user
from app.extensions import db
from app.models.accounts import Role, User
from app.models.alerts import Alert, AlertSchedule
from tests.directory.search_fixtures import add_leader
from tests.e2e.conftest import screenshot_dir
from tests.live import Visitor
from tests.e2e.journey import click, enter_opens_page, no_sideways_scroll

PASSWORD = "copper heron orchard 26"
PERSON = ("odile.alerts@example.com", "Odile Marchand")
ZONE = "Europe/Paris"
PLACE = "Lyon"  # in the test gazetteer (tests/alerts use it too)
LYON = (45.74846, 4.84671)  # its centre as the test gazetteer has it
ALERT = "Leaders within 50 km of Lyon, France"

KNOWN = ("Bastien Roux", "Tenant organiser in La Guillotière")
NEWCOMER = ("Yasmina Haddad", "Runs a repair café with retired engineers")

BOTH = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                            {"width": 390, "height": 844}],
                               ids=["desktop", "phone"], indirect=True)
DESKTOP = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}], ids=["desktop"],
                                  indirect=True)

# The search's map asks OpenStreetMap for tiles: tests.e2e.journey answers them with a local tile.


# Setting up -------------------------------------------------------------------------------

def _setup(app) -> None:
    """A confirmed member in Paris's zone, and a leader already listed in Lyon."""
    with app.app_context():
        person = create_user(PERSON[0], PERSON[1], PASSWORD, Role.MEMBER, verified=True)
        person.time_zone = ZONE
        db.session.commit()
        add_leader(KNOWN[0], LYON[0] + 0.02, LYON[1] - 0.01, headline=KNOWN[1], city="Lyon",
                   country="France", languages="French")


def _newcomer(app) -> str:
    """A leader newly listed a few km from Lyon's centre (as the directory lists one); their slug."""
    with app.app_context():
        return add_leader(NEWCOMER[0], LYON[0] + 0.06, LYON[1] + 0.03, headline=NEWCOMER[1],
                          city="Villeurbanne", country="France", languages="French, Arabic").slug


def _send_alerts(app) -> dict:
    """What `flask alerts send` runs (match the new arrivals, send what is due, deliver the mail),
    with the clock a minute past the person's next chosen hour (08:00 in Paris by default)."""
    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == PERSON[0]))
        due = db.session.get(AlertSchedule, person.id).next_due_at
        matching.match_arrivals()
        counts = sending.send_due(due + timedelta(minutes=1))
        mail.deliver_pending()
        return counts


def _alert_emails(app) -> list[bool]:
    with app.app_context():
        return [alert.emails for alert in db.session.scalars(select(Alert).order_by(Alert.id))]


# Helpers -------------------------------------------------------------------------------------

def open_menu(page) -> None:
    toggle = page.locator(".site-menu__toggle")
    if toggle.is_visible() and page.locator(".site-menu").get_attribute("open") is None:
        toggle.click()


def shot(page, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"alerts-{name}-{page.viewport_size['width']}.png"),
                    full_page=True)


def the_mail(mailbox):
    """The alert mail, its text, the profile's path and the alert's own unsubscribe path."""
    message = mailbox.wait_for(PERSON[0], "Your alert")
    assert message["Subject"].strip() == "Your alert: 1 new leader, leaders near Lyon, France"
    body = mailbox.body(message)
    assert NEWCOMER[0] in body and NEWCOMER[1] in body
    assert KNOWN[0] not in body  # listed before the alert was saved: nothing new
    assert ALERT in body
    profile = re.search(r"http://localhost(/leaders/[a-z0-9-]+)\s", body)
    assert profile, f"no link to a profile in the mail:\n{body}"
    stop = re.search(r"To stop this alert's emails only.*?open this link:\s+http://localhost(/alerts/unsubscribe/\S+)",
                     body, re.S)
    assert stop, f"no unsubscribe link for the alert in the mail:\n{body}"
    # One alert in the mail: the one-click header (RFC 8058) is the alert's own link.
    assert message["List-Unsubscribe"] == f"<http://localhost{stop.group(1)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return body, profile.group(1), stop.group(1)


def search_values(url: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


# Journey 1: with the mouse, on a desktop and on a phone --------------------------------------

@BOTH
def test_a_visitor_saves_an_alert_after_logging_in_gets_the_mail_and_unsubscribes(
        page, a11y, mailbox, live_app, live_server):
    _setup(live_app)

    # A visitor searches leaders near Lyon.
    page.goto("/leaders")
    a11y(page)
    page.get_by_label("Near", exact=True).fill(PLACE)
    click(page, a11y, page.get_by_role("button", name="Search leaders"))
    expect(page.locator("#results-title")).to_have_text("1 leader within 50 km of Lyon, France")
    assert page.locator("[data-results] .leader-card__name").all_inner_texts() == [KNOWN[0]]

    # "Alert me", after the results: alerts need an account, and the search is kept.
    alert_me = page.get_by_role("link", name="Alert me when a new leader appears for this search")
    expect(alert_me).to_be_visible()
    click(page, a11y, alert_me)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to save this alert")
    assert page.locator("[data-alert-search]").inner_text() == ALERT
    expect(page.get_by_role("link", name="Create an account")).to_be_visible()
    assert search_values(page.url)["near"] == PLACE
    no_sideways_scroll(page)
    shot(page, "log-in-first")

    # They log in, and come back to save it.
    click(page, a11y, page.get_by_role("main").get_by_role("link", name="Log in", exact=True))
    page.get_by_label("Email address").fill(PERSON[0])
    page.get_by_label("Password").fill(PASSWORD)
    click(page, a11y, page.get_by_role("button", name="Log in"))
    assert urlsplit(page.url).path == "/alerts/new"
    expect(page.get_by_role("heading", level=1)).to_have_text("Alert me")
    assert page.locator("[data-alert-search]").inner_text() == ALERT
    assert "You have 0 of at most 20 alerts." in page.inner_text("main")
    no_sideways_scroll(page)
    shot(page, "save")
    click(page, a11y, page.get_by_role("button", name="Save this alert"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your alerts")
    assert (f"Your alert is saved: {ALERT}. You will get an email daily at 08:00 ({ZONE} time) "
            "when something new appears." in page.inner_text("main"))
    saved = page.locator("[data-alerts] .alert-list__item")
    expect(saved).to_have_count(1)
    assert ALERT in saved.inner_text() and "On" in saved.inner_text()
    assert f"your time zone, {ZONE}" in page.locator("[data-zone]").inner_text()
    no_sideways_scroll(page)
    shot(page, "index")

    # A new leader is listed near Lyon; the alerts go out at the person's hour.
    slug = _newcomer(live_app)
    assert _send_alerts(live_app)["mailed"] == 1
    body, profile_path, stop_path = the_mail(mailbox)
    assert profile_path == f"/leaders/{slug}"

    # The mail's link opens the leader's profile.
    page.goto(profile_path)
    a11y(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(NEWCOMER[0])
    assert NEWCOMER[1] in page.inner_text("main")

    # The alert's own unsubscribe link: it asks, then stops this alert's mail.
    page.goto(stop_path)
    a11y(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop emails for this alert")
    assert ALERT in page.inner_text("main")
    no_sideways_scroll(page)
    assert _alert_emails(live_app) == [True]  # opening the link changes nothing
    click(page, a11y, page.get_by_role("button", name="Stop emails for this alert"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Emails stopped")
    assert ALERT in page.inner_text("main")
    assert _alert_emails(live_app) == [False]

    # The alerts page says so; the alert itself still shows what it found.
    click(page, a11y, page.get_by_role("link", name="your alerts page"))
    item = page.locator("[data-alerts] .alert-list__item")
    assert "No emails: in the app and its feed only" in item.inner_text()
    click(page, a11y, item.get_by_role("link", name=ALERT, exact=True))
    found = page.locator("[data-found]")
    assert NEWCOMER[0] in found.inner_text() and KNOWN[0] not in found.inner_text()
    expect(page.get_by_role("button", name="Email me again")).to_be_visible()

    # A mail client's one-click POST (no session, no form token) works too, and says so.
    answer = Visitor(live_server.url).post(stop_path, {"List-Unsubscribe": "One-Click"})
    assert answer.status == 200 and "Emails stopped" in answer.text


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


def tab_to(page, name: str, tag: str | None = None, href: str = "", backwards: bool = False,
           limit: int = 80):
    """Press Tab (or Shift+Tab) until the focus is on the element called `name` (whose link
    starts with `href`, when given); it must show where the focus is."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        seen.append(now["name"][:40])
        if (now["name"].startswith(name) and (tag is None or now["tag"] == tag)
                and now["href"].startswith(href)):
            assert now["ring"], f"{name!r} has the focus but shows no focus outline"
            return now
    raise AssertionError(f"{limit} presses of {key} did not reach {name!r}; the focus went "
                         f"through {seen}")


@DESKTOP
def test_keyboard_only_search_alert_me_log_in_save_and_unsubscribe(page, a11y, mailbox, live_app,
                                                                   live_server):
    _setup(live_app)
    page.goto("/leaders")
    a11y(page)
    tab_to(page, "Near", "input")
    page.keyboard.type(PLACE)
    enter_opens_page(page, a11y)  # Enter in the place sends the search
    assert page.locator("#results-title").inner_text() == "1 leader within 50 km of Lyon, France"

    # "Alert me" is reached from the results with Tab.
    link = tab_to(page, "Alert me when a new leader appears for this search", "a")
    assert link["href"].startswith("/alerts/new?")
    enter_opens_page(page, a11y)
    assert page.get_by_role("heading", level=1).inner_text() == "Log in to save this alert"
    # The page's own "Log in" (the one that comes back here), not the header's.
    tab_to(page, "Log in", "a", href="/login?next=")
    enter_opens_page(page, a11y)
    tab_to(page, "Email address", "input")
    page.keyboard.type(PERSON[0])
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Password"
    page.keyboard.type(PASSWORD)
    enter_opens_page(page, a11y)
    assert urlsplit(page.url).path == "/alerts/new"
    assert page.locator("[data-alert-search]").inner_text() == ALERT
    tab_to(page, "Save this alert", "button")
    enter_opens_page(page, a11y)
    assert page.get_by_role("heading", level=1).inner_text() == "Your alerts"
    assert f"Your alert is saved: {ALERT}." in page.inner_text("main")

    # The mail, after a new leader is listed; its links, opened from the mail.
    slug = _newcomer(live_app)
    assert _send_alerts(live_app)["mailed"] == 1
    _, profile_path, stop_path = the_mail(mailbox)
    assert profile_path == f"/leaders/{slug}"
    page.goto(profile_path)
    a11y(page)
    assert page.get_by_role("heading", level=1).inner_text() == NEWCOMER[0]
    page.goto(stop_path)
    a11y(page)
    tab_to(page, "Stop emails for this alert", "button")
    enter_opens_page(page, a11y)
    assert page.get_by_role("heading", level=1).inner_text() == "Emails stopped"
    assert _alert_emails(live_app) == [False]
    # Space, too, works the alerts page's buttons: pausing the alert.
    tab_to(page, "your alerts page", "a")
    enter_opens_page(page, a11y)
    assert "No emails: in the app and its feed only" in page.locator("[data-alerts]").inner_text()
    tab_to(page, "Pause", "button")
    enter_opens_page(page, a11y, key="Space")
    assert "Alert paused" in page.inner_text("main")
    assert "Paused" in page.locator("[data-alerts]").inner_text()
