"""What the HTTP benchmarks share (bench/near.py, bench/pages.py): the server's environment, the
database (SQLite file or PostgreSQL URL, built when missing or empty), gunicorn, a client and the
table of medians.

A database is built with the app's own commands (`flask db upgrade`, `flask geo load`,
`flask seed-demo --leaders N`) and then analysed: `ANALYZE` plus a WAL checkpoint on SQLite,
`ANALYZE` on PostgreSQL.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def add_database_options(parser) -> None:
    parser.add_argument("--db", type=Path, help="reuse this SQLite database file (built if missing)")
    parser.add_argument("--database-url", help="use this database instead (sqlite:///PATH or "
                                               "postgresql://...; built when empty)")


def database_url(args, scratch: Path) -> str:
    if args.database_url:
        return args.database_url
    return f"sqlite:///{args.db or scratch / 'leaders.sqlite3'}"


def backend(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


def server_env(url: str, scratch: Path) -> dict:
    return {
        **os.environ,
        "LEADERS_DATABASE_URL": url,
        "LEADERS_SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "LEADERS_LOG_LEVEL": "WARNING",
        # The limiter's cost depends on its storage (memory:// starts a timer thread per hit);
        # it is not what this benchmark measures.
        "LEADERS_RATELIMIT_ENABLED": "false",
        "LEADERS_SEARCH_FULL_SCAN_PARAM": "true",
        "LEADERS_MAIL_DELIVER_AFTER_REQUEST": "false",
        "LEADERS_UPLOAD_FOLDER": str(scratch / "uploads"),
        "PYTHONPATH": str(ROOT),
    }


def is_built(url: str) -> bool:
    """Whether the database holds the seeded directory (a PostgreSQL database is created if missing)."""
    if not url.startswith("postgresql"):
        return Path(url.removeprefix("sqlite:///")).exists()
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("leader_profiles"):
                return False
            return connection.execute(sa.text("SELECT 1 FROM leader_profiles LIMIT 1")).first() is not None
    except sa.exc.OperationalError as error:
        if "does not exist" not in str(error):
            raise
        name = sa.engine.make_url(url).database
        admin = sa.create_engine(sa.engine.make_url(url).set(database="postgres"),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return False
    finally:
        engine.dispose()


def build(env: dict, leaders: int, min_population: int) -> None:
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    started = time.perf_counter()
    # The migrations make the schema, so /healthz finds the database at the migration head.
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True)
    subprocess.run([*flask, "geo", "load", "--min-population", str(min_population)], env=env, cwd=ROOT,
                   check=True)
    print(f"gazetteer loaded in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    subprocess.run([*flask, "seed-demo", "--leaders", str(leaders), "--no-banner"], env=env, cwd=ROOT,
                   check=True)
    print(f"{leaders:,} leaders seeded in {time.perf_counter() - started:.0f} s")
    analyze(env["LEADERS_DATABASE_URL"])


def analyze(url: str) -> None:
    """Fresh planner statistics (and on SQLite the WAL folded back into the file)."""
    if url.startswith("postgresql"):
        import sqlalchemy as sa

        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
        engine.dispose()
        return
    subprocess.run([str(BIN / "python"), "-c",
                    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('ANALYZE'); "
                    "c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()",
                    url.removeprefix("sqlite:///")], check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict, workers: int):
    """gunicorn serving the app on a free port of 127.0.0.1; yields a Client for it.

    gunicorn.conf.py applies, but for the access log (written to stdout, it would swamp the
    figures) and max_requests (a worker restarting mid-row would time its cold start)."""
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "600", "--log-level", "warning", "--access-logfile", os.devnull,
         "--max-requests", "0", "wsgi:app"], env=env, cwd=ROOT)
    try:
        wait_until_up(port)
        yield Client(port)
    finally:
        server.terminate()
        server.wait(10)


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


class Client:
    """One new connection per request (gunicorn's sync workers close each one), as a browser's first visit."""

    def __init__(self, port: int) -> None:
        self.port = port

    def get(self, path: str) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("GET", path, headers={"Accept": "application/json, text/html"})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}: {body[:300]!r}")
            return body
        finally:
            connection.close()

    def json(self, path: str) -> dict:
        return json.loads(self.get(path))

    def time(self, paths: list[str], rounds: int) -> list[float]:
        for path in paths:  # warm-up: page cache, statement caches, both workers
            self.get(path)
            self.get(path)
        timings = []
        for index in range(rounds):
            path = paths[index % len(paths)]
            started = time.perf_counter()
            self.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        return timings


def report(results: dict[str, list[float]]) -> None:
    """Median, p95 and median as a ratio to /healthz's (which results must hold) for each row."""
    base = statistics.median(results["/healthz"])
    print(f"{'':28} {'median ms':>10} {'p95 ms':>9} {'x /healthz':>11}")
    for label, timings in results.items():
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 20 else max(timings)
        print(f"{label:28} {median:10.2f} {p95:9.2f} {median / base:10.1f}x")
