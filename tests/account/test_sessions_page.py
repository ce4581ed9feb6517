"""/account/sessions: where you are logged in, and logging out the others."""
import json
import re

import pytest
from sqlalchemy import select

from app.auth.sessions import describe_device, network_of
from app.extensions import db
from app.models.accounts import UserSession
from tests.conftest import PASSWORD, login, shown

FIREFOX_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 "
                   "Firefox/128.0")
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def log_in_from(app, user, user_agent, address, remember=False, browser=None):
    browser = browser or app.test_client()
    form = {"email": user.email, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    response = browser.post("/login", data=form, headers={"User-Agent": user_agent},
                            environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 302
    return browser


def session_ids(app, user):
    with app.app_context():
        return db.session.scalars(select(UserSession.id).where(UserSession.user_id == user.id)
                                  .order_by(UserSession.id)).all()


def test_the_page_lists_each_browser_with_its_network_and_marks_this_device(app, client, make_user):
    user = make_user()
    log_in_from(app, user, FIREFOX_WINDOWS, "203.0.113.77", remember=True)
    log_in_from(app, user, SAFARI_IPHONE, "2001:db8:abcd:12::9")
    log_in_from(app, user, "curl/8.5", "127.0.0.1", browser=client)

    settings = client.get("/account").get_data(as_text=True)
    assert 'href="/account/sessions"' in settings
    page = shown(client.get("/account/sessions"), "Firefox on Windows", "This device")
    assert "Firefox on Windows" in page and "Kept logged in" in page
    assert "Safari on iOS" in page
    assert "203.0.113.0/24" in page and "203.0.113.77" not in page
    assert "2001:db8:abcd::/48" in page and "2001:db8:abcd:12::9" not in page
    assert "An unknown browser" in page
    assert page.count("This device") == 1
    assert page.count(">Log out<span") == 2, "a button for each other session"
    assert "Log out everywhere else" in page


def test_logging_out_another_session_logs_that_browser_out(app, client, make_user):
    user = make_user()
    laptop = log_in_from(app, user, FIREFOX_WINDOWS, "198.51.100.4", remember=True)
    phone = log_in_from(app, user, SAFARI_IPHONE, "198.51.100.5")
    login(client, user.email)
    laptop_id, phone_id, mine = session_ids(app, user)

    answer = client.post(f"/account/sessions/{laptop_id}/end", follow_redirects=True)
    assert "Firefox on Windows is logged out." in answer.get_data(as_text=True)
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 200
    assert client.get("/account").status_code == 200
    assert session_ids(app, user) == [phone_id, mine]


def test_logging_out_everywhere_else_keeps_only_this_session(app, client, make_user):
    user = make_user()
    others = [log_in_from(app, user, FIREFOX_WINDOWS, f"198.51.100.{n}", remember=n % 2 == 0)
              for n in range(3)]
    login(client, user.email)
    answer = client.post("/account/sessions/end-others", follow_redirects=True)
    assert "You are logged out everywhere else." in answer.get_data(as_text=True)
    assert [browser.get("/account").status_code for browser in others] == [302] * 3
    assert client.get("/account").status_code == 200
    assert len(session_ids(app, user)) == 1
    alone = shown(client.get("/account/sessions"), "This device")
    assert alone.count("This device") == 1 and ">Log out<span" not in alone
    assert "Log out everywhere else" not in alone


def test_nobody_can_log_out_someone_elses_session(app, client, make_user):
    victim, me = make_user(), make_user()
    theirs = log_in_from(app, victim, FIREFOX_WINDOWS, "198.51.100.9")
    [their_id] = session_ids(app, victim)
    login(client, me.email)
    for session_id in (their_id, 2**63, 2**64 + 1, 0):
        assert client.post(f"/account/sessions/{session_id}/end").status_code == 404
    assert theirs.get("/account").status_code == 200


def test_the_button_on_this_device_does_not_end_it(app, client, make_user):
    user = make_user()
    login(client, user.email)
    [mine] = session_ids(app, user)
    client.post(f"/account/sessions/{mine}/end")
    assert client.get("/account").status_code == 200


@pytest.fixture
def csrf_app(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def csrf_token(browser, path) -> str:
    page = browser.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_logging_out_sessions_needs_a_post_with_a_csrf_token(csrf_app, app, client, make_user):
    user = make_user()
    browsers = [app.test_client(), client]
    for browser in browsers:
        browser.post("/login", data={"email": user.email, "password": PASSWORD,
                                     "csrf_token": csrf_token(browser, "/login")})
    laptop = browsers[0]
    laptop_id = session_ids(app, user)[0]
    assert client.get(f"/account/sessions/{laptop_id}/end").status_code == 405
    client.post(f"/account/sessions/{laptop_id}/end")
    client.post("/account/sessions/end-others")
    assert laptop.get("/account").status_code == 200, "forged posts change nothing"
    client.post("/account/sessions/end-others",
                data={"csrf_token": csrf_token(client, "/account/sessions")})
    assert laptop.get("/account").status_code == 302


def test_the_data_download_lists_the_sessions(app, client, make_user):
    user = make_user()
    log_in_from(app, user, FIREFOX_WINDOWS, "203.0.113.77", remember=True)
    login(client, user.email)
    response = client.get("/account/export.json")
    assert response.status_code == 200
    data = json.loads(response.data)
    assert {(s["browser"], s["platform"], s["network"], s["kept_logged_in"])
            for s in data["sessions"]} == {("Firefox", "Windows", "203.0.113.0/24", True),
                                           ("", "", "127.0.0.0/24", False)}
    assert "token" not in json.dumps(data["sessions"])


@pytest.mark.parametrize("user_agent, expected", [
    (FIREFOX_WINDOWS, ("Firefox", "Windows")),
    (SAFARI_IPHONE, ("Safari", "iOS")),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Safari/605.1.15", ("Safari", "macOS")),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Mobile Safari/537.36", ("Chrome", "Android")),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", ("Edge", "Windows")),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0", ("Opera", "Linux")),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36", ("Chrome", "ChromeOS")),
    ("", ("", "")), ("<script>" * 200, ("", "")),
])
def test_browsers_are_named_from_the_user_agent(user_agent, expected):
    assert describe_device(user_agent) == expected


@pytest.mark.parametrize("address, network", [
    ("203.0.113.77", "203.0.113.0/24"), ("2001:db8:abcd:12::9", "2001:db8:abcd::/48"),
    ("::ffff:198.51.100.23", "198.51.100.0/24"), ("not an address", ""), (None, ""),
])
def test_only_the_network_of_an_address_is_kept(address, network):
    assert network_of(address) == network
