"""Bulk alerts and bulk new leaders for bench/alerts.py, written fast with SQLAlchemy Core.

Alerts: owners enough that nobody keeps more than services.MAX_ALERTS, each alert around one of
the given cities (its centre up to 80 km from the city's), a radius from 5 to 100 km (log-uniform;
one in twenty up to 500 km), one in ten with a focus area, one in twenty with a language; each
filed under its grid cells (app/alerts/cells.py) exactly as services.create_alert files it.
New leaders: around the given cities (a normal spread of 12 km), 30 % exact and 70 % city-level
public points, 20 % working online, one or two focus areas; inserted through Core, so the
database's own triggers queue each one for the alerts (alert_arrivals), as the app's writes do.

Run alone (bench/alerts.py runs it for you), from the repository root:
    .venv/bin/python bench/alerts_seed.py sqlite:////tmp/bench-alerts/a.sqlite3 --alerts 1000 --leaders 1000
"""
from __future__ import annotations

import argparse
import math
import random
import secrets
import sys
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.alerts import cells  # noqa: E402
from app.alerts.services import MAX_ALERTS  # noqa: E402
from app.directory.demo import CITIES, invented_name  # noqa: E402
from app.extensions import db  # noqa: E402
from app.geo.privacy import public_point  # noqa: E402
from app.models.accounts import Role, User, hash_password  # noqa: E402
from app.models.alerts import Alert, AlertCell, AlertKind  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.models.directory import FocusArea, LeaderProfile, Precision, profile_focus_areas  # noqa: E402

CHUNK = 5_000
SPREAD_KM = 80  # alert centres lie up to this far from their city's (towns around it too)
JITTER_KM = 12  # leaders spread this far around their city (one standard deviation)
AREAS = ["Youth work", "Food security", "Housing", "Climate", "Arts", "Health", "Education", "Faith"]
LANGUAGES = ["English", "French", "Spanish", "Portuguese", "Arabic", "Kiswahili"]
# The cities leaders arrive in, and the others (where "far" alerts are put).
NEAR = [city for city in CITIES if -30 <= city[5] <= 60]  # Europe, Africa, the Middle East
FAR = [city for city in CITIES if not -30 <= city[5] <= 60]  # the Americas, Asia, Oceania


def make_app(url: str):
    return create_app({"SECRET_KEY": "bench-alerts-secret-key-0123456789abcdef", "DATABASE_URL": url,
                       "CREATE_DATABASE": True, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "ERROR",
                       "SITE_URL": "http://127.0.0.1"})


