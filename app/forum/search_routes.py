"""The forum's search page and its Atom feeds: a public category's newest threads and a public
thread's newest replies (feed readers are not logged in, so members-only ones have none)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import permissions
from app.extensions import db, limiter
from app.forum import members, reading
from app.forum import search as finder
from app.forum.blueprint import bp
from app.models.accounts import User
from app.models.base import utcnow
from app.models.forum import ForumPost, ForumThread, PostStatus
from app.params import this_page, whole_number
from app.text.markdown import render_markdown
from app.urls import site_url

PER_PAGE = 20
FEED_SIZE = 20
SEARCH_PARAMS = ("q", "category", "author")
# Characters XML 1.0 cannot hold, which a title or message might: a feed with one does not parse.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# Search -----------------------------------------------------------------------------------

def _rate_limit() -> str:
    return current_app.config["SEARCH_RATE_LIMIT"]


def _too_many_searches() -> str:
    return (f"Searches from one address are limited to {_rate_limit()}. "
            "Wait a minute, then search again.")


@bp.get("/forum/search")
@limiter.limit(_rate_limit, error_message=_too_many_searches)  # per client address, as /leaders
def search():
    q = request.args.get("q", "")
    categories = reading.categories_for(current_user)
    category, category_error = _chosen_category(categories, request.args.get("category", ""))
    author, author_error = _chosen_author(request.args.get("author", "").strip())
    after = whole_number(request.args.get("after"))
    results, more_url, newest_first = [], None, False
    searched = bool(q.strip()) and not (category_error or author_error)
    if searched:
        found = finder.search(current_user, q, category_id=category.id if category else None,
                              author_id=author.id if author else None, limit=PER_PAGE + 1, after=after,
                              readable=categories)
        results, newest_first = found[:PER_PAGE], found.newest_first
        if len(found) > PER_PAGE:
            more_url = this_page(SEARCH_PARAMS, after=results[-1].post_id)
    return render_template(
        "forum/search.html", q=q, categories=categories, category=category,
        author=request.args.get("author", ""), errors={"category": category_error, "author": author_error},
        searched=searched, results=results, more_url=more_url, first_page=after is None,
        newest_first=newest_first, ranked_up_to=finder.RANKED_UP_TO)


def _chosen_category(categories, slug: str):
    """(the category asked for or None for all, an error when it is not one the person may read)."""
    if not slug:
        return None, None
    chosen = next((category for category in categories if category.slug == slug), None)
    return chosen, None if chosen else "Choose a category from the list."


def _chosen_author(typed: str):
    """(the person asked for by forum handle or account number, or an error saying none is)."""
    if not typed:
        return None, None
    number = whole_number(typed)
    person = db.session.get(User, number) if number else members.by_handle(typed.lstrip("@"))
    if person is None:
        return None, f"No one in the forum has the handle “{typed[:80]}”. Check the spelling."
    return person, None


# Atom feeds -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    title: str
    url: str
    author: str
    published: datetime
    updated: datetime
    content: str  # HTML, escaped once more by the template as Atom's type="html" asks


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text or "")


def _author_name(post: ForumPost) -> str:
    return post.author.display_name if post.author else "Former member"


def _entry(post: ForumPost, title: str, url: str) -> Entry:
    return Entry(title=_xml(title), url=url, author=_xml(_author_name(post)),
                 published=post.created_at, updated=post.edited_at or post.created_at,
                 content=_xml(post.html or render_markdown(post.body)))


def _standing():
    """Messages everyone may read: published, neither deleted nor removed."""
    return (ForumPost.status == PostStatus.PUBLISHED, ForumPost.deleted_at.is_(None),
            ForumPost.removed_at.is_(None))


def _feed(entries: list[Entry], *, title: str, self_url: str, alternate_url: str) -> Response:
    updated = max((entry.updated for entry in entries), default=None) or utcnow()
    xml = render_template("forum/feed.xml", entries=entries, title=_xml(title), self_url=self_url,
                          alternate_url=alternate_url, updated=updated)
    return Response(xml, mimetype="application/atom+xml")


def _thread_url(thread: ForumThread) -> str:
    return site_url("forum.thread", thread_id=thread.id, slug=thread.slug or None)


@bp.get("/forum/<slug>/feed.atom")
def category_feed(slug):
    """The category's newest threads, each with its opening message."""
    category = reading.category_by_slug(slug)
    if category is None or not permissions.can_read_category(None, category):
        abort(404)
    openings = db.session.scalars(
        select(ForumPost).join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .where(ForumThread.category_id == category.id, ForumPost.top_position == 0, *_standing())
        .options(selectinload(ForumPost.author), selectinload(ForumPost.thread))
        .order_by(ForumThread.id.desc()).limit(FEED_SIZE)).all()
    return _feed([_entry(post, post.thread.title, _thread_url(post.thread)) for post in openings],
                 title=f"{current_app.config['SITE_NAME']} forum: {category.name}",
                 self_url=site_url("forum.category_feed", slug=category.slug),
                 alternate_url=site_url("forum.category", slug=category.slug))


@bp.get("/forum/threads/<int:thread_id>/feed.atom")
def thread_feed(thread_id):
    """The thread's newest replies, each linking to its place in the thread."""
    thread = db.session.get(ForumThread, thread_id)
    if thread is None or not permissions.can_read_category(None, thread.category) or not _is_out(thread):
        abort(404)
    replies = db.session.scalars(
        select(ForumPost).where(ForumPost.thread_id == thread.id, ForumPost.top_position > 0, *_standing())
        .options(selectinload(ForumPost.author)).order_by(ForumPost.id.desc()).limit(FEED_SIZE)).all()
    entries = [_entry(post, f"Reply from {_author_name(post)}",
                      site_url("forum.post", thread_id=thread.id, post_id=post.id)) for post in replies]
    return _feed(entries, title=f"{current_app.config['SITE_NAME']} forum: {thread.title}",
                 self_url=site_url("forum.thread_feed", thread_id=thread.id),
                 alternate_url=_thread_url(thread))


def _is_out(thread: ForumThread) -> bool:
    """Whether the thread's opening message was published (not waiting for a steward)."""
    return db.session.scalar(select(ForumPost.status).where(
        ForumPost.thread_id == thread.id, ForumPost.top_position == 0)) == PostStatus.PUBLISHED
