"""Leaders Network: the application factory."""
import logging.config
import sqlite3
import sys
from pathlib import Path

import click
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as app_config
from app import models, params, storage, urls
from app.extensions import csrf, db, limiter, login, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        "app",  # the package: its folder, instance folder and logger name
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app_config.load(app, test_config)
    storage.init_app(app)  # an unknown LEADERS_UPLOAD_STORAGE stops the start
    _refuse_a_missing_sqlite_file(app)
    _configure_logging(app)
    if app.config["PROXY_FIX"]:
        count = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    urls.init_app(app)  # unknown hosts answer 400 before any other hook runs
    params.init_app(app)  # before the blueprints: their <int:...> ids are bounded

    models.register()
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, directory=_migrations_dir(),
                     include_object=_in_the_models)
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    with app.app_context():
        _tune_sqlite(db.engine)

    from app import cli, errors, features, kept, mail, security
    from app.account.routes import bp as account_bp
    from app.admin.blueprint import bp as admin_bp
    from app.api.routes import bp as api_bp
    from app.auth.routes import bp as auth_bp
    from app.blog.routes import bp as blog_bp
    from app.directory.routes import bp as directory_bp
    from app.directory.search_routes import bp as search_bp
    from app import alerts, forum, gatherings, partnerships
    from app.editorial import routes as editorial
    from app.notifications import routes as notifications
    from app.pages import home
    from app.pages.routes import bp as pages_bp

    for blueprint in (pages_bp, auth_bp, account_bp, admin_bp, editorial.bp, blog_bp,
                      directory_bp, search_bp, api_bp):
        app.register_blueprint(blueprint)
    editorial.init_app(app)  # the editor queue count in the nav
    forum.init_app(app)
    gatherings.init_app(app)
    partnerships.init_app(app)
    alerts.init_app(app)
    home.init_app(app)  # the home page's view of the network
    # The site's kinds of notification, from the features that send them (app/features.py).
    notifications.init_app(app, features.notification_kinds())
    _allow_map_tiles(app)
    errors.init_app(app)
    kept.init_app(app)  # ?kept= draws a refused form filled again
    security.init_app(app)
    mail.init_app(app)
    cli.init_app(app)
    _template_helpers(app)
    return app


def _allow_map_tiles(app: Flask) -> None:
    """Let the map load tiles: add the tile server's origin (from MAP_TILE_URL) to img-src."""
    parts = urlsplit(app.config["MAP_TILE_URL"].replace("{s}", "*"))
    if parts.scheme and parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in app.config["CSP_IMG_SRC"]:
            app.config["CSP_IMG_SRC"] = [*app.config["CSP_IMG_SRC"], origin]


def _refuse_a_missing_sqlite_file(app: Flask) -> None:
    """A missing SQLite file means a volume that did not mount or a wrong path, not an empty
    site: refuse to start, unless `flask db upgrade` is creating the database."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    if url.database.startswith("file:") or Path(url.database).exists():
        return
    if app.config.get("CREATE_DATABASE") or _running_db_upgrade():
        return
    raise app_config.ConfigError(
        f"The SQLite database {url.database} does not exist. If this is a new site, create it "
        "with `flask --app wsgi db upgrade`; otherwise check LEADERS_DATABASE_URL and that its "
        "folder is mounted.")


def _running_db_upgrade() -> bool:
    args = sys.argv[1:]
    return (click.get_current_context(silent=True) is not None and "db" in args
            and "upgrade" in args[args.index("db"):])


def _migrations_dir() -> str:
    return str(Path(__file__).resolve().parent.parent / "migrations")


def _configure_logging(app: Flask) -> None:
    if app.testing:
        return
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                                "formatter": "plain"}},
        "root": {"level": app.config["LOG_LEVEL"], "handlers": ["stdout"]},
    })


def _init_login(app: Flask) -> None:
    from flask import g

    from app import kept
    from app.auth import sessions
    from app.auth.afterwards import after_response
    from app.models.base import utcnow

    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = "Log in to see that page."
    login.login_message_category = "info"
    login.session_protection = "basic"

    @login.user_loader
    def load_user(session_id: str):
        # "<user id>:<token>" from the session or remember-me cookie; a user_sessions row.
        user = sessions.load(session_id)
        if user is not None and sessions.needs_seen(user.current_session, utcnow()):
            g.session_seen = user.current_session.id
        return user

    # A form sent after the session ended comes back filled after logging in again.
    login.unauthorized_handler(kept.log_in_first)

    @app.after_request
    def record_last_seen(response):
        # At most every few minutes per session, and after the response, not before it.
        if "session_seen" in g:
            after_response(response, sessions.mark_seen, g.pop("session_seen"), utcnow())
        return response


def _tune_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE, so concurrent workers wait instead of failing."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:  # a read-only file: reads work, /healthz says no writes
            logging.getLogger(__name__).warning("SQLite database is read-only")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # Pages that only read (GET) keep WAL's concurrent readers; everything else takes
        # the write lock up front instead of failing to upgrade later. A connection may ask
        # for either with the execution option sqlite_begin ("BEGIN" or "BEGIN IMMEDIATE").
        chosen = connection.get_execution_options().get("sqlite_begin")
        reading = has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
        if reading:
            writes = getattr(current_app.view_functions.get(request.endpoint), "writes_on_get", None)
            reading = writes is None or not writes()
        connection.exec_driver_sql(chosen or ("BEGIN" if reading else "BEGIN IMMEDIATE"))


def _template_helpers(app: Flask) -> None:
    from app import permissions
    from app.forms import field_html

    app.jinja_env.globals.update(permissions.ALL)
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]
    app.jinja_env.globals["render_field_html"] = field_html


def _in_the_models(obj, name, type_, reflected, compare_to) -> bool:
    """What Alembic compares with the models: not a full-text index's own tables and columns,
    which its DDL makes (app/text/fulltext.py)."""
    from app.text.fulltext import is_index_storage
    return not is_index_storage(name, type_)
