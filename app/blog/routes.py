"""The public blog: lists, posts, tags, authors, Atom feeds and cover images."""
import re

from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from app import permissions
from app.blog import cards, services
from app.editorial.covers import proposal_with_cover, send_cover
from app.extensions import db
from app.models.accounts import User
from app.models.editorial import Proposal
from app.models.base import utcnow
from app.params import page_number
from app.text.markdown import reading_time_minutes, render_markdown
from app.urls import PLACEHOLDER, fill, site_address_around, site_url

bp = Blueprint("blog", __name__)
bp.add_app_template_global(cards.post_card_html, "post_card_html")
bp.add_app_template_global(cards.tag_list_html, "tag_list_html")

COVER_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")
FEED_SIZE = 20


def _page_of(query):
    """A page of posts, counted by their ids alone (through ix_proposals_live) rather than by
    reading every published post's row, as paginate's own count does."""
    per_page = current_app.config.get("BLOG_PER_PAGE", 10)
    page = db.paginate(query, page=page_number(), per_page=per_page, error_out=False, count=False)
    ids = query.with_only_columns(Proposal.id).order_by(None).subquery()
    page.total = db.session.scalar(select(func.count()).select_from(ids))
    return page


@bp.get("/blog")
def index():
    return render_template("blog/index.html", page=_page_of(services.listed_query()),
                           tags=services.tags_in_use())


@bp.get("/blog/<slug>")
def post(slug):
    found = services.post_by_slug(slug)
    if found is None:
        abort(404)
    return render_template(
        "blog/post.html", post=found, body_html=Markup(render_markdown(found.body)),
        minutes=reading_time_minutes(found.body), author_card=services.author_card(found.author),
        canonical=site_url("blog.post", slug=found.slug),
        cover_url=(site_url("blog.cover", name=found.cover_image)
                   if found.cover_image else None),
    )


@bp.get("/blog/tag/<tag>")
def tag(tag):
    found = services.tag_by_slug(tag)
    if found is None:
        abort(404)
    return render_template("blog/tag.html", tag=found,
                           page=_page_of(services.listed_query(found)))


@bp.get("/blog/author/<int:user_id>")
def author(user_id):
    person = db.session.get(User, user_id)
    posts = services.published_posts_by(user_id) if person and person.active else []
    if not posts:
        abort(404)  # only people who have published have an author page
    return render_template("blog/author.html", author=person, posts=posts,
                           author_card=services.author_card(person))


def _feed(posts, *, title, self_url, alternate_url):
    updated = max((p.published_at for p in posts), default=None) or utcnow()
    post_around = site_address_around("blog.post", slug=str(PLACEHOLDER))  # each entry's address, without url_for per entry
    xml = render_template(
        "blog/feed.xml", posts=posts, title=title, self_url=self_url,
        alternate_url=alternate_url, updated=updated,
        content=lambda p: render_markdown(p.body),
        post_url=lambda p: fill(post_around, p.slug),
    )
    return Response(xml, mimetype="application/atom+xml")


@bp.get("/blog/feed.atom")
def feed():
    return _feed(services.latest_posts(FEED_SIZE), title=f"{current_app.config['SITE_NAME']} blog",
                 self_url=site_url("blog.feed"), alternate_url=site_url("blog.index"))


@bp.get("/blog/tag/<tag>/feed.atom")
def tag_feed(tag):
    found = services.tag_by_slug(tag)
    if found is None:
        abort(404)
    return _feed(services.latest_posts(FEED_SIZE, found),
                 title=f"{current_app.config['SITE_NAME']} blog: {found.name}",
                 self_url=site_url("blog.tag_feed", tag=found.slug),
                 alternate_url=site_url("blog.tag", tag=found.slug))


@bp.get("/blog/covers/<name>")
def cover(name):
    # Public once the post is; before that only to those who may see the proposal.
    found = proposal_with_cover(name) if COVER_NAME.match(name) else None
    if found is None or not (found.is_live or permissions.can_view_proposal(current_user, found)):
        abort(404)
    return send_cover(name, everyone=found.is_live)
