"""Times finding gatherings and an RSVP over HTTP against a bulk-seeded database, as ratios to /healthz.

Builds the database (or reuses it with --reuse): `flask db upgrade`, `flask geo load` (towns of
15,000 people and more), then bench/gatherings_seed.py (N gatherings, 90 % past, and M RSVPs,
through Core's insert executemany), then ANALYZE. Starts gunicorn with two sync workers on
127.0.0.1 in production configuration (CSRF on; mail queued in the outbox, not sent; the rate
limiter off, as in the other benchmarks), logs the bench's verified member in through the login
form, then times, one request at a time over a new connection each, for a visitor and for the
member: /gatherings (upcoming, soonest first), /gatherings near a seeded city within 50 km,
/api/gatherings near it, /gatherings/past (each worker keeps what it drew while it stays the
same, so these are mostly its kept pages, their stamp read again each time), the first two
drawn afresh (a new radius each time: no page kept), and two more drawn afresh whose gatherings
no earlier request listed (the next page of the list each time; near another seeded city each
time: no card kept either); then the member answers "Going" to upcoming gatherings they have not
answered (POST /gatherings/<id>/rsvp with going=1 and the CSRF token, through joining.answer), a
different one each time. /healthz is timed once after every timed
request (the machine is shared and its pace drifts: each ratio is to /healthz at the same
moments). Prints median and p95 in ms, the median as a ratio to /healthz's, the issue's goal and
whether it is met.

Run from the repository root:
    .venv/bin/python bench/gatherings.py --gatherings 10000 --rsvps 100000           # SQLite, a minute
    .venv/bin/python bench/gatherings.py                                              # 100,000 / 1,000,000
    .venv/bin/python bench/gatherings.py --db postgresql --reuse
PostgreSQL: the database bench_gatherings owned by leaders (created if missing, rebuilt without --reuse):
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_gatherings OWNER leaders"
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from _http import BIN, ROOT, gunicorn, server_env

sys.path.insert(0, str(ROOT))

import gatherings_seed  # noqa: E402  (bench/, beside this file)
from forum import Browser, Health, code_version, csrf_token, describe, empty, timed  # noqa: E402
from app.config import database_uri  # noqa: E402
from app.models.accounts import User  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.models.gatherings import Gathering, Rsvp, RsvpStatus, State  # noqa: E402

SQLITE_FOLDER = Path("/tmp/bench-gatherings")
PG_URL = "postgresql://leaders:leaders@127.0.0.1:5432/bench_gatherings"
NEAR = "Berlin"
GOALS = {"list": 3, "near": 3, "rsvp": 4}  # at most this many times /healthz
SECRET = re.compile(r"meet\.example")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--gatherings", type=int, default=100_000)
    parser.add_argument("--rsvps", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=40, help="timed requests per row")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database already built for this size, if there is one")
    parser.add_argument("--database-url", default=PG_URL,
                        help="the PostgreSQL database (rebuilt without --reuse)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    url = (args.database_url if args.db == "postgresql"
           else f"sqlite:///{SQLITE_FOLDER / f'gatherings-{args.gatherings}x{args.rsvps}.sqlite3'}")
    scratch = Path(tempfile.mkdtemp(prefix="gatherings-bench-"))
    try:
        prepare(url, args)
        env = {**server_env(url, scratch),
               "LEADERS_ENV": "production",
               "LEADERS_SITE_URL": "http://127.0.0.1",
               "LEADERS_MAIL_SERVER": "",
               "LEADERS_MAIL_DELIVER_AFTER_REQUEST": "false"}
        run_benchmark(env, url, args)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# The database ------------------------------------------------------------------------------

def prepare(url: str, args) -> None:
    """Reuse the database when asked and it holds this size; else build it from nothing."""
    if args.reuse:
        held = seeded_size(url)
        if held == (args.gatherings, args.rsvps):
            print(f"Reusing {describe(url)}: {args.gatherings:,} gatherings, {args.rsvps:,} RSVPs "
                  "(plus what earlier runs answered)")
            return
        if held is not None:
            print(f"{describe(url)} holds {held[0]:,} gatherings and {held[1]:,} RSVPs: rebuilding")
    empty(url)
    env = {**server_env(url, Path(tempfile.gettempdir())), "LEADERS_LOG_LEVEL": "WARNING"}
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    started = time.perf_counter()
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([*flask, "geo", "load", "--min-population", "15000"], cwd=ROOT, check=True, env=env,
                   stdout=subprocess.DEVNULL)
    print(f"{describe(url)}: migrated and places loaded in {time.perf_counter() - started:.1f} s; seeding "
          f"{args.gatherings:,} gatherings and {args.rsvps:,} RSVPs")
    started = time.perf_counter()
    parts = gatherings_seed.seed(url, args.gatherings, args.rsvps)
    for part, seconds in parts.items():
        print(f"  {part:28} {seconds:8.1f} s")
    print(f"  {'seeded in':28} {time.perf_counter() - started:8.1f} s")


def seeded_size(url: str) -> tuple[int, int] | None:
    """(gatherings, RSVPs) the seeder wrote, not counting the bench member's; None if not built."""
    if not url.startswith("postgresql") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    engine = sa.create_engine(database_uri(url))
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("gatherings"):
                return None
            held = connection.execute(sa.text(
                "SELECT (SELECT count(*) FROM gatherings), (SELECT count(*) FROM gathering_rsvps r "
                "JOIN users u ON u.id = r.user_id WHERE u.email <> :bench)"),
                {"bench": gatherings_seed.BENCH_EMAIL}).one()
            return tuple(held) if held[0] else None
    except sa.exc.OperationalError as error:
        if "does not exist" in str(error):
            return None
        raise
    finally:
        engine.dispose()


