"""Bulk gatherings for bench/gatherings.py: N gatherings (90 % past) and M RSVPs, written fast.

Into a database at the migration head with the gazetteer loaded (`flask db upgrade`, then
`flask geo load`): a few hundred hosts (leaders with public profiles), members enough that no
gathering has the same person twice, the bench's own verified member (no RSVPs yet), twelve
official focus areas, then the gatherings in time order: half online, 40 % in person and 10 %
both, the in-person ones around CITIES (each looked up with the site's own geocoder, so
`near=<city>` finds the same point; venues spread up to 30 km from the centre), 1 or 2 focus
areas each, a third with a capacity. Past ones end before now (up to three years ago); upcoming
ones start from an hour from now up to 180 days ahead. RSVPs are spread over the gatherings
(skewed: most a few, some a hundred or more; exactly M in all): going while places last, then
the waitlist (upcoming) or "can't go" (past), a tenth "can't go"; going_count and
waitlist_count match them, as the app keeps them. Every row goes through SQLAlchemy Core's
insert executemany (no ORM objects), CHUNK gatherings and their RSVPs at a time, each chunk
committed, so memory stays flat.

Run alone from the repository root (bench/gatherings.py runs it for you):
    .venv/bin/python bench/gatherings_seed.py sqlite:////tmp/bench-gatherings/g.sqlite3 \
        --gatherings 10000 --rsvps 100000
"""
from __future__ import annotations

import argparse
import math
import random
import secrets
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import database_uri  # noqa: E402
from app.directory.demo import invented_name  # noqa: E402
from app.geo.cells import cell_of  # noqa: E402
from app.geo.geocoder import OfflineGeocoder  # noqa: E402
from app.models.accounts import Role, User, hash_password  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.models.directory import FocusArea, LeaderProfile  # noqa: E402
from app.models.gatherings import Gathering, Mode, Rsvp, RsvpStatus, State, gathering_focus_areas  # noqa: E402

