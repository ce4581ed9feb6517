"""Every forum page, opened by each kind of person: anonymous, unconfirmed, member, leader, the
category's steward, another category's steward, admin. What each gets is what they may do."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models.forum import ForumPost
from tests.conftest import login
from tests.forum.helpers import make_category, reply_to, start_thread

ROLES = ("anonymous", "unconfirmed", "member", "leader", "steward", "steward_elsewhere", "admin")
LOGIN = "login"  # a redirect to the login page

# (path, {role: status}); a role left out gets `default`.
def everyone(status=200):
    return {role: status for role in ROLES}


def signed_in(status=200, anonymous=LOGIN, **others):
    table = {role: status for role in ROLES} | {"anonymous": anonymous}
    return table | others


ONLY_WRITERS = dict(unconfirmed=403)
MODERATORS_HERE = {"anonymous": LOGIN, "unconfirmed": 403, "member": 403, "leader": 403,
                   "steward": 200, "steward_elsewhere": 403, "admin": 200}
ADMINS = {"anonymous": LOGIN, "unconfirmed": 403, "member": 403, "leader": 403, "steward": 403,
          "steward_elsewhere": 403, "admin": 200}

PAGES = [
    ("/forum", everyone()),
    ("/forum/getting-started", everyone()),
    ("/forum/members-room", signed_in()),
    ("/forum/threads/{thread}", everyone()),
    ("/forum/threads/{thread}/{slug}", everyone()),
    ("/forum/threads/{private}", signed_in()),
    ("/forum/threads/{thread}/posts/{reply}", everyone(302)),
    ("/forum/threads/{thread}/replies/{reply}", everyone()),
    ("/forum/threads/{thread}/reply/{reply}", everyone() | ONLY_WRITERS),
    ("/forum/getting-started/new", signed_in(**ONLY_WRITERS)),
    ("/forum/members-room/new", signed_in(**ONLY_WRITERS)),
    ("/forum/posts/{opening}/edit", signed_in(403)),
    ("/forum/posts/{opening}/delete", signed_in(403)),
    ("/forum/posts/{reply}/versions", signed_in(404, steward=200, admin=200)),
    ("/forum/posts/{reply}/appreciations", everyone()),
    ("/forum/bookmarks", signed_in()),
    ("/forum/mentions?q=au", signed_in()),
    ("/forum/people/ari-author", everyone()),
    ("/forum/search?q=question", everyone()),
    ("/forum/settings", signed_in()),
    ("/forum/moderation", MODERATORS_HERE | {"steward_elsewhere": 200}),
    ("/forum/posts/{reply}/remove", MODERATORS_HERE),
    ("/forum/guidelines/edit", ADMINS),
    ("/forum/categories/manage", ADMINS),
    ("/guidelines", everyone()),
    ("/forum/getting-started/stewards/{steward}/message", signed_in(**ONLY_WRITERS)),
    ("/forum/getting-started/feed.atom", everyone()),
    ("/forum/members-room/feed.atom", everyone(404)),
    ("/forum/threads/{thread}/feed.atom", everyone()),
    ("/forum/threads/{private}/feed.atom", everyone(404)),
    ("/api/forum/threads/{thread}", everyone()),
    ("/api/forum/threads/{private}", everyone(404)),
]


@pytest.fixture
def place(app, make_user):
    people = {
        "author": make_user(name="Ari Author"),
        "unconfirmed": make_user(name="Una Unconfirmed", verified=False),
        "member": make_user(name="Mira Member"),
        "leader": make_user(role="leader", name="Lea Leader"),
        "steward": make_user(name="Stella Steward"),
        "steward_elsewhere": make_user(name="Sol Elsewhere"),
        "admin": make_user(role="admin", name="Ada Admin"),
    }
    public = make_category(app, "Getting started", stewards=[people["steward"]])
    private = make_category(app, "Members room", members_only=True, stewards=[people["steward_elsewhere"]])
    thread, opening = start_thread(app, people["author"], public, "A question for everyone")
    reply = reply_to(app, people["author"], opening, "The author adds a thought")
    with app.app_context():
        db.session.get(ForumPost, reply).edited_at = db.session.get(ForumPost, reply).created_at
        db.session.commit()
    hidden, _ = start_thread(app, people["author"], private, "Only for members")
    return {"people": people, "values": {"thread": thread, "slug": "a-question-for-everyone",
                                         "private": hidden, "opening": opening, "reply": reply,
                                         "steward": people["steward"].id}}


@pytest.mark.parametrize("role", ROLES)
def test_every_forum_page_answers_each_person_as_they_may(app, client, place, role):
    if role != "anonymous":
        assert login(client, place["people"][role].email).status_code == 302
    wrong = []
    for path, expected in PAGES:
        url = path.format(**place["values"])
        answer = client.get(url)
        want = expected[role]
        if want == LOGIN:
            ok = answer.status_code in (302, 303) and "/login" in answer.headers.get("Location", "")
        else:
            ok = answer.status_code == want
        if not ok:
            wrong.append(f"{url}: {answer.status_code}, wanted {want}")
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_who_may_write_reply_appreciate_and_bookmark(app, client, place, role):
    if role != "anonymous":
        assert login(client, place["people"][role].email).status_code == 302
    values = place["values"]
    writes = role not in ("anonymous", "unconfirmed")
    reply = client.post(f"/forum/threads/{values['thread']}/reply/{values['reply']}",
                        data={"body": f"A reply from the {role}", "form_token": f"r-{role}"})
    thread = client.post("/forum/getting-started/new",
                         data={"title": f"A thread by the {role}", "body": "Hello", "form_token": f"t-{role}"})
    client.post(f"/forum/posts/{values['opening']}/appreciate")
    client.post(f"/forum/posts/{values['opening']}/bookmark")
    assert (reply.status_code == 302 and "/login" not in reply.headers["Location"]) == writes, reply.status_code
    assert (thread.status_code == 302 and "/login" not in thread.headers["Location"]) == writes
    with app.app_context():
        from app.models.forum import ForumBookmark, ForumThread
        opening = db.session.get(ForumPost, values["opening"])
        assert opening.appreciation_count == (1 if writes else 0)
        assert (db.session.scalar(db.select(db.func.count()).select_from(ForumBookmark)) == 1) == (role not in ("anonymous",))
        assert db.session.scalar(db.select(db.func.count()).select_from(ForumThread)) == (3 if writes else 2)
