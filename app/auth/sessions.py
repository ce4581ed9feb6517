"""Sessions kept on the server: each login is a user_sessions row that logging out deletes."""
import hashlib
import ipaddress
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, or_, select, update

from app.extensions import db
from app.models.accounts import User, UserSession
from app.models.base import utcnow

# last_seen_at is written at most this often per session, after the response.
SEEN_EVERY = timedelta(minutes=5)
# A session without "Keep me logged in" ends after this long without a visit.
IDLE_LIMIT = timedelta(days=2)
# Ids larger than the database's integers are nobody's.
_MAX_ID = 2**63 - 1


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _remember_for() -> timedelta:
    """How long a "Keep me logged in" session lasts without a visit: as long as its cookie."""
    duration = current_app.config["REMEMBER_COOKIE_DURATION"]
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def start(user: User, *, remember: bool, user_agent: str = "",
          address: str | None = None) -> UserSession:
    """A new session for `user`, bound to it so Flask-Login's get_id() names it; flushed."""
    # Sessions that ended by themselves go when their owner next logs in.
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id, _expired()))
    token = secrets.token_urlsafe(32)
    browser, platform = describe_device(user_agent)
    row = UserSession(user_id=user.id, token_hash=_hash(token), remember=remember,
                      browser=browser, platform=platform, network=network_of(address))
    db.session.add(row)
    db.session.flush()
    _bind(user, row, token)
    return row


# Read on every request of a logged-in person: built once, as building the statement and its
# cache key costs more than the database takes to answer it.
_SESSION_AND_USER = (
    select(UserSession, User).join(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == bindparam("token_hash"), UserSession.user_id == bindparam("user_id")))


def load(session_id: str) -> User | None:
    """The person a cookie's "<user id>:<token>" belongs to, if that session still exists."""
    user_id, _, token = session_id.partition(":")
    if not (user_id.isdecimal() and user_id.isascii() and len(user_id) < 19 and token):
        return None
    found = db.session.execute(_SESSION_AND_USER, {"token_hash": _hash(token), "user_id": int(user_id)}).first()
    if found is None:
        return None
    row, user = found
    if not user.active or _has_expired(row):
        return None
    _bind(user, row, token)
    return user


def needs_seen(row: UserSession, now: datetime) -> bool:
    return row.last_seen_at <= now - SEEN_EVERY


def mark_seen(session_id: int, now: datetime) -> None:
    """Record a visit; a no-op if another request recorded one a moment ago."""
    db.session.execute(update(UserSession)
                       .where(UserSession.id == session_id,
                              UserSession.last_seen_at <= now - SEEN_EVERY)
                       .values(last_seen_at=now)
                       .execution_options(synchronize_session=False))


def end(row: UserSession) -> None:
    # By id: the row may already be gone (ended from another device, or by a new password).
    db.session.execute(delete(UserSession).where(UserSession.id == row.id))


def of_user(user: User) -> list[UserSession]:
    """The person's sessions that still work, the most recently used first."""
    return list(db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, ~_expired())
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def find(user: User, session_id: int) -> UserSession | None:
    if not 0 < session_id <= _MAX_ID:
        return None
    return db.session.scalar(select(UserSession).where(UserSession.id == session_id,
                                                       UserSession.user_id == user.id))


def _bind(user: User, row: UserSession, token: str) -> None:
    user.current_session = row
    user.session_token = token


def _expired():
    now = utcnow()
    return or_(
        UserSession.remember.is_(True) & (UserSession.last_seen_at < now - _remember_for()),
        UserSession.remember.is_(False) & (UserSession.last_seen_at < now - IDLE_LIMIT),
    )


def _has_expired(row: UserSession) -> bool:
    return row.last_seen_at < utcnow() - (_remember_for() if row.remember else IDLE_LIMIT)


# What the sessions page shows ------------------------------------------------------------

def network_of(address: str | None) -> str:
    """The network an address is in (IPv4 /24, IPv6 /48): near enough to recognise, no more."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


# (pattern, name), the first that matches wins: Edge and Opera also say "Chrome", Chrome
# also says "Safari", and Android also says "Linux".
_BROWSERS = [
    (r"Edg(e|A|iOS)?/", "Edge"), (r"OPR/|Opera", "Opera"), (r"SamsungBrowser/", "Samsung Internet"),
    (r"Firefox/|FxiOS/", "Firefox"), (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Version/[\d.]+.*Safari/", "Safari"),
]
_PLATFORMS = [
    (r"iPhone|iPad|iPod", "iOS"), (r"Android", "Android"), (r"CrOS", "ChromeOS"),
    (r"Windows", "Windows"), (r"Mac OS X|Macintosh", "macOS"), (r"Linux|X11", "Linux"),
]


def describe_device(user_agent: str | None) -> tuple[str, str]:
    """("Firefox", "Windows") from a User-Agent header; "" for what is not recognised."""
    text = (user_agent or "")[:512]
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, text)), "")
    platform = next((name for pattern, name in _PLATFORMS if re.search(pattern, text)), "")
    return browser, platform
