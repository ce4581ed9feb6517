"""Demo leaders: invented people in real cities on every continent; `--leaders N` makes N fast."""
import enum
import itertools
import math
import random

from sqlalchemy import insert, select, text

from app import demo
from app.extensions import db
from app.geo.gazetteer import Place
from app.geo.privacy import public_point
from app.models.accounts import Role, User, hash_password
from app.models.base import utcnow
from app.models.directory import (FocusArea, LeaderProfile, Precision, Program, ProfileProgram,
                                  add_counts, cell_of_point, insert_triggers_set_aside,
                                  name_key_of, profile_focus_areas)
from app.text.markdown import slugify

DEMO_DOMAIN = "demo.leaders.example"
BULK_DOMAIN = "bulk.demo.leaders.example"
CHUNK = 50_000  # bulk leaders written and committed at a time
JITTER_KM = 12  # how far bulk leaders spread around their city (one standard deviation)

# (name, region, country, country code, lat, lng): real places, a few on every continent.
CITIES = [
    ("Accra", "Greater Accra", "Ghana", "GH", 5.556, -0.1969),
    ("Lagos", "Lagos", "Nigeria", "NG", 6.4541, 3.3947),
    ("Nairobi", "Nairobi", "Kenya", "KE", -1.2833, 36.8167),
    ("Addis Ababa", "Addis Ababa", "Ethiopia", "ET", 9.025, 38.7469),
    ("Kampala", "Central Region", "Uganda", "UG", 0.3163, 32.5822),
    ("Kigali", "Kigali", "Rwanda", "RW", -1.9474, 30.0588),
    ("Dakar", "Dakar", "Senegal", "SN", 14.6937, -17.4441),
    ("Cairo", "Cairo", "Egypt", "EG", 30.0626, 31.2497),
    ("Casablanca", "Casablanca-Settat", "Morocco", "MA", 33.5883, -7.6114),
    ("Johannesburg", "Gauteng", "South Africa", "ZA", -26.2023, 28.0436),
    ("Cape Town", "Western Cape", "South Africa", "ZA", -33.9258, 18.4232),
    ("Lusaka", "Lusaka", "Zambia", "ZM", -15.4134, 28.2771),
    ("London", "England", "United Kingdom", "GB", 51.5085, -0.1257),
    ("Manchester", "England", "United Kingdom", "GB", 53.4809, -2.2374),
    ("Dublin", "Leinster", "Ireland", "IE", 53.3331, -6.2489),
    ("Paris", "Île-de-France", "France", "FR", 48.8534, 2.3488),
    ("Lyon", "Auvergne-Rhône-Alpes", "France", "FR", 45.7485, 4.8467),
    ("Berlin", "Berlin", "Germany", "DE", 52.5244, 13.4105),
    ("Zürich", "Zurich", "Switzerland", "CH", 47.3667, 8.55),
    ("Madrid", "Madrid", "Spain", "ES", 40.4165, -3.7026),
    ("Lisbon", "Lisbon", "Portugal", "PT", 38.7167, -9.1333),
    ("Rome", "Lazio", "Italy", "IT", 41.8919, 12.5113),
    ("Stockholm", "Stockholm", "Sweden", "SE", 59.3326, 18.0649),
    ("Warsaw", "Masovia", "Poland", "PL", 52.2298, 21.0118),
    ("Athens", "Attica", "Greece", "GR", 37.9838, 23.7278),
    ("Istanbul", "Istanbul", "Türkiye", "TR", 41.0138, 28.9497),
    ("Mumbai", "Maharashtra", "India", "IN", 19.0728, 72.8826),
    ("Bengaluru", "Karnataka", "India", "IN", 12.9719, 77.5937),
    ("Dhaka", "Dhaka Division", "Bangladesh", "BD", 23.7104, 90.4074),
    ("Kathmandu", "Bagmati", "Nepal", "NP", 27.7017, 85.3206),
    ("Jakarta", "Jakarta", "Indonesia", "ID", -6.2146, 106.8451),
    ("Manila", "Metro Manila", "Philippines", "PH", 14.6042, 120.9822),
    ("Bangkok", "Bangkok", "Thailand", "TH", 13.7540, 100.5014),
    ("Hanoi", "Hanoi", "Vietnam", "VN", 21.0245, 105.8412),
    ("Seoul", "Seoul", "South Korea", "KR", 37.566, 126.9784),
    ("Tokyo", "Tokyo", "Japan", "JP", 35.6895, 139.6917),
    ("Osaka", "Osaka", "Japan", "JP", 34.6937, 135.5022),
    ("Taipei", "Taipei", "Taiwan", "TW", 25.0478, 121.5319),
    ("Amman", "Amman", "Jordan", "JO", 31.9552, 35.945),
    ("Tbilisi", "Tbilisi", "Georgia", "GE", 41.6941, 44.8337),
    ("New York City", "New York", "United States", "US", 40.7143, -74.006),
    ("Chicago", "Illinois", "United States", "US", 41.85, -87.65),
    ("Atlanta", "Georgia", "United States", "US", 33.749, -84.388),
    ("Portland", "Oregon", "United States", "US", 45.5234, -122.6762),
    ("Los Angeles", "California", "United States", "US", 34.0522, -118.2437),
    ("Anchorage", "Alaska", "United States", "US", 61.2181, -149.9003),
    ("Toronto", "Ontario", "Canada", "CA", 43.7001, -79.4163),
    ("Montréal", "Quebec", "Canada", "CA", 45.5088, -73.5878),
    ("Vancouver", "British Columbia", "Canada", "CA", 49.2497, -123.1193),
    ("Mexico City", "Mexico City", "Mexico", "MX", 19.4285, -99.1277),
    ("Guatemala City", "Guatemala", "Guatemala", "GT", 14.6407, -90.5133),
    ("Bogotá", "Bogota D.C.", "Colombia", "CO", 4.6097, -74.0817),
    ("Lima", "Lima", "Peru", "PE", -12.0432, -77.0282),
    ("Santiago", "Santiago Metropolitan", "Chile", "CL", -33.4569, -70.6483),
    ("Buenos Aires", "Buenos Aires F.D.", "Argentina", "AR", -34.6131, -58.3772),
    ("São Paulo", "São Paulo", "Brazil", "BR", -23.5475, -46.6361),
    ("Recife", "Pernambuco", "Brazil", "BR", -8.0539, -34.8811),
    ("Sydney", "New South Wales", "Australia", "AU", -33.8679, 151.2073),
    ("Melbourne", "Victoria", "Australia", "AU", -37.814, 144.9633),
    ("Auckland", "Auckland", "New Zealand", "NZ", -36.8485, 174.7633),
    ("Suva", "Central", "Fiji", "FJ", -18.1416, 178.4415),
    ("Reykjavík", "Capital Region", "Iceland", "IS", 64.1355, -21.8954),
]

