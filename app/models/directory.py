"""The leader directory: profiles, their public and private locations, tags and programs."""
import enum
from datetime import datetime

from sqlalchemy import (Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Table,
                        Column, Text, event, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.geo.cells import FINEST, cell_of
from app.models.base import utcnow, value_enum


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

    profile_id: Mapped[int] = mapped_column(ForeignKey("leader_profiles.id", ondelete="CASCADE"),
                                            primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"),
                                            primary_key=True)
    year: Mapped[int | None] = mapped_column(Integer)
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
        Index("ix_leader_profiles_listed_name", "listed", "display_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    slug: Mapped[str] = mapped_column(String(90), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    # display_name.casefold(), the order of leaders at the same distance; compared byte by byte
    # (code point order, as Python compares) on both databases. Kept like the cells below.
    name_key: Mapped[str] = mapped_column(
        String(255).with_variant(String(255, collation="C"), "postgresql"), server_default="",
        default=lambda context: (context.get_current_parameters().get("display_name") or "").casefold())
    headline: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(String(280), default="")
    featured_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[str] = mapped_column(String(200), default="")  # comma-separated codes/names
    website: Mapped[str] = mapped_column(String(300), default="")
    links: Mapped[str] = mapped_column(Text, default="")  # one URL per line
    photo: Mapped[str | None] = mapped_column(String(80))  # generated file name under uploads
    works_online: Mapped[bool] = mapped_column(Boolean, default=False)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)  # False: hidden (unlisted)
    # listed and the account active, kept by set_listed and deactivate/reactivate: the search
    # reads this instead of joining users.
    searchable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    contact_enabled: Mapped[bool] = mapped_column(Boolean, default=True)

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

    user = relationship("User", backref=db.backref("leader_profile", uselist=False,
                                                   cascade="all, delete-orphan"))
    focus_areas: Mapped[list[FocusArea]] = relationship(secondary=profile_focus_areas,
                                                        order_by=FocusArea.name)
    programs: Mapped[list[ProfileProgram]] = relationship(cascade="all, delete-orphan")


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
    profile.name_key = (value or "").casefold()


@event.listens_for(LeaderProfile.public_lat, "set")
def _keep_cell_for_lat(profile: LeaderProfile, value: float | None, *_args) -> None:
    profile.cell_y, profile.cell_x = cell_of_point(value, profile.public_lng)


@event.listens_for(LeaderProfile.public_lng, "set")
def _keep_cell_for_lng(profile: LeaderProfile, value: float | None, *_args) -> None:
    profile.cell_y, profile.cell_x = cell_of_point(profile.public_lat, value)


class LeaderCell(db.Model):
    """How many searchable leaders have their public point in a grid cell, at every level.

    Kept by database triggers on leader_profiles (CELL_TRIGGERS), so every way a profile
    changes — the ORM, Core updates, cascaded deletes — keeps the counts exact. The radius
    search adds up the cells wholly inside its circle instead of reading each leader.
    """
    __tablename__ = "leader_cells"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    y: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    x: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    leaders: Mapped[int] = mapped_column(Integer, default=0)
    online: Mapped[int] = mapped_column(Integer, default=0)  # of them, working online


def _cell_deltas(row: str, sign: str, levels: str, level: str) -> str:
    """SELECT one (level, y, x, leaders, online) change per level for OLD or NEW."""
    return (f"SELECT {level} AS level, {row}.cell_y >> ({FINEST} - {level}) AS y, "
            f"{row}.cell_x >> ({FINEST} - {level}) AS x, {sign}1 AS leaders, "
            f"{sign}(CASE WHEN {row}.works_online THEN 1 ELSE 0 END) AS online FROM {levels} "
            f"WHERE {row}.searchable AND {row}.cell_y IS NOT NULL")


def _cell_upsert(parts: list[str], target: str) -> str:
    # Changes summed per cell and applied in key order: two moves never lock cells in
    # opposite orders, and a change that moves nobody writes nothing.
    return (f"INSERT INTO leader_cells {target}(level, y, x, leaders, online) "
            f"SELECT level, y, x, sum(leaders), sum(online) FROM ("
            + " UNION ALL ".join(parts) +
            ") AS deltas GROUP BY level, y, x "
            "HAVING sum(leaders) <> 0 OR sum(online) <> 0 ORDER BY level, y, x "
            "ON CONFLICT (level, y, x) DO UPDATE SET leaders = leader_cells.leaders + excluded.leaders, "
            "online = leader_cells.online + excluded.online")


_SQLITE_LEVELS = "(" + " UNION ALL ".join(f"SELECT {level} AS level" for level in range(FINEST + 1)) + ") AS levels"
_PG_LEVELS = f"generate_series(0, {FINEST}) AS levels (level)"

CELL_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER leader_cells_on_insert AFTER INSERT ON leader_profiles BEGIN "
        + _cell_upsert([_cell_deltas("NEW", "+", _SQLITE_LEVELS, "level")], "") + "; END",
        "CREATE TRIGGER leader_cells_on_delete AFTER DELETE ON leader_profiles BEGIN "
        + _cell_upsert([_cell_deltas("OLD", "-", _SQLITE_LEVELS, "level")], "") + "; END",
        "CREATE TRIGGER leader_cells_on_update AFTER UPDATE OF searchable, cell_y, cell_x, works_online "
        "ON leader_profiles BEGIN "
        + _cell_upsert([_cell_deltas("OLD", "-", _SQLITE_LEVELS, "level"),
                        _cell_deltas("NEW", "+", _SQLITE_LEVELS, "level")], "") + "; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION leader_cells_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        + _cell_upsert([_cell_deltas("NEW", "+", _PG_LEVELS, "level")], "") + "; "
        "ELSIF TG_OP = 'DELETE' THEN "
        + _cell_upsert([_cell_deltas("OLD", "-", _PG_LEVELS, "level")], "") + "; "
        "ELSE "
        + _cell_upsert([_cell_deltas("OLD", "-", _PG_LEVELS, "level"),
                        _cell_deltas("NEW", "+", _PG_LEVELS, "level")], "") + "; "
        "END IF; RETURN NULL; END $$",
        "CREATE TRIGGER leader_cells_sync AFTER INSERT OR DELETE OR UPDATE OF searchable, cell_y, cell_x, "
        "works_online ON leader_profiles FOR EACH ROW EXECUTE FUNCTION leader_cells_sync()",
    ],
}
DROP_CELL_TRIGGERS = {
    "sqlite": ["DROP TRIGGER IF EXISTS leader_cells_on_insert", "DROP TRIGGER IF EXISTS leader_cells_on_delete",
               "DROP TRIGGER IF EXISTS leader_cells_on_update"],
    "postgresql": ["DROP TRIGGER IF EXISTS leader_cells_sync ON leader_profiles",
                   "DROP FUNCTION IF EXISTS leader_cells_sync()"],
}


@event.listens_for(db.metadata, "after_create")
def _create_cell_triggers(_metadata, connection, tables=(), **_kwargs) -> None:
    """create_all (tests, `seed-demo` on a new file) makes the triggers the migration makes."""
    if not {"leader_profiles", "leader_cells"} <= {table.name for table in tables}:
        return
    for statement in CELL_TRIGGERS.get(connection.dialect.name, []):
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
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class ContactMessage(db.Model):
    """A record of a visitor contacting a leader, for per-sender rate limits and abuse review."""
    __tablename__ = "contact_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("leader_profiles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
