"""Bulk forum data for bench/forum.py: N threads and M replies as trees, written fast.

Into a database at the migration head (`flask db upgrade` first): four public categories, the
community guidelines, a few thousand members (users with ForumMember rows, guidelines accepted,
one of them the bench's own account), threads with titles from word lists, their opening
messages and replies as trees (top-level answers and answers to answers down to depth 5, with
parent_id, depth and top_position as the app writes them), the threads' counters (top_count,
reply_count, last_activity_at, last_reply_id, last_reply_by_id), the categories' thread_count,
the members' approved_count, and each thread followed by the people who wrote in it (as
"Email me when people reply" does by default). Bodies are plain words, so `plain` equals `body`
and `html` (what the app keeps, rendered when a message is written) is one paragraph of it.

One thread holds exactly BIG_TOP top-level answers and BIG_NESTED answers below them (the
thread page measurement); every other one is smaller. COMMON is in about COMMON_SHARE of all
messages, RARE in exactly RARE_COUNT.

Written CHUNK messages at a time, each chunk committed, so memory stays flat: a chunk's threads,
their messages (ids handed out in time order, so a thread's messages are spread among other
threads' as in a live forum) and their follows. PostgreSQL: COPY; its BEFORE trigger computes
each message's search_vector as the rows arrive, but the GIN index over it is dropped for the
load and made again at the end from POST_SEARCH.create_ddl (one index build instead of a
million insertions). SQLite: Core inserts, with the three forum_posts_fts_on_* triggers
dropped for the load, then the FTS5 table rebuilt and the triggers made again exactly as
POST_SEARCH.create_ddl('sqlite') writes them.

Run alone from the repository root (bench/forum.py runs it for you):
    .venv/bin/python bench/forum_seed.py sqlite:////tmp/bench-forum/forum.sqlite3 --threads 2000 --replies 20000
"""
from __future__ import annotations

import argparse
import enum
import bisect
import itertools
import random
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import database_uri  # noqa: E402
from app.directory.demo import invented_name  # noqa: E402
from app.forum.guidelines_text import DEMO_GUIDELINES  # noqa: E402
from app.models.accounts import Role, User, hash_password  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.models.forum import (  # noqa: E402
    POST_SEARCH, ForumCategory, ForumFollow, ForumMember, ForumPost, ForumThread, Guidelines,
)
from app.text.markdown import slugify  # noqa: E402

try:  # the HTML a message keeps, rendered when it is written
    from app.forum.posting import cooked  # noqa: E402
except ImportError:  # an app whose messages keep no HTML
    cooked = None
HAS_HTML = cooked is not None and "html" in ForumPost.__table__.c

CHUNK = 50_000  # messages written and committed at a time
USERS = 3_000
DOMAIN = "bench.forum.example"
BENCH_EMAIL = f"bench@{DOMAIN}"
PASSWORD = "bench forum lantern 42"
BIG_TOP, BIG_NESTED = 50, 250
MAX_DEPTH = 5
MAX_REPLIES = 200  # no other thread comes near the big one
TOP_LEVEL_SHARE = 0.45  # of a thread's replies, the rest answer a reply
COMMON, COMMON_SHARE = "volunteers", 0.30
RARE, RARE_COUNT = "marmalade", 20
YEARS = 3

CATEGORIES = [
    ("Introductions", "introductions", "Say who you are, where you lead and what you would like to learn."),
    ("Running gatherings", "running-gatherings", "Rooms, rotas, reminders and the small things that make people come back."),
    ("Learning together", "learning-together", "Programs, books and practices that changed how you work with others."),
    ("Funding and partners", "funding-and-partners", "Grants, budgets, sponsors and the organisations we work beside."),
]

