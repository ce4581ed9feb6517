"""Markup typed into any forum field (a category's name and description, a person's name, a
title, a message, a guideline, a flag's note, an appeal) is shown as text on every forum page."""
import xml.etree.ElementTree as ElementTree

import pytest

from app.extensions import db
from app.models.accounts import User
from app.models.forum import ForumCategory, ForumPost
from tests.conftest import login, shown
from tests.forum.helpers import make_category, reply_to, start_thread

PAYLOADS = ["<script>alert('x')</script>", '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_in_every_field_is_text_on_every_page(app, client, make_user, payload):
    admin = make_user(role="admin", name=f"Admin {payload}")
    writer = make_user(role="leader", name=f"Writer {payload}")
    category_id = make_category(app, "Open room", stewards=[admin])
    with app.app_context():
        from app.forum import members, moderation
        category = db.session.get(ForumCategory, category_id)
        category.name, category.description = f"Room {payload}", f"About {payload}"
        members.publish_guidelines(f"Intro {payload}", [{"title": f"Be kind {payload}", "text": f"Text {payload}"}], None)
        db.session.commit()
    thread_id, opening = start_thread(app, writer, category_id, f"Title {payload}", f"Body {payload}")
    reply = reply_to(app, admin, opening, f"Reply {payload}")
    # Deeper than three: drawn under its depth-3 ancestor, "in reply to Admin <payload>".
    deeper = reply_to(app, writer, reply, f"Second {payload}")
    deeper = reply_to(app, admin, deeper, f"Third {payload}")
    reply_to(app, writer, deeper, f"Fourth {payload}")
    with app.test_request_context():
        from app.forum import members, moderation
        moderation.flag(db.session.get(User, admin.id), db.session.get(ForumPost, opening), 1, f"Note {payload}")
        db.session.commit()
        handle = members.handle_of(db.session.get(User, writer.id))
    assert login(client, admin.email).status_code == 302
    pages = ["/forum", "/forum/open-room", f"/forum/threads/{thread_id}", f"/forum/threads/{thread_id}/reply/{reply}",
             "/forum/moderation", "/guidelines", "/forum/search?q=body", f"/forum/posts/{opening}/flag",
             f"/forum/posts/{reply}/appreciations", "/forum/bookmarks", f"/forum/people/{handle}"]
    assert "in reply to <a" in shown(client.get(f"/forum/threads/{thread_id}"))
    for path in pages:
        page = shown(client.get(path))
        for bad in ("<script>alert", "<img src=x", "<svg onload"):
            assert bad not in page, f"{path} shows {bad!r} as markup"
    for feed in ("/forum/open-room/feed.atom", f"/forum/threads/{thread_id}/feed.atom"):
        ElementTree.fromstring(client.get(feed).data)  # still well-formed XML
