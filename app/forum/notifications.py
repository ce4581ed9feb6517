"""The forum's kinds of notification, and the signed one-click links its own mails carry (one
thread's replies, the digest)."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.notifications.kinds import Kind
from app.urls import site_url

FORUM_REPLY = Kind("forum_reply", "Someone replies to you in the forum")  # in-app only
FORUM_MENTION = Kind("forum_mention", "Someone mentions you in the forum")  # in-app only
FORUM_FOLLOW = Kind(
    "forum_follow", "Email me when people reply in forum threads I follow",
    "Threads you start or reply to are followed (change that in your forum settings); "
    "each mail has a link to stop that thread's mail alone",
    template="forum_follow")

# Listed in app/features.py (the site's table of kinds), in the settings page's order. The
# digest is no kind: it is chosen (off, daily, weekly) on the forum settings page alone, and
# its mail carries its own one-click link.
KINDS = (FORUM_REPLY, FORUM_MENTION, FORUM_FOLLOW)

# Not timed: a link in a mail read months later must still work. Each link has its own salt,
# so a thread's token cannot be passed off as a digest's or as the site's per-kind one.
_THREAD_SALT = "forum-thread-unsubscribe"
_DIGEST_SALT = "forum-digest-unsubscribe"


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def thread_unsubscribe_url(user_id: int, thread_id: int) -> str:
    """The link that stops one person's mail about one thread (in the mail and its headers)."""
    return thread_unsubscribe_urls()(user_id, thread_id)


def thread_unsubscribe_urls():
    """thread_unsubscribe_url for many people: the address is built once and each person's
    token (URL-safe characters only, nothing to quote) put into it."""
    signer = _serializer(_THREAD_SALT)
    before, _, after = site_url("forum.unsubscribe_thread", token="TOKEN").rpartition("TOKEN")
    return lambda user_id, thread_id: before + signer.dumps({"user": user_id, "thread": thread_id}) + after


def read_thread_token(token: str) -> tuple[int, int] | None:
    """(user id, thread id) from a good thread token, None from any other."""
    data = _loads(_THREAD_SALT, token)
    if not (isinstance(data, dict) and _is_id(data.get("user")) and _is_id(data.get("thread"))):
        return None
    return data["user"], data["thread"]


def digest_unsubscribe_url(user_id: int) -> str:
    token = _serializer(_DIGEST_SALT).dumps({"user": user_id})
    return site_url("forum.unsubscribe_digest", token=token)


def read_digest_token(token: str) -> int | None:
    data = _loads(_DIGEST_SALT, token)
    return data["user"] if isinstance(data, dict) and _is_id(data.get("user")) else None


def _loads(salt: str, token: str):
    try:
        return _serializer(salt).loads(token)
    except BadSignature:
        return None


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
