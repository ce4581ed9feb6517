"""What the home page gathers from the whole network: the latest blog posts, the forum's active
threads and the leaders near the visitor's last search (the place typed, remembered in their
session cookie alone). Each is called from the home template, so other pages pay nothing."""
from __future__ import annotations

from flask import session
from flask_login import current_user
from sqlalchemy import select

from app import permissions
from app.blog import services as blog
from app.directory import search as leaders
from app.extensions import db
from app.geo.geocoder import GeocodeError
from app.models.forum import ForumCategory, ForumThread

NEAR_LAST_SEARCH_KM = 50


def latest_posts(limit: int = 3):
    """The newest posts' titles: all the home page shows of them."""
    return blog.latest_titles(limit)


def active_threads(limit: int = 5):
    """(id, slug, title, reply_count, category_name) of the threads with the latest replies, in
    the categories this person may read."""
    readable = [category.id for category in db.session.execute(
                    select(ForumCategory.id, ForumCategory.members_only, ForumCategory.private)).all()
                if permissions.can_read_category(current_user, category)]
    if not readable:
        return []
    return db.session.execute(
        select(ForumThread.id, ForumThread.slug, ForumThread.title, ForumThread.reply_count,
               ForumCategory.name.label("category_name"))
        .join(ForumCategory, ForumCategory.id == ForumThread.category_id)
        .where(ForumThread.category_id.in_(readable))
        .order_by(ForumThread.last_activity_at.desc(), ForumThread.id.desc()).limit(limit)).all()


def leaders_near_last_search(limit: int = 3):
    """(place name, the nearest leaders' hits and profiles) near the place of the last search, or
    None when there was none (or it no longer reads as a place)."""
    typed = session.get("last_near")
    if not isinstance(typed, str) or not typed.strip():
        return None
    try:
        place = leaders.find_place(typed)
    except (leaders.PlaceNotFound, GeocodeError):  # a place that no longer reads is not shown
        return None
    results = leaders.search(place.origin, NEAR_LAST_SEARCH_KM, leaders.Filters(), 1, per_page=limit)
    profiles = leaders.load_profiles(results.hits)
    return {"place": place.origin.name, "searched": typed,
            "hits": [(hit, profiles[hit.profile_id]) for hit in results.hits if hit.profile_id in profiles]}


def init_app(app) -> None:
    app.jinja_env.globals.update(home_latest_posts=latest_posts, home_active_threads=active_threads,
                                 home_leaders_near=leaders_near_last_search)
