"""Times the alerts' matching (the first half of `flask alerts send`) with 10,000 and 100,000 alerts
and 10,000 new leaders, and counts its statements, printing the figures.

The claim: matching grows with the new items times the alerts filed under their grid cells, never
with all alerts. Four runs on one database (bench/alerts_seed.py writes it with Core; the new
leaders are queued by the database's own triggers, as the app's writes are):

  1. 10,000 alerts around the cities where the new leaders appear (Europe, Africa, the Middle East);
     10,000 new leaders there.
  2. + 90,000 alerts around other cities (the Americas, Asia, Oceania): 100,000 in all, the same
     10,000 near the leaders; 10,000 more new leaders in the same places. Should match run 1.
  3. The 90,000 far ones deleted, 90,000 put near the leaders instead: 100,000 alerts all near;
     10,000 more new leaders. Ten times the alerts around each leader: ten times the candidates
     and matches (they are real matches), the same statements per new leader.
  4. For comparison, what reading every alert for each new leader would cost (a sample of new
     leaders measured against all 100,000 alerts in Python, extrapolated), without the grid.

Prints per run: alerts, those near the leaders, new leaders, matching time (and of it, the time
inside the database), the statements that read (and per new leader), the inserts into the journal
(one per 1,000 matches: they follow the matches, which are real), candidates (alert-leader pairs
measured) and matches per new leader, microseconds per candidate. Statements are counted with
before/after_cursor_execute events.

Run from the repository root:
    .venv/bin/python bench/alerts.py                      # SQLite in /tmp/bench-alerts
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_alerts OWNER leaders"
    .venv/bin/python bench/alerts.py --db postgresql
    .venv/bin/python bench/alerts.py --alerts 1000 --leaders 1000    # a quick look
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import alerts_seed  # noqa: E402  (bench/, beside this file)
from app.alerts import matching  # noqa: E402
from app.extensions import db  # noqa: E402
from app.geo.distance import haversine_km  # noqa: E402
from app.models.alerts import Alert, AlertArrival, AlertCell  # noqa: E402

SQLITE_URL = "sqlite:////tmp/bench-alerts/alerts.sqlite3"
PG_URL = "postgresql://leaders:leaders@127.0.0.1:5432/bench_alerts"
SAMPLE = 50  # new leaders measured against every alert for the comparison


def analyze(app) -> None:
    with app.app_context():
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def timed_match(app) -> dict:
    """Empty the queue as `flask alerts send` does; its time, the time inside the database, the
    statements (reads apart from the journal's inserts, JOURNAL_BATCH matches each) and counts."""
    with app.app_context():
        queued = db.session.scalar(sa.select(sa.func.count()).select_from(AlertArrival))
        alerts = db.session.scalar(sa.select(sa.func.count()).select_from(Alert))
        db.session.commit()
        statements = {"reads": 0, "inserts": 0, "sql": 0.0}
        started_at = []

        def before(_connection, _cursor, statement, *_args):
            statements["inserts" if statement.startswith("INSERT INTO alert_matches") else "reads"] += 1
            started_at.append(time.perf_counter())

        def after(*_args):
            statements["sql"] += time.perf_counter() - started_at.pop()

        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)
        try:
            started = time.perf_counter()
            found = matching.match_arrivals()
            seconds = time.perf_counter() - started
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)
            sa.event.remove(db.engine, "after_cursor_execute", after)
    return {"alerts": alerts, "queued": queued, "seconds": seconds, "sql": statements["sql"],
            "reads": statements["reads"], "inserts": statements["inserts"],
            "items": found.items, "candidates": found.candidates, "matches": found.matches}


def delete_far(app, first_id: int, last_id: int) -> None:
    with app.app_context():
        db.session.execute(sa.delete(AlertCell).where(AlertCell.alert_id.between(first_id, last_id)))
        db.session.execute(sa.delete(Alert).where(Alert.id.between(first_id, last_id)))
        db.session.commit()


def max_alert_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Alert.id), 0)))


