"""Reading the blog: what is published, by whom and under which tag."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from app.directory.services import public_card_of
from app.extensions import db
from app.models.accounts import User
from app.models.editorial import Proposal, Tag, proposal_tags
from app.urls import site_url


NEWEST_FIRST = (Proposal.published_at.desc(), Proposal.id.desc())  # every list of posts


def published_query(tag: Tag | None = None):
    # Cards show each post's author and tags: load them with the page, not one post at a time.
    query = (select(Proposal).where(Proposal.is_live)
             .options(joinedload(Proposal.author), selectinload(Proposal.tags)))
    if tag is not None:
        query = query.where(Proposal.tags.any(Tag.id == tag.id))
    return query.order_by(*NEWEST_FIRST)


_LISTED = (Proposal.id, Proposal.slug, Proposal.title, Proposal.excerpt, Proposal.published_at,
           Proposal.author_id, Proposal.state)


def listed_query(tag: Tag | None = None):
    """published_query with only what a post's card shows: not the bodies of ten posts."""
    return published_query(tag).options(load_only(*_LISTED))


def published_posts_by(user_id: int, limit: int | None = None) -> list[Proposal]:
    """An author's published posts, newest first (also used on their directory profile): title,
    date and excerpt, without their bodies."""
    query = (select(Proposal).where(Proposal.is_live, Proposal.author_id == user_id)
             .options(load_only(*_LISTED)).order_by(*NEWEST_FIRST))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


class FeedEntry(NamedTuple):
    """A post as a feed shows it, read as plain rows rather than ORM objects."""
    slug: str
    title: str
    excerpt: str
    body: str
    published_at: datetime
    author_name: str
    tags: list[tuple[str, str]]  # (slug, name), by slug as on the post's page


def latest_posts(limit: int = 20, tag: Tag | None = None) -> list[FeedEntry]:
    """The newest published posts (under `tag`), with their bodies, for the Atom feeds."""
    query = (select(Proposal.id, Proposal.slug, Proposal.title, Proposal.excerpt, Proposal.body,
                    Proposal.published_at, User.display_name)
             .join(User, User.id == Proposal.author_id).where(Proposal.is_live)
             .order_by(*NEWEST_FIRST).limit(limit))
    if tag is not None:
        query = query.where(Proposal.tags.any(Tag.id == tag.id))
    rows = db.session.execute(query).all()
    tags: dict[int, list[tuple[str, str]]] = {}
    if rows:
        for proposal_id, slug, name in db.session.execute(
                select(proposal_tags.c.proposal_id, Tag.slug, Tag.name).join(Tag, Tag.id == proposal_tags.c.tag_id)
                .where(proposal_tags.c.proposal_id.in_([row.id for row in rows])).order_by(Tag.slug)):
            tags.setdefault(proposal_id, []).append((slug, name))
    return [FeedEntry(row.slug, row.title, row.excerpt, row.body, row.published_at, row.display_name,
                      tags.get(row.id, [])) for row in rows]


def latest_titles(limit: int = 3):
    """(slug, title, published_at, author_name) of the newest posts, for the home page."""
    return db.session.execute(
        select(Proposal.slug, Proposal.title, Proposal.published_at, User.display_name.label("author_name"))
        .join(User, User.id == Proposal.author_id).where(Proposal.is_live).order_by(*NEWEST_FIRST).limit(limit)).all()


def post_by_slug(slug: str) -> Proposal | None:
    return db.session.scalar(select(Proposal).where(Proposal.slug == slug,
                                                    Proposal.is_live))


def tag_by_slug(slug: str) -> Tag | None:
    return db.session.scalar(select(Tag).where(Tag.slug == slug))


def tags_in_use() -> list[Tag]:
    """Tags on at least one published post: each tag stops at its first one (ix_proposal_tags_tag),
    instead of reading the tags of every post."""
    return list(db.session.scalars(
        select(Tag).where(exists().where(proposal_tags.c.tag_id == Tag.id,
                                         proposal_tags.c.proposal_id == Proposal.id, Proposal.is_live))
        .order_by(Tag.slug)))


def author_card(user):
    """The leader card of the author's directory profile, when they have one anyone may see (a
    byline shows it; without one, the name alone)."""
    return public_card_of(user)


def sitemap_entries():
    """(address, last change) of the blog, its published posts and the tags they carry."""
    yield site_url("blog.index"), None
    # Only the two columns it writes: not every post's body, author and tags.
    posts = db.session.execute(select(Proposal.slug, Proposal.published_at).where(Proposal.is_live)
                               .order_by(*NEWEST_FIRST).limit(49000))
    for slug, published_at in posts:
        yield site_url("blog.post", slug=slug), published_at
    for found in tags_in_use():
        yield site_url("blog.tag", tag=found.slug), None
