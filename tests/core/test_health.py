"""/healthz tells the truth: schema at the migration head, writes possible; no empty site."""
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from app import create_app
from app.config import ConfigError
from app.extensions import db
from tests.conftest import ON_POSTGRES, POSTGRES_URL, base_config, stamp_head


@pytest.fixture
def restamped(app):
    """These tests change alembic_version, which PostgreSQL keeps between tests: put it back."""
    yield
    with app.app_context():
        stamp_head(db.engine)


def test_a_schema_behind_the_migrations_is_not_healthy(app, client, restamped):
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '5b1e2c7d9a40'"))
        db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    report = response.get_json()
    assert report["status"] == "error" and report["database"] == "ok"
    assert report["schema"].startswith("at 5b1e2c7d9a40, expected ")


def test_a_database_without_the_schema_is_not_healthy(app, client, restamped):
    with app.app_context():
        db.session.execute(text("DROP TABLE alembic_version"))
        db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["schema"] == "missing: run flask db upgrade"


def test_a_read_only_database_is_not_healthy(app, tmp_path):
    if ON_POSTGRES:  # a standby, or a database set to read-only
        url = POSTGRES_URL + "?options=-c%20default_transaction_read_only%3Don"
    else:  # a file on a read-only volume
        path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    read_only = create_app(base_config(tmp_path, DATABASE_URL=url))
    response = read_only.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["writable"] is False
    with read_only.app_context():
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_the_app_refuses_to_start_on_a_missing_sqlite_file(tmp_path):
    missing = tmp_path / "volume-not-mounted" / "leaders.sqlite3"
    with pytest.raises(ConfigError, match="does not exist"):
        create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{missing}", CREATE_DATABASE=False))
    assert not missing.exists()


@pytest.mark.sqlite_only
def test_flask_db_upgrade_creates_the_missing_file_and_then_the_site_starts(tmp_path):
    database = tmp_path / "new.sqlite3"
    env = {**os.environ, "LEADERS_DATABASE_URL": f"sqlite:///{database}",
           "LEADERS_SECRET_KEY": "x" * 40}
    env.pop("LEADERS_CREATE_DATABASE", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    refused = subprocess.run([*flask, "users", "--help"], env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "does not exist" in refused.stderr + refused.stdout
    assert not database.exists()
    made = subprocess.run([*flask, "db", "upgrade"], env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    app = create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{database}", CREATE_DATABASE=False))
    assert app.test_client().get("/healthz").get_json()["status"] == "ok"
