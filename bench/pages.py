"""Times every public page over HTTP against N leaders and 10,000 blog posts, printing the figures.

Builds a database like bench/near.py (gazetteer + `seed-demo --leaders N`; SQLite in a temporary
folder, or --db FILE / --database-url URL, built when missing or empty), adds published blog posts
and ~30 featured quotes with bench/_seed_blog.py (bulk inserts, not the editorial workflow), starts
gunicorn with two workers on 127.0.0.1, checks that each page answers 200 with the content it
should show, then prints median and p95 for /healthz, the home page, the /leaders page at 50 km,
a profile, /blog, a post, the Atom feed and /sitemap.xml (and, when it is an index, its first directory part and the blog's), each as a ratio
to /healthz.

--explain also runs each page once through the Flask test client, collects the SQL it runs and
prints each SELECT's plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL), flagging
scans of leader_profiles, proposals, users and the search's cells and points, statements
over 5 ms and statements run many times in one request.

Run from the repository root:
    .venv/bin/python bench/pages.py --leaders 100000 --db /tmp/bench-dbs/sqlite-100k.sqlite3
    .venv/bin/python bench/pages.py --database-url postgresql://leaders:leaders@127.0.0.1:5432/bench
    .venv/bin/python bench/pages.py --db /tmp/bench-dbs/sqlite-100k.sqlite3 --explain --rounds 0
"""
import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from _http import (BIN, ROOT, add_database_options, analyze, backend, build, database_url, gunicorn,
                   is_built, report, server_env)

CITIES = ["London", "Lagos", "Mumbai", "São Paulo", "Chicago", "Nairobi", "Sydney", "Tokyo",
          "Mexico City", "Cairo", "Berlin", "Jakarta"]
