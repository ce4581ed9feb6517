"""No typed text is lost: a form refused for an ended session or an expired token comes back
filled, after logging in again if need be, and can then be sent."""
import html
import json
import re

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db
from app.kept import LOG_IN_AGAIN, MESSAGE
from app.models.accounts import Role, User, UserSession
from app.models.editorial import Proposal
from app.models.kept import KeptForm
from tests.conftest import PASSWORD, shown

LONG_DRAFT = ("We started with a borrowed projector and a bedsheet pinned to the hall wall. "
              "The first night eleven people came, and two of them brought chairs. ") * 40


@pytest.fixture(autouse=True)
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def token_on(client, path) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def log_in(client, email, next_url=None):
    path = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"email": email, "password": PASSWORD,
                                   "csrf_token": token_on(client, "/login")})


def draft_form(client, proposal_id, **changes) -> dict:
    """The edit form on the proposal page as a browser would send it."""
    page = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    data = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
            "version": version, "title": "Pop-up cinema on the estate",
            "summary": "Films on the side of the community hall.", "why_it_matters": "Every age comes.",
            "tags": "culture, youth", "body": "", "excerpt": "", "cover_alt": "", "intent": "save"}
    data.update(changes)
    return data


def body_of(app, proposal_id) -> str:
    with app.app_context():
        return db.session.get(Proposal, proposal_id).body


@pytest.fixture
def author(make_user):
    return make_user(role=Role.LEADER, name="Amara Author")


@pytest.fixture
def draft(make_proposal, author):
    return make_proposal(author.id)


def end_sessions_on_the_server(app, user) -> None:
    with app.app_context():
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        db.session.commit()


def test_a_draft_saved_after_the_session_ended_comes_back_after_logging_in(app, client, author, draft):
    log_in(client, author.email)
    form = draft_form(client, draft, body=LONG_DRAFT)
    end_sessions_on_the_server(app, author)

    refused = client.post(f"/proposals/{draft}/save", data=form)
    assert refused.status_code == 303
    back = refused.headers["Location"]
    assert back.startswith(f"/proposals/{draft}?kept=")
    to_login = client.get(back)
    assert to_login.status_code == 302 and to_login.headers["Location"].startswith("/login?next=")
    login_page = client.get(to_login.headers["Location"])
    assert LOG_IN_AGAIN in page_text(login_page)
    assert body_of(app, draft) == "", "nothing was saved while logged out"

    after_login = client.post(to_login.headers["Location"], data={
        "email": author.email, "password": PASSWORD,
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                                login_page.get_data(as_text=True)).group(1)})
    assert after_login.headers["Location"] == back
    filled = page_text(client.get(back))
    assert LONG_DRAFT.strip() in filled, "the typed draft is back in the form"
    assert MESSAGE in filled and "There is a problem" in filled

    again = re.findall(r'name="(csrf_token|version)"[^>]*value="([^"]+)"',
                       client.get(back).get_data(as_text=True))
    form.update(dict(again))
    saved = client.post(f"/proposals/{draft}/save", data=form)
    assert saved.status_code in (302, 303)
    assert body_of(app, draft).strip() == LONG_DRAFT.strip()


def test_a_draft_sent_after_logging_out_in_another_tab_is_kept(app, client, author, draft):
    log_in(client, author.email)
    form = draft_form(client, draft, body=LONG_DRAFT)
    client.post("/logout", data={"csrf_token": token_on(client, "/account")})  # the other tab

    refused = client.post(f"/proposals/{draft}/save", data=form)  # its token went with the session
    assert refused.status_code == 303 and "?kept=" in refused.headers["Location"]
    back = refused.headers["Location"]
    log_in(client, author.email, next_url=back)
    assert LONG_DRAFT.strip() in page_text(client.get(back))


def test_a_logged_in_form_with_an_expired_token_comes_back_filled(app, client, make_user, author, draft):
    log_in(client, author.email)
    form = draft_form(client, draft, body="Typed over an hour.", csrf_token="expired-token")
    refused = client.post(f"/proposals/{draft}/save", data=form)
    assert refused.status_code == 303
    filled = page_text(client.get(refused.headers["Location"]))
    assert "Typed over an hour." in filled and MESSAGE in filled
    assert body_of(app, draft) == ""


def test_only_the_form_that_was_sent_is_filled(app, client, author, draft):
    log_in(client, author.email)
    refused = client.post(f"/proposals/{draft}/comments",
                          data={"csrf_token": "stale", "text": "A comment typed slowly."})
    assert refused.status_code == 303
    filled = client.get(refused.headers["Location"]).get_data(as_text=True)
    comment_box = re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', filled, re.S).group(1)
    body_box = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', filled, re.S).group(1)
    assert "A comment typed slowly." in comment_box
    assert "A comment typed slowly." not in body_box


def test_passwords_are_never_kept_and_sign_up_shows_the_rest(app, client):
    refused = client.post("/register", data={"csrf_token": "stale", "display_name": "Nia Kept",
                                             "email": "nia@example.com", "password": "a long secret phrase",
                                             "password_confirm": "a long secret phrase"})
    assert refused.status_code == 303
    with app.app_context():
        stored = db.session.scalars(select(KeptForm.data)).one()
        assert db.session.scalar(select(func.count()).select_from(User).where(
            User.email == "nia@example.com")) == 0
    assert "secret phrase" not in stored and "csrf" not in stored
    assert dict(json.loads(stored)["fields"]).get("email") == "nia@example.com"
    filled = page_text(client.get(refused.headers["Location"]))
    assert 'value="nia@example.com"' in filled and "secret phrase" not in filled


def test_someone_elses_kept_form_is_not_shown(app, client, make_user, author, draft):
    log_in(client, author.email)
    refused = client.post(f"/proposals/{draft}/save",
                          data=draft_form(client, draft, body="Private words.", csrf_token="stale"))
    back = refused.headers["Location"]
    assert "Private words." in page_text(client.get(back))  # opened by the author: theirs now

    editor = make_user(role=Role.EDITOR)
    other = app.test_client()
    log_in(other, editor.email)
    # A draft is its author's alone: the editor is told there is no such page, a visitor to log in.
    shown(other.get(back), "<h1>Page not found</h1>", status=404)
    assert "Private words." not in page_text(other.get(back))
    to_login = app.test_client().get(back)
    assert to_login.status_code == 302 and to_login.headers["Location"].startswith("/login?next=")
    assert "Private words." not in page_text(app.test_client().get(back))


def test_a_form_with_nothing_typed_still_answers_the_plain_error(client, author):
    log_in(client, author.email)
    response = client.post("/logout", data={"csrf_token": "stale"})
    assert response.status_code == 400
    assert "The form could not be sent" in page_text(response)