LANGUAGES = {
    "GH": "English, Twi", "NG": "English, Yoruba", "KE": "English, Swahili", "ET": "Amharic, English",
    "UG": "English, Luganda", "RW": "Kinyarwanda, French, English", "SN": "French, Wolof",
    "EG": "Arabic, English", "MA": "Arabic, French", "ZA": "English, Zulu", "ZM": "English, Bemba",
    "FR": "French", "DE": "German, English", "CH": "German, French", "ES": "Spanish", "PT": "Portuguese",
    "IT": "Italian", "SE": "Swedish, English", "PL": "Polish", "GR": "Greek", "TR": "Turkish",
    "IN": "Hindi, English", "BD": "Bengali", "NP": "Nepali, English", "ID": "Indonesian",
    "PH": "Filipino, English", "TH": "Thai", "VN": "Vietnamese", "KR": "Korean", "JP": "Japanese",
    "TW": "Mandarin", "JO": "Arabic", "GE": "Georgian, Russian", "MX": "Spanish", "GT": "Spanish, K'iche'",
    "CO": "Spanish", "PE": "Spanish, Quechua", "CL": "Spanish", "AR": "Spanish", "BR": "Portuguese",
    "CA": "English, French", "IS": "Icelandic, English", "FJ": "English, Fijian",
}

