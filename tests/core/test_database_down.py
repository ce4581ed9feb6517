"""When the database goes away: a clean 503 page with every security header, for anonymous and
logged-in people alike, with what they typed shown back; and the site recovers by itself."""
import html
import shutil
from dataclasses import dataclass
from typing import Callable

import pytest
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models.accounts import Role
from tests.conftest import ON_POSTGRES, POSTGRES_URL
from tests.live import TcpProxy

DOWN = "We can't reach our database right now; nothing you typed was saved."
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                    "Referrer-Policy", "Permissions-Policy")


@dataclass
class Outage:
    cut: Callable[[], None]
    restore: Callable[[], None]


@pytest.fixture
def outage(app_config, tmp_path, request):
    """The database stops: PostgreSQL behind a proxy that is switched off; SQLite on a
    volume that goes away. Ask for this fixture before `app` or `client`."""
    if ON_POSTGRES:
        url = make_url(POSTGRES_URL)
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
        app_config["DATABASE_URL"] = url.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False)
        yield Outage(cut=proxy.stop, restore=proxy.start)
        proxy.stop()
        return
    volume, unmounted = tmp_path / "volume", tmp_path / "unmounted"
    volume.mkdir()
    app_config["DATABASE_URL"] = f"sqlite:///{volume / 'test.sqlite3'}"

    def cut():
        app = request.getfixturevalue("app")
        with app.app_context():
            db.engine.dispose()  # open connections would go on reading the moved file
        shutil.move(volume, unmounted)

    yield Outage(cut=cut, restore=lambda: shutil.move(unmounted, volume))
    if unmounted.exists():
        shutil.move(unmounted, volume)


def assert_clean_503(response, *, json: bool = False):
    assert response.status_code == 503, response.status_code
    for header in SECURITY_HEADERS:
        assert header in response.headers, f"{header} missing"
    assert response.headers["Retry-After"].isdigit()  # the rate limiter may set its own
    if json:
        assert DOWN in response.get_json()["error"]
    else:
        assert DOWN in html.unescape(response.get_data(as_text=True))
        assert "Traceback" not in response.get_data(as_text=True)


def test_anonymous_visitors_get_a_clean_503_page(outage, client):
    assert client.get("/leaders?near=Lagos").status_code == 200
    outage.cut()
    for path in ("/", "/leaders?near=Lagos", "/blog", "/leaders/someone"):
        assert_clean_503(client.get(path))
    # A page that needs nothing from the database still works.
    assert client.get("/login").status_code == 200


def test_logged_in_people_get_the_same_page_and_their_typed_text_back(outage, client, login_as):
    login_as(Role.LEADER)
    outage.cut()
    page = client.get("/account")
    assert_clean_503(page)
    assert page.headers["Cache-Control"] == "no-store"

    typed = {"title": "Gardens on the school roof",
             "summary": "How forty parents & <three> teachers\nturned a roof into a garden.",
             "tags": "food, schools", "password": "never shown back"}
    sent = client.post("/proposals/new", data=typed)
    assert_clean_503(sent)
    page = sent.get_data(as_text=True)
    assert "Gardens on the school roof" in page
    assert "How forty parents &amp; &lt;three&gt; teachers\nturned a roof into a garden." in page
    assert "never shown back" not in page


def test_the_api_and_the_health_check_answer_503_in_json(outage, client):
    outage.cut()
    assert_clean_503(client.get("/api/leaders?near=Lagos"), json=True)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "error", "database": "unreachable"}
    for header in SECURITY_HEADERS:
        assert header in health.headers


def test_the_site_comes_back_with_its_database(outage, client, login_as):
    login_as(Role.MEMBER)
    outage.cut()
    assert client.get("/account").status_code == 503
    outage.restore()
    assert client.get("/account").status_code == 200, "the session survived the outage"
    assert client.get("/healthz").status_code == 200
