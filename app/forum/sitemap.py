"""The forum's addresses in the sitemap: its index, the public categories and their threads.

A forum can outgrow one sitemap file, so the threads come in parts of up to 50,000 ids bounded by
the highest id (app.sitemap.id_ranges) rather than as sitemap_entries; members-only categories,
and threads whose opening message waits for a steward, are left out (visitors cannot read them).
"""
from collections.abc import Iterator

from sqlalchemy import and_, func, select

from app import sitemap
from app.extensions import db
from app.forum import reading
from app.models.forum import ForumPost, ForumThread, PostStatus
from app.sitemap import SitemapEntry, SitemapPart
from app.urls import site_url


def sitemap_parts() -> list[SitemapPart]:
    """The forum's index and categories (one small part), then its threads by id range."""
    highest = db.session.scalar(select(func.max(ForumThread.id)))
    return [SitemapPart("forum", None, category_entries),
            *sitemap.id_ranges("forum-threads", highest, thread_entries)]


def category_entries() -> Iterator[SitemapEntry]:
    yield site_url("forum.index"), None
    for category in reading.categories_for(None):
        yield site_url("forum.category", slug=category.slug), None


def thread_entries(start: int, stop: int) -> Iterator[SitemapEntry]:
    """(address, last activity) of the public threads with start <= id < stop."""
    public = [category.id for category in reading.categories_for(None)]
    rows = db.session.execute(
        select(ForumThread.id, ForumThread.slug, ForumThread.last_activity_at)
        .join(ForumPost, and_(ForumPost.thread_id == ForumThread.id, ForumPost.top_position == 0))
        .where(ForumThread.id >= start, ForumThread.id < stop, ForumThread.category_id.in_(public),
               ForumPost.status == PostStatus.PUBLISHED)
        .order_by(ForumThread.id))
    for thread_id, slug, last_activity_at in rows:
        yield site_url("forum.thread", thread_id=thread_id, slug=slug or None), last_activity_at
