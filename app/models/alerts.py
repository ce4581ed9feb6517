"""Alerts: saved searches for leaders or gatherings near a place, the grid cells each one is
filed under, the queue of items that newly became public, what each alert found and when each
person's alert mail is due.

An item (a leader whose public point appeared or moved, a gathering just published) is written
to alert_arrivals by database triggers (ARRIVAL_TRIGGERS), so every way a profile or a
gathering changes is seen; `flask alerts send` reads the queue, looks up only the alerts filed
under the item's own grid cells (alert_cells), measures, and journals the matches.
"""
import enum
from datetime import datetime

from sqlalchemy import (Boolean, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint, event)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow, value_enum


class AlertKind(enum.StrEnum):
    LEADERS = "leaders"
    GATHERINGS = "gatherings"

    @property
    def item(self) -> str:
        """The item kind its matches name: "leader" or "gathering"."""
        return "leader" if self is AlertKind.LEADERS else "gathering"


class Frequency(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


# alert_cells.cell of the alerts that want online items wherever they are (leaders who work
# online, online gatherings): an online item looks this cell up beside its own.
ONLINE_CELL = -1


class Alert(db.Model):
    """One saved search: a kind, a place (its point and name, as the search used them), a radius
    and the search's filters. lat/lng are None only for online gatherings anywhere."""
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AlertKind] = mapped_column(value_enum(AlertKind))
    place_name: Mapped[str] = mapped_column(String(200), default="")  # "Lyon, France", "your location"
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    radius: Mapped[float] = mapped_column(Float, default=50)  # as typed, in `unit`
    unit: Mapped[str] = mapped_column(String(2), default="km")  # distances are shown in it, as the search did
    radius_km: Mapped[float] = mapped_column(Float, default=50)
    focus_area: Mapped[str] = mapped_column(String(60), default="")  # FocusArea.slug
    language: Mapped[str] = mapped_column(String(40), default="")
    program: Mapped[str] = mapped_column(String(100), default="")  # leaders: Program.slug
    mode: Mapped[str] = mapped_column(String(16), default="")  # gatherings: "", "online", "in_person"
    online: Mapped[bool] = mapped_column(Boolean, default=False)  # and online ones wherever they are
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    emails: Mapped[bool] = mapped_column(Boolean, default=True)  # False: its one-click link was used
    # The secret part of its Atom feed's address.
    feed_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Arrivals up to this id were queued before the alert was saved: not new to it.
    since_arrival: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_mailed_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User")

    @property
    def paused(self) -> bool:
        return self.paused_at is not None


class AlertCell(db.Model):
    """A grid cell (app/geo/cells.py, one level per alert, cell_key() of it) its circle touches,
    or ONLINE_CELL: an item reads the alerts of its own cells at every level, never all of them."""
    __tablename__ = "alert_cells"
    __table_args__ = (
        Index("ix_alert_cells_alert", "alert_id"),
        {"sqlite_with_rowid": False},
    )

    kind: Mapped[AlertKind] = mapped_column(value_enum(AlertKind), primary_key=True)
    cell: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)


