"""Migrations keep every row: down one revision at a time to the first, and back up to head."""
import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app import create_app, features
from app.extensions import db, migrate
from app.geo.gazetteer import load_gazetteer
from app.models.accounts import User
from app.models.directory import ContactMessage, LeaderProfile
from tests.conftest import ON_POSTGRES, POSTGRES_URL, base_config

# A few countries' towns: the gazetteer's tables have rows to keep, and the run stays short.
GAZETTEER_COUNTRIES = ["IS", "NZ", "GH"]
MUST_HAVE_ROWS = ["users", "leader_profiles", "focus_areas", "programs", "profile_focus_areas",
                  "profile_programs", "contact_messages", "geo_places", "geo_place_names",
                  "leader_cells", "leader_points", "proposals", "forum_posts", "forum_flags",
                  "forum_appreciations"]


@pytest.fixture
def empty_database_url(tmp_path):
    """SQLite: a new file. PostgreSQL: a database of its own, never the shared test database."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = make_url(POSTGRES_URL)
    name = f"{url.database}_migrations"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


@pytest.fixture
def migrated_app(tmp_path, empty_database_url):
    app = create_app(base_config(tmp_path, DATABASE_URL=empty_database_url))
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def revisions_first_to_head() -> list[str]:
    """Every revision in order, read from the migrations folder (so new ones are covered too)."""
    script = ScriptDirectory.from_config(migrate.get_config())
    assert len(script.get_heads()) == 1, f"the migrations have several heads: {script.get_heads()}"
    revisions = [found.revision for found in script.walk_revisions()][::-1]
    assert len(revisions) >= 2
    return revisions


def load_demo_data() -> None:
    """The gazetteer and the demo, as `flask geo load` and `flask seed-demo` would, and a few messages."""
    load_gazetteer(db.session, min_population=15000, countries=GAZETTEER_COUNTRIES, include_postal=False)
    features.seed_demo(2026)
    sender = db.session.scalar(select(User).where(User.email == "member@demo.leaders.example"))
    profiles = db.session.scalars(select(LeaderProfile.id).order_by(LeaderProfile.id).limit(5)).all()
    db.session.add_all(ContactMessage(sender_id=sender.id, profile_id=profile) for profile in profiles)
    db.session.commit()
    db.session.remove()


def snapshot() -> dict[str, tuple[list[str], list[tuple]]]:
    """Each table's columns and all its rows, on a connection closed before the next step."""
    tables = {}
    with db.engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            # FTS5's own storage: a rebuilt index holds the same words in other segments.
            if name == "alembic_version" or name.endswith(("_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")):
                continue
            columns = [column["name"] for column in inspect(connection).get_columns(name)]
            quoted = ", ".join(f'"{column}"' for column in columns)
            rows = [tuple(row) for row in connection.execute(text(f'SELECT {quoted} FROM "{name}"'))]
            tables[name] = (columns, rows)
    return tables


def kept(before: dict, after: dict, step: str) -> list[str]:
    """What the step lost or changed in the tables it kept, in the columns they kept."""
    problems = []
    for name in sorted(before.keys() & after.keys()):
        (old_columns, old_rows), (new_columns, new_rows) = before[name], after[name]
        shared = [column for column in old_columns if column in new_columns]
        problems += compare(name, project(old_rows, old_columns, shared),
                            project(new_rows, new_columns, shared), step)
    return problems


# Steps whose downgrade drops a column that only points into a table the same step drops, so
# no upgrade can give it back: (revision, table) pairs whose rows may come back with it reset.
# 7a67c013d733: gatherings.partnership_id and forum_categories.private name partnerships.
RESET_BY_DOWNGRADE = {("7a67c013d733", "gatherings"), ("7a67c013d733", "forum_categories")}