# Words for titles and messages (neither COMMON nor RARE is among them), most frequent first.
WORDS = """
the and to of a in we that is it for our with was on you they this be at have are but not
as one so what people when all from about them if there would can had more our just like
group first time week meeting room start work team help ask new year night people's every
community local neighbours street school library hall garden kitchen table chairs kettle tea
coffee list names phone message letter notice board plan plans idea ideas question answer
money budget grant fund funding costs small big long short early late quiet loud open shared
listen listened talk talked share shared learn learned teach taught bring brought keep kept
come came back again still often always never sometimes together alone everyone someone
nobody children young older parents families elders youth women men friends leaders members
trust honest careful patient slow fast simple hard easy better best worse good bad useful
kind warm cold rain summer winter spring autumn morning evening Saturday Sunday Monday Friday
month months weeks years days hours minutes evening session sessions rota rotas sign sheet
sheets volunteer helpers organiser organisers host hosts venue venues keys doors lights
flyers posters newsletter email emails chat calls visits walk walks litter river park bridge
market shop café bakery church mosque temple centre council office tenants housing rent
repair bikes tools books reading writing stories circle circles round rounds turn turns voice
voices decision decisions vote votes agenda minutes notes record follow thanks thank card
cards cake lunch dinner snacks food bank pantry garden seeds harvest compost beds water
planting soil weather season training workshop course program programs mentor mentors coach
practice practices habit habits rule rules guideline roles role tasks task job jobs load
share burnout rest break pause step steps goal goals progress change changed changes problem
problems solution conflict calm anger worry hope hopes joy pride story example examples advice
tips tip question questions reply answers thought thoughts feeling felt seemed looked worked
tried tries trying started starting finished ended closed opened moved grew growing joined
left stayed returned asked told said wrote read called met saw heard found lost made gave
took put set ran held paid spent saved raised counted planned booked cleaned painted cooked
baked carried fixed built sorted checked printed posted sent invited welcomed greeted
""".split()

TITLE_OPENERS = ["How do you", "What helped you", "Has anyone tried to", "Advice wanted: how to",
                 "Ideas for how to", "Is it worth trying to", "Struggling to", "Five years of trying to",
                 "The best way to", "Small wins: how we learned to"]
TITLE_VERBS = ["keep", "find", "thank", "welcome", "train", "pay for", "share", "organise",
               "schedule", "fund", "grow", "run", "clean up", "book", "explain", "hand over"]
TITLE_OBJECTS = ["a tenants' meeting", "the community garden", "a repair café", "new helpers",
                 "the food pantry", "a youth football league", "an elders' lunch", "the reading circle",
                 "a litter walk", "the homework club", "a neighbourhood newsletter", "the hall keys",
                 "a savings group", "the kettle rota", "a coding club", "a story evening",
                 "the seed library", "a bike kitchen", "the river clean-up", "a grant application"]
TITLE_ENDINGS = ["?", " without burning out?", " on a tiny budget?", " in winter?", " when nobody signs up?",
                 " with only three people?", " after a hard year?", " across two languages?",
                 " when the venue closes?", " and still have fun?"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="sqlite:///PATH or postgresql://... at the migration head")
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--replies", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    seed(args.url, args.threads, args.replies, args.seed)


def seed(url: str, threads: int, replies: int, seed_value: int = 13) -> dict[str, float]:
    """Write the forum into the database at `url`; the seconds each part took."""
    if threads < 2 or replies < BIG_TOP + BIG_NESTED:
        raise SystemExit(f"Needs at least 2 threads and {BIG_TOP + BIG_NESTED} replies.")
    engine = _engine(url)
    rng = random.Random(seed_value)
    times: dict[str, float] = {}
    started = time.perf_counter()
    with engine.connect() as connection:
        if connection.execute(sa.select(sa.func.count()).select_from(ForumThread.__table__)).scalar():
            raise SystemExit("The database already holds forum threads; seed an empty one.")
        writer = Writer(connection)
        now = utcnow().replace(microsecond=0)
        user_ids = _seed_people(writer, rng, now)
        category_ids = _seed_categories(writer, now)
        writer.commit()
        times["members, categories"] = time.perf_counter() - started

        started = time.perf_counter()
        writer.set_search_aside()
        authored = _seed_threads(writer, rng, now, threads, replies, user_ids, category_ids)
        times["threads, messages, follows"] = time.perf_counter() - started

        started = time.perf_counter()
        writer.restore_search()
        writer.commit()
        times["full-text index"] = time.perf_counter() - started

        started = time.perf_counter()
        _finish_counters(writer, authored)
        writer.commit()
        times["counters, statistics"] = time.perf_counter() - started
    engine.dispose()
    started = time.perf_counter()
    _analyze(url)
    times["counters, statistics"] += time.perf_counter() - started
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


