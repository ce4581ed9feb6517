"""A thread's messages are drawn once for every member and kept (app/forum/thread_drawing.py):
each member must still get exactly the page drawn for them alone: their own messages' Edit and
Delete, their appreciations and bookmarks, their held message, their own form tokens."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.forum import thread_drawing
from app.models.accounts import User
from app.models.forum import ForumAppreciation, ForumBookmark, ForumPost, ForumThread
from app.models.base import utcnow
from tests.conftest import login, shown
from tests.forum.helpers import make_category, reply_to, start_thread

RANDOM_TOKENS = re.compile(r'name="form_token" type="hidden" value="[^"]*"')
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def room(app, make_user):
    """A thread where Mira wrote, edited, had one message removed and one held; Oren appreciated
    and bookmarked some; Una's email is unconfirmed."""
    people = {key: make_user(name=name) for key, name in (
        ("mira", "Mira Member"), ("oren", "Oren Other"), ("lea", "Lea Leader"))}
    people["una"] = make_user(name="Una Unconfirmed", verified=False)
    people["stella"] = make_user(name="Stella Steward")
    category = make_category(app, "Getting started", stewards=[people["stella"]])
    thread_id, opening = start_thread(app, people["mira"], category, "Kept for members")
    ids = {"opening": opening}
    ids["oren"] = reply_to(app, people["oren"], opening, "Oren answers the question")
    ids["mira_edited"] = reply_to(app, people["mira"], ids["oren"], "Mira answers Oren")
    ids["mira_removed"] = reply_to(app, people["mira"], opening, "Mira says too much")
    ids["lea"] = reply_to(app, people["lea"], ids["mira_edited"], "Lea joins in")
    ids["mira_held"] = reply_to(app, people["mira"], opening, "Mira waits for a steward")
    ids["lea_deleted"] = reply_to(app, people["lea"], opening, "Lea thinks again")
    with app.app_context():
        posts = {key: db.session.get(ForumPost, value) for key, value in ids.items()}
        posts["mira_edited"].edited_at = utcnow() - timedelta(minutes=1)
        posts["mira_removed"].removed_at = utcnow()
        posts["mira_removed"].removed_item = 1
        posts["mira_held"].status = "held"
        posts["lea_deleted"].deleted_at = utcnow()
        for who, what in (("oren", "opening"), ("oren", "lea"), ("mira", "oren"), ("una", "lea")):
            db.session.add(ForumAppreciation(post_id=ids[what], user_id=people[who].id))
            posts[what].appreciation_count += 1
        for who, what in (("oren", "mira_edited"), ("mira", "lea"), ("oren", "opening")):
            db.session.add(ForumBookmark(post_id=ids[what], user_id=people[who].id))
        db.session.commit()
    return {"people": people, "thread": thread_id, "ids": ids}


def page_for(app, who, room, **params) -> str:
    """The thread page as `who` sees it, through their own session (one each, kept)."""
    clients = room.setdefault("clients", {})
    if who not in clients:
        clients[who] = app.test_client()
        assert login(clients[who], room["people"][who].email).status_code == 302
        clients[who].get("/forum")  # shows (and so ends) the login's flashed messages
    page = shown(clients[who].get(f"/forum/threads/{room['thread']}", query_string=params))
    csrf = set(CSRF.findall(page))
    assert len(csrf) == 1  # every form on the page carries the member's own token
    return RANDOM_TOKENS.sub("", page).replace(csrf.pop(), "(the token, signed when drawn)")


@pytest.mark.parametrize("params", [{}, {"view": "flat"}])
def test_each_member_gets_the_page_drawn_for_them_alone(app, room, monkeypatch, params):
    kept = {}
    for who in ("oren", "lea", "una", "mira", "oren"):  # the first draws and keeps; the rest reuse
        kept[who] = page_for(app, who, room, **params)
    assert len(app.extensions["forum_member_drawings"])  # the drawing was kept
    monkeypatch.setattr(thread_drawing, "kept_for", lambda view: False)
    for who in ("oren", "lea", "una", "mira"):
        assert kept[who] == page_for(app, who, room, **params), who


def test_a_members_own_messages_appreciations_and_bookmarks_are_theirs(app, room):
    ids = room["ids"]
    oren = page_for(app, "oren", room)  # drawn and kept here
    mira = page_for(app, "mira", room)  # from Oren's drawing
    lea = page_for(app, "lea", room)

    def footer(page, post_id):
        return page.split(f'id="post-{post_id}"', 1)[1].split("</article>", 1)[0]

    assert "Edit</a>" in footer(mira, ids["mira_edited"]) and "Flag</a>" not in footer(mira, ids["mira_edited"])
    assert "Edit</a>" not in footer(oren, ids["mira_edited"]) and "Flag</a>" in footer(oren, ids["mira_edited"])
    assert "earlier versions" in footer(mira, ids["mira_edited"])
    assert "earlier versions" not in footer(oren, ids["mira_edited"])
    assert "Ask the stewards to look again" in footer(mira, ids["mira_removed"])
    assert "Ask the stewards to look again" not in footer(lea, ids["mira_removed"])
    assert 'aria-pressed="true">Appreciated' in footer(oren, ids["lea"])
    assert 'aria-pressed="false">Appreciate' in footer(lea, ids["opening"])
    assert "Appreciate" not in footer(lea, ids["lea"])  # nobody appreciates their own message
    assert "Remove bookmark" in footer(mira, ids["lea"]) and "Remove bookmark" not in footer(lea, ids["lea"])
    # Mira's held message is hers and the stewards' alone, whoever drew the page first.
    assert "Mira waits for a steward" in mira and "Waiting for a steward" in mira
    assert "Mira waits for a steward" not in oren and "Mira waits for a steward" not in lea
    assert "Mira waits for a steward" in page_for(app, "stella", room)


def test_the_forms_on_a_kept_page_carry_the_members_own_token(app, room):
    page_for(app, "lea", room)  # drawn and kept with Lea's session
    oren = room["people"]["oren"]
    client = app.test_client()
    assert login(client, oren.email).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True
    page = shown(client.get(f"/forum/threads/{room['thread']}"))
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert len(tokens) == 1 and "\x01" not in page
    lea_post = room["ids"]["lea"]
    answer = client.post(f"/forum/posts/{lea_post}/bookmark",
                         data={"csrf_token": tokens.pop(), "next": f"/forum/threads/{room['thread']}"})
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(ForumBookmark, (oren.id, lea_post)) is not None


def test_a_change_to_the_thread_reaches_members_at_once(app, room):
    assert "A new answer" not in page_for(app, "oren", room)
    reply_to(app, room["people"]["lea"], room["ids"]["opening"], "A new answer")
    assert "A new answer" in page_for(app, "oren", room)
    with app.app_context():
        db.session.get(ForumThread, room["thread"]).locked = True
        db.session.get(User, room["people"]["oren"].id).display_name = "Oren Renamed"
        db.session.commit()
    page = page_for(app, "oren", room)
    assert "A steward locked this thread" in page and "Reply<span" not in page
