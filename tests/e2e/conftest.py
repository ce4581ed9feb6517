"""Browser tests: a live server on 127.0.0.1, Debian's Chromium through Playwright, axe-core.

Every page a test loads must be checked with `a11y(page)`; the teardown fails the test
when one was not. No request leaves this machine: anything not on 127.0.0.1 is answered
from local files (see LOCAL_ASSETS) or refused.
"""
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app import create_app
from tests.conftest import IN_CI, base_config, close_app, prepare_sqlite_file, reset_database
from tests.live import LiveServer

CHROMIUM = shutil.which("chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-quic",
               "--no-first-run"]
# Outside requests a page may make, answered from local files: (url prefix, handler).
LOCAL_ASSETS: list = []

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def missing(message: str) -> None:
    """Something the browser tests need is not here: a failure under CI, a skip elsewhere."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        missing("Chromium is not installed: run scripts/test-services.sh (CI must run the browser tests)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(tmp_path, smtp_server, template_database):
    config = base_config(tmp_path, WTF_CSRF_ENABLED=True, SERVER_NAME=None,
                         MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    if "sqlite" in config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    prepare_sqlite_file(config, template_database)
    app = create_app(config)
    app.instance_path = str(tmp_path / "instance")
    reset_database(app, template_database)
    yield app
    close_app(app, config)


@pytest.fixture
def live_server(live_app):
    server = LiveServer(live_app).start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server):
    return smtp_server


class A11y:
    """Runs axe-core on the current page; remembers which pages were checked."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe
        self.axe = Axe()
        self.loaded: list[str] = []
        self.checked: set[str] = set()

    def __call__(self, page) -> None:
        page.wait_for_load_state("load")
        results = self.axe.run(page)
        self.checked.add(_page_key(page.url))
        assert results.violations_count == 0, (
            f"axe-core found accessibility problems on {page.url}:\n"
            + results.generate_report())

    def unchecked(self) -> list[str]:
        return sorted({key for key in map(_page_key, self.loaded)} - self.checked)


def _page_key(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def a11y():
    return A11y()


@pytest.fixture(params=[{"width": 1280, "height": 900}], ids=["desktop"])
def viewport(request):
    return request.param


@pytest.fixture
def page(browser, live_server, a11y, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    context.route("**/*", _offline_router(live_server.url))
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("load", lambda p: a11y.loaded.append(p.url))
    yield page
    context.close()
    assert not errors, f"the browser reported errors: {errors}"
    assert not a11y.unchecked(), f"pages loaded without an axe-core check: {a11y.unchecked()}"


def _offline_router(base_url: str):
    def route(route):
        url = route.request.url
        if url.startswith(base_url) or url.startswith("data:"):
            return route.continue_()
        for prefix, handler in LOCAL_ASSETS:
            if url.startswith(prefix):
                return handler(route)
        return route.abort("blockedbyclient")

    return route


def screenshot_dir() -> Path:
    path = Path(os.environ.get("LEADERS_SCREENSHOTS", "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
