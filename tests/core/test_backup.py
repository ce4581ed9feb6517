"""flask db backup: a consistent copy of the live database, taken while others write."""
import secrets
import shutil
import sqlite3
import subprocess
import threading
import time

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app import create_app
from app.backup import find_pg_tool
from app.config import database_uri
from app.extensions import db
from app.models.mail import OutboxMessage
from tests.conftest import ON_POSTGRES, POSTGRES_URL, base_config


class Writers:
    """Threads queueing outbox rows; an id counts as acknowledged once its commit returned."""

    def __init__(self, app, count=4):
        self.app = app
        self.acknowledged: list[int] = []
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.write, args=(n,)) for n in range(count)]

    def write(self, number):
        try:
            with self.app.app_context():
                while not self.stopping.is_set():
                    message = OutboxMessage(to=f"writer{number}@example.com",
                                            subject="Load", body="Written during a backup.")
                    db.session.add(message)
                    db.session.flush()
                    ident = message.id
                    db.session.commit()
                    db.session.expunge_all()
                    with self.lock:
                        self.acknowledged.append(ident)
        except BaseException as error:  # reported by the test, not lost in the thread
            self.errors.append(error)

    def ids(self) -> list[int]:
        with self.lock:
            return list(self.acknowledged)

    def wait_for(self, count):
        deadline = time.monotonic() + 120  # a guard against hanging, not a speed check
        while len(self.ids()) < count and not self.errors and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self.errors, self.errors
        assert len(self.ids()) >= count, "the writers stalled"

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join()


def sqlite_ids(path) -> tuple[set[int], list[str]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        ids = {row[0] for row in connection.execute("SELECT id FROM outbox")}
    finally:
        connection.close()
    return ids, verdict


def restore_postgres(dump) -> set[int]:
    """pg_restore the dump into a database made (and dropped) here; the ids found in it."""
    server = make_url(database_uri(POSTGRES_URL))
    name = f"leaders_backup_restore_{secrets.token_hex(4)}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        fresh = server.set(database=name)
        libpq_url = fresh.set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run([find_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                               "--single-transaction", "--dbname", libpq_url, str(dump)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        engine = create_engine(fresh, poolclass=NullPool)
        with engine.connect() as connection:
            return set(connection.scalars(text("SELECT id FROM outbox")))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_under_concurrent_writes_keeps_every_acknowledged_write(app, runner, tmp_path):
    target = tmp_path / "backups" / "leaders.backup"
    target.parent.mkdir()
    with Writers(app) as writers:
        writers.wait_for(40)
        before = writers.ids()  # all committed before the backup starts
        result = runner.invoke(args=["db", "backup", str(target)])
        writers.wait_for(len(before) + 40)  # and the writers went on meanwhile
    assert not writers.errors, writers.errors
    assert result.exit_code == 0, result.output
    assert [path.name for path in target.parent.iterdir()] == [target.name]  # no temporary left

    if ON_POSTGRES:
        assert "pg_restore --list reads it" in result.output
        restored = restore_postgres(target)
    else:
        assert "integrity_check ok" in result.output
        saved, verdict = sqlite_ids(target)
        assert verdict == ["ok"]
        assert f"outbox {len(saved)}" in result.output
        # Restore as the README says: the backup copied over the database file, then opened.
        restored_file = tmp_path / "restored.sqlite3"
        shutil.copyfile(target, restored_file)
        restored_app = create_app(base_config(tmp_path,
                                              DATABASE_URL=f"sqlite:///{restored_file}"))
        with restored_app.app_context():
            restored = set(db.session.scalars(select(OutboxMessage.id)))
            db.engine.dispose()
    missing = set(before) - restored
    assert not missing, f"{len(missing)} acknowledged writes are not in the backup"


def test_backup_refuses_to_replace_an_existing_file_without_force(app, runner, tmp_path):
    target = tmp_path / "leaders.backup"
    target.write_text("last night's backup")

    refused = runner.invoke(args=["db", "backup", str(target)])
    assert refused.exit_code != 0
    assert "already exists; pass --force" in refused.output
    assert target.read_text() == "last night's backup"
    assert [path.name for path in tmp_path.iterdir() if "backup" in path.name] == [target.name]

    replaced = runner.invoke(args=["db", "backup", "--force", str(target)])
    assert replaced.exit_code == 0, replaced.output
    magic = b"PGDMP" if ON_POSTGRES else b"SQLite format 3\x00"
    assert target.read_bytes().startswith(magic)
