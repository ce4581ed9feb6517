"""The leader directory: profiles, their public and private locations, tags and programs."""
import enum
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import (Boolean, ColumnElement, DateTime, Float, ForeignKey, Index, Integer, String, Table,
                        Column, Text, event, text, true)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.geo.cells import FINEST, cell_of
from app.models.base import utcnow, value_enum
from app.text.fulltext import FullTextIndex


class Precision(enum.StrEnum):
    EXACT = "exact"
    CITY = "city"


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


profile_focus_areas = Table(
    "profile_focus_areas", db.metadata,
    Column("profile_id", ForeignKey("leader_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_areas.id", ondelete="CASCADE"), primary_key=True),
    # From a focus area to its profiles: the search by focus area without a place.
    Index("ix_profile_focus_areas_area", "focus_area_id", "profile_id"),
)


class FocusArea(db.Model):
    """A tag for what a leader works on; admins curate the official list, leaders add free tags."""
    __tablename__ = "focus_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    official: Mapped[bool] = mapped_column(Boolean, default=False)


class Program(db.Model):
    """A program a leader can complete (admin-managed)."""
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class ProfileProgram(db.Model):
    """A program a leader says they completed; an admin may mark it verified."""
    __tablename__ = "profile_programs"
    # From a program to its profiles: the search by program without a place.
    __table_args__ = (Index("ix_profile_programs_program", "program_id", "profile_id"),)

    profile_id: Mapped[int] = mapped_column(ForeignKey("leader_profiles.id", ondelete="CASCADE"),
                                            primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"),
                                            primary_key=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)

    program: Mapped[Program] = relationship(lazy="joined")


