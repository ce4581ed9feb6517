"""A newcomer registers, confirms the email from the message that arrived, logs in, out and in."""
import re

import pytest

from tests.e2e.conftest import screenshot_dir
from tests.e2e.journey import open_menu

PASSWORD = "lantern orchard maple"


def verification_path(mailbox, address: str) -> str:
    message = mailbox.wait_for(address, "Confirm your email")
    return re.search(r"https?://[^/\s]+(/\S+)", mailbox.body(message)).group(1)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"], indirect=True)
def log_in_to_account(page, a11y) -> None:
    """Log Noor in on the login page shown, then open /account."""
    page.get_by_label("Email address").fill("noor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    a11y(page)
    assert "You are logged in as Noor Haddad" in page.inner_text("main")
    page.goto("/account")
    a11y(page)


def test_register_verify_logout_login(page, a11y, mailbox, viewport):
    page.goto("/")
    a11y(page)
    open_menu(page)
    page.get_by_role("link", name="Join", exact=True).click()  # the header's
    a11y(page)

    # A failed submit shows an error summary that links to the field and takes focus.
    page.get_by_label("Your name").fill("Noor Haddad")
    page.get_by_label("Email address").fill("noor@example.com")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Create account").click()
    a11y(page)
    summary = page.locator("[data-error-summary]")
    assert "too common" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    label = "phone" if viewport["width"] < 600 else "desktop"
    page.screenshot(path=str(screenshot_dir() / f"register-error-{label}.png"), full_page=True)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    a11y(page)
    # The same answer as for an address that has an account: signing up does not log in.
    assert "We sent a link to noor@example.com" in page.inner_text("main")
    page.screenshot(path=str(screenshot_dir() / f"register-sent-{label}.png"), full_page=True)

    page.goto(verification_path(mailbox, "noor@example.com"))
    a11y(page)
    page.get_by_role("button", name="Confirm my email address").click()
    a11y(page)
    assert "your email address is confirmed" in page.inner_text("main")
    log_in_to_account(page, a11y)
    page.screenshot(path=str(screenshot_dir() / f"account-{label}.png"), full_page=True)

    open_menu(page)
    page.get_by_role("button", name="Log out").click()
    a11y(page)
    assert "You are logged out" in page.inner_text("main")

    open_menu(page)
    page.get_by_role("link", name="Log in").first.click()
    a11y(page)
    log_in_to_account(page, a11y)
    assert "Confirmed" in page.inner_text("main")


def tab_to(page, name: str, limit: int = 30) -> None:
    """Press Tab until the focused element's accessible text or label contains `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement;
            const label = el.labels && el.labels[0] ? el.labels[0].innerText : '';
            return (el.innerText || '') + '|' + label + '|' + (el.getAttribute('aria-label') || '');
        }""")
        if name.lower() in focused.lower():
            return
    raise AssertionError(f"could not reach {name!r} with the Tab key")


def test_the_same_journey_with_the_keyboard_alone(page, a11y, mailbox):
    page.goto("/")
    a11y(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText") == "Skip to main content"
    tab_to(page, "Join")
    page.keyboard.press("Enter")
    page.wait_for_url("**/register")
    a11y(page)
    tab_to(page, "Your name")
    page.keyboard.type("Ilse Varga")
    page.keyboard.press("Tab")
    page.keyboard.type("ilse@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/register/sent")
    a11y(page)

    page.goto(verification_path(mailbox, "ilse@example.com"))
    a11y(page)
    tab_to(page, "Confirm my email address")
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
    a11y(page)
    tab_to(page, "Email address")
    page.keyboard.type("ilse@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith("/"))
    a11y(page)

    tab_to(page, "Log out")
    with page.expect_navigation():  # from the home page to the home page
        page.keyboard.press("Enter")
    a11y(page)
    assert "You are logged out" in page.inner_text("main")
    tab_to(page, "Log in")
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
    a11y(page)
    tab_to(page, "Email address")
    page.keyboard.type("ilse@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith("/"))
    a11y(page)
    assert "You are logged in as Ilse Varga" in page.inner_text("main")