class Writer:
    """Rows into tables: COPY on PostgreSQL, Core's executemany on SQLite; ids are given here."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"
        self.warned: set[str] = set()

    def next_id(self, table: sa.Table) -> int:
        return (self.connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1

    def write(self, table: sa.Table, rows: list[dict]) -> None:
        if not rows:
            return
        missing = _defaults(table, rows[0])
        if missing:  # columns the models gained since this seeder was written
            if table.name not in self.warned:
                self.warned.add(table.name)
                print(f"  (forum_seed: {table.name}.{', '.join(missing)} written as their default)")
            for row in rows:
                row.update(missing)
        if not self.postgresql:
            self.connection.execute(sa.insert(table), rows)
            return
        columns = list(rows[0])
        cursor = self.connection.connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name].value if isinstance(row[name], enum.Enum) else row[name]
                                for name in columns])

    def commit(self) -> None:
        self.connection.commit()

    def set_search_aside(self) -> None:
        """SQLite: the FTS5 triggers off (one rebuild at the end); PostgreSQL: the GIN index off."""
        if self.postgresql:
            self.connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_forum_posts_{POST_SEARCH.vector}")
        else:
            for event in ("insert", "delete", "update"):
                self.connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {POST_SEARCH.fts_table}_on_{event}")
        self.commit()

    def restore_search(self) -> None:
        """The index filled, and the DDL it was made with back exactly as POST_SEARCH writes it."""
        if self.postgresql:
            self.connection.exec_driver_sql("SET maintenance_work_mem = '512MB'")
            for statement in POST_SEARCH.create_ddl("postgresql"):
                if statement.startswith("CREATE INDEX"):
                    self.connection.exec_driver_sql(statement)
            for table in ("users", "forum_categories", "forum_threads", "forum_posts", "forum_guidelines"):
                self.connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))")
            return
        for statement in POST_SEARCH.rebuild_ddl("sqlite"):
            self.connection.exec_driver_sql(statement)
        for statement in POST_SEARCH.create_ddl("sqlite"):
            if statement.startswith("CREATE TRIGGER"):
                self.connection.exec_driver_sql(statement)


def _defaults(table: sa.Table, row: dict) -> dict:
    """Values for the table's columns the row leaves out: their scalar default, else NULL."""
    filled = {}
    for column in table.columns:
        if column.name in row:
            continue
        default = column.default
        if default is not None and default.is_scalar:
            filled[column.name] = default.arg
        elif column.nullable:
            filled[column.name] = None
        else:
            raise SystemExit(f"{table.name}.{column.name}: no value and no scalar default to write")
    return filled


# People and categories ---------------------------------------------------------------------

def _seed_people(writer: Writer, rng: random.Random, now: datetime) -> list[int]:
    """USERS members (the first is the bench's account), each with a ForumMember row; their ids."""
    intro, items = DEMO_GUIDELINES
    guidelines = writer.next_id(Guidelines.__table__)
    writer.connection.execute(sa.insert(Guidelines.__table__), [
        {"id": guidelines, "intro": intro, "items": items, "created_at": now - timedelta(days=365 * YEARS),
         "created_by_id": None}])
    password_hash = hash_password(PASSWORD)
    first = writer.next_id(User.__table__)
    users, members, handles = [], [], set()
    for number in range(USERS):
        name = "Bench Reader" if number == 0 else invented_name(rng)
        email = BENCH_EMAIL if number == 0 else f"member{number:05d}@{DOMAIN}"
        joined = now - timedelta(days=rng.uniform(30, 365 * YEARS + 30))
        users.append({"id": first + number, "email": email, "display_name": name,
                      "password_hash": password_hash,
                      "role": Role.LEADER if rng.random() < 0.3 else Role.MEMBER,
                      "email_verified_at": joined, "active": True, "session_version": 1,
                      "created_at": joined, "last_login_at": None})
        handle = base = slugify(name, 54) or "member"
        for extra in itertools.count(2):
            if handle not in handles:
                break
            handle = f"{base}-{extra}"
        handles.add(handle)
        members.append({"user_id": first + number, "handle": handle, "accepted_guidelines": guidelines,
                        "paused_until": None, "follow_on_reply": True, "digest": "off",
                        "digest_hour": 8, "digest_weekday": 0, "time_zone": "UTC",
                        "digest_sent_for": "", "approved_count": 0})
    writer.write(User.__table__, users)
    writer.write(ForumMember.__table__, members)
    return [user["id"] for user in users]


def _seed_categories(writer: Writer, now: datetime) -> list[int]:
    first = writer.next_id(ForumCategory.__table__)
    rows = [{"id": first + position, "name": name, "slug": slug, "description": description,
             "position": position, "members_only": False, "thread_count": 0,
             "created_at": now - timedelta(days=365 * YEARS + 1)}
            for position, (name, slug, description) in enumerate(CATEGORIES)]
    writer.connection.execute(sa.insert(ForumCategory.__table__), rows)
    return [row["id"] for row in rows]


# Threads and messages ----------------------------------------------------------------------