FOCUS_AREAS = ["Youth mentoring", "Adult literacy", "Food security", "Climate action",
               "Public health", "Women's leadership", "Neighbourhood safety", "Arts and culture",
               "Digital skills", "Housing", "Refugee welcome", "Elder care"]
FREE_TAGS = ["rooftop gardens", "chess clubs", "repair cafés", "river clean-ups", "story circles",
             "bike kitchens", "seed libraries"]
PROGRAMS = [
    ("Community Leadership Foundations", "Twelve weeks on listening, organising and running meetings."),
    ("Facilitation Intensive", "A residential week on leading groups through hard conversations."),
    ("Civic Organizing Fellowship", "A year of coached organising on one local campaign."),
    ("Mentor Training", "How to mentor young people well, safely and for the long run."),
]

# Invented names: syllables put together, so no demo leader is a real person.
_ONSETS = ["A", "Be", "Ca", "Da", "E", "Fe", "Ga", "Ha", "I", "Jo", "Ka", "Le", "Ma", "Na", "O",
           "Pa", "Ri", "Sa", "Te", "U", "Va", "Wi", "Ya", "Zo"]
_MIDDLES = ["la", "ri", "no", "ma", "ke", "si", "lu", "ta", "ve", "do", "ni", "ro"]
_ENDS = ["", "a", "o", "n", "el", "is", "ine", "u", "ar"]
_FAMILY = ["Okan", "Velden", "Marisco", "Tanaberg", "Lundqvar", "Osei-Brand", "Kavuri", "Delmont",
           "Ferrando", "Halvik", "Ngarimo", "Sorensby", "Abakar", "Quillon", "Rustavel", "Mbekwa",
           "Castellar", "Iwanaga", "Petrović-Lane", "Alvarenko", "Dunmore", "Essaïd", "Karvonen",
           "Linwood", "Moreau-Tse", "Nakashiro", "Obuya", "Prashant", "Ramaduri", "Selvig"]
_ROLES = ["educator", "community organizer", "youth worker", "librarian", "nurse", "farmer",
          "coach", "artist", "social worker", "tenant organizer", "teacher", "imam", "pastor",
          "shop owner", "engineer", "midwife"]
_CAUSES = ["a homework club", "a food bank", "a tenants' association", "a community garden",
           "a women's savings group", "an after-school football league", "a reading circle",
           "a neighbourhood clean-up crew", "a coding club for girls", "a elders' lunch table"]
_QUOTES = [
    "Leadership is mostly showing up on the rainy days too.",
    "Every street has someone who already knows the answer; my job is to ask them.",
    "Start with a cup of tea and a list of names.",
    "The best meetings end with more people than they started with.",
    "We do not fix neighbourhoods. We get to know them.",
    "A small budget and a big table will get you far.",
    "Listen first, organise second, celebrate always.",
    "The children taught us how to run the garden.",
    "Trust is built in the boring parts.",
    "If nobody is bringing chairs, bring chairs.",
    "Our best volunteer started as our loudest critic.",
    "Write the minutes in plain words and more people come back.",
    "A shared key to the hall changed more than any grant did.",
    "Ask the grandmothers where the flood water goes.",
    "Celebrate the first small win loudly; it pays for the next one.",
]


def invented_name(rng: random.Random) -> str:
    first = rng.choice(_ONSETS) + rng.choice(_MIDDLES) + rng.choice(_ENDS)
    return f"{first} {rng.choice(_FAMILY)}"


