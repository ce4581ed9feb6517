"""Fixtures: a fresh app and database per test, users, logging in, a real SMTP server."""
import asyncio
import email
import email.policy
import gc
import os
import shutil
import threading
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from dataclasses import dataclass, field
from itertools import count

import pytest
import sqlalchemy.exc
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from app import create_app
from app.extensions import db
from app.models.accounts import Role, User

PASSWORD = "quiet river lantern 42"
POSTGRES_URL = os.environ.get("LEADERS_TEST_DATABASE_URL")
ON_POSTGRES = os.environ.get("LEADERS_TEST_DB") == "postgresql" and bool(POSTGRES_URL)
IN_CI = os.environ.get("CI") == "true"
# pytest-xdist's worker ("gw0", "gw1", ...); None when the suite runs in one process.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")

if os.environ.get("LEADERS_TEST_DB") == "postgresql" and not POSTGRES_URL:
    raise RuntimeError("LEADERS_TEST_DB=postgresql needs LEADERS_TEST_DATABASE_URL")


def worker_database_url(url: str, worker: str) -> str:
    """<the test database>_<worker>, made on first use: each xdist worker empties and fills
    a database of its own (connecting to the `postgres` database to create it)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from app.config import database_uri
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(make_url(database_uri(url)).set(database="postgres"),
                          isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": name}).scalar()
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# (The environment keeps the URL given: a child process that imports this module, as
# tests/core/test_images.py's does, derives the same worker's database from it.)
if ON_POSTGRES and XDIST_WORKER:
    POSTGRES_URL = worker_database_url(POSTGRES_URL, XDIST_WORKER)


# The longest tests (ten seconds and more) start first: with pytest-xdist (--dist worksteal) the
# other workers share out the rest meanwhile, instead of one of them starting a long test last.
RUN_FIRST = (
    "tests/core/test_fuzz.py::test_no_route_answers_5xx_to_hostile_input",
    "tests/core/test_rate_limits.py::test_limits_hold_across_two_gunicorn_workers_sharing_redis",
    "tests/core/test_rate_limits.py::test_gunicorn_with_several_workers_refuses_per_worker_limits_in_production",
    "tests/core/test_database.py::test_two_gunicorn_workers_write_at_once_without_database_is_locked",
)


def pytest_collection_modifyitems(items):
    first = {nodeid: place for place, nodeid in enumerate(RUN_FIRST)}
    items.sort(key=lambda item: first.get(item.nodeid, len(first)))  # the rest keep their order


def base_config(tmp_path, **overrides) -> dict:
    database = POSTGRES_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'test.sqlite3'}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": database,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        # Links in mail, feeds and the API point at the test client's host.
        "SITE_URL": "http://localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Tests search far more often than a person; the limit is tested in test_rate_limits.py.
        "SEARCH_RATE_LIMIT": "100000 per minute",
        # Tests make throwaway SQLite files; the refusal to start without one is tested alone.
        "CREATE_DATABASE": True,
        # Photos and covers a test uploads stay in its own folder.
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        # One round instead of scrypt's 0.3 s per hash and per check (honoured only under
        # TESTING: see app.models.accounts.hash_password).
        "TEST_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    }
    if ON_POSTGRES:
        # No pooled connections outliving a test's app (psycopg warns when they are collected).
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": NullPool}
    config.update(overrides)
    return config


# Enough of the world for searches in tests: towns of 15,000+ people and US postal codes.
GAZETTEER = {"min_population": 15000, "include_postal": True}
KEEP_BETWEEN_TESTS = {"geo_places", "geo_place_names"}
_schema_ready = False


def stamp_head(engine) -> None:
    """Mark a database made by create_all as being at the migration head (as /healthz checks)."""
    from app.health import MIGRATIONS
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        for head in heads:
            connection.execute(text("INSERT INTO alembic_version VALUES (:head)"), {"head": head})


def load_test_gazetteer(engine) -> None:
    from sqlalchemy.orm import Session
    from app.geo.gazetteer import load_gazetteer
    with Session(engine) as session:
        load_gazetteer(session, **GAZETTEER)
        session.commit()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """An SQLite file with every table and the test gazetteer, copied for each test (None on
    PostgreSQL, whose tables are made once in its own database)."""
    if ON_POSTGRES:
        return None
    from app.models import register
    register()
    # xdist's workers share one template: the first to get the lock builds it.
    root = tmp_path_factory.getbasetemp()
    if XDIST_WORKER:
        root = root.parent
    path = root / "template" / "template.sqlite3"
    with shared_lock(root / "template.lock"):
        if not path.exists():
            build_template(path)
    return path


@contextmanager
def shared_lock(path):
    """An exclusive lock on a file, held across processes (the xdist workers)."""
    import fcntl
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_template(path) -> None:
    from sqlalchemy import create_engine
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    engine = create_engine(f"sqlite:///{building}")
    db.metadata.create_all(engine)
    stamp_head(engine)
    load_test_gazetteer(engine)
    engine.dispose()
    building.rename(path)


def reset_database(app, template=None) -> None:
    """SQLite: a copy of the template per test. PostgreSQL: tables made once, emptied per test."""
    global _schema_ready
    with app.app_context():
        if not ON_POSTGRES:
            if template is None:
                db.create_all()
            return
        if not _schema_ready:
            skip_commit_flush()
            db.drop_all()
            db.create_all()
            stamp_head(db.engine)
            load_test_gazetteer(db.engine)
            _schema_ready = True
            return
        empty_tables()


def skip_commit_flush() -> None:
    """A test database need not survive a crash of its server: commits stop waiting for the
    WAL to reach the disk (synchronous_commit=off, for every later connection to it, the
    subprocesses' too). Nothing a test sees changes but the time a commit takes. Only the
    database's owner may set it; another's database is left as it is."""
    name = db.session.execute(text(
        "SELECT datname FROM pg_database WHERE datname = current_database() "
        "AND datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user)")).scalar()
    if name is not None:
        db.session.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        db.session.commit()


def _emptied_tables() -> list:
    return [table for table in db.metadata.sorted_tables if table.name not in KEEP_BETWEEN_TESTS]


def empty_tables() -> None:
    """PostgreSQL: empty the tables the last test wrote to and restart the id sequences it used.
    DELETE of a few rows takes a millisecond where TRUNCATE of every table (new files for each
    table and index, then a flush) takes a tenth of a second or more. Children go before their
    parents; the count triggers refill leader_cells/leader_points as profiles go, so the check
    for rows runs again until nothing is left. Should a DELETE be refused (a foreign key that
    order cannot satisfy), every table is truncated as before."""
    tables = _emptied_tables()
    probe = text(" UNION ALL ".join(
        f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")" for table in tables))
    try:
        for rounds in count(1):
            written = set(db.session.execute(probe).scalars())
            if not written:
                break
            if rounds > 3:
                raise AssertionError(f"tables still hold rows after emptying: {sorted(written)}")
            for table in reversed(tables):
                if table.name in written:
                    db.session.execute(text(f'DELETE FROM "{table.name}"'))
        # Sequences handed out a number since their restart (a row kept, or rolled back).
        db.session.execute(text(
            "SELECT setval(format('%I.%I', s.schemaname, s.sequencename), s.start_value, false) "
            "FROM pg_sequences s JOIN pg_class q ON q.relname = s.sequencename "
            "JOIN pg_namespace n ON n.oid = q.relnamespace AND n.nspname = s.schemaname "
            "JOIN pg_depend d ON d.objid = q.oid AND d.classid = 'pg_class'::regclass "
            "AND d.deptype IN ('a', 'i') JOIN pg_class t ON t.oid = d.refobjid "
            "WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL "
            "AND t.relname = ANY(:tables)"), {"tables": [table.name for table in tables]})
        db.session.commit()
    except sqlalchemy.exc.IntegrityError:
        db.session.rollback()
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()


def prepare_sqlite_file(config: dict, template) -> None:
    """Copy the template to the file the config names (SQLite only)."""
    if ON_POSTGRES:
        return
    url = config["DATABASE_URL"]
    assert url.startswith("sqlite:///")
    shutil.copyfile(template, url.removeprefix("sqlite:///"))


def remove_sqlite_file(config: dict) -> None:
    """Delete a test's copy of the template (27 MB, with its -wal and -shm) when the test ends:
    2,600 copies kept until the session's end filled a small CI disk."""
    if ON_POSTGRES:
        return
    path = Path(config["DATABASE_URL"].removeprefix("sqlite:///"))
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


@pytest.fixture
def app_config(tmp_path):
    """Tests override settings by updating this dict before `app` is first used."""
    return base_config(tmp_path)


@pytest.fixture
def app(app_config, tmp_path, template_database):
    prepare_sqlite_file(app_config, template_database)
    app = create_app(app_config)
    app.instance_path = str(tmp_path / "instance")
    reset_database(app, template_database)
    yield app
    close_app(app, app_config)


def close_app(app, config: dict) -> None:
    """A test's app at its end: its connections closed, its SQLite copy deleted."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    remove_sqlite_file(config)


class ClosingClient(FlaskClient):
    """Reads and closes every response as a real server does, so call_on_close work runs."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = ClosingClient
    return app.test_client()


@pytest.fixture
def live(app):
    """The test's app served over real HTTP on 127.0.0.1, for requests that race."""
    from tests.live import LiveServer
    app.config["SERVER_NAME"] = None
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_emails = count(1)


@pytest.fixture
def make_user(app):
    """make_user(role="editor", verified=False, ...) -> User, committed."""

    def make(email=None, name=None, role=Role.MEMBER, password=PASSWORD, verified=True,
             active=True) -> User:
        from app.auth.services import create_user
        number = next(_emails)
        with app.app_context():
            user = create_user(email or f"person{number}@example.com", name or f"Person {number}",
                               password, Role(role), verified=verified)
            user.active = active
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return make


def login(client, email, password=PASSWORD, remember=False, **extra):
    data = {"email": email, "password": password, **extra}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def shown(response, *texts, status=200) -> str:
    """The response's text, once it answered `status` and shows each of `texts`.

    Tests that something must not appear check first, with this, that the page is the working
    one; otherwise an error page or an empty one would pass them."""
    body = response.get_data(as_text=True)
    where = f"{response.request.method} {response.request.full_path.rstrip('?')}"
    assert response.status_code == status, f"{where} answered {response.status_code}, not {status}"
    for text in texts:
        assert text in body, f"{where} does not show {text!r}"
    return body


@pytest.fixture
def login_as(client, make_user):
    """login_as("editor") -> the new user, logged in on `client`."""

    def log_in(role=Role.MEMBER, **kwargs):
        user = make_user(role=role, **kwargs)
        response = login(client, user.email)
        assert response.status_code == 302, "login failed"
        return user

    return log_in


# A real SMTP server ------------------------------------------------------------------------

@dataclass
class Mailbox:
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_data: object = lambda: None  # called (in a thread) as each message arrives

    def for_address(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if address.lower() in m["To"].lower()]

    def wait_for(self, address: str, subject_part: str = "", timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.for_address(address)):
                if subject_part.lower() in message["Subject"].lower():
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no mail to {address} about {subject_part!r} arrived")

    def body(self, message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


class _Handler:
    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):
        # A test's hook runs before the message is accepted (a slow server, a probe).
        await asyncio.get_running_loop().run_in_executor(None, self.mailbox.on_data)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.mailbox.lock:
            self.mailbox.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    mailbox.port = free_port()
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    yield mailbox
    controller.stop()
    _collect_server_leftovers()


def _collect_server_leftovers() -> None:
    """A connection the server still held when it stopped (a client gone mid-session) is closed
    by the garbage collector, with a ResourceWarning that is the test server's, not the code
    under test's: collect it here, rather than fail whichever later test the collector runs in
    (it did once in CI: "unclosed transport" at the setup of an unrelated test)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def mailbox(smtp_server, app):
    """Point the app at the local SMTP server; messages are read from what arrived."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    return smtp_server


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