def reply_counts(rng: random.Random, threads: int, replies: int, big: int) -> list[int]:
    """How many replies each thread gets: skewed (most a few, some dozens), exactly `replies`
    in all, BIG_TOP + BIG_NESTED for thread `big` and at most MAX_REPLIES for the others."""
    rest = replies - BIG_TOP - BIG_NESTED
    weights = [rng.lognormvariate(0, 1.0) for _ in range(threads)]
    weights[big] = 0.0
    scale = rest / sum(weights)
    counts = [min(MAX_REPLIES, int(weight * scale)) for weight in weights]
    missing = rest - sum(counts)
    others = [index for index in range(threads) if index != big]
    while missing > 0:  # hand out what rounding and the cap left, one reply at a time
        index = rng.choice(others)
        if counts[index] < MAX_REPLIES:
            counts[index] += 1
            missing -= 1
    counts[big] = BIG_TOP + BIG_NESTED
    return counts


class Text:
    """Messages of plain words; COMMON in about COMMON_SHARE of them, RARE in the chosen ones.
    A message's `html` is what the app keeps (posting.cooked): for these plain sentences one
    paragraph of the escaped text, which the first CHECKED messages compare with the app's own
    rendering (if they ever differ, every message is rendered by the app, slowly)."""

    CHECKED = 500

    def __init__(self, rng: random.Random, total: int) -> None:
        self.rng = rng
        self.cum_weights = list(itertools.accumulate(1 / (rank + 3) for rank in range(len(WORDS))))
        self.rare = set(rng.sample(range(total), RARE_COUNT))
        self.written = 0
        self.formula_holds = True

    def html(self, body: str) -> str:
        simple = f"<p>{escape(body, quote=False)}</p>"
        if self.written <= self.CHECKED or not self.formula_holds:
            rendered = cooked(body)
            if rendered != simple and self.formula_holds:
                self.formula_holds = False
                print("  (forum_seed: messages' HTML rendered by the app one by one: slower)")
            return rendered
        return simple

    def body(self) -> str:
        rng = self.rng
        words = rng.choices(WORDS, cum_weights=self.cum_weights, k=rng.randint(12, 60))
        if rng.random() < COMMON_SHARE:
            words.insert(rng.randrange(len(words) + 1), COMMON)
        if self.written in self.rare:
            words.insert(rng.randrange(len(words) + 1), RARE)
        self.written += 1
        sentences, start = [], 0
        while start < len(words):
            end = start + rng.randint(5, 14)
            sentence = " ".join(words[start:end])
            sentences.append(sentence[0].upper() + sentence[1:] + rng.choice("...?"))
            start = end
        return " ".join(sentences)

    def title(self) -> str:
        rng = self.rng
        return (f"{rng.choice(TITLE_OPENERS)} {rng.choice(TITLE_VERBS)} "
                f"{rng.choice(TITLE_OBJECTS)}{rng.choice(TITLE_ENDINGS)}")