def _bio(rng: random.Random, name: str, city: str, role: str) -> str:
    first = name.split()[0]
    cause, other = rng.sample(_CAUSES, 2)
    years = rng.randint(2, 25)
    return (f"{first} has worked as a {role} in {city} for {years} years and started {cause} "
            f"that now meets every week.\n\nThese days {first} also helps run {other}, and "
            "is always glad to hear from people who want to begin something similar.\n\n"
            "- Ask about: first steps, finding a venue, keeping volunteers\n"
            "- Best reached: through the message button on this page")


def seed_directory(rng: random.Random, options: dict) -> dict[str, int]:
    """The focus areas and programs, the demo leader's profile, then demo leaders."""
    # One generator per part, drawn in a fixed order, so a rerun that skips a part changes nothing else.
    account_rng, showcase_rng, bulk_rng = (random.Random(rng.random()) for _ in range(3))
    areas = _seed_focus_areas()
    programs = _seed_programs()
    made = _seed_demo_account(account_rng, areas, programs)
    if options.get("leaders") is None:
        made += _seed_showcase(showcase_rng, areas, programs)
    else:
        made += seed_bulk(bulk_rng, options["leaders"], areas, programs)
    return {"leader profiles": made}


def _seed_focus_areas() -> list[FocusArea]:
    areas = []
    for name in FOCUS_AREAS:
        slug = slugify(name, max_length=60)
        area = db.session.scalar(select(FocusArea).where(FocusArea.slug == slug))
        if area is None:
            area = FocusArea(name=name, slug=slug, official=True)
            db.session.add(area)
        areas.append(area)
    db.session.flush()
    return areas


def _seed_programs() -> list[Program]:
    programs = []
    for name, description in PROGRAMS:
        slug = slugify(name, max_length=100)
        program = db.session.scalar(select(Program).where(Program.slug == slug))
        if program is None:
            program = Program(name=name, slug=slug, description=description)
            db.session.add(program)
        programs.append(program)
    db.session.flush()
    return programs


def _seed_demo_account(rng, areas, programs) -> int:
    """The demo leader (see app.demo) gets a finished profile in Accra, quote featured."""
    user = db.session.scalar(select(User).where(User.email == f"leader@{DEMO_DOMAIN}"))
    if user is None or db.session.scalar(select(LeaderProfile.id).where(LeaderProfile.user_id == user.id)):
        return 0
    city = CITIES[0]
    profile = _profile(rng, user.id, user.display_name, "amara-mensah", city, areas, programs,
                       precision=Precision.CITY, quote=_QUOTES[0], featured=True)
    db.session.add(profile)
    db.session.flush()
    return 1


