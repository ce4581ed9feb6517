"""Links in mail come from LEADERS_SITE_URL; requests naming any other host answer 400."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import create_app
from app.config import ConfigError
from app.editorial.workflow import Stage, State
from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.editorial import Proposal
from app.models.mail import OutboxMessage
from app.notifications.unsubscribe import token_for
from tests.conftest import PASSWORD, base_config, login, reset_database, shown

SITE = "https://leaders.example"
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def app_config(app_config, request):
    # No SERVER_NAME, as in production: links used to follow the request's Host header.
    app_config.update(SERVER_NAME=None, SITE_URL=SITE, **getattr(request, "param", {}))
    return app_config


def outbox(app, to=None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if to:
            query = query.where(OutboxMessage.to == to)
        messages = db.session.scalars(query).all()
        db.session.expunge_all()
        return messages


def links_in(message: OutboxMessage) -> list[str]:
    return LINK.findall(message.body)


def assert_refused(response) -> None:
    """The site's own 400 page, with the usual security headers."""
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"This site answers at {SITE}." in page
    assert "Leaders Network" in page and 'href="/"' in page
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "evil.example" not in page


@pytest.mark.parametrize("app_config, headers", [
    ({}, {"Host": "evil.example"}),
    ({"PROXY_FIX": 1}, {"X-Forwarded-Host": "evil.example"}),
], indirect=["app_config"], ids=["host", "x-forwarded-host"])
def test_a_forged_host_cannot_get_a_reset_mail_sent(app, client, make_user, headers):
    user = make_user(email="ana@example.com")
    response = client.post("/forgot-password", data={"email": user.email}, headers=headers)
    assert_refused(response)
    assert outbox(app) == []


@pytest.mark.parametrize("app_config, headers", [
    ({}, {}),
    ({}, {"X-Forwarded-Host": "evil.example"}),  # ignored without PROXY_FIX
    ({"PROXY_FIX": 1, "ALLOWED_HOSTS": ["www.leaders.example"]},
     {"X-Forwarded-Host": "www.leaders.example"}),
], indirect=["app_config"], ids=["localhost", "x-forwarded-host-ignored", "www-via-proxy"])
def test_the_reset_link_starts_with_site_url_whatever_host_was_asked(app, client, make_user,
                                                                     headers):
    user = make_user(email="ana@example.com")
    response = client.post("/forgot-password", data={"email": user.email}, headers=headers)
    assert b"Check your email" in response.data
    [message] = outbox(app, user.email)
    [link] = links_in(message)
    assert link.startswith(f"{SITE}/reset-password/")
    page = client.get(link.removeprefix(SITE), headers=headers)
    assert b"Choose a new password" in page.data


def test_verification_link_starts_with_site_url(app, client):
    response = client.post("/register", data={"display_name": "Rosa Delgado",
                                              "email": "rosa@example.com",
                                              "password": "saffron kettle orbit"},
                           base_url="http://127.0.0.1:5000")
    assert response.status_code == 302
    [message] = outbox(app, "rosa@example.com")
    assert [link.split("/verify/")[0] for link in links_in(message)] == [SITE]


def test_email_change_link_starts_with_site_url(app, client, make_user):
    user = make_user(email="old@example.com")
    login(client, user.email)
    client.post("/account/email", data={"email": "new@example.com", "current_password": PASSWORD})
    [message] = outbox(app, "new@example.com")
    assert [link.split("/account/email/confirm/")[0] for link in links_in(message)] == [SITE]


