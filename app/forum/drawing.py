"""What a page of messages needs to draw each one cheaply: who is looking and what they may do
(asked once per page, not once per message), and the addresses of each message's links made
by joining strings to prefixes that url_for built once (a thread page draws 300 messages)."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app import permissions
from app.forum import members
from app.models.forum import ForumPost, ForumThread

_ID = 987654321  # a number no address holds, replaced by each message's


def _prefix(endpoint: str, **values) -> tuple[str, str]:
    """The address of `endpoint` split around the message id: (before, after)."""
    before, _, after = url_for(endpoint, **values).partition(str(_ID))
    return before, after


class MessageView:
    """One page's view of its messages, for templates/forum/_macros.html."""

    def __init__(self, thread: ForumThread):
        user = current_user
        self.thread = thread
        self.signed_in = bool(user.is_authenticated)
        self.me = user.id if self.signed_in else None
        self.can_write = permissions.can_post_in_forum(user)
        self.can_reply = permissions.can_reply(user, thread) or not self.signed_in
        self.can_moderate = permissions.can_moderate(user, thread.category)
        # A private thread (a learning partnership's) has no stewards to send a flag to.
        self.can_flag = self.can_write and not thread.category.private
        self.csrf = generate_csrf() if self.signed_in else ""
        self.path = request.path
        self._links = {
            "post": _prefix("forum.post", thread_id=thread.id, post_id=_ID),
            "reply": _prefix("forum.reply", thread_id=thread.id, post_id=_ID),
            "continued": _prefix("forum.continued", thread_id=thread.id, post_id=_ID),
            **{name: _prefix(f"forum.{name}", post_id=_ID) for name in (
                "appreciate", "appreciations", "bookmark", "edit", "delete_post", "versions",
                "flag", "remove", "appeal")},
        }
        self._person = _prefix("forum.person", handle=str(_ID))

    def link(self, name: str, post_id: int) -> str:
        before, after = self._links[name]
        return f"{before}{post_id}{after}"

    def person(self, user) -> str:
        before, after = self._person
        return f"{before}{members.handle_of(user)}{after}"

    def owns(self, post: ForumPost) -> bool:
        return self.me is not None and post.author_id == self.me

    def sees_versions(self, post: ForumPost) -> bool:
        return self.owns(post) or self.can_moderate


class VisitorPages:
    """Thread pages drawn for visitors (no session: nobody logged in, nothing to flash), kept by
    each worker while the thread stands still: its `changes` counter (database triggers count
    every change to it and its messages) and the page's address are the key. A person renamed
    is seen within MAX_AGE seconds."""

    MAX_AGE = 60
    SIZE = 64  # pages of up to a few hundred kilobytes

    def __init__(self):
        self._pages: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def applies() -> bool:
        cookies = request.cookies
        return not (cookies.get(current_app.config["SESSION_COOKIE_NAME"])
                    or cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")))

    @staticmethod
    def key(thread: ForumThread) -> tuple:
        return (thread.id, thread.changes, request.full_path)

    def get(self, key: tuple) -> str | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None or time.monotonic() - found[0] > self.MAX_AGE:
                return None
            self._pages.move_to_end(key)
            return found[1]

    def put(self, key: tuple, html: str) -> None:
        with self._lock:
            self._pages[key] = (time.monotonic(), html)
            while len(self._pages) > self.SIZE:
                self._pages.popitem(last=False)


def visitor_pages() -> VisitorPages:
    """This app's pages for visitors (each app its own: tests make many apps in one process)."""
    return current_app.extensions.setdefault("forum_visitor_pages", VisitorPages())
