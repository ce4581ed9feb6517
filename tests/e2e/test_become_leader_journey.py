"""From a first visit to a leader: join, confirm the email, find the application, apply, get approved.

Also the admin's decline page (a reason is required and mailed) and the phone header's menu.
"""
import re

import pytest

from app.auth.services import create_user
from app.extensions import db
from app.models.accounts import Role
from tests.e2e.conftest import screenshot_dir
from tests.e2e.test_accounts_journey import verification_path

PASSWORD = "copper meadow kettle 19"
ADMIN = "admin.leaders@example.com"
APPLY = "List yourself as a leader"
MOTIVATION = ("I run a homework club for twenty teenagers in the library every Tuesday and "
              "Thursday, with three volunteer tutors.")
BOTH = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                               ids=["desktop", "phone"], indirect=True)


def is_phone(page) -> bool:
    return page.viewport_size["width"] < 700


def shot(page, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"{name}-{page.viewport_size['width']}.png"),
                    full_page=True)


def header_link(page, name: str):
    """A link in the main navigation, opening the phone's Menu first."""
    if is_phone(page):
        menu = page.locator(".site-menu")
        if menu.get_attribute("open") is None:
            page.get_by_text("Menu", exact=True).click()
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def header_button(page, name: str):
    if is_phone(page) and page.locator(".site-menu").get_attribute("open") is None:
        page.get_by_text("Menu", exact=True).click()
    return page.get_by_role("navigation", name="Main").get_by_role("button", name=name)


def answer_403_as_shown(page, path: str) -> list[int]:
    """Chromium logs a 403 document as a console error, which the page fixture counts as a
    failure: the real status is recorded here and the same page is shown to the browser."""
    statuses: list[int] = []

    def route(route):
        response = route.fetch()
        statuses.append(response.status)
        route.fulfill(response=response, status=200)

    page.route(re.compile(r"^[^?]*" + re.escape(path) + "$"), route)
    return statuses


def log_in(page, a11y, email):
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    a11y(page)


def make_admin(app):
    with app.app_context():
        create_user(ADMIN, "Ada Admin", PASSWORD, Role.ADMIN, verified=True)
        db.session.commit()


def space_above_content(page) -> float:
    return page.evaluate("""() => {
        const main = document.querySelector('main');
        return parseFloat(getComputedStyle(main).paddingTop);
    }""")