SAMPLES = 12  # different profiles and posts, taken in turn
WATCHED = ("leader_profiles", "proposals", "users", "leader_cells", "leader_points")
SLOW_MS = 5  # a statement this slow is flagged whatever its plan
BIG_READ = 5000  # rows read from a WATCHED table by index that count as a scan on PostgreSQL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaders", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=10_000, help="published blog posts")
    parser.add_argument("--quotes", type=int, default=30, help="featured quotes")
    parser.add_argument("--rounds", type=int, default=300, help="requests per page kind")
    parser.add_argument("--part-rounds", type=int, default=12, help="requests for a sitemap part")
    parser.add_argument("--min-population", type=int, default=1000, help="smallest gazetteer place")
    add_database_options(parser)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--explain", action="store_true", help="print each page's SQL and its plans")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="pages-bench-"))
    try:
        env = server_env(database_url(args, scratch), scratch)
        url = env["LEADERS_DATABASE_URL"]
        if not is_built(url):
            started = time.perf_counter()
            build(env, args.leaders, args.min_population)
            print(f"database built in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        seeded = subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "_seed_blog.py"),
                                 "--posts", str(args.posts), "--quotes", str(args.quotes)],
                                env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
        print(seeded.strip(), f"in {time.perf_counter() - started:.0f} s")
        if not seeded.startswith("0 blog posts published, 0 quotes"):
            analyze(url)
        pages = page_rows(url)
        if args.rounds:
            run_benchmark(env, args, pages)
        if args.explain:
            explain(env, pages)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def page_rows(url: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(label, [(path, text the page must contain)]) for each page kind, from the database."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        highest = connection.execute(sa.text("SELECT max(id) FROM leader_profiles")).scalar_one()
        step = max(1, highest // SAMPLES)
        profiles = connection.execute(sa.text(
            "SELECT p.slug, p.display_name FROM leader_profiles p JOIN users u ON u.id = p.user_id "
            "WHERE p.listed AND u.active AND p.id % :step = 0 ORDER BY p.id LIMIT :n"),
            {"step": step, "n": SAMPLES}).all()
        published = connection.execute(sa.text(
            "SELECT slug, title FROM proposals WHERE state = 'published' ORDER BY id")).all()
        posts = published[::max(1, len(published) // SAMPLES)][:SAMPLES]
        newest = connection.execute(sa.text(
            "SELECT title FROM proposals WHERE state = 'published' "
            "ORDER BY published_at DESC, id DESC LIMIT 1")).scalar_one()
        quote = connection.execute(sa.text(
            "SELECT p.quote FROM leader_profiles p JOIN users u ON u.id = p.user_id "
            "WHERE p.featured_quote AND p.quote != '' AND p.listed AND u.active "
            "ORDER BY p.updated_at DESC, p.id DESC LIMIT 1")).scalar_one()
    engine.dispose()
    return [
        ("/healthz", [("/healthz", '"status"')]),
        ("/ home page", [("/", html.escape(quote, quote=False))]),
        ("/leaders page, 50 km", [(f"/leaders?{urlencode({'near': city, 'radius': 50})}", 'href="/leaders/')
                                  for city in CITIES]),
        ("a profile /leaders/<slug>", [(f"/leaders/{slug}", html.escape(name)) for slug, name in profiles]),
        ("/blog", [("/blog", html.escape(newest))]),
        ("a post /blog/<slug>", [(f"/blog/{slug}", html.escape(title)) for slug, title in posts]),
        ("/blog/feed.atom", [("/blog/feed.atom", html.escape(newest))]),
        ("/sitemap.xml", [("/sitemap.xml", "/blog")]),
    ]


def run_benchmark(env: dict, args, pages) -> None:
    with gunicorn(env, args.workers) as client:
        count = client.json("/api/leaders")["total"]
        for _label, checks in pages:
            for path, wanted in checks:
                body = client.get(path).decode()
                if wanted not in body:
                    raise SystemExit(f"{path} does not show {wanted!r}")
        index = client.get("/sitemap.xml").decode()
        parts = re.findall(r"<loc>(?:https?://[^/<]+)?(/sitemap/[^<]+\.xml)</loc>", index)
        posts = sum(1 for _ in re.finditer(r"<entry>", client.get("/blog/feed.atom").decode()))
        print(f"\n{count:,} listed leaders, {posts} posts in the feed, "
              f"{'a sitemap index of ' + str(len(parts)) + ' parts' if parts else 'a one-file sitemap'}; "
              f"gunicorn, {args.workers} sync workers, {backend(env['LEADERS_DATABASE_URL'])}; "
              f"{args.rounds} requests per row ({args.part_rounds} for a sitemap part), one at a time\n")
        results = {}
        for label, checks in pages:
            results[label] = client.time([path for path, _ in checks], args.rounds)
        for label, name in (("sitemap part: leaders-1", "/sitemap/leaders-1.xml"),
                            ("sitemap part: blog", "/sitemap/blog.xml")):
            if name in parts:
                results[label] = client.time([name], args.part_rounds)
        report(results)


def explain(env: dict, pages) -> None:
    """Each page once through the test client: its SELECTs, their plans and scans of WATCHED tables."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))  # this checkout's app, as the server runs it
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    app = create_app()
    postgres = env["LEADERS_DATABASE_URL"].startswith("postgresql")
    with app.app_context():
        statements: list[tuple[str, object]] = []

        def collect(_conn, _cursor, statement, parameters, _context, executemany):
            if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
                statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", collect)
        client = app.test_client()
        scans = []
        parts = [("sitemap part: leaders-1", [("/sitemap/leaders-1.xml", "")]),
                 ("sitemap part: blog", [("/sitemap/blog.xml", "")])]
        for label, checks in pages + parts:
            path = checks[0][0]
            statements.clear()
            response = client.get(path)
            if response.status_code == 404 and (label, checks) in parts:
                continue  # a one-file sitemap has no parts
            print(f"\n=== {label}: GET {path} -> {response.status_code}, {len(statements)} SELECTs")
            seen = set()
            found = list(statements)
            for statement, parameters in found:
                if statement in seen:
                    continue
                seen.add(statement)
                times = sum(1 for other, _ in found if other == statement)
                plan, took = plan_of(db.engine, statement, parameters, postgres)
                flags = scan_flags(plan, postgres, limited=" LIMIT " in statement.upper())
                if took > SLOW_MS:
                    flags.append(f"slow: {took:.1f} ms")
                print(f"\n-- {'(run %d times) ' % times if times > 1 else ''}{one_line(statement)[:400]}")
                print(f"   ({took:.2f} ms{'; ' + '; '.join(flags) if flags else ''})")
                for line in plan:
                    print(f"   | {line}")
                if times > 5:
                    flags.append(f"run {times} times in one request")
                scans += [(label, flag, one_line(statement)[:160]) for flag in flags]
        event.remove(db.engine, "before_cursor_execute", collect)
    print("\n=== scans of " + ", ".join(WATCHED) + f", and statements over {SLOW_MS} ms")
    for label, flag, statement in scans or [("none", "", "")]:
        print(f"{label}: {flag}\n    {statement}")


def plan_of(engine, statement: str, parameters, postgres: bool) -> tuple[list[str], float]:
    with engine.connect() as connection:
        prefix = "EXPLAIN ANALYZE " if postgres else "EXPLAIN QUERY PLAN "
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        took = float("inf")
        for _ in range(3):  # the best of three: the machine may be busy
            started = time.perf_counter()
            connection.exec_driver_sql(statement, parameters).all()
            took = min(took, (time.perf_counter() - started) * 1000)
    if postgres:
        return [row[0] for row in rows], took
    return [row[-1] for row in rows], took


def scan_flags(plan: list[str], postgres: bool, limited: bool) -> list[str]:
    tables = "|".join(WATCHED)
    flags = []
    for line in plan:
        if postgres:
            found = re.search(rf"Seq Scan on ({tables})\b.*?rows=(\d+) loops", line)
            if found:
                flags.append(f"Seq Scan on {found[1]} (read {found[2]} rows)")
                continue
            found = re.search(rf"(Index Scan|Index Only Scan|Bitmap Heap Scan)\b.* on ({tables})\b"
                              rf".*?rows=(\d+) loops=(\d+)", line)
            if found and int(found[3]) * int(found[4]) > BIG_READ:
                flags.append(f"{found[1]} on {found[2]} read {int(found[3]) * int(found[4])} rows")
        else:
            found = re.match(rf"SCAN ({tables})(?:_\d+)?\b(.*)", line.strip())
            if found:
                how = "full index scan" + found[2] if "INDEX" in found[2] else "full table scan"
                flags.append(f"SCAN {found[1]}: {how.strip()}" + (" (under LIMIT)" if limited else ""))
    return flags


def one_line(statement: str) -> str:
    return " ".join(statement.split())


if __name__ == "__main__":
    main()
