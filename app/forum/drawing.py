"""What a page of messages needs to draw each one cheaply: who is looking and what they may do
(asked once per page, not once per message), and the addresses of each message's links made
by joining strings to prefixes that url_for built once (a thread page draws 300 messages)."""
from __future__ import annotations

import re

from flask import current_app, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app import permissions
from app.forum import members, posting, reading
from app.models.forum import ForumPost, ForumThread
from app.urls import PLACEHOLDER, address_around
from app.worker_cache import WorkerCache, worker_cache

_ID = PLACEHOLDER  # replaced by each message's id (or a person's handle)


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
            "post": address_around("forum.post", thread_id=thread.id, post_id=_ID),
            "reply": address_around("forum.reply", thread_id=thread.id, post_id=_ID),
            "continued": address_around("forum.continued", thread_id=thread.id, post_id=_ID),
            **{name: address_around(f"forum.{name}", post_id=_ID) for name in (
                "appreciate", "appreciations", "bookmark", "edit", "delete_post", "versions",
                "flag", "remove", "appeal")},
        }
        self._person = address_around("forum.person", handle=str(_ID))

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

    def slot(self, kind: str, post: ForumPost, marked: bool, draw) -> str:
        """A part of a message that depends on who looks: draw(owns, marked) gives it, where
        marked is "appreciated" or "bookmarked" by the viewer (see thread_drawing.KeptView,
        which draws every variant once for all members)."""
        return draw(self.owns(post), marked)


