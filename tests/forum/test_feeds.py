"""The forum's Atom feeds (a category's newest threads, a thread's newest replies) and its
addresses in the sitemap: public categories only, standing messages only, always valid XML."""
import xml.etree.ElementTree as ET

import pytest

from app.forum.sitemap import sitemap_parts
from app.models.base import utcnow
from app.models.forum import PostStatus
from tests.conftest import shown
from tests.forum.helpers import make_category
from tests.forum.test_search import add_reply, add_thread

ATOM = "{http://www.w3.org/2005/Atom}"


def atom(response) -> ET.Element:
    """The feed, once it answered 200 as Atom and parsed as XML."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    assert feed.tag == f"{ATOM}feed"
    for required in ("title", "id", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    return feed


def entries(feed: ET.Element) -> list[dict]:
    found = []
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("title", "id", "updated", "author"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        found.append({"title": entry.findtext(f"{ATOM}title"),
                      "link": entry.find(f"{ATOM}link").get("href"),
                      "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
                      "content": entry.findtext(f"{ATOM}content")})
    return found


@pytest.fixture
def forum(app, make_user):
    maria, sam = make_user(name="María Núñez"), make_user(name="Sam Okafor")
    gardens = make_category(app, "Community gardens")
    lounge = make_category(app, "Stewards lounge", members_only=True)
    thread, _ = add_thread(app, gardens, maria, "Composting with neighbours",
                           "We started a **shared bin** behind the library.")
    now = utcnow()
    replies = {
        "first": add_reply(app, thread, sam, "Our school tried it *too*."),
        "second": add_reply(app, thread, maria, "Lovely! Bring the children on Saturday."),
        "held": add_reply(app, thread, sam, "Buy bins at http://example.com", status=PostStatus.HELD),
        "deleted": add_reply(app, thread, sam, "Never mind, wrong thread.", deleted_at=now),
        "removed": add_reply(app, thread, sam, "Something rude.", removed_at=now),
    }
    held_thread, _ = add_thread(app, gardens, sam, "Cheap bins here", "http://example.com",
                                status=PostStatus.HELD)
    gone_thread, _ = add_thread(app, gardens, sam, "Oops posted twice", "Same again.", deleted_at=now)
    secret, _ = add_thread(app, lounge, maria, "Quiet planning", "The rota for winter.")
    return {"gardens": gardens, "thread": thread, "replies": replies, "held_thread": held_thread,
            "gone_thread": gone_thread, "secret": secret}


def test_a_category_feed_lists_its_standing_threads_as_valid_atom(client, forum):
    feed = atom(client.get("/forum/community-gardens/feed.atom"))
    assert feed.findtext(f"{ATOM}title").endswith("forum: Community gardens")
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": "http://localhost/forum/community-gardens/feed.atom",
                     "alternate": "http://localhost/forum/community-gardens"}
    listed = entries(feed)
    assert [entry["title"] for entry in listed] == ["Composting with neighbours"]  # not held, not deleted
    only = listed[0]
    assert only["link"] == f"http://localhost/forum/threads/{forum['thread']}/composting-with-neighbours"
    assert only["author"] == "María Núñez"
    assert "<strong>shared bin</strong>" in only["content"]  # the Markdown, rendered


def test_a_thread_feed_holds_its_published_replies_newest_first(client, forum):
    feed = atom(client.get(f"/forum/threads/{forum['thread']}/feed.atom"))
    assert feed.findtext(f"{ATOM}title").endswith("forum: Composting with neighbours")
    listed = entries(feed)
    replies = forum["replies"]
    permalink = f"http://localhost/forum/threads/{forum['thread']}/posts/"
    assert [entry["link"] for entry in listed] == [permalink + str(replies[name]) for name in ("second", "first")]
    assert [entry["title"] for entry in listed] == ["Reply from María Núñez", "Reply from Sam Okafor"]
    assert "<em>too</em>" in listed[1]["content"]
    body = client.get(f"/forum/threads/{forum['thread']}/feed.atom").get_data(as_text=True)
    for gone in ("example.com", "wrong thread", "rude", "shared bin"):  # held, deleted, removed, the opening
        assert gone not in body


def test_feeds_of_members_only_unknown_or_unpublished_places_are_not_found(client, forum, login_as):
    login_as()  # a feed is for feed readers, which never log in: not even a member gets one
    for url in ("/forum/stewards-lounge/feed.atom", "/forum/no-such-category/feed.atom",
                f"/forum/threads/{forum['secret']}/feed.atom",
                f"/forum/threads/{forum['held_thread']}/feed.atom",
                "/forum/threads/999999/feed.atom", "/forum/threads/99999999999/feed.atom"):
        assert client.get(url).status_code == 404, url


def test_an_empty_thread_feed_is_still_valid(client, app, forum):
    thread, _ = add_thread(app, forum["gardens"], None, "Nobody answered yet", "Anyone?")
    feed = atom(client.get(f"/forum/threads/{thread}/feed.atom"))
    assert entries(feed) == []


def test_markup_and_control_characters_in_titles_and_messages_keep_the_feed_valid(client, app, forum):
    title = '<script>alert("x")</script> & \x02\x0bbins'
    thread, _ = add_thread(app, forum["gardens"], None, title, "<script>alert(1)</script> **ok** \x1b")
    add_reply(app, thread, None, "Fine <img src=x onerror=alert(2)>")
    category_feed = atom(client.get("/forum/community-gardens/feed.atom"))
    newest = entries(category_feed)[0]
    assert newest["title"] == '<script>alert("x")</script> & bins'  # text, escaped in the XML
    assert newest["author"] == "Former member"
    assert "<script" not in newest["content"] and "<strong>ok</strong>" in newest["content"]
    reply = entries(atom(client.get(f"/forum/threads/{thread}/feed.atom")))[0]
    assert "<img" not in reply["content"] and "&lt;img" in reply["content"]  # shown as text, not run


def test_the_sitemap_lists_public_categories_and_their_threads(app, forum):
    with app.app_context():
        parts = sitemap_parts()
        assert [part.name for part in parts] == ["forum", "forum-threads-1"]
        addresses = {url for part in parts for url, _ in part.entries()}
    assert "http://localhost/forum" in addresses
    assert "http://localhost/forum/community-gardens" in addresses
    assert f"http://localhost/forum/threads/{forum['thread']}/composting-with-neighbours" in addresses
    # A deleted opening leaves the thread (and its replies) readable; a held one does not.
    assert f"http://localhost/forum/threads/{forum['gone_thread']}/oops-posted-twice" in addresses
    assert not any("stewards-lounge" in url or f"/threads/{forum['secret']}/" in url
                   or f"/threads/{forum['held_thread']}/" in url for url in addresses)


def test_an_empty_forum_has_only_its_index_in_the_sitemap(app):
    with app.app_context():
        parts = sitemap_parts()
        assert [list(part.entries()) for part in parts] == [[("http://localhost/forum", None)]]


def test_the_feeds_are_linked_from_public_pages(client, forum):
    body = shown(client.get("/forum/community-gardens"))
    assert 'href="/forum/community-gardens/feed.atom"' in body
    body = shown(client.get(f"/forum/threads/{forum['thread']}/composting-with-neighbours"))
    assert f'href="/forum/threads/{forum["thread"]}/feed.atom"' in body