def rebuild(url: str) -> None:
    """Every table, empty (SQLite: a new file; PostgreSQL: dropped and made again)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    app = make_app(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        db.create_all()
        db.session.add_all(FocusArea(name=name, slug=name.lower().replace(" ", "-"), official=True) for name in AREAS)
        db.session.commit()
        db.engine.dispose()


def _around(rng: random.Random, lat: float, lng: float, km: float, gauss: bool = True) -> tuple[float, float]:
    reach = rng.gauss(0, km) if gauss else km * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    new_lat = max(-89.9, min(89.9, lat + reach * math.cos(bearing) / 111.2))
    new_lng = lng + reach * math.sin(bearing) / (111.2 * max(math.cos(math.radians(lat)), 0.05))
    return round(new_lat, 5), round((new_lng + 180) % 360 - 180, 5)


def _users(connection, rng: random.Random, count: int, prefix: str, role: Role) -> list[int]:
    now = utcnow()
    password = hash_password("bench alerts lantern 42")
    start = connection.execute(sa.select(sa.func.coalesce(sa.func.max(User.id), 0))).scalar()
    rows = [{"email": f"{prefix}{start + number + 1}@bench.alerts.example", "display_name": invented_name(rng),
             "password_hash": password, "role": role, "email_verified_at": now, "active": True,
             "session_version": 1, "created_at": now, "time_zone": ""} for number in range(count)]
    ids = []
    for first in range(0, len(rows), CHUNK):
        ids += connection.execute(sa.insert(User.__table__).returning(User.__table__.c.id,
                                                                      sort_by_parameter_order=True),
                                  rows[first:first + CHUNK]).scalars().all()
    return ids


def seed_alerts(app, count: int, cities: list[tuple], seed: int = 15) -> float:
    """count alerts around `cities`; how many cells each is filed under on average."""
    rng = random.Random(seed)
    with app.app_context():
        connection = db.session.connection()
        areas = list(connection.execute(sa.select(FocusArea.slug)).scalars())
        owners = _users(connection, rng, math.ceil(count / MAX_ALERTS), "watcher", Role.MEMBER)
        since = connection.execute(sa.text("SELECT coalesce(max(id), 0) FROM alert_arrivals")).scalar()
        now = utcnow()
        filed = 0
        for first in range(0, count, CHUNK):
            alerts, keys = [], []
            for number in range(first, min(first + CHUNK, count)):
                city = rng.choice(cities)
                lat, lng = _around(rng, city[4], city[5], SPREAD_KM, gauss=False)
                radius = (rng.uniform(100, 500) if rng.random() < 0.05
                          else math.exp(rng.uniform(math.log(5), math.log(100))))
                alerts.append({"user_id": owners[number // MAX_ALERTS], "kind": AlertKind.LEADERS,
                               "place_name": city[0], "lat": lat, "lng": lng, "radius": round(radius, 1),
                               "unit": "km", "radius_km": round(radius, 1),
                               "focus_area": rng.choice(areas) if rng.random() < 0.1 else "",
                               "language": rng.choice(LANGUAGES) if rng.random() < 0.05 else "",
                               "program": "", "mode": "", "online": False, "emails": True,
                               "feed_token": secrets.token_urlsafe(24), "since_arrival": since,
                               "created_at": now})
                keys.append(cells.alert_keys(lat, lng, round(radius, 1)))
            ids = connection.execute(sa.insert(Alert.__table__).returning(Alert.__table__.c.id,
                                                                          sort_by_parameter_order=True),
                                     alerts).scalars().all()
            rows = [{"kind": AlertKind.LEADERS, "cell": key, "alert_id": alert_id}
                    for alert_id, found in zip(ids, keys) for key in found]
            filed += len(rows)
            connection.execute(sa.insert(AlertCell.__table__), rows)
            db.session.commit()
            connection = db.session.connection()
        return filed / max(count, 1)


def seed_leaders(app, count: int, cities: list[tuple], seed: int = 16) -> None:
    """count new public leaders around `cities`: the triggers queue each for the alerts."""
    rng = random.Random(seed)
    with app.app_context():
        connection = db.session.connection()
        area_ids = list(connection.execute(sa.select(FocusArea.id)).scalars())
        users = _users(connection, rng, count, "leader", Role.LEADER)
        now = utcnow()
        taken = connection.execute(sa.select(sa.func.count()).select_from(LeaderProfile)).scalar()
        for first in range(0, count, CHUNK):
            profiles, tags = [], []
            for number in range(first, min(first + CHUNK, count)):
                city = rng.choice(cities)
                lat, lng = _around(rng, city[4], city[5], JITTER_KM)
                precision = Precision.EXACT if rng.random() < 0.3 else Precision.CITY
                public_lat, public_lng = public_point(lat, lng, precision.value)
                name = invented_name(rng)
                profiles.append({
                    "user_id": users[number], "slug": f"bench-{taken + number + 1}", "display_name": name,
                    "headline": f"Organiser in {city[0]}", "bio": "", "quote": "", "featured_quote": False,
                    "languages": rng.choice(LANGUAGES), "website": "", "links": "",
                    "works_online": rng.random() < 0.2, "listed": True, "searchable": True,
                    "contact_enabled": True, "place_name": city[0], "city": city[0], "region": city[1] or "",
                    "country": city[2], "country_code": city[3], "lat": lat, "lng": lng,
                    "precision": precision, "public_lat": public_lat, "public_lng": public_lng,
                    "created_at": now, "updated_at": now, "search_tags": ""})
                tags.append(rng.sample(area_ids, rng.randint(1, 2)))
            ids = connection.execute(sa.insert(LeaderProfile.__table__).returning(
                LeaderProfile.__table__.c.id, sort_by_parameter_order=True), profiles).scalars().all()
            connection.execute(sa.insert(profile_focus_areas), [
                {"profile_id": profile_id, "focus_area_id": area_id}
                for profile_id, chosen in zip(ids, tags) for area_id in chosen])
            db.session.commit()
            connection = db.session.connection()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--leaders", type=int, default=1000)
    args = parser.parse_args()
    rebuild(args.url)
    app = make_app(args.url)
    print(f"{seed_alerts(app, args.alerts, NEAR):.1f} cells per alert")
    seed_leaders(app, args.leaders, NEAR)


if __name__ == "__main__":
    main()
