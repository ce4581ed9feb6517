"""Times "find leaders near you" over HTTP against a database of N leaders, printing the figures.

Builds an SQLite database in a temporary folder (gazetteer + `seed-demo --leaders N`, leaders
clustered around the world's big cities), starts gunicorn with two workers on 127.0.0.1, then
prints median and p95 for /healthz, the API within 50 and 500 km, the nearest-leaders fallback
and the /leaders page, each as a ratio to /healthz, and the same API queries answered by a
full scan (no bounding box) for comparison.

Run from the repository root:
    .venv/bin/python bench/near.py --leaders 100000
    .venv/bin/python bench/near.py --leaders 1000000 --keep /tmp/near-1m   # reuse with --db
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
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
    parser.add_argument("--db", type=Path, help="reuse this database file (built if missing)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="near-bench-"))
    try:
        path = args.db or scratch / "leaders.sqlite3"
        env = server_env(path, scratch)
        if not path.exists():
            build(env, args.leaders, args.min_population)
        run_benchmark(env, args)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def server_env(path: Path, scratch: Path) -> dict:
    return {
        **os.environ,
        "LEADERS_DATABASE_URL": f"sqlite:///{path}",
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


def build(env: dict, leaders: int, min_population: int) -> None:
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    started = time.perf_counter()
    # The migrations make the file and its schema, so /healthz finds it at the migration head.
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True)
    subprocess.run([*flask, "geo", "load", "--min-population", str(min_population)], env=env, cwd=ROOT,
                   check=True)
    print(f"gazetteer loaded in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    subprocess.run([*flask, "seed-demo", "--leaders", str(leaders), "--no-banner"], env=env, cwd=ROOT,
                   check=True)
    print(f"{leaders:,} leaders seeded in {time.perf_counter() - started:.0f} s")
    subprocess.run([str(BIN / "python"), "-c",
                    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('ANALYZE'); "
                    "c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()",
                    env["LEADERS_DATABASE_URL"].removeprefix("sqlite:///")], check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_benchmark(env: dict, args) -> None:
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "600", "--log-level", "warning", "wsgi:app"], env=env, cwd=ROOT)
    try:
        wait_until_up(port)
        client = Client(port)
        count = client.json("/api/leaders")["total"]
        print(f"\n{count:,} listed leaders; gunicorn, {args.workers} sync workers, SQLite; "
              f"{args.rounds} requests per row ({args.scan_rounds} for full scans), one at a time\n")
        check_fallback(client)
        rows = [
            ("/healthz", ["/healthz"], args.rounds),
            ("API near a city, 50 km", api_paths(CITIES, 50), args.rounds),
            ("API near a city, 500 km", api_paths(CITIES, 500), args.rounds),
            ("API nearest-20 fallback", api_paths(REMOTE, 5), args.rounds),
            ("/leaders page, 50 km", [f"/leaders?{urlencode({'near': c, 'radius': 50})}" for c in CITIES],
             args.rounds),
            ("full scan: API 50 km", api_paths(CITIES, 50, scan=True), args.scan_rounds),
            ("full scan: API 500 km", api_paths(CITIES, 500, scan=True), args.scan_rounds),
            ("full scan: nearest-20", api_paths(REMOTE, 5, scan=True), args.scan_rounds),
        ]
        results = {}
        for label, paths, rounds in rows:
            results[label] = client.time(paths, rounds)
        report(results)
    finally:
        server.terminate()
        server.wait(10)


def api_paths(places: list[str], radius: int, scan: bool = False) -> list[str]:
    extra = {"_scan": "1"} if scan else {}
    return [f"/api/leaders?{urlencode({'near': place, 'radius_km': radius, **extra})}" for place in places]


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


def report(results: dict[str, list[float]]) -> None:
    base = statistics.median(results["/healthz"])
    print(f"{'':28} {'median ms':>10} {'p95 ms':>9} {'x /healthz':>11}")
    for label, timings in results.items():
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 20 else max(timings)
        print(f"{label:28} {median:10.2f} {p95:9.2f} {median / base:10.1f}x")
    print()
    for indexed, scanned in (("API near a city, 50 km", "full scan: API 50 km"),
                             ("API near a city, 500 km", "full scan: API 500 km"),
                             ("API nearest-20 fallback", "full scan: nearest-20")):
        ratio = statistics.median(results[scanned]) / statistics.median(results[indexed])
        print(f"{scanned}: {ratio:.0f}x slower than with bounding boxes")


if __name__ == "__main__":
    main()
