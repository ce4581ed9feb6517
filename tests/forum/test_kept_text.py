"""No typed text is lost in the forum: a reply or a new thread sent after the session ended, or
with an expired token, comes back filled after logging in again."""
import html
import re

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models.accounts import UserSession
from app.models.forum import ForumPost
from tests.conftest import PASSWORD
from tests.forum.helpers import make_category, start_thread

TYPED = "We meet on the second Tuesday; the key is with the caretaker, who likes to chat. " * 20


@pytest.fixture(autouse=True)
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def token_on(client, path) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def log_in(client, email, path="/login"):
    return client.post(path, data={"email": email, "password": PASSWORD,
                                   "csrf_token": token_on(client, "/login")})


def test_a_reply_sent_after_the_session_ended_comes_back_after_logging_in(app, client, make_user):
    author, writer = make_user(name="Ana Author"), make_user(name="Wes Writer")
    thread_id, opening = start_thread(app, author, make_category(app))
    log_in(client, writer.email)
    reply_page = f"/forum/threads/{thread_id}/reply/{opening}"
    form = {"csrf_token": token_on(client, reply_page), "body": TYPED, "form_token": "kept-1", "follow": "y"}
    with app.app_context():
        db.session.execute(delete(UserSession).where(UserSession.user_id == writer.id))
        db.session.commit()
    refused = client.post(reply_page, data=form)
    assert refused.status_code == 303 and refused.headers["Location"].startswith(f"{reply_page}?kept=")
    to_login = client.get(refused.headers["Location"])
    assert to_login.status_code == 302 and to_login.headers["Location"].startswith("/login?next=")
    back = log_in(client, writer.email, to_login.headers["Location"])
    page = html.unescape(client.get(back.headers["Location"]).get_data(as_text=True))
    assert TYPED.strip() in page, "the reply comes back in its box"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ForumPost).where(ForumPost.top_position > 0)) == 0


def test_a_new_thread_with_an_expired_token_comes_back_filled(app, client, make_user):
    person = make_user(name="Ana Author")
    make_category(app, "Running gatherings")
    log_in(client, person.email)
    refused = client.post("/forum/running-gatherings/new", data={
        "csrf_token": "expired", "title": "Rotas that people read", "body": TYPED, "form_token": "t"})
    assert refused.status_code == 303
    page = html.unescape(client.get(refused.headers["Location"]).get_data(as_text=True))
    assert 'value="Rotas that people read"' in page and TYPED.strip() in page
