"""The security baseline: CSRF, headers, cookies, sessions, rate limits."""
import re

import pytest

from app import create_app
from app.config import ConfigError
from tests.conftest import PASSWORD, base_config, login, reset_database, shown


@pytest.fixture
def csrf_app(tmp_path):
    app = create_app(base_config(tmp_path, WTF_CSRF_ENABLED=True))
    reset_database(app)
    return app


def csrf_token(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_state_changing_forms_need_a_csrf_token(csrf_app):
    client = csrf_app.test_client()
    data = {"display_name": "Eve", "email": "eve@example.com", "password": "saffron kettle orbit"}
    refused = client.post("/register", data=data)
    # Refused, and nothing made: back to the form with what was typed (app.kept), never the password.
    assert refused.status_code == 303 and refused.headers["Location"].startswith("/register?kept=")
    again = shown(client.get(refused.headers["Location"]), "nothing was sent")
    assert "nothing was sent" in again and 'value="eve@example.com"' in again
    assert "saffron" not in again
    from app.extensions import db
    from app.models.accounts import User
    with csrf_app.app_context():
        assert db.session.query(User).filter_by(email="eve@example.com").count() == 0
    accepted = client.post("/register", data={**data, "csrf_token": csrf_token(client, "/register")})
    assert accepted.status_code == 302


def test_logout_without_csrf_token_keeps_the_session(csrf_app):
    from app.auth.services import create_user
    from app.extensions import db
    from app.models.accounts import Role
    with csrf_app.app_context():
        create_user("pat@example.com", "Pat", PASSWORD, Role.MEMBER, verified=True)
        db.session.commit()
    client = csrf_app.test_client()
    token = csrf_token(client, "/login")
    login(client, "pat@example.com", csrf_token=token)
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("path", ["/", "/login", "/does-not-exist", "/healthz"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.status_code == (404 if path == "/does-not-exist" else 200)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_security_headers_on_a_500(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    app.testing = False  # let the 500 handler answer instead of raising into the test
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert b"something went wrong" in response.data
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_pages_have_no_inline_scripts(client):
    for path in ["/", "/login", "/register", "/about", "/forgot-password"]:
        html = shown(client.get(path), '<main id="content"', "<footer")
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, f"inline script on {path}"
        assert not re.search(r"\son[a-z]+=", html), f"inline handler on {path}"


def test_session_is_regenerated_at_login(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "attacker value"
    login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{user.id}:")


def test_cookies_are_httponly_and_lax(client, make_user):
    user = make_user()
    response = login(client, user.email, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Secure" not in cookie


def production_config(tmp_path, **overrides):
    config = base_config(tmp_path, ENV="production", TESTING=False)
    config.update(overrides)
    return config


def test_production_sets_secure_cookies_and_hsts(tmp_path):
    app = create_app(production_config(tmp_path))
    reset_database(app)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/", base_url="https://localhost")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("key", [None, "", "too-short"])
def test_production_refuses_a_missing_or_short_secret_key(tmp_path, key):
    with pytest.raises(ConfigError, match="LEADERS_SECRET_KEY"):
        create_app(production_config(tmp_path, SECRET_KEY=key))


def test_production_refuses_debug(tmp_path):
    with pytest.raises(ConfigError, match="Debug"):
        create_app(production_config(tmp_path, DEBUG=True))


def test_login_is_rate_limited_with_a_clear_page(app, client, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    user = make_user()
    for _ in range(3):
        assert login(client, user.email, "wrong password here").status_code == 200
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert b"Too many attempts" in response.data
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
    assert client.get("/login").status_code == 200, "only attempts (POST) are limited"


def test_password_reset_is_rate_limited(app, client):
    app.config["RESET_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert client.post("/forgot-password", data={"email": "a@example.com"}).status_code == 200
    assert client.post("/forgot-password", data={"email": "a@example.com"}).status_code == 429


def test_get_requests_never_change_state(app, client, login_as):
    """State-changing endpoints refuse GET or only show a confirmation page."""
    from sqlalchemy import func, select
    from app.extensions import db
    from app.models.mail import OutboxMessage
    login_as(verified=False)
    assert client.get("/logout").status_code == 405
    assert client.get("/verify/resend").status_code != 200
    assert client.get("/account").status_code == 200, "still logged in"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