class LeaderProfile(db.Model):
    """A leader's public profile. lat/lng are private; public_lat/public_lng are what others see."""
    __tablename__ = "leader_profiles"
    __table_args__ = (
        # The radius search: rows of the finest grid cells (app/geo/cells.py), then a range
        # of cells inside each, so a box reads only its own corner of the world. It covers
        # the points, their leaders and who works online, grouped in index order.
        # At each point its leaders come in name order, so a page reads only the ones it shows.
        Index("ix_leader_profiles_search_cell", "searchable", "cell_y", "cell_x", "public_lat",
              "public_lng", "name_key", "works_online"),
        # The home page's quotes: the featured rows, newest first, never a scan.
        Index("ix_leader_profiles_featured", "featured_quote", "updated_at", "id"),
        # Everyone by name, without a place: a page of the directory reads only its own rows.
        Index("ix_leader_profiles_by_name", "searchable", "name_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    slug: Mapped[str] = mapped_column(String(90), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    # display_name.casefold(), the order of leaders at the same distance; compared byte by byte
    # (code point order, as Python compares) on both databases. Kept like the cells below.
    name_key: Mapped[str] = mapped_column(
        String(255).with_variant(String(255, collation="C"), "postgresql"), server_default="",
        default=lambda context: name_key_of(context.get_current_parameters().get("display_name")))
    headline: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(String(280), default="")
    featured_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[str] = mapped_column(String(200), default="")  # comma-separated codes/names
    website: Mapped[str] = mapped_column(String(300), default="")
    links: Mapped[str] = mapped_column(Text, default="")  # one URL per line
    # The generated file name under uploads; indexed, as each request for a photo looks it up.
    photo: Mapped[str | None] = mapped_column(String(80), index=True)
    works_online: Mapped[bool] = mapped_column(Boolean, default=False)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)  # False: hidden (unlisted)
    # is_public (listed, and the account active) kept as a column by set_listed and
    # deactivate/reactivate: the search reads this instead of joining users.
    searchable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    contact_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The names of its focus areas, space-separated, for the keyword search (LEADER_SEARCH):
    # kept by database triggers (TAG_TRIGGERS), never written by the app.
    search_tags: Mapped[str] = mapped_column(Text, default="", server_default="")

    # Location: the place as typed, the private exact point, and the public point.
    place_name: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    country_code: Mapped[str] = mapped_column(String(2), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[Precision] = mapped_column(value_enum(Precision), default=Precision.CITY)
    public_lat: Mapped[float | None] = mapped_column(Float)
    public_lng: Mapped[float | None] = mapped_column(Float)
    # The public point's finest grid cell (geo.cells.cell_of), kept by the events below; Core
    # inserts get it from their own values. Triggers keep leader_cells counting these.
    cell_y: Mapped[int | None] = mapped_column(Integer, default=lambda context: _cell_default(context, 0))
    cell_x: Mapped[int | None] = mapped_column(Integer, default=lambda context: _cell_default(context, 1))

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Bumped by every save: a save made from an older copy (another tab, an admin) is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    user = relationship("User", backref=db.backref("leader_profile", uselist=False,
                                                   cascade="all, delete-orphan"))
    focus_areas: Mapped[list[FocusArea]] = relationship(secondary=profile_focus_areas,
                                                        order_by=FocusArea.name)
    programs: Mapped[list[ProfileProgram]] = relationship(cascade="all, delete-orphan")

    @property
    def focus_area_names(self) -> list[str]:
        return [area.name for area in self.focus_areas]

    @property
    def verified_program_names(self) -> list[str]:
        """The programs an admin has verified that the leader completed (cards show only these)."""
        return [item.program.name for item in self.programs if item.verified]

    @hybrid_property
    def is_public(self) -> bool:
        """Anyone may see it: listed, and the account active. The one rule, in Python and in SQL
        (LeaderProfile.is_public in a query); `searchable` keeps it as a column for the search."""
        return bool(self.listed and self.user is not None and self.user.active)

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> ColumnElement[bool]:
        return cls.listed.is_(True) & cls.user.has(active=True)


def name_key_of(display_name: str | None) -> str:
    """What leaders are ordered by: the name casefolded, as Python compares names."""
    return (display_name or "").casefold()


def cell_of_point(public_lat: float | None, public_lng: float | None) -> tuple[int | None, int | None]:
    """The finest grid cell of a public point; (None, None) without one."""
    if public_lat is None or public_lng is None:
        return None, None
    return cell_of(public_lat, public_lng)


def _cell_default(context, part: int) -> int | None:
    values = context.get_current_parameters()
    return cell_of_point(values.get("public_lat"), values.get("public_lng"))[part]


@event.listens_for(LeaderProfile.display_name, "set")
def _keep_name_key(profile: LeaderProfile, value: str | None, *_args) -> None:
    profile.name_key = name_key_of(value)


@event.listens_for(LeaderProfile.public_lat, "set")
def _keep_cell_for_lat(profile: LeaderProfile, value: float | None, *_args) -> None:
    profile.cell_y, profile.cell_x = cell_of_point(value, profile.public_lng)


@event.listens_for(LeaderProfile.public_lng, "set")
def _keep_cell_for_lng(profile: LeaderProfile, value: float | None, *_args) -> None:
    profile.cell_y, profile.cell_x = cell_of_point(profile.public_lat, value)


class LeaderCell(db.Model):
    """How many searchable leaders have their public point in a grid cell, at every level.

    Kept by database triggers on leader_profiles (COUNT_TRIGGERS), so every way a profile
    changes — the ORM, Core updates, cascaded deletes — keeps the counts exact. The radius
    search adds up the cells wholly inside its circle instead of reading each leader.
    Note for migrations: SQLite's batch mode rebuilds a table without its triggers; create
    them again after altering leader_profiles that way.
    """
    __tablename__ = "leader_cells"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    y: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    x: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    leaders: Mapped[int] = mapped_column(Integer, default=0)
    online: Mapped[int] = mapped_column(Integer, default=0)  # of them, working online


class LeaderPoint(db.Model):
    """How many searchable leaders share each public point (city-level leaders share their
    area's), kept by the same triggers: a search reads one row per point, not per leader."""
    __tablename__ = "leader_points"
    __table_args__ = {"sqlite_with_rowid": False}  # the rows are their key's index: no lookups

    cell_y: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cell_x: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lat: Mapped[float] = mapped_column(Float, primary_key=True)
    lng: Mapped[float] = mapped_column(Float, primary_key=True)
    leaders: Mapped[int] = mapped_column(Integer, default=0)
    online: Mapped[int] = mapped_column(Integer, default=0)


def _online(row: str, sign: str) -> str:
    return f"{sign}(CASE WHEN {row}.works_online THEN 1 ELSE 0 END)"


def _cell_deltas(row: str, sign: str, levels: str) -> str:
    """SELECT one (level, y, x, leaders, online) change per level for OLD or NEW."""
    return (f"SELECT level AS level, {row}.cell_y >> ({FINEST} - level) AS y, "
            f"{row}.cell_x >> ({FINEST} - level) AS x, {sign}1 AS leaders, {_online(row, sign)} AS online "
            f"FROM {levels} WHERE {row}.searchable AND {row}.cell_y IS NOT NULL")


def _point_deltas(row: str, sign: str, source: str = "") -> str:
    return (f"SELECT {row}.cell_y AS cell_y, {row}.cell_x AS cell_x, {row}.public_lat AS lat, "
            f"{row}.public_lng AS lng, {sign}1 AS leaders, {_online(row, sign)} AS online "
            f"{source}WHERE {row}.searchable AND {row}.cell_y IS NOT NULL")


def _upsert(table: str, key: str, parts: list[str]) -> str:
    # Changes summed per row and applied in key order: two moves never lock rows in
    # opposite orders, and a change that moves nobody writes nothing.
    return (f"INSERT INTO {table} ({key}, leaders, online) "
            f"SELECT {key}, sum(leaders), sum(online) FROM (" + " UNION ALL ".join(parts) + ") AS deltas "
            f"GROUP BY {key} HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY {key} "
            f"ON CONFLICT ({key}) DO UPDATE SET leaders = {table}.leaders + excluded.leaders, "
            f"online = {table}.online + excluded.online")


def _recount(rows: list[str], levels: str) -> str:
    """The statements that apply the change of OLD and/or NEW to both tables."""
    cells = _upsert("leader_cells", "level, y, x", [_cell_deltas(row, sign, levels) for row, sign in rows])
    points = _upsert("leader_points", "cell_y, cell_x, lat, lng", [_point_deltas(row, sign) for row, sign in rows])
    statements = [cells, points]
    if ("OLD", "-") in rows:  # a point nobody is at any more goes
        statements.append("DELETE FROM leader_points WHERE cell_y = OLD.cell_y AND cell_x = OLD.cell_x "
                          "AND lat = OLD.public_lat AND lng = OLD.public_lng AND leaders <= 0")
    return "; ".join(statements) + "; "


_SQLITE_LEVELS = "(" + " UNION ALL ".join(f"SELECT {level} AS level" for level in range(FINEST + 1)) + ") AS levels"
_PG_LEVELS = f"generate_series(0, {FINEST}) AS levels (level)"
_INSERTED, _DELETED, _CHANGED = [("NEW", "+")], [("OLD", "-")], [("OLD", "-"), ("NEW", "+")]
_WATCHED = "searchable, cell_y, cell_x, public_lat, public_lng, works_online"

COUNT_TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER leader_counts_on_insert AFTER INSERT ON leader_profiles "
        f"BEGIN {_recount(_INSERTED, _SQLITE_LEVELS)}END",
        f"CREATE TRIGGER leader_counts_on_delete AFTER DELETE ON leader_profiles "
        f"BEGIN {_recount(_DELETED, _SQLITE_LEVELS)}END",
        f"CREATE TRIGGER leader_counts_on_update AFTER UPDATE OF {_WATCHED} ON leader_profiles "
        f"BEGIN {_recount(_CHANGED, _SQLITE_LEVELS)}END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION leader_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_recount(_INSERTED, _PG_LEVELS)}"
        f"ELSIF TG_OP = 'DELETE' THEN {_recount(_DELETED, _PG_LEVELS)}"
        f"ELSE {_recount(_CHANGED, _PG_LEVELS)}"
        "END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER leader_counts_sync AFTER INSERT OR DELETE OR UPDATE OF {_WATCHED} "
        "ON leader_profiles FOR EACH ROW EXECUTE FUNCTION leader_counts_sync()",
    ],
}
DROP_COUNT_TRIGGERS = {
    "sqlite": ["DROP TRIGGER IF EXISTS leader_counts_on_insert", "DROP TRIGGER IF EXISTS leader_counts_on_delete",
               "DROP TRIGGER IF EXISTS leader_counts_on_update"],
    "postgresql": ["DROP TRIGGER IF EXISTS leader_counts_sync ON leader_profiles",
                   "DROP FUNCTION IF EXISTS leader_counts_sync()"],
}