@BOTH
def test_a_new_visitor_becomes_a_leader(page, a11y, mailbox, live_app):
    make_admin(live_app)
    page.goto("/")
    a11y(page)
    assert space_above_content(page) >= 16  # main's top padding is no longer zeroed by .wrap
    page.get_by_role("main").get_by_role("link", name=APPLY).click()
    a11y(page)
    assert "Create a free account" in page.inner_text("main")
    shot(page, "apply-visitor")
    page.get_by_role("link", name="Create an account").click()
    a11y(page)
    assert "/register" in page.url
    page.get_by_label("Your name").fill("Kofi Mensah")
    page.get_by_label("Email address").fill("kofi@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    a11y(page)
    assert "We sent a link to kofi@example.com" in page.inner_text("main")

    page.goto(verification_path(mailbox, "kofi@example.com"))
    a11y(page)
    page.get_by_role("button", name="Confirm my email address").click()
    a11y(page)
    log_in(page, a11y, "kofi@example.com")
    assert "You are logged in as Kofi Mensah" in page.inner_text("main")
    shot(page, "home")

    # Found without typing an address: in the header (behind Menu on a phone).
    header_link(page, APPLY).click()
    a11y(page)
    page.get_by_label("Why would you like to be listed as a leader?").fill(MOTIVATION)
    page.get_by_role("button", name="Send application").click()
    a11y(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Your application is being reviewed"
    assert "You will get an email" in page.inner_text("main")

    # Everywhere the link was, the pending state instead.
    page.locator(".site-name").click()
    a11y(page)
    assert "Your application is being reviewed" in page.inner_text("main")
    assert page.get_by_role("main").get_by_role("link", name=APPLY).count() == 0
    header_link(page, "Your account").click()
    a11y(page)
    assert "is being reviewed" in page.inner_text("main")
    shot(page, "account")
    statuses = answer_403_as_shown(page, "/proposals/new")
    page.goto("/proposals/new")
    a11y(page)
    assert statuses == [403]
    assert "Your application is being reviewed" in page.inner_text("main")
    header_button(page, "Log out").click()
    a11y(page)

    # An administrator approves; the new leader is told by email.
    page.goto("/login")
    a11y(page)
    log_in(page, a11y, ADMIN)
    header_link(page, "Directory admin").click()
    a11y(page)
    page.get_by_role("link", name=re.compile("applications", re.I)).first.click()
    a11y(page)
    assert MOTIVATION in page.inner_text("main")
    page.get_by_role("button", name="Approve Kofi Mensah as a leader").click()
    a11y(page)
    assert "Kofi Mensah is now a leader" in page.inner_text("main")
    mailbox.wait_for("kofi@example.com", "You are now a leader")


@BOTH
def test_a_member_at_new_proposal_is_offered_the_application(page, a11y, live_app):
    with live_app.app_context():
        create_user("mira@example.com", "Mira Sol", PASSWORD, Role.MEMBER, verified=True)
        db.session.commit()
    page.goto("/login")
    a11y(page)
    log_in(page, a11y, "mira@example.com")
    statuses = answer_403_as_shown(page, "/proposals/new")
    page.goto("/proposals/new")
    a11y(page)
    assert statuses == [403]
    assert "Proposals are written by leaders" in page.inner_text("main")
    assert "administrator to make" not in page.inner_text("main")
    shot(page, "leaders-only-403")
    page.get_by_role("main").get_by_role("link", name=APPLY).click()
    a11y(page)
    assert page.get_by_role("button", name="Send application").is_visible()
    header_link(page, "Your account").click()
    a11y(page)
    shot(page, "account-member")
    page.get_by_role("main").get_by_role("link", name=APPLY).click()
    a11y(page)
    assert "/leaders/apply" in page.url


@BOTH
def test_declining_asks_for_a_reason_and_mails_it(page, a11y, mailbox, live_app):
    make_admin(live_app)
    with live_app.app_context():
        from app.directory import applications
        member = create_user("bo@example.com", "Bo Lund", PASSWORD, Role.MEMBER, verified=True)
        applications.apply_to_lead(member, MOTIVATION)
        db.session.commit()
    page.goto("/login?next=/admin/directory/applications")
    a11y(page)
    log_in(page, a11y, ADMIN)
    page.get_by_role("link", name="Decline Bo Lund's application").click()
    a11y(page)
    assert MOTIVATION in page.inner_text("main")
    page.get_by_role("button", name="Decline and email Bo Lund").click()
    a11y(page)
    summary = page.locator("[data-error-summary]")
    assert "Enter the reason for declining" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    shot(page, "decline-confirmation")
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "reason"
    page.keyboard.type("We list people who lead a group in person; yours is starting soon, apply then.")
    page.get_by_role("button", name="Decline and email Bo Lund").click()
    a11y(page)
    assert "Bo Lund's application is declined" in page.inner_text("main")
    body = mailbox.body(mailbox.wait_for("bo@example.com", "About your application"))
    assert "yours is starting soon, apply then" in body


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}], ids=["phone"], indirect=True)
def test_the_phone_header_is_one_row_and_its_menu_opens_with_the_keyboard(page, a11y):
    page.goto("/about")
    a11y(page)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 60, header
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.is_visible()
    assert space_above_content(page) >= 16

    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # site name
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText") == "Menu"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible on the toggle
    page.keyboard.press("Enter")
    assert nav.is_visible()
    a11y(page)
    shot(page, "phone-menu-open")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText") == "Find leaders"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    assert not nav.is_visible()


def test_the_desktop_header_shows_the_plain_nav(page, a11y):
    page.goto("/")
    a11y(page)
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Find leaders").is_visible()
    assert not page.get_by_text("Menu", exact=True).is_visible()
