"""A partnership's conversation is a forum thread in a private category, written with the forum's own
pieces (replies, follows and reply notifications, @mentions), and nothing of the forum shows it to
anyone else: not its lists, search, feeds, sitemap, people's pages, profiles, the home page, the
digest, the moderation queue, the categories admins manage, mentions of outsiders nor the API."""
import secrets

import pytest
from sqlalchemy import select

from app.extensions import db
from app.forum import digests, members
from app.models.forum import ForumCategory, ForumMember
from app.models.notifications import Notification
from app.models.partnerships import Partnership
from app.partnerships import space
from tests.conftest import shown
from tests.forum.helpers import make_category, start_thread
from tests.partnerships.helpers import SECRET_WORD, leader_profile, log_in_as, make_partnership


def _write(app, partnership_id, person, text) -> int:
    with app.test_request_context(method="POST"):
        message = space.write(db.session.get(Partnership, partnership_id), db.session.get(type(person), person.id),
                              text, accepted_guidelines=True, form_token=secrets.token_hex(8))
        db.session.commit()
        return message.id


def _handle(app, user) -> str:
    with app.test_request_context():
        handle = members.member(db.session.get(type(user), user.id)).handle
        db.session.commit()
        return handle


@pytest.fixture
def world(app, make_user):
    ana = make_user(role="leader", name="Ana Author")
    ben = make_user(name="Ben Partner")
    outsider = make_user(name="Olga Outsider")
    slug = leader_profile(app, ana)
    category = make_category(app, "Getting started")
    public_thread, _ = start_thread(app, ana, category, title="A public question", body="Public words only")
    partnership_id = make_partnership(app, [ana, ben])
    olga = _handle(app, outsider)
    opening = _write(app, partnership_id, ana, f"Our {SECRET_WORD} plan, and a word to @{olga}")
    reply = _write(app, partnership_id, ben, f"Agreed on {SECRET_WORD}, @{_handle(app, ana)}")
    with app.app_context():
        thread_id = db.session.get(Partnership, partnership_id).thread_id
    return {"ana": ana, "ben": ben, "outsider": outsider, "admin": make_user(role="admin"), "slug": slug,
            "p": partnership_id, "thread": thread_id, "opening": opening, "reply": reply,
            "public_thread": public_thread}


def test_it_is_the_forums_own_thread_with_its_notifications(app, client, world):
    with app.app_context():
        category = db.session.scalar(select(ForumCategory).where(ForumCategory.private.is_(True)))
        assert category.slug == space.CATEGORY_SLUG
        notes = db.session.execute(select(Notification.user_id, Notification.kind, Notification.link)).all()
    by_person = {(user_id, kind): link for user_id, kind, link in notes}
    # Ben's answer told Ana (a reply, and her @mention), through the forum's own notifications...
    assert (world["ana"].id, "forum_reply") in by_person
    # ...and Olga, mentioned but no partner, heard nothing of it.
    assert not [note for note in notes if note[0] == world["outsider"].id]
    # The link leads, through the forum's permalink, to the partnership's page.
    log_in_as(client, world["ana"])
    moved = client.get(by_person[(world["ana"].id, "forum_reply")])
    assert "/partnerships/discussions/" in moved.headers["Location"]
    page = client.get(moved.headers["Location"], follow_redirects=True)
    shown(page, f"Agreed on {SECRET_WORD}")
    # A reply through the forum's own reply box comes back to the room.
    answer = client.post(f"/forum/threads/{world['thread']}/reply/{world['reply']}",
                         data={"body": "Thursday then", "form_token": "t-1", "accept_guidelines": "y"})
    assert answer.status_code == 302
    landed = client.get(answer.headers["Location"])
    assert landed.headers["Location"].startswith("/partnerships/discussions/")
    shown(client.get(f"/partnerships/{world['p']}"), "Thursday then")


@pytest.mark.parametrize("who", ["visitor", "outsider", "admin", "ben"])
def test_no_page_of_the_forum_shows_it(app, client, world, who):
    if who != "visitor":
        log_in_as(client, world[who])
    handle = _handle(app, world["ana"])
    pages = ["/forum", "/forum/getting-started", "/forum/getting-started/feed.atom",
             f"/forum/threads/{world['public_thread']}/feed.atom", f"/forum/search?q={SECRET_WORD}",
             f"/forum/search?q={SECRET_WORD}&author={handle}", f"/forum/people/{handle}",
             f"/leaders/{world['slug']}", "/", "/sitemap.xml", "/sitemap/forum.xml",
             f"/api/forum/threads/{world['public_thread']}"]
    if who != "visitor":
        pages += ["/forum/settings", "/forum/bookmarks", "/notifications"]
    if who == "admin":
        pages += ["/forum/moderation", "/forum/categories/manage"]
    for path in pages:
        answer = client.get(path, follow_redirects=True)
        assert answer.status_code == 200, path
        text = answer.get_data(as_text=True)
        if "search" in path:  # the search says what was typed, and finds nothing
            assert "search-result" not in text and "No messages match" in text, path
            text = text.replace(f"“{SECRET_WORD}”", "").replace(f'value="{SECRET_WORD}"', "")
        assert SECRET_WORD not in text, path
        assert "Learning partnerships" not in text and space.CATEGORY_SLUG not in text, path
        assert f"/forum/threads/{world['thread']}" not in text, path
    assert client.get(f"/api/forum/threads/{world['thread']}").status_code == 404
    assert client.get(f"/forum/threads/{world['thread']}/feed.atom").status_code == 404
    with app.app_context():
        private_id = db.session.scalar(select(ForumCategory.id).where(ForumCategory.private.is_(True)))
    if who == "admin":
        assert client.get(f"/forum/categories/{private_id}/edit").status_code == 404


def test_the_digest_never_carries_it(app, world, mailbox):
    from datetime import timedelta
    from app.models.base import utcnow
    with app.test_request_context():
        for person in (world["outsider"], world["ben"]):
            row = members.member(db.session.get(type(person), person.id))
            row.digest, row.digest_hour, row.time_zone = "daily", 0, "UTC"
        db.session.commit()
        digests.send_digests(now=utcnow() + timedelta(days=1))
        db.session.commit()
        from app.models.mail import OutboxMessage
        bodies = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == digests.MAIL)).all()
    assert all(SECRET_WORD not in body for body in bodies)
    with app.app_context():
        assert db.session.scalar(select(ForumMember.digest_sent_for).where(
            ForumMember.user_id == world["outsider"].id))


def test_a_partner_who_leaves_gets_no_more_of_its_mail(app, client, world):
    from app.models.forum import ForumFollow
    with app.app_context():
        assert db.session.get(ForumFollow, (world["ben"].id, world["thread"])).following
    log_in_as(client, world["ben"])
    assert client.post(f"/partnerships/{world['p']}/leave").status_code == 302
    with app.app_context():
        assert db.session.get(ForumFollow, (world["ben"].id, world["thread"])) is None
    assert client.get(f"/forum/posts/{world['reply']}/edit").status_code == 404