# Bulk loads (`seed-demo --leaders N`): a batch is written with the per-row insert triggers of
# the counts and the search tags set aside, its rows carrying their search_tags already, and
# its counts added in two statements (add_counts). Inside the batch's transaction, so a failure
# rolls the triggers back in with the rows.
_BULK_TRIGGERS = {
    "sqlite": [("leader_profiles", "leader_counts_on_insert"), ("profile_focus_areas", "profile_tags_on_insert")],
    "postgresql": [("leader_profiles", "leader_counts_sync"), ("profile_focus_areas", "profile_tags_sync")],
}
_BULK_RANGE = " AND bulk.id BETWEEN :first AND :last"


@contextmanager
def insert_triggers_set_aside(connection):
    """Within `connection`'s transaction: the profile count and tag insert triggers off, then back."""
    dialect = connection.dialect.name
    triggers = _BULK_TRIGGERS.get(dialect, [])
    for table, trigger in triggers:
        connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}" if dialect == "postgresql"
                                   else f"DROP TRIGGER {trigger}")
    yield
    created = COUNT_TRIGGERS["sqlite"] + TAG_TRIGGERS["sqlite"]
    for table, trigger in triggers:
        if dialect == "postgresql":
            connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        else:
            connection.exec_driver_sql(next(sql for sql in created if sql.startswith(f"CREATE TRIGGER {trigger} ")))