def every_alert_cost(app, sample: int) -> tuple[float, int]:
    """Seconds to measure `sample` new leaders against every alert (no grid), and the alerts."""
    with app.app_context():
        alerts = db.session.execute(sa.select(Alert.lat, Alert.lng, Alert.radius_km)).all()
        points = db.session.execute(sa.text(
            "SELECT public_lat, public_lng FROM leader_profiles WHERE public_lat IS NOT NULL "
            "ORDER BY id DESC LIMIT :n"), {"n": sample}).all()
    started = time.perf_counter()
    found = 0
    for point_lat, point_lng in points:
        found += sum(1 for lat, lng, radius in alerts if haversine_km(lat, lng, point_lat, point_lng) <= radius)
    return time.perf_counter() - started, len(alerts)


def row(name: str, figures: dict, near: int, new: int) -> str:
    items = max(figures["items"], 1)
    per_candidate = figures["seconds"] / max(figures["candidates"], 1) * 1e6
    return (f"{name:<32}{figures['alerts']:>8,}{near:>8,}{new:>7,}{figures['seconds']:>8.2f}{figures['sql']:>7.2f}"
            f"{figures['reads']:>6,}{figures['reads'] / items:>9.4f}{figures['inserts']:>7,}"
            f"{figures['candidates'] / items:>9.1f}{figures['matches'] / items:>10.1f}{per_candidate:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="another database (rebuilt: every table is dropped)")
    parser.add_argument("--alerts", type=int, default=100_000, help="alerts in the big runs")
    parser.add_argument("--leaders", type=int, default=10_000, help="new leaders per run")
    args = parser.parse_args()
    url = args.database_url or (PG_URL if args.db == "postgresql" else SQLITE_URL)
    small = args.alerts // 10

    print(f"Building {url} ...", flush=True)
    alerts_seed.rebuild(url)
    app = alerts_seed.make_app(url)
    rows = []

    started = time.perf_counter()
    cells_per_alert = alerts_seed.seed_alerts(app, small, alerts_seed.NEAR, seed=1)
    alerts_seed.seed_leaders(app, args.leaders, alerts_seed.NEAR, seed=2)
    analyze(app)
    print(f"  seeded {small:,} alerts ({cells_per_alert:.1f} cells each) and {args.leaders:,} leaders "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    rows.append(row(f"1. {small:,} alerts, all near", timed_match(app), small, args.leaders))

    far_first = max_alert_id(app) + 1
    started = time.perf_counter()
    alerts_seed.seed_alerts(app, args.alerts - small, alerts_seed.FAR, seed=3)
    far_last = max_alert_id(app)
    alerts_seed.seed_leaders(app, args.leaders, alerts_seed.NEAR, seed=4)
    analyze(app)
    print(f"  seeded {args.alerts - small:,} far alerts and {args.leaders:,} leaders "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    rows.append(row(f"2. {args.alerts:,} alerts, {small:,} near", timed_match(app), small, args.leaders))

    started = time.perf_counter()
    delete_far(app, far_first, far_last)
    alerts_seed.seed_alerts(app, args.alerts - small, alerts_seed.NEAR, seed=5)
    alerts_seed.seed_leaders(app, args.leaders, alerts_seed.NEAR, seed=6)
    analyze(app)
    print(f"  moved the far alerts near and seeded {args.leaders:,} leaders "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    rows.append(row(f"3. {args.alerts:,} alerts, all near", timed_match(app), args.alerts, args.leaders))

    seconds, alerts = every_alert_cost(app, SAMPLE)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"\nMatching {args.leaders:,} new leaders against saved alerts ({backend}):\n")
    print(f"{'run':<32}{'alerts':>8}{'near':>8}{'new':>7}{'time s':>8}{'sql s':>7}{'reads':>6}{'read/new':>9}"
          f"{'insert':>7}{'cand/new':>9}{'match/new':>10}{'µs/cand':>8}")
    for line in rows:
        print(line)
    print(f"\n4. Without the grid: measuring each new leader against all {alerts:,} alerts takes "
          f"{seconds / SAMPLE * 1000:.0f} ms per leader in Python alone (a sample of {SAMPLE}), "
          f"{seconds / SAMPLE * args.leaders:.0f} s for {args.leaders:,}, before reading the alerts.")
    random.seed(0)


if __name__ == "__main__":
    main()
