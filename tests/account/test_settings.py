"""Changing password and email, downloading one's data, deleting the account."""
import json
import re

from sqlalchemy import select

from app.extensions import db
from app.models.accounts import User
from tests.conftest import PASSWORD, login


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, client, make_user):
    user = make_user()
    login(client, user.email)
    other_device = app.test_client()
    login(other_device, user.email, remember=True)
    assert other_device.get("/account").status_code == 200

    wrong = client.post("/account/password", data={"current_password": "nope nope nope",
                                                   "password": "velvet harbour drum",
                                                   "confirm": "velvet harbour drum"})
    assert b"current password is not right" in wrong.data

    done = client.post("/account/password", data={"current_password": PASSWORD,
                                                  "password": "velvet harbour drum",
                                                  "confirm": "velvet harbour drum"})
    assert done.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200, "this session carries on"
    assert other_device.get("/account").status_code == 302, "other sessions end, remember-me too"
    client.post("/logout")
    assert login(client, user.email, "velvet harbour drum").status_code == 302


def test_change_email_is_confirmed_from_the_new_address(app, client, make_user, mailbox):
    user = make_user(email="old@example.com")
    login(client, user.email)
    client.post("/account/email", data={"email": "new@example.com",
                                        "current_password": PASSWORD})
    notice = mailbox.wait_for("old@example.com", "being changed")
    assert "new@example.com" in mailbox.body(notice)
    message = mailbox.wait_for("new@example.com", "Confirm your new email")
    path = re.search(r"http://localhost(/\S+)", mailbox.body(message)).group(1)
    with app.app_context():
        assert db.session.get(User, user.id).email == "old@example.com"
    client.get(path)
    with app.app_context():
        assert db.session.get(User, user.id).email == "old@example.com", "GET changes nothing"
    client.post(path)
    with app.app_context():
        assert db.session.get(User, user.id).email == "new@example.com"


def test_change_email_refuses_an_address_in_use(client, make_user):
    make_user(email="someone@example.com")
    user = make_user()
    login(client, user.email)
    response = client.post("/account/email", data={"email": "someone@example.com",
                                                   "current_password": PASSWORD})
    assert b"Another account uses this email address" in response.data


def test_download_my_data_as_json(client, login_as):
    user = login_as(name="Lena Fischer")
    response = client.get("/account/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == user.email
    assert data["account"]["display_name"] == "Lena Fischer"
    assert "password" not in response.get_data(as_text=True).lower()


def test_delete_account_asks_for_confirmation_then_deletes(app, client, make_user):
    user = make_user()
    login(client, user.email)
    page = client.get("/account/delete")
    assert b"cannot be undone" in page.data

    unticked = client.post("/account/delete", data={"current_password": PASSWORD})
    assert b"Tick the box" in unticked.data
    with app.app_context():
        assert db.session.get(User, user.id) is not None

    done = client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    assert done.headers["Location"] == "/"
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == user.email)) is None
    assert client.get("/account").status_code == 302
