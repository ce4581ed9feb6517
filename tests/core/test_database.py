"""The database for real: migrations match the models; SQLite copes with several workers."""
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, text

import tests.conftest as fixtures
from app import create_app
from app.extensions import db
from app.models.accounts import User
from tests.conftest import ON_POSTGRES, base_config, free_port


def test_migrations_upgrade_an_empty_database_to_match_the_models(tmp_path):
    app = create_app(base_config(tmp_path, DATABASE_URL=base_config(tmp_path)["DATABASE_URL"]))
    with app.app_context():
        if ON_POSTGRES:
            db.drop_all()
            db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
            fixtures._schema_ready = False  # the next test builds its tables again
        assert inspect(db.engine).get_table_names() == []
        upgrade()
        with db.engine.connect() as connection:
            # As `flask db migrate` compares them (a full-text index's own storage left out).
            options = {"include_object": app.extensions["migrate"].configure_args["include_object"]}
            differences = compare_metadata(MigrationContext.configure(connection, opts=options),
                                           db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
        # Triggers are not in the metadata: the migration must make the ones create_all makes.
        triggers = ("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal" if ON_POSTGRES
                    else "SELECT name FROM sqlite_master WHERE type = 'trigger'")
        made = set(db.session.execute(text(triggers)).scalars())
        assert made == ({"leader_counts_sync", "profile_tags_sync", "profile_tags_rename",
                         "leader_profiles_search_vector", "leader_profiles_languages_vector",
                         "forum_posts_search_vector", "forum_posts_changed", "forum_threads_changed",
                         "alert_arrivals_leader", "alert_arrivals_gathering"} if ON_POSTGRES else
                        {"leader_counts_on_insert", "leader_counts_on_update", "leader_counts_on_delete",
                         "profile_tags_on_insert", "profile_tags_on_delete", "profile_tags_on_rename",
                         "leader_profiles_fts_on_insert", "leader_profiles_fts_on_delete",
                         "leader_profiles_fts_on_update", "leader_profiles_languages_fts_on_insert",
                         "leader_profiles_languages_fts_on_delete", "leader_profiles_languages_fts_on_update",
                         "forum_posts_fts_on_insert", "forum_posts_fts_on_delete", "forum_posts_fts_on_update",
                         "forum_posts_changed_on_insert", "forum_posts_changed_on_update",
                         "forum_posts_changed_on_delete", "forum_threads_changed",
                         "alert_arrivals_leader_insert", "alert_arrivals_leader_update",
                         "alert_arrivals_gathering_insert", "alert_arrivals_gathering_update"})
        if ON_POSTGRES:
            db.drop_all()
            db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


@pytest.mark.sqlite_only
def test_two_gunicorn_workers_write_at_once_without_database_is_locked(tmp_path):
    database = tmp_path / "workers.sqlite3"
    port = free_port()
    env = {**os.environ, "LEADERS_DATABASE_URL": f"sqlite:///{database}",
           "LEADERS_SECRET_KEY": "s" * 40, "LEADERS_WTF_CSRF_ENABLED": "false",
           "LEADERS_LOGIN_RATE_LIMIT": '"1000 per minute"',
           "LEADERS_REGISTER_RATE_LIMIT": '"1000 per minute"'}
    env.pop("LEADERS_TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run(flask + ["db", "upgrade"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)

        def register(number):
            data = urllib.parse.urlencode({
                "display_name": f"Writer {number}", "email": f"writer{number}@example.com",
                "password": "tangerine glacier puzzle"}).encode()
            request = urllib.request.Request(base + "/register", data=data)
            opener = urllib.request.build_opener(NoRedirect)
            try:
                return opener.open(request, timeout=30).status
            except urllib.error.HTTPError as error:
                return error.code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(register, range(24)))
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert statuses == [302] * 24, statuses
    assert "database is locked" not in output
    app = create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{database}"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 24


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
