"""Configuration: defaults here, then instance/config.py, then LEADERS_* variables."""
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import Flask

from app.urls import host_name

MIN_SECRET_KEY_LENGTH = 32
DEVELOPMENT_SITE_URL = "http://127.0.0.1:5000"
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

log = logging.getLogger(__name__)


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app must not start."""


def defaults(instance_path: str) -> dict:
    database = Path(instance_path) / "leaders.sqlite3"
    return {
        "ENV": "development",
        "SITE_NAME": "Leaders Network",
        # The public address links in mail, feeds and the API are built from; required in
        # production (development: DEVELOPMENT_SITE_URL).
        "SITE_URL": None,
        # Host names requests may carry (Host, or X-Forwarded-Host with PROXY_FIX); others
        # answer 400. Unset: SITE_URL's host, plus LOCAL_HOSTS in development.
        "ALLOWED_HOSTS": None,
        "DATABASE_URL": f"sqlite:///{database}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Uploads: a 5 MB photo plus form overhead; larger bodies answer 413.
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        "EMAIL_VERIFY_MAX_AGE": 60 * 60 * 24 * 3,
        "PASSWORD_RESET_MAX_AGE": 60 * 60,
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_TIMEOUT": 10,
        "MAIL_FROM": "Leaders Network <no-reply@leaders.example>",
        "MAIL_MAX_ATTEMPTS": 6,
        # Seconds a worker may hold a message it is sending; after that the claim has
        # expired (the worker died) and the message is tried again.
        "MAIL_CLAIM_LEASE": 300,
        "MAIL_DELIVER_AFTER_REQUEST": True,
        # memory:// counts in each worker's own memory, so N workers let N times every limit
        # through: production with more than one worker needs a shared store (redis://...).
        "RATELIMIT_STORAGE_URI": "memory://",
        # While that store is unreachable each worker counts alone, instead of every limited
        # page answering 500; Flask-Limiter logs it and goes back to the store when it answers.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # How many worker processes serve the app: gunicorn.conf.py passes it on as
        # LEADERS_WORKERS; None when nothing says.
        "WORKERS": None,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
        "RESET_RATE_LIMIT": "5 per 15 minutes",
        "REGISTER_RATE_LIMIT": "10 per hour",
        # Messages one person may post in the forum: (how many, in how many minutes); past it
        # the form comes back with its text and says when to send it again.
        "FORUM_PACE": [(8, 10), (40, 60)],
        # The ceiling on posting requests (Flask-Limiter), far above anyone's pace.
        "FORUM_POST_RATE_LIMIT": "30 per minute;300 per hour",
        # Per person, "Message the attendees" requests (a ceiling above the 3 a gathering and
        # 10 a host a day the service counts).
        "GATHERING_MESSAGE_RATE_LIMIT": "20 per hour",
        "PROXY_FIX": 0,
        "CSP_IMG_SRC": ["'self'", "data:"],
        "CSP_SCRIPT_SRC": ["'self'"],
        "CSP_STYLE_SRC": ["'self'"],
        "CSP_CONNECT_SRC": ["'self'"],
        "LOG_LEVEL": "INFO",
        "GEOCODER": "offline",
        "NOMINATIM_USER_AGENT": "leaders-network (set LEADERS_NOMINATIM_USER_AGENT)",
        "MAP_TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "MAP_TILE_ATTRIBUTION": "© OpenStreetMap contributors",
        # Leaflet and its clustering plugin, copied from node_modules by `make assets`.
        "MAP_ASSETS_PATH": "vendor",
        "API_RATE_LIMIT": "300 per minute",
        "SEARCH_RATE_LIMIT": "120 per minute",
        # Lets the benchmark compare against a full scan with ?_scan=1; never in production.
        "SEARCH_FULL_SCAN_PARAM": False,
        # A radius search with more than this many leaders per km of radius in the 1° cells
        # around it counts leaders by grid cells (leader_cells) instead of reading every
        # point: reading grows with the leaders, counting with the circle's edge. Both are exact.
        "SEARCH_CELLS_PER_KM": 40,
        "UPLOAD_FOLDER": str(Path(instance_path) / "uploads"),
        # Which store keeps the uploads (app/storage.py STORES); "local" is UPLOAD_FOLDER.
        "UPLOAD_STORAGE": "local",
        "DEMO_BANNER": True,
    }


def load(app: Flask, test_config: dict | None) -> None:
    """Fill app.config in the documented order and refuse unsafe production settings."""
    app.config.from_mapping(defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("LEADERS")
    else:
        app.config.from_mapping(test_config)

    production = app.config["ENV"] == "production"
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_uri(app.config["DATABASE_URL"]))
    _ensure_secret_key(app, production)
    _ensure_site_url(app, production)
    _settle_allowed_hosts(app, production)
    _check_rate_limit_store(app, production)
    if production and app.debug:
        raise ConfigError("Debug mode must be off in production (unset LEADERS_DEBUG / FLASK_DEBUG).")


def database_uri(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs written the short way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _ensure_site_url(app: Flask, production: bool) -> None:
    url = app.config.get("SITE_URL")
    if not url:
        if production:
            raise ConfigError("Set LEADERS_SITE_URL to the site's public address (e.g. "
                              "https://leaders.example) before starting in production: "
                              "links in mail are built from it.")
        url = DEVELOPMENT_SITE_URL
    url = str(url).strip().rstrip("/")
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not host_name(parts.netloc)
            or parts.query or parts.fragment):
        raise ConfigError(f"LEADERS_SITE_URL must look like https://host[:port][/path], "
                          f"not {url!r}.")
    app.config["SITE_URL"] = url


def _settle_allowed_hosts(app: Flask, production: bool) -> None:
    hosts = app.config.get("ALLOWED_HOSTS")
    if hosts is None:
        hosts = [] if production else LOCAL_HOSTS
    elif isinstance(hosts, str):  # LEADERS_ALLOWED_HOSTS=a.example,b.example
        hosts = hosts.split(",")
    if not isinstance(hosts, (list, tuple)) or not all(isinstance(h, str) for h in hosts):
        raise ConfigError('LEADERS_ALLOWED_HOSTS must be a list of host names, '
                          'e.g. ["leaders.example","www.leaders.example"].')
    names = [host_name(host) for host in hosts if host.strip()]
    if not all(names):
        raise ConfigError(f"LEADERS_ALLOWED_HOSTS holds something that is not a host name: "
                          f"{list(hosts)!r}.")
    # SITE_URL's own host always answers: mail links point there.
    site_host = host_name(urlsplit(app.config["SITE_URL"]).netloc)
    app.config["ALLOWED_HOSTS"] = list(dict.fromkeys([site_host, *names]))


def _check_rate_limit_store(app: Flask, production: bool) -> None:
    """Refuse per-worker rate limits in production when there are several workers; warn
    when the number of workers is not known."""
    if (not production or not app.config.get("RATELIMIT_ENABLED", True)
            or not str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://")):
        return
    if click.get_current_context(silent=True) is not None:
        return  # a flask command answers no requests
    workers = app.config.get("WORKERS")
    try:
        workers = None if workers in (None, "") else int(workers)
    except (TypeError, ValueError):
        raise ConfigError(f"LEADERS_WORKERS must be a number of worker processes, "
                          f"not {workers!r}.") from None
    if workers is not None and workers > 1:
        raise ConfigError(
            f"Rate limits are kept in each worker's memory (LEADERS_RATELIMIT_STORAGE_URI="
            f"memory://), so {workers} workers would let {workers} times every limit through. "
            "Set LEADERS_RATELIMIT_STORAGE_URI to a store they share, e.g. redis://localhost:6379, "
            "or run one worker (LEADERS_WORKERS=1).")
    if workers is None:
        log.warning(
            "RATE LIMITS ARE NOT SHARED: they are kept in this process's memory "
            "(LEADERS_RATELIMIT_STORAGE_URI=memory://) and the number of worker processes is "
            "unknown; with N workers N times every limit gets through. Set "
            "LEADERS_RATELIMIT_STORAGE_URI=redis://localhost:6379 (or say LEADERS_WORKERS=1 "
            "when one process serves the site).")


def _ensure_secret_key(app: Flask, production: bool) -> None:
    key = app.config.get("SECRET_KEY")
    if production:
        if not key or len(str(key)) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"Set LEADERS_SECRET_KEY to a random value of at least {MIN_SECRET_KEY_LENGTH} "
                "characters before starting in production."
            )
        return
    if key:
        return
    # Development: one random key, generated once and kept beside the database.
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    app.config["SECRET_KEY"] = path.read_text().strip()
