"""Registering, verifying, logging in and out, forgotten passwords."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.mail import OutboxMessage
from tests.conftest import PASSWORD, login


def link_in(mailbox, message) -> str:
    body = mailbox.body(message)
    return re.search(r"http://localhost(/\S+)", body).group(1)


def get_user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_register_sends_a_verification_link_that_confirms_the_email(client, app, mailbox):
    response = client.post("/register", data={"display_name": "Rosa Delgado",
                                              "email": "Rosa@Example.com",
                                              "password": "saffron kettle orbit"})
    assert response.status_code == 302
    message = mailbox.wait_for("rosa@example.com", "Confirm your email")
    path = link_in(mailbox, message)
    assert not get_user(app, "rosa@example.com").is_verified

    page = client.get(path)
    assert page.status_code == 200
    assert b"Confirm my email address" in page.data
    assert not get_user(app, "rosa@example.com").is_verified, "GET must not change state"

    client.post(path)
    assert get_user(app, "rosa@example.com").is_verified


def test_register_refuses_short_common_and_overlong_passwords(client, app):
    for password, message in [("short", b"at least 8 characters"),
                              ("password123", b"too common"),
                              ("x" * 129, b"at most 128 characters")]:
        response = client.post("/register", data={"display_name": "Ana", "email": "ana@example.com",
                                                  "password": password})
        assert response.status_code == 200
        assert message in response.data
        assert re.search(rb'aria-describedby="[^"]*password-error[^"]*"', response.data)
        assert b'id="password-error"' in response.data
    assert get_user(app, "ana@example.com") is None


def test_password_of_any_characters_up_to_128_is_accepted(client, app):
    password = "ünïcødé 🌍 spaces & symbols " + "q" * 90
    assert len(password) <= 128
    response = client.post("/register", data={"display_name": "Zoë", "email": "zoe@example.com",
                                              "password": password})
    assert response.status_code == 302
    client.post("/logout")
    assert login(client, "zoe@example.com", password).status_code == 302


def registered_long_ago(app, user, days=30):
    with app.app_context():
        db.session.get(User, user.id).created_at = utcnow() - timedelta(days=days)
        db.session.commit()


def outbox_to(app, address):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == address)
                                  .order_by(OutboxMessage.id)).all()


def test_a_taken_email_gets_the_answer_of_a_new_sign_up_and_its_owner_a_mail(app, client, make_user):
    owner = make_user(email="taken@example.com", name="Ama Mensah")
    registered_long_ago(app, owner)
    form = {"display_name": "Eve", "password": "saffron kettle orbit"}

    new = client.post("/register", data={**form, "email": "fresh@example.com"})
    new_page = client.get(new.headers["Location"])
    taken = client.post("/register", data={**form, "email": "TAKEN@example.com"})
    taken_page = client.get(taken.headers["Location"])

    assert new.status_code == taken.status_code == 302
    assert new.headers["Location"] == taken.headers["Location"] == "/register/sent"
    assert new_page.status_code == taken_page.status_code == 200
    assert b"Check your email" in new_page.data
    assert new_page.data.replace(b"fresh@example.com", b"EMAIL") == \
        taken_page.data.replace(b"TAKEN@example.com", b"EMAIL")
    assert b"already exists" not in taken_page.data
    assert client.get("/account").status_code == 302, "neither sign-up logs in"

    [notice] = outbox_to(app, "taken@example.com")
    assert notice.subject == "Someone tried to create an account with your email address"
    assert "Hello Ama Mensah" in notice.body
    assert "http://localhost/login" in notice.body
    assert "http://localhost/forgot-password" in notice.body
    assert "Eve" not in notice.body and "saffron" not in notice.body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.email == "taken@example.com")) == 1
        assert db.session.get(User, owner.id).display_name == "Ama Mensah"
    assert login(client, "taken@example.com", "saffron kettle orbit").status_code == 200
    assert login(client, "taken@example.com").status_code == 302, "the password is unchanged"


def test_the_owner_is_told_at_most_once_an_hour_and_not_after_a_double_submit(app, client, make_user):
    form = {"display_name": "Kwame", "email": "kwame@example.com", "password": "saffron kettle orbit"}
    client.post("/register", data=form)
    client.post("/register", data=form)  # a double click: the verification mail is on its way
    assert [m.subject for m in outbox_to(app, "kwame@example.com")] == ["Confirm your email address"]

    registered_long_ago(app, get_user(app, "kwame@example.com"))
    for _ in range(3):
        assert client.post("/register", data=form).headers["Location"] == "/register/sent"
    assert [m.subject for m in outbox_to(app, "kwame@example.com")] == [
        "Confirm your email address", "Someone tried to create an account with your email address"]


def test_registration_is_rate_limited_per_address(app, client):
    app.config["REGISTER_RATE_LIMIT"] = "2 per hour"
    for number in range(2):
        answer = client.post("/register", data={"display_name": "Bot", "password": "saffron kettle orbit",
                                                "email": f"bot{number}@example.com"})
        assert answer.status_code == 302
    refused = client.post("/register", data={"display_name": "Bot", "password": "saffron kettle orbit",
                                             "email": "bot9@example.com"})
    assert refused.status_code == 429
    assert b"Too many attempts" in refused.data
    assert get_user(app, "bot9@example.com") is None
    assert client.get("/register").status_code == 200, "only sign-ups (POST) are limited"
    other = client.post("/register", environ_base={"REMOTE_ADDR": "192.0.2.7"},
                        data={"display_name": "Ana", "password": "saffron kettle orbit",
                              "email": "ana@example.com"})
    assert other.status_code == 302, "another address has its own count"


def test_a_tampered_or_expired_verification_link_is_refused(client, app, make_user):
    from app.auth import services
    user = make_user(verified=False)
    with app.test_request_context():
        token = services.verification_token(db.session.get(User, user.id))
    assert client.get(f"/verify/{token}x").status_code == 400
    app.config["EMAIL_VERIFY_MAX_AGE"] = -1
    response = client.get(f"/verify/{token}")
    assert response.status_code == 400
    assert b"expired" in response.data


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user()
    wrong = login(client, user.email, "not the password at all")
    unknown = login(client, "nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 200
    assert b"The email address or password is not right" in wrong.data
    strip = lambda html: re.sub(rb'name="csrf_token"[^>]*|value="[^"]*"', b"", html)  # noqa: E731
    assert strip(wrong.data) == strip(unknown.data)


def test_login_then_logout(client, make_user):
    user = make_user(name="Kofi Boateng")
    response = login(client, user.email)
    assert response.status_code == 302
    assert b"Kofi Boateng" in client.get("/account").data
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_logout_needs_a_post(client, login_as):
    login_as()
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_deactivated_account_cannot_log_in(client, make_user):
    user = make_user(active=False)
    response = login(client, user.email)
    assert response.status_code == 200
    assert b"deactivated" in response.data


def test_login_redirects_to_next_only_on_this_site(client, make_user):
    user = make_user()
    ok = client.post("/login?next=/account/password", data={"email": user.email,
                                                           "password": PASSWORD})
    assert ok.headers["Location"] == "/account/password"
    client.post("/logout")
    for evil in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
                 "javascript:alert(1)", "http:/evil.example"]:
        response = client.post("/login", query_string={"next": evil},
                               data={"email": user.email, "password": PASSWORD})
        assert response.headers["Location"] == "/", evil
        client.post("/logout")


def test_remember_me_sets_a_long_lived_cookie(client, make_user):
    user = make_user()
    response = login(client, user.email, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") for c in cookies)
    client.post("/logout")
    response = login(client, user.email)
    assert not any(c.startswith("remember_token=") and "Expires=Thu, 01 Jan 1970" not in c
                   for c in response.headers.getlist("Set-Cookie"))


def test_password_reset_works_once_and_does_not_log_in(client, app, make_user, mailbox):
    user = make_user(email="reset@example.com")
    client.post("/forgot-password", data={"email": "reset@example.com"})
    path = link_in(mailbox, mailbox.wait_for("reset@example.com", "Reset your password"))

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "marble teapot glacier",
                                       "confirm": "marble teapot glacier"})
    assert response.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302, "reset must not log in"
    assert login(client, user.email, "marble teapot glacier").status_code == 302
    client.post("/logout")

    again = client.post(path, data={"password": "another fine phrase",
                                    "confirm": "another fine phrase"})
    assert again.status_code == 400
    assert b"already been used" in again.data
    assert login(client, user.email, "another fine phrase").status_code == 200


def test_password_reset_link_expires_after_an_hour(client, app, make_user):
    from app.auth import services
    user = make_user()
    with app.test_request_context():
        services.request_password_reset(user.email)
        db.session.commit()
        from app.models.mail import OutboxMessage
        body = db.session.scalars(select(OutboxMessage.body)).all()[-1]
    path = re.search(r"http://localhost(/\S+)", body).group(1)
    assert app.config["PASSWORD_RESET_MAX_AGE"] == 3600
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(path)
    assert response.status_code == 400
    assert b"expired" in response.data


def test_reset_request_answers_the_same_for_known_and_unknown_emails(client, make_user, app):
    user = make_user()
    known = client.post("/forgot-password", data={"email": user.email})
    unknown = client.post("/forgot-password", data={"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.data.replace(user.email.encode(), b"EMAIL") == \
        unknown.data.replace(b"ghost@example.com", b"EMAIL")
    from app.models.mail import OutboxMessage
    with app.app_context():
        recipients = db.session.scalars(select(OutboxMessage.to)).all()
    assert recipients == [user.email]


def test_a_reset_request_is_looked_up_and_mailed_only_after_the_answer(app, client, make_user):
    # The answer cannot take longer for an address with an account: nothing about the
    # address is looked up until it has been sent.
    user = make_user()
    for email in ("ghost@example.com", user.email):
        answer = client.post("/forgot-password", data={"email": email}, buffered=False)
        assert answer.status_code == 200
        assert b"Check your email" in b"".join(answer.response)
        assert outbox_to(app, email) == [], "nothing is queued while the answer is sent"
        answer.close()
    [message] = outbox_to(app, user.email)
    assert message.subject == "Reset your password"
    assert outbox_to(app, "ghost@example.com") == []


def test_joining_on_the_way_somewhere_comes_back_there_after_confirming_and_logging_in(client, app, mailbox):
    joined = client.post("/register?next=/leaders/apply", data={
        "display_name": "Lena Brook", "email": "lena@example.com", "password": "saffron kettle orbit"})
    assert joined.status_code == 302
    confirmed = client.post(link_in(mailbox, mailbox.wait_for("lena@example.com")))
    assert confirmed.headers["Location"] == "/login?next=/leaders/apply"
    logged_in = client.post(confirmed.headers["Location"], data={
        "email": "lena@example.com", "password": "saffron kettle orbit"})
    assert logged_in.headers["Location"] == "/leaders/apply"


def test_a_next_address_off_this_site_is_not_kept_through_sign_up(client, app, mailbox):
    client.post("/register?next=//evil.example/x", data={
        "display_name": "Omar Vale", "email": "omar@example.com", "password": "saffron kettle orbit"})
    assert client.post(link_in(mailbox, mailbox.wait_for("omar@example.com"))).headers["Location"] == "/login"


def test_passwords_are_hashed_with_scrypt_outside_tests(app):
    """The cheap hash the suite uses (TEST_PASSWORD_HASH_METHOD) is honoured under TESTING only:
    the same setting on a site that is not testing still gets scrypt."""
    from app.auth.services import dummy_hash
    from app.models.accounts import hash_password
    with app.app_context():
        assert hash_password(PASSWORD).startswith("pbkdf2:sha256:1$")
        app.testing = False
        try:
            hashed = hash_password(PASSWORD)
            assert hashed.startswith("scrypt:") and User(password_hash=hashed).check_password(PASSWORD)
            assert dummy_hash().startswith("scrypt:")
        finally:
            app.testing = True