def _seed_threads(writer: Writer, rng: random.Random, now: datetime, threads: int, replies: int,
                  user_ids: list[int], category_ids: list[int]) -> Counter:
    """The threads in time order, CHUNK messages at a time; each author's message count."""
    big = threads // 2
    counts = reply_counts(rng, threads, replies, big)
    text = Text(rng, threads + replies)
    authors = user_ids[1:]  # the bench's account has written nothing yet
    author_weights = list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(authors))))
    pinned = {index for category in range(len(category_ids)) for index in
              rng.sample(range(category, threads, len(category_ids)), min(2, threads // 8))}
    start = now - timedelta(days=365 * YEARS)
    span = (now - start).total_seconds() - 86_400 * 3
    thread_id, post_id = writer.next_id(ForumThread.__table__), writer.next_id(ForumPost.__table__)
    authored: Counter = Counter()
    index = 0
    while index < threads:
        group, messages = [], 0
        while index < threads and (not group or messages + counts[index] + 1 <= CHUNK):
            group.append(index)
            messages += counts[index] + 1
            index += 1
        thread_rows, post_rows, follow_rows = [], [], []
        for number in group:
            created = start + timedelta(seconds=span * number / threads + rng.uniform(0, 600))
            author = authors[bisect.bisect_left(author_weights, rng.random() * author_weights[-1])]
            thread = {"id": thread_id + number, "category_id": category_ids[number % len(category_ids)],
                      "author_id": author, "title": text.title(), "pinned": number in pinned,
                      "locked": rng.random() < 0.005, "created_at": created, "version": 1}
            thread["slug"] = slugify(thread["title"], 80)
            thread_rows.append(thread)
            posts = _thread_messages(rng, text, thread, counts[number], number == big, authors,
                                     author_weights, now)
            post_rows += posts
        post_rows.sort(key=lambda row: row["created_at"])
        for row in post_rows:  # ids in time order, a parent always before its answers
            row["id"] = post_id
            post_id += 1
        by_thread: dict[int, list[dict]] = {}
        for row in post_rows:
            parent = row.pop("_parent")
            row["parent_id"] = parent["id"] if parent is not None else None
            by_thread.setdefault(row["thread_id"], []).append(row)
            authored[row["author_id"]] += 1
        for thread in thread_rows:
            posts = by_thread[thread["id"]]
            last = posts[-1]
            answers = posts[1:]
            thread.update(reply_count=len(answers), top_count=sum(1 for row in answers if row["depth"] == 1),
                          last_activity_at=last["created_at"],
                          last_reply_id=last["id"] if answers else None,
                          last_reply_by_id=last["author_id"] if answers else None)
            for person in dict.fromkeys(row["author_id"] for row in posts):
                follow_rows.append({"user_id": person, "thread_id": thread["id"], "following": True,
                                    "last_mailed_at": None, "mailed_up_to": last["id"],
                                    "held_since": None, "read_up_to": last["id"]})
        writer.write(ForumThread.__table__, thread_rows)
        writer.write(ForumPost.__table__, post_rows)
        writer.write(ForumFollow.__table__, follow_rows)
        writer.commit()
    return authored


def _thread_messages(rng: random.Random, text: Text, thread: dict, count: int, big: bool,
                     authors: list[int], author_weights: list[float], now: datetime) -> list[dict]:
    """The opening message and `count` replies as a tree (ids and parent_id come later: each
    row's `_parent` is its parent's row)."""
    def author() -> int:
        return authors[bisect.bisect_left(author_weights, rng.random() * author_weights[-1])]

    def message(parent: dict | None, at: datetime, writer: int, title: str = "") -> dict:
        body = text.body()
        depth = 0 if parent is None else parent["depth"] + 1
        return {"thread_id": thread["id"], "author_id": writer, "_parent": parent, "depth": depth,
                "top_position": 0, "title": title, "body": body, "plain": body, "status": "published",
                **({"html": text.html(body)} if HAS_HTML else {}),
                "created_at": at, "edited_at": None, "deleted_at": None, "removed_at": None,
                "removed_by_id": None, "removed_item": None, "appeal": None, "appealed_at": None,
                "appreciation_count": 0 if rng.random() < 0.7 else min(40, int(rng.expovariate(0.4)) + 1),
                "version": 1, "form_token": None}

    opening = message(None, thread["created_at"], thread["author_id"], thread["title"])
    rows, at, tops = [opening], thread["created_at"], 0
    if big:  # the first answer is top-level, then BIG_TOP - 1 more among BIG_NESTED nested ones
        kinds = [True] * (BIG_TOP - 1) + [False] * BIG_NESTED
        rng.shuffle(kinds)
        kinds = [True] + kinds
    else:
        kinds = [position == 0 or rng.random() < TOP_LEVEL_SHARE for position in range(count)]
    latest = now - timedelta(seconds=60)
    for top_level in kinds:
        at = min(latest, at + timedelta(seconds=60 + rng.expovariate(1 / 10_800)))
        if top_level:
            row = message(opening, at, author())
            tops += 1
            row["top_position"] = tops
        else:
            answerable = [row for row in rows[1:] if row["depth"] < MAX_DEPTH]
            # Mostly answering one of the latest messages, sometimes an older one.
            parent = answerable[max(0, len(answerable) - 1 - int(rng.expovariate(0.25)))]
            row = message(parent, at, author())
            row["top_position"] = parent["top_position"]
        rows.append(row)
    return rows  # times clamped at `latest` may tie: the stable sort keeps a parent first


def _finish_counters(writer: Writer, authored: Counter) -> None:
    connection = writer.connection
    connection.exec_driver_sql(
        "UPDATE forum_categories SET thread_count = (SELECT count(*) FROM forum_threads "
        "WHERE forum_threads.category_id = forum_categories.id)")
    connection.execute(sa.update(ForumMember.__table__)
                       .where(ForumMember.__table__.c.user_id == sa.bindparam("who"))
                       .values(approved_count=sa.bindparam("count")),
                       [{"who": who, "count": count} for who, count in authored.items()])


if __name__ == "__main__":
    main()
