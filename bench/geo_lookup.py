"""Times the full gazetteer load and offline geocoder lookups on SQLite, printing the figures.

Run from the repository root: .venv/bin/python -m bench.geo_lookup [--db gazetteer.db]
"""
import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from app.geo.gazetteer import Place, PlaceName, load_gazetteer
from app.geo.geocoder import GeocodeCache, OfflineGeocoder, RequestClock
from app.models.base import Base

GEOCODE_QUERIES = [
    "zurich", "Springfield", "Portland", "Portland, Maine", "Paris", "London, Ontario",
    "London, Canada", "10001", "97201-1234", "Xqzzyville", "sao paulo", "New York",
    "Springfield, IL, USA", "Москва", "Sydney", "london ontario", "Tokyo", "Lagos",
    "Berlin, Germany", "St. Louis",
]
SUGGEST_PREFIXES = ["zur", "por", "spr", "lon", "sa", "new y", "972", "mun", "be", "toky"]
ROUNDS = 50


def main() -> None:
    with offline_geocoder(__doc__) as geocoder:
        report("geocode", time_calls([lambda q=q: geocoder.geocode(q) for q in GEOCODE_QUERIES]))
        report("suggest", time_calls([lambda p=p: geocoder.suggest(p) for p in SUGGEST_PREFIXES]))


@contextmanager
def offline_geocoder(description: str) -> Iterator[OfflineGeocoder]:
    """The offline geocoder over the full gazetteer in SQLite: the file given with --db (loaded
    first if missing), else a scratch file."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", type=Path, help="SQLite file to reuse; loaded first if missing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.db or Path(scratch) / "gazetteer.db"
        engine = create_engine(f"sqlite:///{path}")
        if not path.exists():
            load(engine)
        try:
            with Session(engine) as session:
                yield OfflineGeocoder(session)
        finally:
            engine.dispose()


def load(engine: Engine) -> None:
    tables = [Place.__table__, PlaceName.__table__, GeocodeCache.__table__, RequestClock.__table__]
    Base.metadata.create_all(engine, tables=tables)
    with Session(engine) as session:
        started = time.perf_counter()
        counts = load_gazetteer(session)
        session.commit()
        elapsed = time.perf_counter() - started
        names = session.scalar(select(func.count()).select_from(PlaceName))
    print(f"full load: {elapsed:.1f} s, {counts} ({names} rows in geo_place_names)")


def time_calls(calls: list[Callable[[], object]]) -> list[float]:
    for call in calls:  # warm-up: page cache, statement cache
        call()
    timings = []
    for _ in range(ROUNDS):
        for call in calls:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(label: str, timings: list[float]) -> None:
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(f"{label}: {len(timings)} calls, median {statistics.median(timings):.3f} ms, p95 {p95:.3f} ms, max {max(timings):.3f} ms")


if __name__ == "__main__":
    main()