class VisitorPages:
    """Thread pages drawn for visitors (no session: nobody logged in, nothing to flash), kept by
    each worker while the thread stands still: its `changes` counter (database triggers count
    every change to it and its messages) and the page's address are the key. A person renamed
    is seen within MAX_AGE seconds."""

    MAX_AGE = 60
    SIZE = 64  # pages of up to a few hundred kilobytes

    @staticmethod
    def applies() -> bool:
        cookies = request.cookies
        return not (cookies.get(current_app.config["SESSION_COOKIE_NAME"])
                    or cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")))

    @staticmethod
    def key(thread: ForumThread) -> tuple:
        return (thread.id, thread.changes, request.full_path)


def visitor_pages() -> WorkerCache:
    """This app's pages for visitors."""
    return worker_cache("forum_visitor_pages", VisitorPages.SIZE, VisitorPages.MAX_AGE)


# A message and a tree of them, drawn in Python for templates/forum/_macros.html's `message` and
# `tree` (which pass their arguments on): a thread page draws 301 of them for each member, and
# as a Jinja macro each took some 0.3 ms (its calls, its context, Markup escaping each value).
# Every value that comes from a person is escaped.

def forum_html(post: ForumPost) -> Markup:
    """A message as safe HTML, @handles linked to people's forum pages (rendered when written)."""
    return Markup(post.html or (posting.cooked(post.body) if post.body else ""))


def _when(moment) -> str:
    """A moment as the site's `utc` filter writes it ("3 Dec 2026, 18:00 UTC")."""
    return current_app.jinja_env.filters["utc"](moment)


def author_html(post: ForumPost, v: MessageView | None = None) -> Markup:
    """The message's header line: initial, name (to their forum page), role, time (its permalink),
    edited; v is the page's MessageView (None: a message drawn alone, as above a reply box)."""
    person = post.author
    initial = escape((person.display_name[:1] if person else "?").upper())
    out = [f'<span class="message__avatar" aria-hidden="true">{initial}</span>\n']
    if person is not None:
        address = v.person(person) if v else url_for("forum.person", handle=members.handle_of(person))
        out.append(f'<a class="message__author" href="{escape(address)}">{escape(person.display_name)}</a>\n')
        if person.role.value != "member":
            out.append(f'<span class="role-badge">{escape(person.role.label)}</span>\n')
    else:
        out.append('<span class="message__author message__author--former">Former member</span>\n')
    created = post.created_at
    permalink = v.link("post", post.id) if v else escape(reading.post_path(post))
    out.append(f'<a class="message__time" href="{permalink}"><time datetime="{created.isoformat()}Z">'
               f'{_when(created)}</time><span class="visually-hidden"> (link to this message)</span></a>\n')
    if post.edited_at and not post.is_gone:
        if v:
            address = v.link("versions", post.id)
            versions = v.slot("versions", post, False, lambda owns, _marked: (
                f' · <a href="{address}">earlier versions</a>' if owns or v.can_moderate else ""))
        else:
            address = url_for("forum.versions", post_id=post.id)
            versions = (f' · <a href="{address}">earlier versions</a>'
                        if permissions.can_see_versions(current_user, post) else "")
        out.append(f'<span class="message__edited">edited{versions}</span>\n')
    return Markup("".join(out))


def message_html(post: ForumPost, v: MessageView, appreciated, bookmarked, in_reply_to: ForumPost | None = None) -> Markup:
    """One message as templates/forum/_macros.html's `message` describes it."""
    pid = post.id
    gone = post.is_gone
    published = post.status == "published"
    classes = "message" + (" message--gone" if gone else "") + ("" if published else " message--held")
    out = [f'<article class="{classes}" id="post-{pid}" aria-labelledby="post-{pid}-by">\n'
           f'<header class="message__header" id="post-{pid}-by">\n{author_html(post, v)}</header>\n']
    if in_reply_to is not None:
        name = escape(in_reply_to.author.display_name) if in_reply_to.author else "Former member"
        out.append(f'<p class="message__context">in reply to <a href="{v.link("post", in_reply_to.id)}">{name}</a></p>\n')
    owns = v.owns(post)
    if post.removed_at:
        broke = (f": it broke guideline {escape(post.removed_reason or members.item_title(post.removed_item))}"
                 if post.removed_item else "")
        out.append(f'<p class="message__placeholder">Removed by a steward{broke}.</p>\n')
        if not post.appealed_at:
            appeal = f'<p><a href="{v.link("appeal", pid)}">Ask the stewards to look again</a></p>\n'
            out.append(v.slot("appeal", post, False, lambda owns, _marked: appeal if owns else ""))
    elif post.deleted_at:
        out.append('<p class="message__placeholder">This reply was deleted.</p>\n')
    else:
        if post.status == "held":
            out.append('<p class="notice notice--info">Waiting for a steward: only you and the stewards can see '
                       'this message until one approves it.</p>\n')
        if post.status == "rejected":
            out.append('<p class="notice notice--warning">A steward did not approve this message; only you can see it.</p>\n')
        out.append(f'<div class="message__body prose">{forum_html(post)}</div>\n')
    if published and not gone:
        out.append('<footer class="message__actions">\n')
        if v.can_reply:
            to = escape(post.author.display_name) if post.author else "this message"
            reply = v.link("reply", pid)
            out.append(f'<a class="message__action" href="{reply}" data-reply-to="{pid}">Reply'
                       f'<span class="visually-hidden"> to {to}</span></a>\n'
                       f'<a class="message__action" href="{reply}?quote=1" data-quote="{pid}">Quote</a>\n')
        hidden = (f'<input type="hidden" name="csrf_token" value="{escape(v.csrf)}">'
                  f'<input type="hidden" name="next" value="{escape(v.path)}#post-{pid}">\n')
        if v.can_write:
            action = v.link("appreciate", pid)
            out.append(v.slot("appreciate", post, pid in appreciated, lambda owns, done: "" if owns else (
                f'<form method="post" action="{action}" class="inline-form">\n{hidden}'
                f'<button type="submit" class="link-button message__action" aria-pressed="{"true" if done else "false"}">'
                f'{"Appreciated" if done else "Appreciate"}</button>\n</form>\n')))
        count = post.appreciation_count
        if count:
            out.append(f'<a class="message__count" href="{v.link("appreciations", pid)}">{int(count)} '
                       f'appreciation{"s" if count != 1 else ""}<span class="visually-hidden"> (who)</span></a>\n')
        if v.signed_in:
            action = v.link("bookmark", pid)
            out.append(v.slot("bookmark", post, pid in bookmarked, lambda _owns, kept: (
                f'<form method="post" action="{action}" class="inline-form">\n{hidden}'
                f'<button type="submit" class="link-button message__action">'
                f'{"Remove bookmark" if kept else "Bookmark"}</button>\n</form>\n')))
        edit = (f'<a class="message__action" href="{v.link("edit", pid)}">Edit</a>\n'
                f'<a class="message__action" href="{v.link("delete_post", pid)}">Delete</a>\n')
        flag = f'<a class="message__action" href="{v.link("flag", pid)}">Flag</a>\n' if v.can_flag else ""
        out.append(v.slot("own", post, False, lambda owns, _marked: edit if owns else flag))
        if v.can_moderate:
            out.append(f'<a class="message__action" href="{v.link("remove", pid)}">Remove</a>\n')
            if post.author_id and not owns:
                pause = escape(url_for("forum.pause", user_id=post.author_id, post=pid))
                out.append(f'<a class="message__action" href="{pause}">Pause their posting</a>\n')
        out.append("</footer>\n")
    out.append("</article>")
    return Markup("".join(out))


def tree_html(nodes, v: MessageView, appreciated, bookmarked) -> Markup:
    """Answers nested as templates/forum/_macros.html's `tree` describes them."""
    out = ['<ol class="replies">\n']
    for node in nodes:
        out.append(f'<li class="replies__item replies__item--depth-{int(node.shown_depth)}">\n')
        out.append(message_html(node.post, v, appreciated, bookmarked, node.in_reply_to))
        out.append("\n")
        if node.children:
            out.append(tree_html(node.children, v, appreciated, bookmarked))
            out.append("\n")
        if node.more:
            more = int(node.more)
            out.append(f'<p class="replies__more"><a href="{v.link("continued", node.post.id)}">Continue this thread '
                       f'({more} more {"reply" if more == 1 else "replies"})</a></p>\n')
        out.append("</li>\n")
    out.append("</ol>")
    return Markup("".join(out))


_PLAIN_SLUG = re.compile(r"[a-z0-9-]+")


class ThreadLinks:
    """A thread's address for a page that lists many (a category's 30): url_for once, then
    strings; a slug url_for would have to escape goes through url_for itself."""

    def __init__(self):
        self._before, self._after = address_around("forum.thread", thread_id=_ID)

    def thread(self, thread_id: int, slug: str | None) -> str:
        if not slug:
            return f"{self._before}{int(thread_id)}{self._after}"
        if _PLAIN_SLUG.fullmatch(slug):
            return f"{self._before}{int(thread_id)}{self._after}/{slug}"
        return url_for("forum.thread", thread_id=thread_id, slug=slug)


def thread_row_html(thread, mark: str | None, links: ThreadLinks) -> Markup:
    """One thread in a category's list (templates/forum/category.html): title, badges, starter,
    replies, last replier and when."""
    badges = ('<span class="badge">Pinned</span> ' if thread.pinned else "") + (
        '<span class="badge badge--grey">Locked</span> ' if thread.locked else "")
    new = {"new": ' <span class="badge badge--new">New</span>',
           "unread": ' <span class="badge badge--new">Unread replies</span>'}.get(mark, "")
    starter = escape(thread.author.display_name) if thread.author else "Former member"
    count = int(thread.reply_count or 0)
    last = f" · last by {escape(thread.last_reply_by.display_name)}" if thread.last_reply_by else ""
    at = thread.last_activity_at
    return Markup(
        f'<li class="thread-row">\n<h3 class="thread-row__title">\n{badges}'
        f'<a href="{escape(links.thread(thread.id, thread.slug))}">{escape(thread.title)}</a>\n{new}\n</h3>\n'
        f'<p class="thread-row__meta">Started by {starter} ·\n{count} repl{"y" if count == 1 else "ies"}\n{last}\n'
        f'· <time datetime="{at.isoformat()}Z">{_when(at)}</time></p>\n</li>')


def thread_rows_html(threads, unread: dict) -> Markup:
    links = ThreadLinks()
    return Markup("\n".join(thread_row_html(thread, unread.get(thread.id), links) for thread in threads))
