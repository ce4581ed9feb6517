"""Times "find leaders near you" over HTTP against a database of N leaders, printing the figures.

Builds an SQLite database in a temporary folder (gazetteer + `seed-demo --leaders N`, leaders
clustered around the world's big cities), or uses --db FILE or --database-url URL (SQLite or
PostgreSQL, built when missing or empty), starts gunicorn with two workers on 127.0.0.1, then
prints median and p95 for /healthz, the API within 50 and 500 km, the nearest-leaders fallback,
the keyword, focus area, language, program and online filters at 50 km, 500 km and with no
place, and the /leaders page, each as a ratio to /healthz, and the same API queries answered by
a full scan (no bounding box) for comparison.

Run from the repository root:
    .venv/bin/python bench/near.py --leaders 100000
    .venv/bin/python bench/near.py --leaders 1000000 --db /tmp/near-1m.sqlite3  # built once, then reused
    .venv/bin/python bench/near.py --database-url postgresql://leaders:leaders@127.0.0.1:5432/bench
"""
import argparse
import shutil
import statistics
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from _http import (Client, add_database_options, backend, build, database_url, gunicorn, is_built,
                   report, server_env)

# Big cities on every continent: where most leaders are, so these are the busy searches.
CITIES = ["London", "Lagos", "Mumbai", "São Paulo", "Chicago", "Nairobi", "Sydney", "Tokyo",
          "Mexico City", "Cairo", "Berlin", "Jakarta"]
# Small, remote towns: nobody within 5 km, so the API answers with the nearest leaders.
REMOTE = ["Ushuaia", "Nuuk", "Alice Springs", "Longyearbyen", "Whitehorse", "Tamanrasset",
          "Punta Arenas", "Iqaluit"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaders", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=300, help="requests per indexed query kind")
    parser.add_argument("--scan-rounds", type=int, default=12, help="requests per full-scan query kind")
    parser.add_argument("--min-population", type=int, default=1000, help="smallest gazetteer place")
    add_database_options(parser)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keyword", default="teacher", help="the word the keyword rows search for")
    parser.add_argument("--language", default="Spanish", help="the language the language rows ask for")
    parser.add_argument("--filter-rounds", type=int, default=100,
                        help="requests per row of the focus area, language, program and online rows")
    parser.add_argument("--no-check", action="store_true",
                        help="skip comparing answers with a full scan first (minutes at 10,000,000)")
    parser.add_argument("--skip", default="", help="leave out the rows whose label holds one of these "
                                                   "comma-separated texts (e.g. 'full scan')")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="near-bench-"))
    try:
        env = server_env(database_url(args, scratch), scratch)
        if not is_built(env["LEADERS_DATABASE_URL"]):
            build(env, args.leaders, args.min_population)
        run_benchmark(env, args)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_benchmark(env: dict, args) -> None:
    with gunicorn(env, args.workers) as client:
        count = client.json("/api/leaders")["total"]
        print(f"\n{count:,} listed leaders; gunicorn, {args.workers} sync workers, "
              f"{backend(env['LEADERS_DATABASE_URL'])}; "
              f"{args.rounds} requests per row ({args.scan_rounds} for full scans), one at a time\n")
        if not args.no_check:
            check_fallback(client)
        rows = [
            ("/healthz", ["/healthz"], args.rounds),
            ("API near a city, 50 km", api_paths(CITIES, 50), args.rounds),
            ("API near a city, 500 km", api_paths(CITIES, 500), args.rounds),
            ("API nearest-20 fallback", api_paths(REMOTE, 5), args.rounds),
            (f"API 50 km + {args.keyword!r}", api_paths(CITIES, 50, keyword=args.keyword), args.rounds),
            (f"API 500 km + {args.keyword!r}", api_paths(CITIES, 500, keyword=args.keyword), args.rounds),
            (f"API {args.keyword!r}, no place", [f"/api/leaders?{urlencode({'keyword': word})}"
                                                 for word in keywords(args.keyword)], args.rounds),
            ("/leaders page, 50 km", [f"/leaders?{urlencode({'near': c, 'radius': 50})}" for c in CITIES],
             args.rounds),
            *filter_rows(env["LEADERS_DATABASE_URL"], args),
            ("full scan: API 50 km", api_paths(CITIES, 50, scan=True), args.scan_rounds),
            ("full scan: API 500 km", api_paths(CITIES, 500, scan=True), args.scan_rounds),
            ("full scan: nearest-20", api_paths(REMOTE, 5, scan=True), args.scan_rounds),
        ]
        results = {}
        for label, paths, rounds in rows:
            if label != "/healthz" and any(part and part in label for part in args.skip.split(",")):
                continue
            results[label] = client.time(paths, rounds)
        report(results)
        print()
        for indexed, scanned in (("API near a city, 50 km", "full scan: API 50 km"),
                                 ("API near a city, 500 km", "full scan: API 500 km"),
                                 ("API nearest-20 fallback", "full scan: nearest-20")):
            if indexed not in results or scanned not in results:
                continue
            ratio = statistics.median(results[scanned]) / statistics.median(results[indexed])
            print(f"{scanned}: {ratio:.0f}x slower than with bounding boxes")


