"""Sessions kept on the server: logging out ends them wherever their cookies were copied."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, func, select, update

from app.extensions import db
from app.models.accounts import User, UserSession
from app.models.base import utcnow
from tests.conftest import PASSWORD, login

COOKIES = ("session", "remember_token")


def copy_of(app, client):
    """A second browser holding copies of `client`'s cookies (a stolen or synced cookie jar)."""
    other = app.test_client()
    for name in COOKIES:
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def only_remember_cookie(app, client):
    """The same browser after a restart: the session cookie is gone, remember-me stays."""
    other = app.test_client()
    other.set_cookie("remember_token", client.get_cookie("remember_token").value)
    return other


def deleted(response, name) -> bool:
    return any(c.startswith(f"{name}=;") and "Expires=Thu, 01 Jan 1970" in c
               for c in response.headers.getlist("Set-Cookie"))


def session_rows(app, user_id=None):
    with app.app_context():
        query = select(UserSession).order_by(UserSession.id)
        if user_id is not None:
            query = query.where(UserSession.user_id == user_id)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def test_logout_with_keep_me_logged_in_deletes_the_remember_cookie_and_ends_it(app, client, make_user):
    user = make_user()
    assert login(client, user.email, remember=True).status_code == 302
    after_restart = only_remember_cookie(app, client)
    assert after_restart.get("/account").status_code == 200, "remember-me works before logout"
    stolen = only_remember_cookie(app, client)

    response = client.post("/logout")
    assert deleted(response, "remember_token"), response.headers.getlist("Set-Cookie")
    assert client.get_cookie("remember_token") is None
    assert client.get("/account").status_code == 302
    assert stolen.get("/account").status_code == 302, "a copy of the remember cookie is dead too"
    assert session_rows(app, user.id) == []


def test_a_session_cookie_copied_before_logout_stops_working(app, client, make_user):
    user = make_user()
    login(client, user.email)
    copied = copy_of(app, client)
    assert copied.get("/account").status_code == 200

    client.post("/logout")
    assert copied.get("/account").status_code == 302
    assert copied.get("/account/sessions").status_code == 302


def test_each_login_is_its_own_session_and_logout_ends_only_that_one(app, client, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email, remember=True)
    login(phone, user.email)
    assert len(session_rows(app, user.id)) == 2
    with laptop.session_transaction() as laptop_session, \
            phone.session_transaction() as phone_session:
        assert laptop_session["_user_id"] != phone_session["_user_id"]

    phone.post("/logout")
    assert phone.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 200
    [left] = session_rows(app, user.id)
    assert left.remember


def test_logging_in_without_keep_me_logged_in_deletes_an_old_remember_cookie(app, client, make_user):
    user = make_user()
    login(client, user.email, remember=True)
    with app.app_context():  # logged out from another device meanwhile
        db.session.execute(delete(UserSession))
        db.session.commit()
    assert client.get("/account").status_code == 302
    assert deleted(login(client, user.email), "remember_token")
    assert client.get("/account").status_code == 200


def test_the_database_holds_only_a_hash_of_the_token(app, client, make_user):
    user = make_user()
    login(client, user.email, remember=True)
    with client.session_transaction() as session:
        token = session["_user_id"].partition(":")[2]
    [row] = session_rows(app, user.id)
    assert len(token) >= 40 and token not in row.token_hash
    import hashlib
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()


@pytest.mark.parametrize("forged", ["1", "1:", "1:nonsense", "x:y", "²:abc", "١:abc",
                                    "9" * 40 + ":abc", ":"])
def test_a_forged_session_id_is_nobody(app, client, make_user, forged):
    make_user()
    with client.session_transaction() as session:
        session["_user_id"] = forged
    assert client.get("/account").status_code == 302


def test_someone_elses_token_with_my_user_id_is_refused(app, make_user):
    me, them = make_user(), make_user()
    theirs = app.test_client()
    login(theirs, them.email)
    with theirs.session_transaction() as session:
        token = session["_user_id"].partition(":")[2]
    forger = app.test_client()
    with forger.session_transaction() as session:
        session["_user_id"] = f"{me.id}:{token}"
    assert forger.get("/account").status_code == 302


def test_a_new_password_from_a_reset_link_ends_every_session(app, client, make_user, mailbox):
    user = make_user(email="forgetful@example.com")
    other_device = app.test_client()
    login(other_device, user.email, remember=True)
    client.post("/forgot-password", data={"email": user.email})
    body = mailbox.body(mailbox.wait_for(user.email, "Reset your password"))
    path = re.search(r"http://localhost(/\S+)", body).group(1)
    client.post(path, data={"password": "marble teapot glacier", "confirm": "marble teapot glacier"})
    assert other_device.get("/account").status_code == 302
    assert only_remember_cookie(app, other_device).get("/account").status_code == 302
    assert session_rows(app, user.id) == []


def test_a_deactivated_persons_sessions_stop_even_before_they_are_deleted(app, client, make_user):
    user = make_user()
    login(client, user.email, remember=True)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/account").status_code == 302
    assert only_remember_cookie(app, client).get("/account").status_code == 302


def test_sessions_not_kept_logged_in_end_after_two_idle_days(app, client, make_user):
    user = make_user()
    login(client, user.email)
    kept = app.test_client()
    login(kept, user.email, remember=True)
    with app.app_context():
        db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(days=3)))
        db.session.commit()
    assert client.get("/account").status_code == 302
    assert kept.get("/account").status_code == 200, "kept logged in: 30 days"
    with app.app_context():
        db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(days=31)))
        db.session.commit()
    assert kept.get("/account").status_code == 302


def test_ended_sessions_are_cleared_away_at_the_next_login(app, client, make_user):
    user = make_user()
    login(client, user.email)
    with app.app_context():
        db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(days=3)))
        db.session.commit()
    login(app.test_client(), user.email)
    assert len(session_rows(app, user.id)) == 1


def test_last_seen_is_written_at_most_every_few_minutes_and_after_the_answer(app, client, make_user):
    user = make_user()
    login(client, user.email)
    writes = []

    def count_writes(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE USER_SESSIONS"):
            writes.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count_writes)
    try:
        for _ in range(5):
            assert client.get("/account").status_code == 200
        assert writes == [], "a visit a moment after logging in writes nothing"

        an_hour_ago = utcnow() - timedelta(hours=1)
        with app.app_context():
            db.session.execute(update(UserSession).values(last_seen_at=an_hour_ago))
            db.session.commit()
        writes.clear()
        answer = client.get("/account", buffered=False)
        assert [row.last_seen_at for row in session_rows(app, user.id)] == [an_hour_ago], \
            "nothing is written before the answer has gone"
        answer.close()
        [row] = session_rows(app, user.id)
        assert row.last_seen_at > an_hour_ago + timedelta(minutes=59)
        for _ in range(5):
            client.get("/account")
        assert len(writes) == 1
    finally:
        event.remove(engine, "before_cursor_execute", count_writes)


def test_deleting_the_account_deletes_its_sessions(app, client, make_user):
    user = make_user()
    login(client, user.email, remember=True)
    other = app.test_client()
    login(other, user.email)
    response = client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    assert deleted(response, "remember_token")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert other.get("/account").status_code == 302
