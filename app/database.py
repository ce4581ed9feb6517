"""Writes that stay correct when two requests race: unique inserts, get-or-create, row locks."""
from collections.abc import Callable
from typing import TypeVar

from flask import g, has_app_context
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from app.extensions import db

T = TypeVar("T")


def insert_unique(row) -> bool:
    """Add and flush `row` in a savepoint; False (and the row left out) if a unique value is
    already taken, perhaps by a request that committed a moment ago."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def get_or_create(model: type[T], create: Callable[[], T], *, missing: bool = False, **lookup) -> T:
    """The row of `model` matching `lookup`, made from `create()` if there is none yet
    (missing: the caller has just looked and found none, so the insert is tried at once).

    Two requests asking for the same new row at once both get the one that was stored:
    the insert is INSERT ... ON CONFLICT DO NOTHING, and it flushes nothing else in the
    session (a savepoint would flush, and so bump, every changed versioned row).
    """
    with db.session.no_autoflush:
        found = None if missing else db.session.scalar(select(model).filter_by(**lookup))
        if found is not None:
            return _hold(found)
        row = create()
        table = model.__table__
        values = {column.name: getattr(row, prop.key)
                  for prop in model.__mapper__.column_attrs for column in prop.columns
                  if column.table is table and getattr(row, prop.key) is not None}
        insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(table).values(**values).on_conflict_do_nothing())
        found = db.session.scalar(select(model).filter_by(**lookup))
    if found is None:  # the clash was on another unique column: not ours to paper over
        raise LookupError(f"{model.__name__} {lookup} clashes with another row")
    return _hold(found)


def get_held(model: type[T], key) -> T | None:
    """db.session.get, the row (if any) held until the request ends: the session keeps a row it
    loaded only while something refers to it, so a row read in several places of a request
    (a person's forum row, their follow of a thread) would be read again each time."""
    found = db.session.get(model, key)
    return _hold(found) if found is not None else None


def _hold(row: T) -> T:
    if has_app_context():
        g.setdefault("held_rows", set()).add(row)
    return row


def writes_on_get(when: Callable[[], bool]):
    """Marks a page that writes while answering GET, when `when()` says so for this request (a
    thread page remembers what a logged-in reader has seen): on SQLite its transaction takes
    the write lock up front (BEGIN IMMEDIATE, see app.factory), as a form's does, instead of
    failing with "database is locked" when it tries to write after another request did."""
    def mark(view):
        view.writes_on_get = when
        return view
    return mark


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session loaded: for a page that has drawn hundreds of
    rows and will not read them again (expiring them all costs milliseconds)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def lock_row(model, row_id: int, *columns):
    """Hold `row_id` until the transaction ends, so check-then-write rules about it run one at
    a time (PostgreSQL's FOR UPDATE; SQLite's write transactions already run one at a time).
    columns: read them afresh in the same statement; their values are returned (None when the
    row is gone)."""
    return db.session.execute(select(*(columns or (model.id,))).where(model.id == row_id)
                              .with_for_update()).first()
