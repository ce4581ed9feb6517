"""Online backups: SQLite through its backup API, PostgreSQL through pg_dump (`flask db backup`)."""
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate.cli import db as db_group
from sqlalchemy.engine import URL, make_url

MAIN_TABLES = ("users", "leader_profiles", "proposals", "outbox")
PG_BIN_DIRS = "/usr/lib/postgresql/*/bin"


class BackupError(RuntimeError):
    """The backup could not be made; nothing was left under the target's name."""


@dataclass
class Backup:
    path: Path
    size: int
    check: str  # what was checked on the finished file, and its verdict
    rows: dict[str, int] = field(default_factory=dict)


def backup_sqlite(url_or_path: str | URL | Path, target: str | Path, *,
                  force: bool = False) -> Backup:
    """Copy a live SQLite database (WAL included) page by page into a new file at target."""
    source_path = sqlite_file(url_or_path)
    if not source_path.is_file():
        raise BackupError(f"There is no SQLite database at {source_path}.")
    with _publishing(Path(target), force) as partial:
        source = sqlite3.connect(source_path, timeout=30)
        try:
            copy = sqlite3.connect(partial)
            try:
                # One step: a single read transaction, so the copy is one consistent snapshot
                # that includes every commit still sitting in the -wal file.
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                verdict = [row[0] for row in copy.execute("PRAGMA integrity_check")]
                rows = _row_counts(copy)
            finally:
                copy.close()
        finally:
            source.close()
        if verdict != ["ok"]:
            raise BackupError("The copy failed PRAGMA integrity_check: " + "; ".join(verdict[:5]))
    return Backup(Path(target), Path(target).stat().st_size, "integrity_check ok", rows)


def backup_postgres(url: str | URL, target: str | Path, *, force: bool = False) -> Backup:
    """pg_dump in custom format (-Fc) into a new file at target, read back by pg_restore --list."""
    pg_dump = find_pg_tool("pg_dump")
    conninfo, env = _libpq_connection(url)
    with _publishing(Path(target), force) as partial:
        done = subprocess.run(
            [pg_dump, "--format=custom", "--no-password", "--file", str(partial),
             "--dbname", conninfo],
            env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        check = _list_archive(partial)
    return Backup(Path(target), Path(target).stat().st_size, check)


def sqlite_file(url_or_path: str | URL | Path) -> Path:
    """The database file a sqlite:/// URL (or a plain path) names."""
    if isinstance(url_or_path, URL) or str(url_or_path).startswith("sqlite:"):
        url = make_url(url_or_path)
        if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
            raise BackupError("An in-memory SQLite database has nothing on disk to back up.")
        return Path(url.database.removeprefix("file:"))
    return Path(url_or_path)


def find_pg_tool(name: str) -> str:
    """The newest `name` (pg_dump, pg_restore) on PATH or under /usr/lib/postgresql/*/bin."""
    candidates = sorted(glob.glob(f"{PG_BIN_DIRS}/{name}"), reverse=True)
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    versions = {path: _version(path) for path in candidates if os.access(path, os.X_OK)}
    usable = [path for path, version in versions.items() if version is not None]
    if not usable:
        raise BackupError(f"{name} was not found on PATH or under {PG_BIN_DIRS}; install "
                          "PostgreSQL's client tools (Debian: apt-get install postgresql-client).")
    return max(usable, key=lambda path: versions[path])


def _version(tool: str) -> tuple[int, ...] | None:
    try:
        done = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    match = re.search(r"(\d+)(?:\.(\d+))?", done.stdout)
    if done.returncode != 0 or not match:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def _libpq_connection(url: str | URL) -> tuple[str, dict]:
    """A libpq URL without the password (kept out of `ps`), and an environment carrying it."""
    url = make_url(url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _list_archive(archive: Path) -> str:
    try:
        pg_restore = find_pg_tool("pg_restore")
    except BackupError:
        return "not read back (pg_restore is not installed)"
    done = subprocess.run([pg_restore, "--list", str(archive)], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore cannot read the dump: {done.stderr.strip()}")
    tables = sum(" TABLE DATA " in line for line in done.stdout.splitlines())
    return f"pg_restore --list reads it: {tables} tables with data"


def _row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    present = {row[0] for row in tables}
    return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in MAIN_TABLES if table in present}


@contextmanager
def _publishing(target: Path, force: bool):
    """Yield a temporary file beside target; give it target's name only once it is complete."""
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; pass --force to replace it.")
    if not target.parent.is_dir():
        raise BackupError(f"There is no folder {target.parent}.")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                    dir=target.parent)
    os.close(handle)  # created 0600: a backup holds password hashes
    partial = Path(name)
    try:
        yield partial
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        _rename(partial, target, force)
        _fsync_folder(target.parent)
    finally:
        for end in ("", "-journal", "-wal", "-shm"):
            Path(f"{partial}{end}").unlink(missing_ok=True)


def _rename(partial: Path, target: Path, force: bool) -> None:
    if force:
        os.replace(partial, target)
        return
    try:
        os.link(partial, target)  # fails rather than replace a file that appeared meanwhile
    except FileExistsError:
        raise BackupError(f"{target} already exists; pass --force to replace it.") from None
    except OSError:  # no hard links on this filesystem
        if target.exists():
            raise BackupError(f"{target} already exists; pass --force to replace it.") from None
        os.replace(partial, target)


def _fsync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Back up the live database to PATH (SQLite: online backup API; PostgreSQL: pg_dump -Fc)."""
    from app.extensions import db

    url = db.engine.url
    backend = url.get_backend_name()
    try:
        if backend == "sqlite":
            made = backup_sqlite(url, path, force=force)
        elif backend == "postgresql":
            made = backup_postgres(url, path, force=force)
        else:
            raise BackupError(f"No backup method for {backend} databases.")
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend]
    click.echo(f"Backed up the {name} database {url.database} to {made.path} "
               f"({_size(made.size)}).")
    click.echo(f"Checked: {made.check}.")
    if made.rows:
        click.echo("Rows: " + ", ".join(f"{table} {count}" for table, count in made.rows.items()))


def init_app(app: Flask) -> None:
    """Put `backup` in Flask-Migrate's `flask db` group, beside `db upgrade`."""
    db_group.add_command(backup_command)