def add_counts(connection, first_id: int, last_id: int) -> None:
    """Add the profiles with ids first_id..last_id to leader_cells and leader_points, as
    the insert trigger would have one by one."""
    levels = _PG_LEVELS if connection.dialect.name == "postgresql" else _SQLITE_LEVELS
    cells = _upsert("leader_cells", "level, y, x",
                    [_cell_deltas("bulk", "+", f"leader_profiles AS bulk, {levels}") + _BULK_RANGE])
    points = _upsert("leader_points", "cell_y, cell_x, lat, lng",
                     [_point_deltas("bulk", "+", "FROM leader_profiles AS bulk ") + _BULK_RANGE])
    for statement in (cells, points):
        connection.execute(text(statement), {"first": first_id, "last": last_id})


@event.listens_for(db.metadata, "after_create")
def _create_count_triggers(_metadata, connection, tables=(), **_kwargs) -> None:
    """create_all (tests, `seed-demo` on a new file) makes the triggers the migration makes."""
    if not {"leader_profiles", "leader_cells", "leader_points"} <= {table.name for table in tables}:
        return
    for statement in COUNT_TRIGGERS.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


class LeaderApplication(db.Model):
    """A member asking to become a leader; an admin approves or declines."""
    __tablename__ = "leader_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    motivation: Mapped[str] = mapped_column(Text)
    status: Mapped[ApplicationStatus] = mapped_column(value_enum(ApplicationStatus),
                                                      default=ApplicationStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Why an administrator declined, as mailed to the applicant.
    decline_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class ContactMessage(db.Model):
    """A record of a visitor contacting a leader, for per-sender rate limits and abuse review."""
    __tablename__ = "contact_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("leader_profiles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


# The keyword search: name, headline, bio and focus areas (app/text/fulltext.py). Note for
# migrations, as above: SQLite's batch mode rebuilds leader_profiles without these triggers.
LEADER_SEARCH = FullTextIndex("leader_profiles", ("display_name", "headline", "bio", "search_tags"))
# The language filter without a place: the profiles whose languages hold the asked words, so a
# language nobody speaks is answered at once; the search still checks the whole item (_speaks).
LANGUAGE_SEARCH = FullTextIndex("leader_profiles", ("languages",), name="languages", prefixes=False)


def _tags_of(profile_id: str, aggregate: str) -> str:
    # PostgreSQL's string_agg takes the order its plan reads in unless told (SQLite reads the
    # link table's primary key, profile then area): by area id, so a rebuild writes the same text.
    order = " ORDER BY focus_areas.id" if aggregate == "string_agg" else ""
    return (f"(SELECT coalesce({aggregate}(focus_areas.name, ' '{order}), '') FROM profile_focus_areas "
            f"JOIN focus_areas ON focus_areas.id = profile_focus_areas.focus_area_id "
            f"WHERE profile_focus_areas.profile_id = {profile_id})")


def _retag(profile_id: str, aggregate: str) -> str:
    return (f"UPDATE leader_profiles SET search_tags = {_tags_of(profile_id, aggregate)} "
            f"WHERE id = {profile_id}; ")


def _retag_area(area_id: str, aggregate: str) -> str:
    return (f"UPDATE leader_profiles SET search_tags = {_tags_of('leader_profiles.id', aggregate)} "
            f"WHERE id IN (SELECT profile_id FROM profile_focus_areas WHERE focus_area_id = {area_id}); ")


# leader_profiles.search_tags follows its focus areas: tagged, untagged, or an area renamed.
TAG_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER profile_tags_on_insert AFTER INSERT ON profile_focus_areas "
        f"BEGIN {_retag('NEW.profile_id', 'group_concat')}END",
        "CREATE TRIGGER profile_tags_on_delete AFTER DELETE ON profile_focus_areas "
        f"BEGIN {_retag('OLD.profile_id', 'group_concat')}END",
        "CREATE TRIGGER profile_tags_on_rename AFTER UPDATE OF name ON focus_areas "
        f"BEGIN {_retag_area('NEW.id', 'group_concat')}END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION profile_tags_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_retag('NEW.profile_id', 'string_agg')}"
        f"ELSE {_retag('OLD.profile_id', 'string_agg')}"
        "END IF; RETURN NULL; END $$",
        "CREATE TRIGGER profile_tags_sync AFTER INSERT OR DELETE ON profile_focus_areas "
        "FOR EACH ROW EXECUTE FUNCTION profile_tags_sync()",
        "CREATE OR REPLACE FUNCTION profile_tags_rename() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{_retag_area('NEW.id', 'string_agg')}RETURN NULL; END $$",
        "CREATE TRIGGER profile_tags_rename AFTER UPDATE OF name ON focus_areas "
        "FOR EACH ROW EXECUTE FUNCTION profile_tags_rename()",
    ],
}


@event.listens_for(db.metadata, "after_create")
def _create_search_index(_metadata, connection, tables=(), **_kwargs) -> None:
    """create_all makes the keyword search's index and triggers, as the migration does."""
    if not {"leader_profiles", "focus_areas", "profile_focus_areas"} <= {table.name for table in tables}:
        return
    dialect = connection.dialect.name
    for statement in (TAG_TRIGGERS.get(dialect, []) + LEADER_SEARCH.create_ddl(dialect)
                      + LANGUAGE_SEARCH.create_ddl(dialect)):
        connection.exec_driver_sql(statement)