def subjects(url: str, rounds: int) -> dict:
    """Upcoming published gatherings the bench's member has not answered, with a place left;
    and what the database holds."""
    gatherings, rsvps = Gathering.__table__, Rsvp.__table__
    now = utcnow()
    engine = sa.create_engine(database_uri(url))
    with engine.connect() as connection:
        bench_id = connection.execute(sa.select(User.__table__.c.id).where(
            User.__table__.c.email == gatherings_seed.BENCH_EMAIL)).scalar_one()
        answered = sa.select(rsvps.c.id).where(rsvps.c.gathering_id == gatherings.c.id,
                                               rsvps.c.user_id == bench_id)
        targets = connection.execute(
            sa.select(gatherings.c.id).where(
                gatherings.c.state == State.PUBLISHED, gatherings.c.starts_at > now + timedelta(days=1),
                gatherings.c.approval_required.is_(False),
                sa.or_(gatherings.c.capacity.is_(None), gatherings.c.going_count < gatherings.c.capacity),
                ~sa.exists(answered))
            .order_by(gatherings.c.starts_at).limit(rounds + 3)).scalars().all()
        count = lambda table, *where: connection.execute(  # noqa: E731
            sa.select(sa.func.count()).select_from(table).where(*where)).scalar()
        about = {"targets": list(targets), "gatherings": count(gatherings),
                 "upcoming": count(gatherings, gatherings.c.ends_at > now), "rsvps": count(rsvps),
                 "bench_id": bench_id}
    engine.dispose()
    about["going_before"] = going_now(url, bench_id)
    return about


def going_now(url: str, bench_id: int) -> int:
    rsvps = Rsvp.__table__
    engine = sa.create_engine(database_uri(url))
    with engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(rsvps).where(
            rsvps.c.user_id == bench_id, rsvps.c.status == RsvpStatus.GOING)).scalar()
    engine.dispose()
    return count


# The run -----------------------------------------------------------------------------------