def api_paths(places: list[str], radius: int, scan: bool = False, keyword: str = "") -> list[str]:
    extra = {"_scan": "1"} if scan else {}
    if keyword:
        extra["keyword"] = keyword
    return [f"/api/leaders?{urlencode({'near': place, 'radius_km': radius, **extra})}" for place in places]


def filter_rows(url: str, args) -> list[tuple[str, list[str], int]]:
    """The focus area, language, program and online filters at 50 km, 500 km and with no place.
    The focus area and program are the ones most leaders have: the broadest, so the slowest."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        area, program = (connection.execute(sa.text(
            f"SELECT i.slug FROM {links} l JOIN {items} i ON i.id = l.{key} GROUP BY i.slug "
            "ORDER BY count(*) DESC LIMIT 1")).scalar_one()
            for links, items, key in (("profile_focus_areas", "focus_areas", "focus_area_id"),
                                      ("profile_programs", "programs", "program_id")))
    engine.dispose()
    rows = []
    for label, extra in ((f"focus area {area!r}", {"focus_area": area}), (f"language {args.language!r}",
                         {"language": args.language}), (f"program {program!r}", {"program": program}),
                         ("online", {"online": "1"})):
        for radius in (50, 500):
            rows.append((f"API {radius} km + {label}", [
                f"/api/leaders?{urlencode({'near': place, 'radius_km': radius, **extra})}" for place in CITIES],
                args.filter_rounds))
        rows.append((f"API {label}, no place", [f"/api/leaders?{urlencode(extra)}"], args.filter_rounds))
    return rows


def keywords(word: str) -> list[str]:
    """The word as typed, letter by letter from three letters on (each answer of a search-as-you-type)."""
    return [word[:end] for end in range(min(3, len(word)), len(word) + 1)]


def check_fallback(client: Client) -> None:
    """The remote towns really are answered by the fallback, and boxes agree with the full scan."""
    for place in REMOTE[:3]:
        body = client.json(api_paths([place], 5)[0])
        assert body["results"] and all(item["distance_km"] > 5 for item in body["results"]), place
        scanned = client.json(api_paths([place], 5, scan=True)[0])
        assert [r["slug"] for r in body["results"]] == [r["slug"] for r in scanned["results"]], place
    for place in CITIES[:2]:
        for radius in (50, 500):
            body, scanned = client.json(api_paths([place], radius)[0]), client.json(api_paths([place], radius, True)[0])
            assert body["total"] == scanned["total"] and body["results"] == scanned["results"], (place, radius)


if __name__ == "__main__":
    main()