def test_a_post_published_from_cron_mails_a_site_url_link(app, runner):
    with app.app_context():
        author = User(email="author@example.com", display_name="Amara Author", role=Role.LEADER,
                      email_verified_at=utcnow(), password_hash="not-used")
        proposal = Proposal(author=author, state=State.SCHEDULED, stage=Stage.POST,
                            title="Saturday repair café", summary="Neighbours fix kettles.",
                            why_it_matters="Anyone can start one.", body="Three tables.",
                            excerpt="How a repair café grew.", first_submitted_at=utcnow(),
                            publish_at=utcnow() - timedelta(minutes=1))
        db.session.add(proposal)
        db.session.commit()
    result = runner.invoke(args=["editorial", "publish-due"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        slug = db.session.scalar(select(Proposal.slug))
        token = token_for(db.session.scalar(select(User.id)), "post_published")
    [message] = outbox(app, "author@example.com")
    # The post, then the one-click link that stops this kind of mail: both on SITE_URL.
    assert links_in(message) == [f"{SITE}/blog/{slug}",
                                 f"{SITE}/notifications/unsubscribe/{token}"]


def test_public_absolute_links_use_site_url(app, client):
    page = client.get("/blog", base_url="http://127.0.0.1:5000").get_data(as_text=True)
    assert f'<link rel="canonical" href="{SITE}/blog">' in page
    sitemap = shown(client.get("/sitemap.xml", base_url="http://127.0.0.1:5000"), f"<loc>{SITE}/</loc>")
    assert f"<loc>{SITE}/</loc>" in sitemap and "127.0.0.1" not in sitemap
    feed = shown(client.get("/blog/feed.atom", base_url="http://localhost"), f'href="{SITE}/blog/feed.atom"')
    assert f'href="{SITE}/blog/feed.atom"' in feed and "localhost" not in feed


@pytest.mark.parametrize("base_url, status", [
    ("http://localhost", 200),
    ("http://127.0.0.1:54321", 200),
    ("http://[::1]:5000", 200),
    ("https://leaders.example", 200),
    ("https://Leaders.Example:8443", 200),
    ("http://evil.example", 400),
    ("http://leaders.example.evil.example", 400),
    ("http://10.0.0.7:8000", 400),
])
def test_development_answers_site_url_and_this_machine_only(client, base_url, status):
    assert client.get("/", base_url=base_url).status_code == status


def test_refused_hosts_get_json_on_the_api_and_the_health_check_answers_any_host(client):
    response = client.get("/api/leaders?near=Boston", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.get_json() == {"error": f"This site answers at {SITE}."}
    assert "Content-Security-Policy" in response.headers
    health = client.get("/healthz", headers={"Host": "10.0.0.7:8000"})  # a load balancer's probe
    assert health.status_code == 200


@pytest.mark.parametrize("app_config", [
    {"ALLOWED_HOSTS": "www.leaders.example, community.example"},  # a comma-separated string
    {"ALLOWED_HOSTS": ["www.leaders.example", "community.example"]},  # JSON, as env gives it
], indirect=True, ids=["string", "list"])
def test_allowed_hosts_replace_the_local_names(client):
    for host, status in [("www.leaders.example", 200), ("community.example", 200),
                         ("leaders.example", 200), ("localhost", 400), ("127.0.0.1", 400)]:
        assert client.get("/", headers={"Host": host}).status_code == status, host


def production_config(tmp_path, **overrides):
    return base_config(tmp_path, **{"ENV": "production", "TESTING": False, "SITE_URL": SITE,
                                    **overrides})


@pytest.mark.parametrize("url", [None, "", "leaders.example", "ftp://leaders.example",
                                 "https://", "https://leaders.example/?a=1"])
def test_production_refuses_to_start_without_an_http_site_url(tmp_path, url):
    with pytest.raises(ConfigError, match="LEADERS_SITE_URL"):
        create_app(production_config(tmp_path, SITE_URL=url))


def test_production_answers_only_the_site_url_host(tmp_path):
    app = create_app(production_config(tmp_path, SITE_URL=SITE + "/"))
    reset_database(app)
    assert app.config["SITE_URL"] == SITE
    client = app.test_client()
    assert client.get("/", base_url=SITE).status_code == 200
    for other in ("https://localhost", "https://127.0.0.1", "https://evil.example"):
        assert client.get("/", base_url=other).status_code == 400, other
    with app.app_context():
        db.engine.dispose()


def test_allowed_hosts_refuses_what_is_not_a_host_name(tmp_path):
    with pytest.raises(ConfigError, match="LEADERS_ALLOWED_HOSTS"):
        create_app(base_config(tmp_path, ALLOWED_HOSTS=["leaders.example", "https://x/"]))
