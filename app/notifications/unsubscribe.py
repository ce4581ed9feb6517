"""One-click unsubscribe (RFC 8058): a signed token naming a person and a kind, and its headers."""
from __future__ import annotations

from typing import NamedTuple

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.extensions import db
from app.models.accounts import User
from app.notifications.kinds import kinds
from app.urls import site_url

_SALT = "notifications-unsubscribe"


class Unsubscribe(NamedTuple):
    """What a good token asks for: this person wants no more mail of this kind."""

    user_id: int
    kind: str


def _serializer() -> URLSafeSerializer:
    # Not timed: a link in a mail read months later must still work. The same person and kind
    # always give the same token, so the body's link and the header's are one address.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def token_for(user_id: int, kind: str) -> str:
    return _serializer().dumps({"user": user_id, "kind": kind})


def read_token(token: str) -> Unsubscribe | None:
    """The person and kind a token names, or None when it is not one we signed."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not (isinstance(data, dict) and isinstance(data.get("user"), int)
            and isinstance(data.get("kind"), str)):
        return None
    return Unsubscribe(data["user"], data["kind"])


def unsubscribe_url(user_id: int, kind: str) -> str:
    return site_url("notifications.unsubscribe", token=token_for(user_id, kind))


def list_unsubscribe_headers(kind: str, to: str, own_url: str | None = None) -> tuple[tuple[str, str], ...]:
    """The List-Unsubscribe headers for an outbox message of this kind to this address (or for
    the message's own unsubscribe address, when it has one); none for mail that is not a
    notification (a password reset, a contact message)."""
    if own_url:
        return (("List-Unsubscribe", f"<{own_url}>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    declared = kinds().get(kind)
    if declared is None or not declared.sends_mail:
        return ()
    user_id = db.session.scalar(select(User.id).where(User.email == to))
    if user_id is None:  # the address changed since the mail was queued: the body's link stays
        return ()
    return (("List-Unsubscribe", f"<{unsubscribe_url(user_id, kind)}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