def _seed_showcase(rng, areas, programs) -> int:
    """One leader per built-in city: a third exact, a quarter online, some quotes featured."""
    password_hash = hash_password(demo.DEMO_PASSWORD)
    existing = set(db.session.scalars(select(User.email).where(User.email.like(f"leader-%@{DEMO_DOMAIN}"))))
    made = 0
    for index, city in enumerate(CITIES):
        name = invented_name(rng)
        email = f"leader-{index + 1:03d}@{DEMO_DOMAIN}"
        precision = Precision.EXACT if index % 3 == 0 else Precision.CITY
        # Fifteen quotes and every fourth quoting leader featured: eight different quotes on home.
        quote = _QUOTES[(index // 2) % len(_QUOTES)] if index % 2 == 0 else ""
        featured = bool(quote) and (index // 2) % 4 == 1
        profile_rng = random.Random(rng.random())  # drawn every time, so reruns match
        if email in existing:
            continue
        user = User(email=email, display_name=name, password_hash=password_hash, role=Role.LEADER,
                    email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
        slug = f"{slugify(name)}-{index + 1}"
        db.session.add(_profile(profile_rng, user.id, name, slug, city, areas, programs,
                                precision=precision, quote=quote, featured=featured,
                                jitter_km=3))
        made += 1
    db.session.flush()
    return made


def _profile(rng, user_id, name, slug, city, areas, programs, *, precision, quote="",
             featured=False, jitter_km=0.0) -> LeaderProfile:
    city_name, region, country, code, lat, lng = city
    lat, lng = _jitter(rng, lat, lng, jitter_km)
    role = rng.choice(_ROLES)
    second = rng.choice([r for r in _ROLES if r != role])
    public_lat, public_lng = public_point(lat, lng, precision.value)
    profile = LeaderProfile(
        user_id=user_id, slug=slug, display_name=name, headline=f"{role.capitalize()} and {second}",
        bio=_bio(rng, name, city_name, role), quote=quote, featured_quote=featured,
        languages=LANGUAGES.get(code, "English"), works_online=rng.random() < 0.25,
        place_name=city_name, city=city_name, region=region, country=country, country_code=code,
        lat=lat, lng=lng, precision=precision, public_lat=public_lat, public_lng=public_lng,
        website=f"https://{slugify(name)}.example.org" if rng.random() < 0.4 else "",
    )
    profile.focus_areas = rng.sample(areas, rng.randint(1, 3))
    for program in rng.sample(programs, rng.randint(0, 2)):
        profile.programs.append(ProfileProgram(program_id=program.id,
                                               verified=rng.random() < 0.6))
    return profile


def _jitter(rng: random.Random, lat: float, lng: float, km: float) -> tuple[float, float]:
    if not km:
        return lat, lng
    dlat = rng.gauss(0, km) / 111.2
    dlng = rng.gauss(0, km) / (111.2 * max(math.cos(math.radians(lat)), 0.05))
    new_lat = max(-89.9, min(89.9, lat + dlat))
    new_lng = (lng + dlng + 180) % 360 - 180
    return round(new_lat, 6), round(new_lng, 6)


# Many leaders, fast ------------------------------------------------------------------------

def bulk_cities(limit: int = 2000) -> list[tuple]:
    """The most populous places in the gazetteer when it is loaded, else the built-in list."""
    rows = db.session.execute(
        select(Place.name, Place.region_name, Place.country_name, Place.country_code, Place.lat,
               Place.lng, Place.population)
        .where(Place.kind == "city").order_by(Place.population.desc()).limit(limit)).all()
    if len(rows) < 50:
        return [(*city, 1_000_000) for city in CITIES]
    return [tuple(row) for row in rows]


def seed_bulk(rng: random.Random, count: int, areas: list[FocusArea],
              programs: list[Program]) -> int:
    """count leaders clustered around big cities, with Core bulk inserts; reruns add only what is missing.

    Written and committed CHUNK at a time, so memory stays flat at ten million and an
    interrupted run keeps what it wrote (a rerun adds the rest).
    """
    if count <= 0:
        return 0
    cities = bulk_cities()
    # Bigger cities get more leaders, but not in proportion, so small places are not empty.
    cum_weights = list(itertools.accumulate(math.sqrt(city[6] or 1) for city in cities))
    existing = {email for email in db.session.scalars(
        select(User.email).where(User.email.like(f"%@{BULK_DOMAIN}")))}
    taken_slugs = set(db.session.scalars(select(LeaderProfile.slug)))
    password_hash = hash_password(demo.DEMO_PASSWORD)
    now = utcnow()
    area_ids = [area.id for area in areas]
    area_names = {area.id: area.name for area in areas}
    program_ids = [program.id for program in programs]
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("PRAGMA cache_size = -262144"))  # 256 MB: the indexes stay in memory

    made, batch = 0, []
    for index in range(count):
        # Draw every value for every index, so a rerun makes the same people.
        name = invented_name(rng)
        city = rng.choices(cities, cum_weights=cum_weights)[0]
        lat, lng = _jitter(rng, city[4], city[5], JITTER_KM)
        precision = Precision.EXACT if rng.random() < 0.3 else Precision.CITY
        online = rng.random() < 0.2
        role = rng.choice(_ROLES)
        chosen_areas = rng.sample(area_ids, rng.randint(1, 3))
        chosen_programs = rng.sample(program_ids, rng.randint(0, 2))
        verified = [rng.random() < 0.5 for _ in chosen_programs]
        email = f"leader{index + 1:07d}@{BULK_DOMAIN}"
        if email in existing:
            continue
        slug = f"{slugify(name)}-{index + 1}"
        while slug in taken_slugs:
            slug += "-x"
        taken_slugs.add(slug)
        public_lat, public_lng = public_point(lat, lng, precision.value)
        user = {"email": email, "display_name": name, "password_hash": password_hash,
                "role": Role.LEADER, "email_verified_at": now, "active": True,
                "session_version": 1, "created_at": now}
        profile = {
            "slug": slug, "display_name": name,
            "headline": f"{role.capitalize()} in {city[0]}", "bio": "", "quote": "",
            "featured_quote": False, "languages": LANGUAGES.get(city[3], "English"),
            "website": "", "links": "", "works_online": online, "listed": True,
            "searchable": True, "contact_enabled": True, "place_name": city[0], "city": city[0],
            "region": city[1] or "", "country": city[2], "country_code": city[3],
            "lat": lat, "lng": lng, "precision": precision, "public_lat": public_lat,
            "public_lng": public_lng, "created_at": now, "updated_at": now,
            # What the tag trigger writes: the areas' names in the order of their ids.
            "search_tags": " ".join(area_names[area_id] for area_id in sorted(chosen_areas)),
        }
        batch.append((user, profile, chosen_areas, list(zip(chosen_programs, verified))))
        if len(batch) == CHUNK:
            made += _write_bulk(batch, now)
            batch = []
    return made + _write_bulk(batch, now)


def _write_bulk(batch: list[tuple], now) -> int:
    """One chunk of seed_bulk: users, profiles, their areas and programs; counts added at once."""
    if not batch:
        return 0
    connection = db.session.connection()
    write = _copy if connection.dialect.name == "postgresql" else _insert
    user_ids = write(connection, User.__table__, [user for user, *_ in batch])
    for user_id, (_, profile, *_) in zip(user_ids, batch):
        profile["user_id"] = user_id
    with insert_triggers_set_aside(connection):
        profile_ids = write(connection, LeaderProfile.__table__, [profile for _, profile, *_ in batch])
        area_rows, program_rows = [], []
        for profile_id, (_, _, chosen_areas, chosen_programs) in zip(profile_ids, batch):
            area_rows += [{"profile_id": profile_id, "focus_area_id": area_id} for area_id in chosen_areas]
            program_rows += [{"profile_id": profile_id, "program_id": program_id, "verified": ok,
                              "verified_at": now if ok else None}
                             for program_id, ok in chosen_programs]
        write(connection, profile_focus_areas, area_rows, ids=False)
        write(connection, ProfileProgram.__table__, program_rows, ids=False)
        add_counts(connection, min(profile_ids), max(profile_ids))
    db.session.commit()
    return len(batch)


def _insert(connection, table, rows: list[dict], ids: bool = True) -> list[int]:
    """Core's bulk insert (column defaults applied); the new ids in the rows' order."""
    if not rows:
        return []
    if not ids:
        connection.execute(insert(table), rows)
        return []
    return connection.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()


def _copy(connection, table, rows: list[dict], ids: bool = True) -> list[int]:
    """PostgreSQL's COPY, several times faster than INSERT for millions of rows: ids are taken
    from the table's sequence first, and the defaults Core would add are filled in here."""
    if not rows:
        return []
    new_ids = []
    if ids:
        new_ids = connection.execute(text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                                          "FROM generate_series(1, :n)"), {"n": len(rows)}).scalars().all()
        for row, new_id in zip(rows, new_ids):
            row["id"] = new_id
    if table is LeaderProfile.__table__:
        for row in rows:
            row["name_key"] = name_key_of(row["display_name"])
            row["cell_y"], row["cell_x"] = cell_of_point(row["public_lat"], row["public_lng"])
            row.setdefault("version", 1)
    columns = list(rows[0])
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([value.value if isinstance(value, enum.Enum) else value for value in row.values()])
    return new_ids
