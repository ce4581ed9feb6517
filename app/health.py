"""What /healthz checks: the database answers, its schema is at the migration head, and a
write transaction can begin (a read-only file or a standby is not healthy)."""
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def head_revisions() -> set[str]:
    """The migration heads, read from migrations/ once per process."""
    heads = current_app.extensions.get("health_heads")
    if heads is None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        heads = current_app.extensions["health_heads"] = set(ScriptDirectory.from_config(config).get_heads())
    return heads


def check() -> tuple[bool, dict]:
    """(healthy, report); the report keeps the keys "status" and "database"."""
    heads = head_revisions()
    try:
        with db.engine.connect() as connection:
            try:
                revisions = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
            except DBAPIError:
                connection.rollback()
                revisions = None
            else:
                connection.rollback()
            writable = _can_write(connection)
    except DBAPIError:
        return False, {"status": "error", "database": "unreachable"}
    if revisions is None:
        schema = "missing: run flask db upgrade"
    elif revisions == heads:
        schema = "current"
    else:
        schema = f"at {', '.join(sorted(revisions)) or 'nothing'}, expected {', '.join(sorted(heads))}"
    healthy = schema == "current" and writable
    return healthy, {"status": "ok" if healthy else "error", "database": "ok", "schema": schema,
                     "writable": writable}


def _can_write(connection) -> bool:
    try:
        if connection.dialect.name == "sqlite":
            # A write that changes nothing, rolled back at once: fails on a read-only file.
            connection.execution_options(sqlite_begin="BEGIN IMMEDIATE")
            connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
            return True
        return connection.scalar(text("SELECT current_setting('transaction_read_only')")) == "off"
    except DBAPIError:
        return False
    finally:
        connection.rollback()
