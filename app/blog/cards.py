"""A post in a list (/blog, a tag's page): title, byline, date, excerpt and tags.

Drawn here in Python rather than by an included template, as the leader and gathering cards are:
/blog draws ten of them and each include cost more than the page's queries. Templates call it
through templates/blog/_post_card.html, which only passes `post` on. Every value that comes from
a person is escaped; the addresses are joined to prefixes url_for built once per request."""
from __future__ import annotations

from typing import NamedTuple

from flask import g
from markupsafe import Markup, escape

from app.urls import PLACEHOLDER, address_around, fill


class _Links(NamedTuple):
    post: tuple[str, str]
    author: tuple[str, str]
    tag: tuple[str, str]


def _links() -> _Links:
    links = g.get("post_card_links")
    if links is None:
        links = g.post_card_links = _Links(address_around("blog.post", slug=str(PLACEHOLDER)),
                                           address_around("blog.author", user_id=PLACEHOLDER),
                                           address_around("blog.tag", tag=str(PLACEHOLDER)))
    return links


def _address(around: tuple[str, str], value) -> str:
    return escape(fill(around, value))


def tag_list_html(tags, link: bool = False) -> Markup:
    """A post's tags as a list, each a link to the tag's page when `link`."""
    if not tags:
        return Markup("")
    items = []
    for tag in tags:
        if link:
            items.append(f'<li><a class="tag" href="{_address(_links().tag, tag.slug)}">{escape(tag.name)}</a></li>')
        else:
            items.append(f'<li><span class="tag">{escape(tag.name)}</span></li>')
    return Markup(f'<ul class="tag-list" aria-label="Tags">{"".join(items)}</ul>')


def post_card_html(post) -> Markup:
    """The card of a published Proposal (its author and tags loaded with the page)."""
    links = _links()
    published = post.published_at
    excerpt = f'<p class="post-card__excerpt">{escape(post.excerpt)}</p>' if post.excerpt else ""
    return Markup(
        f'<article class="post-card"><h2 class="post-card__title"><a href="{_address(links.post, post.slug)}">'
        f'{escape(post.title)}</a></h2><p class="post-card__meta muted">By '
        f'<a href="{_address(links.author, post.author_id)}">{escape(post.author.display_name)}</a> · '
        f'<time datetime="{published.isoformat()}Z">{published.strftime("%-d %B %Y")}</time></p>'
        f"{excerpt}{tag_list_html(post.tags, link=True)}</article>")
