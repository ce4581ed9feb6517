"""The public blog: lists, posts, tags, authors, feeds, sitemap and sanitised bodies."""
from datetime import timedelta

import feedparser
import pytest

from app.editorial.workflow import State
from app.extensions import db
from app.models.base import utcnow
from app.models.editorial import Proposal
from tests.conftest import shown


def _publish_many(app, make_proposal, author, count, **fields):
    ids = [make_proposal(author, state=State.PUBLISHED, title=f"Story number {n}", **fields)
           for n in range(count)]
    with app.app_context():
        for n, proposal_id in enumerate(ids):
            db.session.get(Proposal, proposal_id).published_at = utcnow() - timedelta(days=count - n)
        db.session.commit()
    return ids


def _slug(app, proposal_id):
    with app.app_context():
        return db.session.get(Proposal, proposal_id).slug


def test_blog_lists_newest_first_ten_a_page(app, client, people, make_proposal):
    _publish_many(app, make_proposal, people.author, 12)
    make_proposal(people.author, state=State.APPROVED, title="Not yet live")
    first = shown(client.get("/blog"), "Story number 11", "Page 1 of 2")
    assert first.index("Story number 11") < first.index("Story number 2")
    assert "Story number 1<" not in first and "Not yet live" not in first
    assert first.count('class="post-card"') == 10
    assert "Page 1 of 2" in first
    second = client.get("/blog?page=2").data.decode()
    assert second.count('class="post-card"') == 2 and "Story number 0" in second
    assert client.get("/blog?page=99").status_code == 200


def test_post_page_has_canonical_opengraph_reading_time_and_byline(app, client, people,
                                                                   make_proposal):
    proposal_id = make_proposal(people.author, state=State.PUBLISHED,
                                body="word " * 500)
    slug = _slug(app, proposal_id)
    page = client.get(f"/blog/{slug}").data.decode()
    assert f'<link rel="canonical" href="http://localhost/blog/{slug}">' in page
    assert '<meta property="og:title" content="Saturday repair café in Riverside">' in page
    assert '<meta property="og:type" content="article">' in page
    assert "3 min read" in page
    assert f'href="/blog/author/{people.author}"' in page and "Amara Author" in page


def test_unpublished_posts_are_not_public(app, client, people, make_proposal):
    proposal_id = make_proposal(people.author, state=State.PUBLISHED)
    slug = _slug(app, proposal_id)
    with app.app_context():
        db.session.get(Proposal, proposal_id).state = State.APPROVED
        db.session.commit()
    assert client.get(f"/blog/{slug}").status_code == 404
    assert client.get("/blog/no-such-post").status_code == 404


def test_post_bodies_are_sanitised(app, client, people, make_proposal):
    body = ("Hello <script>alert(1)</script>\n\n[x](javascript:alert(1)) "
            "![pic](data:image/png;base64,AAAA)\n\n<iframe src=https://evil.example></iframe>\n\n"
            "| a | b |\n|:-:|--:|\n| 1 | 2 |")
    proposal_id = make_proposal(people.author, state=State.PUBLISHED, body=body)
    page = shown(client.get(f"/blog/{_slug(app, proposal_id)}"), 'class="prose post-body"', "Hello")
    article = page[page.index('class="prose post-body"'):]
    assert "<script>alert" not in article and "<iframe" not in article
    assert "javascript:" not in article and "data:image" not in article
    assert 'class="align-center"' in article and 'class="align-right"' in article


def test_tag_pages_and_feeds(app, client, people, make_proposal):
    make_proposal(people.author, state=State.PUBLISHED, title="Food bank vans", tags=["food"])
    make_proposal(people.author, state=State.PUBLISHED, title="Chess club", tags=["games"])
    page = shown(client.get("/blog/tag/food"), "Food bank vans")
    assert "Food bank vans" in page and "Chess club" not in page
    assert client.get("/blog/tag/nothing-here").status_code == 404

    response = client.get("/blog/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert {entry.title for entry in feed.entries} == {"Food bank vans", "Chess club"}
    entry = feed.entries[0]
    assert entry.link.startswith("http://localhost/blog/")
    assert entry.author == "Amara Author" and entry.published
    assert "<strong>three tables</strong>" in entry.content[0].value

    tagged = feedparser.parse(shown(client.get("/blog/tag/food/feed.atom"), "Food bank vans"))
    assert not tagged.bozo
    assert [entry.title for entry in tagged.entries] == ["Food bank vans"]
    assert client.get("/blog/tag/nothing/feed.atom").status_code == 404


def test_feed_is_valid_when_empty(client):
    response = client.get("/blog/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert feed.version == "atom10"
    assert not feed.bozo and feed.entries == [] and feed.feed.title


def test_sitemap_lists_posts_and_tags(app, client, people, make_proposal):
    proposal_id = make_proposal(people.author, state=State.PUBLISHED, tags=["food"])
    make_proposal(people.author, state=State.DRAFT, title="Private draft")
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    text = shown(response, "<urlset")
    assert f"<loc>http://localhost/blog/{_slug(app, proposal_id)}</loc>" in text
    assert "<loc>http://localhost/blog/tag/food</loc>" in text
    assert "private-draft" not in text
    import xml.etree.ElementTree as ET
    ET.fromstring(response.data)


def test_author_page_lists_published_posts_and_partial(app, client, people, make_proposal):
    make_proposal(people.author, state=State.PUBLISHED, title="Published one")
    make_proposal(people.author, state=State.IN_REVIEW, title="Still in review")
    page = shown(client.get(f"/blog/author/{people.author}"), "Posts by Amara Author", "Published one")
    assert "Posts by Amara Author" in page and "Published one" in page
    assert "Still in review" not in page
    assert client.get(f"/blog/author/{people.other_leader}").status_code == 404
    assert client.get("/blog/author/9999").status_code == 404

    from flask import render_template
    from app.blog.services import published_posts_by
    with app.test_request_context():
        html = render_template("blog/_author_posts.html",
                               posts=published_posts_by(people.author, limit=3))
    assert "Published one" in html


def test_author_page_links_to_the_directory_profile_when_there_is_one(
        app, client, people, make_proposal):
    from app.models.directory import LeaderProfile
    make_proposal(people.author, state=State.PUBLISHED)
    assert 'href="/leaders/amara-author"' not in client.get(f"/blog/author/{people.author}").data.decode()
    with app.app_context():
        db.session.add(LeaderProfile(user_id=people.author, display_name="Amara Author", slug="amara-author"))
        db.session.commit()
    page = client.get(f"/blog/author/{people.author}").data.decode()
    assert 'href="/leaders/amara-author"' in page


@pytest.mark.parametrize("path", ["/blog", "/blog/feed.atom", "/sitemap.xml"])
def test_public_pages_need_no_login(client, path):
    assert client.get(path).status_code == 200
