"""Accounts: people who sign in, their roles and their sessions."""
import enum
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, delete
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import utcnow, value_enum


def password_hash_method() -> str | None:
    """None: Werkzeug's default (scrypt). Under TESTING only, TEST_PASSWORD_HASH_METHOD may name a
    cheaper method, so thousands of test logins take no time; outside tests it is ignored."""
    if has_app_context() and current_app.testing:
        return current_app.config.get("TEST_PASSWORD_HASH_METHOD")
    return None


def hash_password(password: str) -> str:
    method = password_hash_method()
    return generate_password_hash(password, method) if method else generate_password_hash(password)


class Role(enum.StrEnum):
    MEMBER = "member"
    LEADER = "leader"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        value_enum(Role),
        default=Role.MEMBER,
    )
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # No longer read: sessions live in user_sessions. Kept so no migration rebuilds users.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The IANA zone times are shown in ("Europe/Berlin"); empty: not chosen yet (the browser's
    # zone is proposed on the account page, and gatherings show their own zone).
    time_zone: Mapped[str] = mapped_column(String(64), default="", server_default="")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"

    # The session (a UserSession and its token) this copy of the person was loaded for or
    # logged in with; set by app.auth.sessions, not stored.
    current_session = None
    session_token = None

    # Flask-Login stores this in the session cookie and the remember-me cookie: it names a
    # row of user_sessions, so deleting the row ends the session wherever it was copied.
    def get_id(self) -> str:
        if self.session_token is None:
            raise RuntimeError("No session: log in with app.auth.sessions.start() first.")
        return f"{self.id}:{self.session_token}"

    # The same person whichever session each copy was loaded for (UserMixin compares get_id).
    def __eq__(self, other):
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def end_sessions(self, keep: "UserSession | None" = None) -> None:
        """Every session of this person ends (but `keep`), remember-me cookies too."""
        query = delete(UserSession).where(UserSession.user_id == self.id)
        if keep is not None:
            query = query.where(UserSession.id != keep.id)
        db.session.execute(query)


class UserSession(db.Model):
    """One login: the cookies hold its token, the table its hash; deleting the row logs out."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    # Shown on /account/sessions: "Firefox on Windows", and the network, never the address.
    browser: Mapped[str] = mapped_column(String(40), default="")
    platform: Mapped[str] = mapped_column(String(40), default="")
    network: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Written at most every few minutes, after the response (app.auth.sessions.SEEN_EVERY).
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"

    @property
    def device(self) -> str:
        """'Firefox on Windows', as far as the browser said."""
        if self.browser and self.platform:
            return f"{self.browser} on {self.platform}"
        return self.browser or (f"A browser on {self.platform}" if self.platform
                                else "An unknown browser")


def normalize_email(email: str) -> str:
    return email.strip().lower()