CHUNK = 10_000  # gatherings (with their RSVPs) written and committed at a time
HOSTS = 600
DOMAIN = "bench.gatherings.example"
BENCH_EMAIL = f"bench@{DOMAIN}"
PASSWORD = "bench gathering lantern 42"
PAST_SHARE = 0.9
YEARS = 3
AHEAD_DAYS = 180
MAX_RSVPS = 400  # no gathering has more answers than this
SPREAD_KM = 30  # venues lie up to this far from their city's centre
# Cities on every continent with their zones; `near=Berlin&radius=50` is the bench's near row.
CITIES = [
    ("Berlin", "Europe/Berlin"), ("London", "Europe/London"), ("Paris", "Europe/Paris"),
    ("Madrid", "Europe/Madrid"), ("Rome", "Europe/Rome"), ("Warsaw", "Europe/Warsaw"),
    ("Lisbon", "Europe/Lisbon"), ("Stockholm", "Europe/Stockholm"), ("Athens", "Europe/Athens"),
    ("Istanbul", "Europe/Istanbul"), ("Cairo", "Africa/Cairo"), ("Lagos", "Africa/Lagos"),
    ("Nairobi", "Africa/Nairobi"), ("Johannesburg", "Africa/Johannesburg"), ("Accra", "Africa/Accra"),
    ("Mumbai", "Asia/Kolkata"), ("Delhi", "Asia/Kolkata"), ("Dhaka", "Asia/Dhaka"),
    ("Bangkok", "Asia/Bangkok"), ("Jakarta", "Asia/Jakarta"), ("Manila", "Asia/Manila"),
    ("Tokyo", "Asia/Tokyo"), ("Seoul", "Asia/Seoul"), ("Singapore", "Asia/Singapore"),
    ("Sydney", "Australia/Sydney"), ("Melbourne", "Australia/Melbourne"), ("Auckland", "Pacific/Auckland"),
    ("New York", "America/New_York"), ("Chicago", "America/Chicago"), ("Toronto", "America/Toronto"),
    ("Los Angeles", "America/Los_Angeles"), ("Mexico City", "America/Mexico_City"),
    ("Bogotá", "America/Bogota"), ("Lima", "America/Lima"), ("São Paulo", "America/Sao_Paulo"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires"), ("Santiago", "America/Santiago"),
    ("Vancouver", "America/Vancouver"), ("Denver", "America/Denver"), ("Atlanta", "America/New_York"),
]
LANGUAGES = ["English"] * 6 + ["Spanish", "French", "German", "Portuguese", "Arabic", "Hindi", "Japanese"]
FOCUS_AREAS = ["Community gardens", "Youth work", "Food security", "Housing", "Literacy", "Elders",
               "Climate action", "Repair and reuse", "Arts and culture", "Sport", "Health", "Newcomers"]
TITLE_OPENERS = ["An evening on", "Coffee and conversation:", "Workshop:", "Getting started with",
                 "Open meeting:", "Lessons learned in", "Share and learn:", "A walk and talk about",
                 "Round table:", "Monthly meetup:"]
TITLE_TOPICS = ["neighbourhood gardens", "running a food bank", "tenants' rights", "youth football",
                "reading circles", "repair cafés", "elders' lunches", "funding small projects",
                "welcoming newcomers", "volunteer rotas", "river clean-ups", "street parties",
                "community radio", "bike kitchens", "homework clubs", "seed libraries"]
VENUES = ["Community hall", "Public library", "Neighbourhood centre", "Old fire station", "Café",
          "Town hall, room 2", "Church hall", "Youth club", "Garden shed", "Co-working space"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="sqlite:///PATH or postgresql://... at the migration head, places loaded")
    parser.add_argument("--gatherings", type=int, default=100_000)
    parser.add_argument("--rsvps", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    for part, seconds in seed(args.url, args.gatherings, args.rsvps, args.seed).items():
        print(f"  {part:28} {seconds:8.1f} s")


def seed(url: str, gatherings: int, rsvps: int, seed_value: int = 14) -> dict[str, float]:
    """Write the gatherings into the database at `url`; the seconds each part took."""
    engine = _engine(url)
    rng = random.Random(seed_value)
    times: dict[str, float] = {}
    started = time.perf_counter()
    with engine.connect() as connection:
        if connection.execute(sa.select(sa.func.count()).select_from(Gathering.__table__)).scalar():
            raise SystemExit("The database already holds gatherings; seed an empty one.")
        now = utcnow().replace(microsecond=0)
        cities = _cities(connection)
        members_needed = max(MAX_RSVPS, min(rsvps // 20, 50_000)) + 10
        host_ids, member_ids = _people(connection, rng, now, members_needed)
        area_ids = _focus_areas(connection)
        connection.commit()
        times["people, focus areas"] = time.perf_counter() - started

        started = time.perf_counter()
        _gatherings(connection, rng, now, gatherings, rsvps, cities, host_ids, member_ids, area_ids)
        times["gatherings, RSVPs"] = time.perf_counter() - started

        started = time.perf_counter()
        if connection.dialect.name == "postgresql":
            for table in ("users", "leader_profiles", "focus_areas", "gatherings", "gathering_rsvps"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))")
            connection.commit()
    engine.dispose()
    _analyze(url)
    times["statistics"] = time.perf_counter() - started
    return times


def _engine(url: str) -> sa.Engine:
    engine = sa.create_engine(database_uri(url))
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def tune(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")  # a bench database: rebuilt if a load dies
            cursor.execute("PRAGMA cache_size=-524288")  # 512 MB: the indexes stay in memory
            cursor.execute("PRAGMA foreign_keys=OFF")  # every reference is made right here
            cursor.close()
    return engine


def _analyze(url: str) -> None:
    engine = sa.create_engine(database_uri(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def _next_id(connection, table: sa.Table) -> int:
    return (connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1


def _cities(connection) -> list[tuple[str, str, float, float, str]]:
    """(label, zone, lat, lng, name typed) of each city, as the site's geocoder finds it."""
    found = []
    with Session(bind=connection) as session:
        geocoder = OfflineGeocoder(session)
        for name, zone in CITIES:
            best = geocoder.geocode(name).best
            if best is None:
                raise SystemExit(f"{name!r} is not in the gazetteer: run `flask geo load` first")
            found.append((best.label, zone, best.lat, best.lng, name))
    return found


def _people(connection, rng: random.Random, now: datetime, members: int) -> tuple[list[int], list[int]]:
    """HOSTS leaders with public profiles and `members` members (the first is the bench's own)."""
    password_hash = hash_password(PASSWORD)
    first = _next_id(connection, User.__table__)
    users, profiles = [], []
    for number in range(HOSTS + members):
        host = number < HOSTS
        bench = number == HOSTS
        name = "Bench Member" if bench else invented_name(rng)
        joined = now - timedelta(days=rng.uniform(30, 365 * YEARS + 30))
        users.append({"id": first + number, "display_name": name, "password_hash": password_hash,
                      "email": BENCH_EMAIL if bench else f"{'host' if host else 'member'}{number:06d}@{DOMAIN}",
                      "role": Role.LEADER if host else Role.MEMBER, "email_verified_at": joined,
                      "active": True, "session_version": 1, "created_at": joined, "last_login_at": None,
                      "time_zone": ""})
        if host:
            profiles.append({"user_id": first + number, "display_name": name,
                             "slug": f"bench-host-{number:04d}", "listed": True, "searchable": True,
                             "created_at": joined, "updated_at": joined})
    connection.execute(sa.insert(User.__table__), users)
    connection.execute(sa.insert(LeaderProfile.__table__), profiles)
    ids = [row["id"] for row in users]
    return ids[:HOSTS], ids[HOSTS + 1:]  # the bench's own member answers nothing yet


def _focus_areas(connection) -> list[int]:
    first = _next_id(connection, FocusArea.__table__)
    rows = [{"id": first + index, "name": name, "slug": name.lower().replace(" ", "-"), "official": True}
            for index, name in enumerate(FOCUS_AREAS)]
    connection.execute(sa.insert(FocusArea.__table__), rows)
    return [row["id"] for row in rows]


def rsvp_counts(rng: random.Random, gatherings: int, rsvps: int) -> list[int]:
    """How many answers each gathering gets: skewed, at most MAX_RSVPS, exactly `rsvps` in all."""
    weights = [rng.lognormvariate(0, 1.0) for _ in range(gatherings)]
    scale = rsvps / sum(weights)
    counts = [min(MAX_RSVPS, int(weight * scale)) for weight in weights]
    missing = rsvps - sum(counts)
    while missing > 0:
        index = rng.randrange(gatherings)
        if counts[index] < MAX_RSVPS:
            counts[index] += 1
            missing -= 1
    return counts


def _gatherings(connection, rng, now, total, rsvps, cities, host_ids, member_ids, area_ids) -> None:
    counts = rsvp_counts(rng, total, rsvps)
    past_count = int(total * PAST_SHARE)
    first_id = _next_id(connection, Gathering.__table__)
    past_span = 365 * YEARS * 86_400
    ahead_span = AHEAD_DAYS * 86_400
    for chunk_start in range(0, total, CHUNK):
        gathering_rows, area_rows, rsvp_rows = [], [], []
        for index in range(chunk_start, min(total, chunk_start + CHUNK)):
            gathering_id = first_id + index
            past = index < past_count
            if past:  # in time order: the oldest first
                start = now - timedelta(seconds=past_span * (1 - index / past_count) + 4 * 3600)
            else:
                start = now + timedelta(seconds=3600 + ahead_span * (index - past_count) / max(1, total - past_count))
            start = start.replace(minute=rng.choice((0, 30)), second=0)
            duration = timedelta(minutes=rng.choice((60, 90, 120, 180)))
            roll = rng.random()
            mode = Mode.ONLINE if roll < 0.5 else Mode.IN_PERSON if roll < 0.9 else Mode.BOTH
            row = {"id": gathering_id, "uid": f"{gathering_id:x}-bench@gatherings.leaders-network",
                   "series_id": None, "host_id": rng.choice(host_ids),
                   "title": f"{rng.choice(TITLE_OPENERS)} {rng.choice(TITLE_TOPICS)}",
                   "description": "We meet, share what worked and what did not, and plan the next steps.",
                   "description_html": "<p>We meet, share what worked and what did not, and plan the next steps.</p>",
                   "cover": None, "language": rng.choice(LANGUAGES), "mode": mode,
                   "state": State.PUBLISHED if rng.random() > 0.03 else State.CANCELLED,
                   "cancel_reason": "", "cancelled_at": None, "published_at": min(now, start - timedelta(days=14)),
                   "starts_at": start, "ends_at": start + duration,
                   "venue_name": "", "address": "", "place_name": "", "lat": None, "lng": None,
                   "cell_y": None, "cell_x": None, "meeting_url": "",
                   "capacity": rng.choice((10, 20, 30, 60)) if rng.random() < 0.33 else None,
                   "rsvp_deadline": None, "approval_required": False, "sequence": 1, "version": 1,
                   "created_at": min(now, start) - timedelta(days=20),
                   "updated_at": min(now, start - timedelta(days=14))}
            if mode.in_person:
                label, zone, lat, lng, _name = rng.choice(cities)
                lat, lng = _near(rng, lat, lng)
                row.update(venue_name=rng.choice(VENUES), address=label, place_name=label, lat=lat, lng=lng,
                           time_zone=zone)
                row["cell_y"], row["cell_x"] = cell_of(lat, lng)
            else:
                row["time_zone"] = rng.choice(cities)[1]
            if mode.online:  # secret: never in a public answer (the bench database's links are fake)
                row["meeting_url"] = f"https://meet.example/bench-{secrets.token_hex(6)}"
            if row["state"] == State.CANCELLED:
                row.update(cancel_reason="The venue is closed that day, sorry.", cancelled_at=start - timedelta(days=2))
            going, waiting = _answers(rng, row, counts[index], past, member_ids, rsvp_rows, now)
            row["going_count"], row["waitlist_count"] = going, waiting
            gathering_rows.append(row)
            for area in rng.sample(area_ids, rng.choice((1, 1, 2))):
                area_rows.append({"gathering_id": gathering_id, "focus_area_id": area})
        connection.execute(sa.insert(Gathering.__table__), gathering_rows)
        connection.execute(sa.insert(gathering_focus_areas), area_rows)
        if rsvp_rows:
            connection.execute(sa.insert(Rsvp.__table__), rsvp_rows)
        connection.commit()


def _near(rng: random.Random, lat: float, lng: float) -> tuple[float, float]:
    """A point up to SPREAD_KM from (lat, lng), more of them near the centre."""
    distance = SPREAD_KM * rng.random() ** 1.5
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance / 111.2 * math.cos(bearing)
    dlng = distance / (111.2 * max(0.1, math.cos(math.radians(lat)))) * math.sin(bearing)
    return round(lat + dlat, 5), round(lng + dlng, 5)


def _answers(rng, gathering: dict, count: int, past: bool, member_ids: list[int], rows: list[dict],
             now: datetime) -> tuple[int, int]:
    """`count` RSVPs of distinct members; (going, waitlisted)."""
    going = waiting = 0
    capacity = gathering["capacity"]
    cancelled = gathering["state"] == State.CANCELLED
    opened = min(gathering["published_at"], now - timedelta(days=1))
    span = max(60.0, (min(gathering["starts_at"], now) - opened).total_seconds())
    for person in rng.sample(member_ids, count):
        at = opened + timedelta(seconds=rng.uniform(0, span))
        status, queued = RsvpStatus.GOING, None
        if cancelled or rng.random() < 0.1:
            status = RsvpStatus.NOT_GOING
        elif capacity is not None and going >= capacity:
            if past:
                status = RsvpStatus.NOT_GOING
            else:
                status, queued = RsvpStatus.WAITLISTED, at
        if status == RsvpStatus.GOING:
            going += 1
        elif status == RsvpStatus.WAITLISTED:
            waiting += 1
        rows.append({"gathering_id": gathering["id"], "user_id": person, "status": status,
                     "show_name": rng.random() < 0.8, "join_token": secrets.token_urlsafe(24),
                     "created_at": at, "answered_at": at, "queued_at": queued, "offer_expires_at": None})
    return going, waiting


if __name__ == "__main__":
    main()