class AlertMatch(db.Model):
    """The journal: an item one alert found, once (unique per alert and item), and when it went
    out in the person's mail (None: waiting for their next one)."""
    __tablename__ = "alert_matches"
    __table_args__ = (
        UniqueConstraint("alert_id", "item_kind", "item_id", name="uq_alert_matches_once"),
        # The person's next mail: each alert's matches not sent yet.
        Index("ix_alert_matches_unsent", "alert_id", "sent_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    item_kind: Mapped[str] = mapped_column(String(16))  # "leader" (a profile id) or "gathering"
    item_id: Mapped[int] = mapped_column(Integer)
    matched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class AlertArrival(db.Model):
    """The queue of items that may be new to some alert, written by ARRIVAL_TRIGGERS: a leader
    made public or whose public point moved (with where they were public before, if they
    were), a gathering published. `flask alerts send` empties it."""
    __tablename__ = "alert_arrivals"
    # AUTOINCREMENT: ids are never used twice, even once the queue is empty (since_arrival).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(Integer)
    old_lat: Mapped[float | None] = mapped_column(Float)  # the public point before, when searchable
    old_lng: Mapped[float | None] = mapped_column(Float)
    old_online: Mapped[bool] = mapped_column(Boolean, default=False)  # listed as working online before


class AlertSchedule(db.Model):
    """When a person's alert mail comes: daily at an hour, or weekly on a weekday at an hour, in
    their own time zone (User.time_zone, else UTC). next_due_at (naive UTC) lets cron read only
    the people due; sent_for is the period last sent ("2026-03-10", "2026-W11"), claimed once."""
    __tablename__ = "alert_schedules"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    frequency: Mapped[Frequency] = mapped_column(value_enum(Frequency), default=Frequency.DAILY)
    hour: Mapped[int] = mapped_column(Integer, default=8)
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 Monday .. 6 Sunday
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    sent_for: Mapped[str] = mapped_column(String(16), default="", server_default="")


# The triggers that fill alert_arrivals. Only while some alert of the kind exists (a site
# without alerts writes nothing). A leader counts when searchable with a public point or
# working online, and newly so: inserted, made searchable again, their public point moved,
# or starting to work online. Their private lat/lng are never watched, so not even the time
# of a change to them reaches an alert. A gathering counts when published and not a
# partnership's private one. Note for migrations: SQLite's batch mode rebuilds a table without
# its triggers; create these again after altering leader_profiles or gatherings that way.
_LEADER_SHOWN = "NEW.searchable AND ((NEW.public_lat IS NOT NULL AND NEW.public_lng IS NOT NULL) OR NEW.works_online)"
_LEADERS_WANTED = "EXISTS (SELECT 1 FROM alerts WHERE kind = 'leaders')"
_GATHERINGS_WANTED = "EXISTS (SELECT 1 FROM alerts WHERE kind = 'gatherings')"
_GATHERING_SHOWN = "NEW.state = 'published' AND NEW.partnership_id IS NULL"
_INSERT_ARRIVAL = "INSERT INTO alert_arrivals (item_kind, item_id, old_lat, old_lng, old_online) "
_OLD_STATE = ("CASE WHEN OLD.searchable THEN OLD.public_lat END, CASE WHEN OLD.searchable THEN OLD.public_lng END, "
              "CASE WHEN OLD.searchable AND OLD.works_online THEN {true} ELSE {false} END")


def _moved(distinct: str) -> str:
    return (f"(NOT OLD.searchable OR OLD.public_lat {distinct} NEW.public_lat OR OLD.public_lng {distinct} "
            "NEW.public_lng OR (NEW.works_online AND NOT OLD.works_online))")


ARRIVAL_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER alert_arrivals_leader_insert AFTER INSERT ON leader_profiles "
        f"WHEN {_LEADER_SHOWN} AND {_LEADERS_WANTED} "
        f"BEGIN {_INSERT_ARRIVAL}VALUES ('leader', NEW.id, NULL, NULL, 0); END",
        "CREATE TRIGGER alert_arrivals_leader_update AFTER UPDATE OF searchable, public_lat, public_lng, "
        f"works_online ON leader_profiles WHEN {_LEADER_SHOWN} AND {_moved('IS NOT')} AND {_LEADERS_WANTED} "
        f"BEGIN {_INSERT_ARRIVAL}SELECT 'leader', NEW.id, {_OLD_STATE.format(true=1, false=0)}; END",
        "CREATE TRIGGER alert_arrivals_gathering_insert AFTER INSERT ON gatherings "
        f"WHEN {_GATHERING_SHOWN} AND {_GATHERINGS_WANTED} "
        f"BEGIN {_INSERT_ARRIVAL}VALUES ('gathering', NEW.id, NULL, NULL, 0); END",
        "CREATE TRIGGER alert_arrivals_gathering_update AFTER UPDATE OF state, partnership_id ON gatherings "
        f"WHEN {_GATHERING_SHOWN} AND (OLD.state <> 'published' OR OLD.partnership_id IS NOT NULL) "
        f"AND {_GATHERINGS_WANTED} "
        f"BEGIN {_INSERT_ARRIVAL}VALUES ('gathering', NEW.id, NULL, NULL, 0); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION alert_arrivals_leader() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF NOT ({_LEADER_SHOWN}) OR NOT {_LEADERS_WANTED} THEN RETURN NULL; END IF; "
        f"IF TG_OP = 'INSERT' THEN {_INSERT_ARRIVAL}VALUES ('leader', NEW.id, NULL, NULL, false); "
        f"ELSIF {_moved('IS DISTINCT FROM')} THEN "
        f"{_INSERT_ARRIVAL}SELECT 'leader', NEW.id, {_OLD_STATE.format(true='true', false='false')}; "
        "END IF; RETURN NULL; END $$",
        "CREATE TRIGGER alert_arrivals_leader AFTER INSERT OR UPDATE OF searchable, public_lat, public_lng, "
        "works_online ON leader_profiles FOR EACH ROW EXECUTE FUNCTION alert_arrivals_leader()",
        "CREATE OR REPLACE FUNCTION alert_arrivals_gathering() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF NOT ({_GATHERING_SHOWN}) OR NOT {_GATHERINGS_WANTED} THEN RETURN NULL; END IF; "
        f"IF TG_OP = 'INSERT' THEN {_INSERT_ARRIVAL}VALUES ('gathering', NEW.id, NULL, NULL, false); "
        "ELSIF OLD.state <> 'published' OR OLD.partnership_id IS NOT NULL THEN "
        f"{_INSERT_ARRIVAL}VALUES ('gathering', NEW.id, NULL, NULL, false); "
        "END IF; RETURN NULL; END $$",
        "CREATE TRIGGER alert_arrivals_gathering AFTER INSERT OR UPDATE OF state, partnership_id "
        "ON gatherings FOR EACH ROW EXECUTE FUNCTION alert_arrivals_gathering()",
    ],
}


@event.listens_for(db.metadata, "after_create")
def _create_arrival_triggers(_metadata, connection, tables=(), **_kwargs) -> None:
    """create_all (tests, `seed-demo` on a new file) makes the triggers the migration makes."""
    if not {"leader_profiles", "gatherings", "alerts", "alert_arrivals"} <= {table.name for table in tables}:
        return
    for statement in ARRIVAL_TRIGGERS.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)