def restored(before: dict, after: dict, step: str, dropped: set = frozenset()) -> list[str]:
    """After a step down and back up: every table and column as before, derived ones included.

    A table in dropped (the step down dropped it) may come back empty instead: its rows went with it.
    """
    problems = []
    for name in sorted(before.keys() | after.keys()):
        if name not in before or name not in after:
            problems.append(f"{step}: table {name} {'is gone' if name in before else 'is new'}")
        elif name in dropped and not after[name][1]:
            continue
        elif (step.split()[1], name) in RESET_BY_DOWNGRADE:
            if len(before[name][1]) != len(after[name][1]):
                problems.append(f"{step}: {name} had {len(before[name][1])} rows, has {len(after[name][1])}")
        elif before[name][0] != after[name][0]:
            problems.append(f"{step}: {name} has columns {after[name][0]}, had {before[name][0]}")
        else:
            old, new = (sorted(rows, key=repr) for rows in (before[name][1], after[name][1]))
            problems += compare(name, old, new, step)
    return problems


def compare(name: str, old: list[tuple], new: list[tuple], step: str) -> list[str]:
    if len(old) != len(new):
        return [f"{step}: {name} had {len(old)} rows, has {len(new)}"]
    if old != new:
        changed = [row for row in old if row not in new]
        return [f"{step}: {name} has {len(changed)} rows changed, e.g. {changed[0]!r:.400}"]
    return []


def project(rows: list[tuple], columns: list[str], shared: list[str]) -> list[tuple]:
    picks = [columns.index(column) for column in shared]
    return sorted((tuple(row[pick] for pick in picks) for row in rows), key=repr)


def test_each_step_down_and_back_up_keeps_every_row(migrated_app):
    load_demo_data()
    head = snapshot()
    empty = [name for name in MUST_HAVE_ROWS if not head[name][1]]
    assert empty == [], f"the demo data left these tables empty, so the test would prove nothing: {empty}"

    revisions = revisions_first_to_head()
    problems = []
    current, always_there = head, set(head)
    # Down one revision at a time to the first; at each, also back up once: the upgrade's
    # backfills must give back exactly what was there.
    for revision, below in zip(revisions[::-1], revisions[-2::-1]):
        downgrade(revision=below)
        lower = snapshot()
        problems += kept(current, lower, f"downgrade {revision} -> {below}")
        upgrade(revision=revision)
        problems += restored(current, snapshot(), f"downgrade {revision} -> {below} and upgrade again",
                             dropped=current.keys() - lower.keys())
        downgrade(revision=below)
        current, always_there = lower, always_there & set(lower)
    # Then up one revision at a time to head.
    for below, revision in zip(revisions, revisions[1:]):
        upgrade(revision=revision)
        higher = snapshot()
        problems += kept(current, higher, f"upgrade {below} -> {revision}")
        current = higher
    # Tables that were there all along come back exactly, derived columns included.
    problems += restored({name: head[name] for name in always_there},
                         {name: current[name] for name in always_there},
                         f"down to {revisions[0]} and back up to {revisions[-1]}")
    assert problems == [], "\n".join(problems)
    if not ON_POSTGRES:
        # The migrations' pooled connection went back with foreign keys enforced again.
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.sqlite_only
def test_a_migration_leaving_broken_references_is_refused_and_rolled_back(migrated_app, capsys):
    load_demo_data()
    revisions = revisions_first_to_head()
    downgrade(revision=revisions[-2])
    # A row pointing at no leader, as a careless data migration might leave behind.
    with db.engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("INSERT INTO contact_messages (sender_id, profile_id, created_at) "
                    "VALUES (1, 999999, '2026-01-01 00:00:00')")
        raw.execute("PRAGMA foreign_keys=ON")

    with pytest.raises(SystemExit):
        upgrade()
    # Alembic's logging (migrations/alembic.ini) tells the operator on stderr.
    told = capsys.readouterr().err
    assert "foreign_key_check" in told
    assert "contact_messages rowid 6: profile_id=999999 -> no such row in leader_profiles" in told
    with db.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == revisions[-2], "the refused upgrade was not rolled back"
        assert connection.execute(select(func.count()).select_from(ContactMessage.__table__)).scalar() == 6


def test_no_migration_imports_the_live_application():
    # A migration must do tomorrow what it did the day it was written: code it needs is frozen in it.
    import ast
    from pathlib import Path
    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    offenders = []
    for path in sorted(versions.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {name}" for name in names if name == "app" or name.startswith("app.")]
    assert offenders == []