def run_benchmark(env: dict, url: str, args) -> None:
    about = subjects(url, args.rounds)
    with gunicorn(env, args.workers) as visitor:
        member = Browser(visitor.port)
        member.log_in(gatherings_seed.BENCH_EMAIL, gatherings_seed.PASSWORD)
        near = "/gatherings?" + urlencode({"near": NEAR, "radius": "50"})
        api_near = "/api/gatherings?" + urlencode({"near": NEAR, "radius": "50"})
        checks(visitor, member, near)
        print(f"\n{describe(url)}: {about['gatherings']:,} gatherings ({about['upcoming']:,} not over), "
              f"{about['rsvps']:,} RSVPs; code at {code_version()}; gunicorn, {args.workers} sync workers; "
              f"{args.rounds} timed requests per row, one at a time, each followed by a timed /healthz\n")
        reads = [
            ("/gatherings (upcoming)", "list", "/gatherings"),
            (f"/gatherings near {NEAR}, 50 km", "near", near),
            (f"/api/gatherings near {NEAR}, 50 km", None, api_near),
            ("/gatherings/past", None, "/gatherings/past"),
        ]
        health = Health(visitor)
        for _ in range(5):  # warm-up
            visitor.get("/healthz")
        rows = []
        for label, goal, path in reads:
            rows.append((label, goal, timed(lambda _i, p=path: visitor.get(p), args.rounds, health)))
        for label, goal, path in reads[:2]:
            rows.append((f"{label}, logged in", goal, timed(lambda _i, p=path: member.get(p), args.rounds, health)))
        # Each worker keeps what it drew while it stays the same; a new search is drawn afresh.
        # It also keeps each card it drew (while the gathering reads the same): the last two rows
        # list gatherings no earlier request listed (the next page each time; another city each time).
        cities = [name for name, _zone in gatherings_seed.CITIES]
        fresh = [("/gatherings, drawn afresh", lambda i: f"/gatherings?radius={40 + i / 100:g}"),
                 (f"/gatherings near {NEAR}, drawn afresh",
                  lambda i: "/gatherings?" + urlencode({"near": NEAR, "radius": f"{50 + i / 100:g}"})),
                 ("/gatherings?page=N, new gatherings each time", lambda i: f"/gatherings?page={i + 2}"),
                 ("/gatherings near a new city each time",
                  lambda i: "/gatherings?" + urlencode({"near": cities[(i + 1) % len(cities)], "radius": "50"}))]
        for label, address in fresh:
            rows.append((label, None, timed(lambda i, a=address: visitor.get(a(i)), args.rounds, health)))
        rows.append(("RSVP \"Going\" (POST, logged in)", "rsvp", answers(member, about["targets"], health)))
    went = going_now(url, about["bench_id"]) - about["going_before"]
    report([("/healthz (between all the others)", None, health.timings)] + rows)
    print(f"\nThe member is going to {went} more gatherings ({len(about['targets'])} answered, the first 3 untimed).")


def checks(visitor, member: Browser, near: str) -> None:
    """The pages show what they should (and never a meeting link) before anything is timed."""
    for path in ("/gatherings", near, "/gatherings/past"):
        page = visitor.get(path).decode()
        if 'class="gathering-card' not in page:
            raise SystemExit(f"{path} shows no gathering")
        if SECRET.search(page):
            raise SystemExit(f"{path} shows a meeting link")
    if "in-person gatherings within 50 km" not in visitor.get(near).decode():
        raise SystemExit(f"{near} found nothing near {NEAR}")
    if "Log out" not in member.get("/gatherings"):
        raise SystemExit("The bench member is not logged in")


def answers(member: Browser, targets: list[int], health: Health) -> list[float]:
    """Timed POSTs of "Going"; each gathering's page is read first (untimed) for the form's token."""
    timings = []
    for index, gathering_id in enumerate(targets):
        page = member.get(f"/gatherings/{gathering_id}")
        form = {"csrf_token": csrf_token(page), "going": "1", "show_name": "y"}
        path = f"/gatherings/{gathering_id}/rsvp"
        started = time.perf_counter()
        status, location, text = member.request("POST", path, form)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 302 or f"/gatherings/{gathering_id}" not in location:
            raise SystemExit(f"POST {path} answered {status} {location}: {text[:400]!r}")
        if index >= 3:  # the first three warm up
            timings.append(elapsed)
            health()
    return timings


def report(rows: list[tuple[str, str | None, list[float]]]) -> None:
    base = statistics.median(rows[0][2])
    print(f"{'':46} {'median ms':>10} {'p95 ms':>8} {'x /healthz':>11} {'goal':>6}")
    for label, goal, timings in rows:
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 20 else max(timings)
        ratio = median / base
        limit = GOALS.get(goal)
        verdict = "" if limit is None else ("met" if ratio <= limit else "MISSED")
        goal_text = f"<= {limit}x" if limit else ""
        print(f"{label:46} {median:10.2f} {p95:8.2f} {ratio:10.1f}x {goal_text:>6} {verdict}")


if __name__ == "__main__":
    main()
