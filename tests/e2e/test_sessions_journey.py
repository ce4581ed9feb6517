"""Logging out ends the session for real: "Keep me logged in", copied cookies, other devices."""
import pytest

from app.auth.services import create_user
from app.extensions import db
from tests.e2e.conftest import _offline_router

PASSWORD = "harbour lights at dusk"


@pytest.fixture
def person(live_app):
    with live_app.app_context():
        create_user("kofi@example.com", "Kofi Mensah", PASSWORD, verified=True)
        db.session.commit()
    return "kofi@example.com"


@pytest.fixture
def other_browser(browser, live_server, a11y):
    """Another browser (another device, or one holding stolen cookies), checked by axe too."""
    contexts = []

    def open_one(cookies=()):
        context = browser.new_context(base_url=live_server.url)
        context.route("**/*", _offline_router(live_server.url))
        if cookies:
            context.add_cookies(list(cookies))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_one
    for context in contexts:
        context.close()


def log_in(page, a11y, email, remember):
    page.goto("/login")
    a11y(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if remember:
        page.get_by_label("Keep me logged in on this device").check()
    page.get_by_role("button", name="Log in").click()
    a11y(page)
    assert "You are logged in as Kofi Mensah" in page.inner_text("main")


def is_logged_out(page, a11y) -> bool:
    page.goto("/account")
    a11y(page)
    return "/login" in page.url and page.get_by_role("heading", name="Log in").is_visible()


def names(cookies) -> set[str]:
    return {cookie["name"] for cookie in cookies}


def test_logging_out_ends_a_kept_session_and_every_copy_of_its_cookies(page, a11y, person,
                                                                       other_browser):
    log_in(page, a11y, person, remember=True)
    cookies = page.context.cookies()
    assert {"session", "remember_token"} <= names(cookies)

    copied = other_browser(cookies)  # both cookies, copied before logging out
    copied.goto("/account")
    a11y(copied)
    assert "Your account" in copied.inner_text("main")
    restarted = other_browser([c for c in cookies if c["name"] == "remember_token"])
    restarted.goto("/account")
    a11y(restarted)
    assert "Your account" in restarted.inner_text("main"), "remember-me alone logs in"

    page.get_by_role("button", name="Log out", exact=True).click()
    a11y(page)
    assert "You are logged out" in page.inner_text("main")

    assert "remember_token" not in names(page.context.cookies())
    assert is_logged_out(page, a11y)
    assert is_logged_out(copied, a11y), "the copied cookies stopped working"
    assert is_logged_out(restarted, a11y), "the copied remember-me cookie stopped working"


def test_logging_out_another_device_from_the_sessions_page(page, a11y, person, other_browser):
    phone = other_browser()
    log_in(phone, a11y, person, remember=True)
    log_in(page, a11y, person, remember=False)

    page.goto("/account")
    a11y(page)
    page.get_by_role("link", name="See where you are logged in").click()
    a11y(page)
    assert page.locator("tbody tr").count() == 2
    phone_row = page.locator("tbody tr", has_text="Kept logged in")
    assert "This device" not in phone_row.inner_text()
    assert page.locator("tbody tr", has_text="This device").count() == 1
    phone_row.get_by_role("button").click()
    a11y(page)
    assert "is logged out." in page.inner_text("main")
    assert page.locator("tbody tr").count() == 1

    assert is_logged_out(phone, a11y)
    page.goto("/account")
    a11y(page)
    assert "Your account" in page.inner_text("main"), "this device stays logged in"
