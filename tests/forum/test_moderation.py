"""Moderation through HTTP: flags citing a guideline, the stewards' queue, removing a message
and the author's one appeal, dismissing, locking and pinning, pausing someone's posting, held
messages, the log, and who may do each of these."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.forum import members, posting
from app.forum.guidelines_text import DEMO_GUIDELINES
from app.models.accounts import User
from app.models.forum import (
    ForumCategory, ForumFlag, ForumMember, ForumPost, ForumThread, ModerationAction, PostStatus,
)
from app.models.notifications import Notification
from tests.conftest import login, shown
from tests.forum.helpers import make_category, reply_to, start_thread

XSS = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
ROLES = ("anonymous", "unconfirmed", "member", "leader", "steward_elsewhere", "steward", "admin")
REFUSED = ("unconfirmed", "member", "leader", "steward_elsewhere")
# Item 4 of the demo guidelines.
ATTACKING = "4. No blaming, shaming or attacking"


def publish_guidelines(app, intro=None, items=None) -> None:
    with app.app_context():
        members.publish_guidelines(intro or DEMO_GUIDELINES[0], items or DEMO_GUIDELINES[1], None)
        db.session.commit()


@pytest.fixture
def forum(app, client, make_user):
    """Guidelines, a category with its steward and another with its own, people in every role,
    and a thread whose opening (by the author) has a reply by someone else."""
    people = {
        "author": make_user(name="Ari Author"),
        "flagger": make_user(name="Fay Flagger"),
        "member": make_user(name="Mira Member"),
        "leader": make_user(role="leader", name="Lea Leader"),
        "admin": make_user(role="admin", name="Ada Admin"),
        "unconfirmed": make_user(name="Una Unconfirmed", verified=False),
        "steward": make_user(name="Stella Steward"),
        "steward_elsewhere": make_user(name="Sol Elsewhere"),
    }
    publish_guidelines(app)
    category = make_category(app, "Getting started", stewards=[people["steward"]])
    elsewhere = make_category(app, "Gardens", stewards=[people["steward_elsewhere"]])
    thread_id, opening = start_thread(app, people["author"], category, "Sharing the hall rota")
    reply = reply_to(app, people["author"], opening, "Whoever forgets the keys is hopeless.")
    return {"people": people, "category": category, "elsewhere": elsewhere, "thread": thread_id,
            "opening": opening, "reply": reply}


@pytest.fixture
def browser(app, forum):
    """browser(who): a client of its own, logged in as `who` (or not, for "anonymous"), one per
    person in a test (the login limit counts every login)."""
    clients = {}

    def client_of(who):
        if who not in clients:
            clients[who] = app.test_client()
            if who != "anonymous":
                assert login(clients[who], forum["people"][who].email).status_code == 302
        return clients[who]

    return client_of


def raise_flag(app, forum, post_id, flagger="flagger", item=4, note="") -> int:
    with app.test_request_context():
        from app.forum import moderation
        flag = moderation.flag(db.session.get(User, forum["people"][flagger].id),
                               db.session.get(ForumPost, post_id), item, note)
        db.session.commit()
        return flag.id


def held_message(app, make_user, forum, name="Nell Newcomer") -> tuple[int, int]:
    """A new member's first message with a link: held for a steward. (person id, post id)"""
    newcomer = make_user(name=name)
    _, post_id = start_thread(app, newcomer, forum["category"], f"{name} says hello",
                              f"Hello from {name}, see https://example.org/{name.split()[0]}")
    with app.app_context():
        assert db.session.get(ForumPost, post_id).status == PostStatus.HELD
    return newcomer.id, post_id


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(ModerationAction.action).order_by(ModerationAction.id)))


def notes_of(app, person) -> list[Notification]:
    with app.app_context():
        found = list(db.session.scalars(select(Notification).where(
            Notification.user_id == person.id, Notification.kind == "forum_moderation")))
        db.session.expunge_all()
        return found


def get_post(app, post_id) -> ForumPost:
    with app.app_context():
        post = db.session.get(ForumPost, post_id)
        db.session.expunge(post)
        return post


def get_thread(app, thread_id) -> ForumThread:
    with app.app_context():
        thread = db.session.get(ForumThread, thread_id)
        db.session.expunge(thread)
        return thread


# Who may do what ------------------------------------------------------------------------

def test_every_moderation_route_answers_only_the_categorys_stewards_and_admins(app, forum, browser, make_user):
    flag_id = raise_flag(app, forum, forum["reply"])
    _, held = held_message(app, make_user, forum)
    author, thread, reply = forum["people"]["author"], forum["thread"], forum["reply"]
    routes = [
        ("post", f"/forum/moderation/flags/{flag_id}/dismiss", {}),
        ("get", f"/forum/posts/{reply}/remove", None),
        ("post", f"/forum/posts/{reply}/remove", {"item": "4"}),
        ("post", f"/forum/threads/{thread}/lock", {}),
        ("post", f"/forum/threads/{thread}/pin", {}),
        ("post", f"/forum/threads/{thread}/unlock", {}),
        ("post", f"/forum/threads/{thread}/unpin", {}),
        ("post", f"/forum/posts/{held}/approve", {}),
        ("post", f"/forum/posts/{held}/reject", {}),
        ("get", f"/forum/people/{author.id}/pause?post={reply}", None),
        ("post", f"/forum/people/{author.id}/pause?post={reply}", {"days": "3"}),
        ("get", f"/forum/people/{author.id}/pause", None),
        ("post", f"/forum/posts/{reply}/appeal/answer", {"note": "No."}),
    ]
    for who in ("anonymous",) + REFUSED:
        client = browser(who)
        for method, url, data in routes:
            answer = getattr(client, method)(url, data=data)
            if who == "anonymous":  # to log in (what they typed kept first: app/kept.py)
                assert answer.status_code in (302, 303), url
                assert "/login" in answer.headers["Location"] or "kept=" in answer.headers["Location"]
            else:
                assert answer.status_code == 403, (who, method, url, answer.status_code)
    assert actions(app) == []
    assert get_post(app, reply).removed_at is None and get_post(app, held).status == PostStatus.HELD
    thread_now = get_thread(app, thread)
    assert not thread_now.locked and not thread_now.pinned
    for who in ("steward", "admin"):
        client = browser(who)
        shown(client.get(f"/forum/posts/{reply}/remove"), "Remove the message")
        shown(client.get(f"/forum/people/{author.id}/pause?post={reply}"), "Pause Ari Author")
    # Without a message to act from, only an admin pauses someone.
    assert browser("steward").get(f"/forum/people/{author.id}/pause").status_code == 403
    shown(browser("admin").get(f"/forum/people/{author.id}/pause"), "Pause Ari Author")


def test_the_moderation_page_is_for_people_who_moderate_something(app, forum, browser):
    raise_flag(app, forum, forum["reply"], note="Unkind about the keys")
    answer = browser("anonymous").get("/forum/moderation")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    for who in ("unconfirmed", "member", "leader"):
        assert browser(who).get("/forum/moderation").status_code == 403
    elsewhere = shown(browser("steward_elsewhere").get("/forum/moderation"),
                      "The categories you steward", "No flagged messages")
    assert "Unkind about the keys" not in elsewhere
    for who in ("steward", "admin"):
        shown(browser(who).get("/forum/moderation"), "Unkind about the keys",
              "Whoever forgets the keys is hopeless.", ATTACKING)


def test_flagging_asks_for_a_logged_in_confirmed_member(app, forum, browser):
    url = f"/forum/posts/{forum['reply']}/flag"
    answer = browser("anonymous").get(url)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert browser("unconfirmed").get(url).status_code == 403
    assert browser("unconfirmed").post(url, data={"item": "4"}).status_code == 403
    for who in ("member", "leader", "steward_elsewhere", "steward", "admin"):
        shown(browser(who).get(url), "Flag a message", "Whoever forgets the keys",
              ATTACKING, "1. Power with, not power over")
    own = shown(browser("author").get(url), "This is your own message")
    assert 'name="item"' not in own
    browser("author").post(url, data={"item": "4"})
    with app.app_context():
        assert db.session.scalar(select(ForumFlag.id)) is None


def test_appealing_is_for_the_author_of_a_removed_message_only(app, forum, browser):
    url = f"/forum/posts/{forum['reply']}/appeal"
    assert browser("author").get(url).status_code == 404  # nothing removed yet
    shown_removal(browser, forum)
    answer = browser("anonymous").get(url)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    for who in ("unconfirmed", "member", "leader", "steward_elsewhere", "steward", "admin"):
        assert browser(who).get(url).status_code == 403, who
        assert browser(who).post(url, data={"appeal": "Sneaked"}).status_code == 403
    shown(browser("author").get(url), "Appeal a removal", ATTACKING)
    assert get_post(app, forum["reply"]).appeal is None


def shown_removal(browser, forum, who="steward", item="4", note="Name-calling"):
    answer = browser(who).post(f"/forum/posts/{forum['reply']}/remove",
                                           data={"item": item, "note": note})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer


def test_unknown_ids_are_404_and_never_an_error(app, forum, browser):
    client = browser("admin")
    for method, url in (("post", "/forum/moderation/flags/999999/dismiss"),
                        ("get", "/forum/posts/999999/remove"), ("post", "/forum/posts/999999/remove"),
                        ("get", "/forum/posts/999999/flag"), ("get", "/forum/posts/999999/appeal"),
                        ("post", "/forum/posts/999999/approve"), ("post", "/forum/posts/999999/reject"),
                        ("post", "/forum/posts/999999/appeal/answer"),
                        ("post", "/forum/threads/999999/lock"), ("post", "/forum/threads/999999/unpin"),
                        ("get", "/forum/people/999999/pause"),
                        ("get", f"/forum/people/{forum['people']['author'].id}/pause?post=999999"),
                        ("get", f"/forum/people/{forum['people']['author'].id}/pause?post=abc"),
                        ("get", "/forum/posts/2147483648/flag"), ("get", "/forum/posts/-1/flag")):
        assert getattr(client, method)(url).status_code == 404, url
    # Someone else's message does not prompt a pause of this person.
    flagger = forum["people"]["flagger"].id
    assert client.get(f"/forum/people/{flagger}/pause?post={forum['reply']}").status_code == 404


# Flag, queue, remove, appeal --------------------------------------------------------------

def test_a_flag_goes_to_the_queue_the_removal_names_the_item_and_the_author_appeals_once(app, forum, browser):
    flagger = browser("flagger")
    sent = flagger.post(f"/forum/posts/{forum['reply']}/flag",
                        data={"item": "4", "note": f"Calling people hopeless {XSS}"})
    assert sent.status_code == 302
    shown(flagger.get(f"/forum/posts/{forum['reply']}/flag"), "You flagged this message")

    steward = browser("steward")
    queue = shown(steward.get("/forum/moderation"), "Flagged messages (1)", "Fay Flagger",
                  f"Calling people hopeless {ESCAPED}")
    assert XSS not in queue
    removing = shown(steward.get(f"/forum/posts/{forum['reply']}/remove"),
                     "Whoever forgets the keys", "Fay Flagger")
    assert XSS not in removing
    done = steward.post(f"/forum/posts/{forum['reply']}/remove",
                        data={"item": "4", "note": "Name-calling"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/forum/moderation")
    shown(steward.get("/forum/moderation"), "No flagged messages")

    removed = get_post(app, forum["reply"])
    assert removed.removed_at and removed.removed_item == 4 and removed.body == ""
    assert removed.deleted_at is None, "a steward removed it; its author did not delete it"
    with app.app_context():
        assert db.session.get(ForumFlag, 1).resolution == "removed"
    thread_page = shown(browser("anonymous").get(f"/forum/threads/{forum['thread']}"),
                        f"Removed by a steward: it broke guideline {ATTACKING}")
    assert "Whoever forgets the keys" not in thread_page

    (told,) = notes_of(app, forum["people"]["author"])
    assert told.message.startswith(f"A steward removed your message: it broke {ATTACKING}")
    assert told.link == f"/forum/threads/{forum['thread']}/posts/{forum['reply']}"

    author = browser("author")
    shown(author.get(f"/forum/threads/{forum['thread']}"), "Ask the stewards to look again")
    appeal_url = f"/forum/posts/{forum['reply']}/appeal"
    assert author.post(appeal_url, data={"appeal": ""}).status_code == 200
    assert get_post(app, forum["reply"]).appealed_at is None
    assert author.post(appeal_url, data={"appeal": f"It was a joke {XSS}"}).status_code == 302
    again = shown(author.post(appeal_url, data={"appeal": "Please look again"}),
                  "You already appealed this removal")
    assert "Send my appeal" not in again
    assert get_post(app, forum["reply"]).appeal == f"It was a joke {XSS}"

    queue = shown(steward.get("/forum/moderation"), "Appeals (1)", f"It was a joke {ESCAPED}")
    assert XSS not in queue
    answered = steward.post(f"/forum/posts/{forum['reply']}/appeal/answer",
                            data={"note": "It still reads as an attack; you are welcome to rephrase."})
    assert answered.status_code == 302
    shown(steward.get("/forum/moderation"), "No appeals waiting")
    shown(author.get(appeal_url), "Your appeal is answered", "welcome to rephrase")
    assert [n.message for n in notes_of(app, forum["people"]["author"])][-1].startswith(
        "A steward answered your appeal: It still reads as an attack")
    assert actions(app) == ["remove", "appeal", "answer_appeal"]


def test_flags_cite_an_item_that_exists_once_per_person_and_never_their_own(app, forum, browser):
    url = f"/forum/posts/{forum['reply']}/flag"
    flagger = browser("flagger")
    for item in ("", "99", "abc", "0", "-1", "9" * 30):
        shown(flagger.post(url, data={"item": item}), "Choose the guideline item")
    shown(flagger.post(url, data={"item": "4", "note": "x" * 501}), "Keep the note to 500 characters")
    with app.app_context():
        assert db.session.scalar(select(ForumFlag.id)) is None
    assert flagger.post(url, data={"item": "4"}).status_code == 302
    shown(flagger.post(url, data={"item": "2"}), "You flagged this message")
    with app.app_context():
        assert [flag.item for flag in db.session.scalars(select(ForumFlag))] == [4]
    steward = browser("steward")
    assert steward.post("/forum/moderation/flags/1/dismiss").status_code == 302
    assert flagger.post(url, data={"item": "2"}).status_code == 302  # open again, after a dismissal
    with app.app_context():
        (flag,) = db.session.scalars(select(ForumFlag)).all()
        assert flag.item == 2 and flag.resolved_at is None


def test_a_held_or_gone_message_cannot_be_flagged(app, forum, browser, make_user):
    _, held = held_message(app, make_user, forum)
    assert browser("flagger").get(f"/forum/posts/{held}/flag").status_code == 404
    shown_removal(browser, forum)
    assert browser("flagger").get(f"/forum/posts/{forum['reply']}/flag").status_code == 404


def test_removing_needs_an_item_and_a_message_still_there(app, forum, browser):
    steward = browser("steward")
    url = f"/forum/posts/{forum['reply']}/remove"
    shown(steward.post(url, data={"item": "12"}), "Choose the guideline item")
    shown(steward.post(url, data={"note": "no item"}), "Choose the guideline item")
    assert get_post(app, forum["reply"]).removed_at is None
    shown_removal(browser, forum)
    again = shown(steward.post(url, data={"item": "4"}), "This message is no longer in the forum",
                  status=409)
    assert "Remove the message</button>" not in again
    assert actions(app) == ["remove"]


def test_a_steward_elsewhere_cannot_dismiss_and_a_dismissal_happens_once(app, forum, browser):
    flag_id = raise_flag(app, forum, forum["opening"], item=2, note="Seems off")
    url = f"/forum/moderation/flags/{flag_id}/dismiss"
    assert browser("steward_elsewhere").post(url).status_code == 403
    admin = browser("admin")
    done = admin.post(url, data={"note": "Reads fine to me", "next": "/forum/threads/1"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/forum/threads/1")
    assert get_post(app, forum["opening"]).body, "a dismissed flag leaves the message"
    shown(admin.post(url, follow_redirects=True), "This flag was already dealt with")
    assert actions(app) == ["dismiss"]


def test_next_only_leads_within_the_site(app, forum, browser):
    flag_id = raise_flag(app, forum, forum["opening"])
    answer = browser("steward").post(f"/forum/moderation/flags/{flag_id}/dismiss",
                                                 data={"next": "https://evil.example/"})
    assert answer.headers["Location"].endswith("/forum/moderation")
    answer = browser("steward").post(f"/forum/threads/{forum['thread']}/lock",
                                                 data={"next": "//evil.example/"})
    assert "evil" not in answer.headers["Location"]


# Threads ---------------------------------------------------------------------------------

def test_stewards_lock_pin_unlock_and_unpin_a_thread(app, forum, browser):
    steward = browser("steward")
    url = f"/forum/threads/{forum['thread']}"
    assert steward.post(f"{url}/lock").status_code == 302
    assert steward.post(f"{url}/pin").status_code == 302
    thread = get_thread(app, forum["thread"])
    assert thread.locked and thread.pinned
    with app.test_request_context():
        member = db.session.get(User, forum["people"]["member"].id)
        found = db.session.get(ForumThread, forum["thread"])
        opening = db.session.get(ForumPost, forum["opening"])
        with pytest.raises(posting.Refused, match="locked"):
            posting.reply(member, found, opening, "Can I still answer?", accepted_guidelines=True)
    shown(steward.post(f"{url}/lock", follow_redirects=True), "This thread is already locked.")
    assert steward.post(f"{url}/unlock").status_code == 302
    assert steward.post(f"{url}/unpin").status_code == 302
    shown(steward.post(f"{url}/unpin", follow_redirects=True), "This thread is not pinned.")
    thread = get_thread(app, forum["thread"])
    assert not thread.locked and not thread.pinned
    assert actions(app) == ["lock", "pin", "unlock", "unpin"]


# Pausing ---------------------------------------------------------------------------------

def test_a_pause_stops_posting_until_its_end_and_the_person_is_told(app, forum, browser):
    author = forum["people"]["author"]
    url = f"/forum/people/{author.id}/pause?post={forum['reply']}"
    steward = browser("steward")
    for days in ("0", "91", "abc", "", "2.5"):
        shown(steward.post(url, data={"days": days}), "Enter a number of days from 1 to 90")
    with app.app_context():
        assert members.posting_paused_until(db.session.get(User, author.id)) is None
    shown(steward.post(url, data={"days": "3", "note": f"Cool off {XSS}"}, follow_redirects=True),
          "Ari Author cannot post in the forum until")
    with app.test_request_context():
        person = db.session.get(User, author.id)
        assert members.posting_paused_until(person) is not None
        with pytest.raises(posting.Refused, match="paused your posting"):
            posting.start_thread(person, db.session.get(ForumCategory, forum["category"]),
                                 "A new thread while paused", "Trying to post anyway.",
                                 accepted_guidelines=True)
    (told,) = notes_of(app, author)
    assert told.message.startswith("A steward paused your posting in the forum until ")
    assert f"Cool off {XSS}" in told.message
    log = shown(steward.get("/forum/moderation"), "paused the posting of", "For 3 days.",
                f"Cool off {ESCAPED}")
    assert XSS not in log
    shown(steward.get(url), "already paused until")
    with app.app_context():
        db.session.get(ForumMember, author.id).paused_until = None
        db.session.commit()
    assert reply_to(app, author, forum["opening"], "Back after the pause.")


def test_nobody_pauses_themselves_or_an_admin(app, forum, browser):
    admin = forum["people"]["admin"]
    _, own = start_thread(app, admin, forum["category"], "An admin's own thread")
    shown(browser("steward").post(f"/forum/people/{admin.id}/pause?post={own}",
                                              data={"days": "2"}), "Admins cannot be paused")
    shown(browser("admin").post(f"/forum/people/{admin.id}/pause",
                                            data={"days": "2"}), "You cannot pause your own posting")
    assert actions(app) == []


# Held messages ---------------------------------------------------------------------------

def test_held_messages_wait_in_the_queue_until_a_steward_approves_or_declines(app, forum, browser, make_user):
    nell, first = held_message(app, make_user, forum)
    otto, second = held_message(app, make_user, forum, "Otto Newcomer")
    steward = browser("steward")
    shown(steward.get("/forum/moderation"), "Held messages (2)", "Hello from Nell Newcomer",
          "Hello from Otto Newcomer")
    assert steward.post(f"/forum/posts/{first}/approve").status_code == 302
    assert get_post(app, first).status == PostStatus.PUBLISHED
    with app.app_context():
        assert db.session.get(ForumCategory, forum["category"]).thread_count == 2
    shown(steward.post(f"/forum/posts/{first}/approve", follow_redirects=True),
          "This message is no longer waiting")
    assert steward.post(f"/forum/posts/{second}/reject",
                        data={"note": "Links to a shop"}).status_code == 302
    assert get_post(app, second).status == PostStatus.REJECTED
    shown(steward.post(f"/forum/posts/{second}/approve", follow_redirects=True),
          "This message is no longer waiting")
    assert get_post(app, second).status == PostStatus.REJECTED
    shown(steward.get("/forum/moderation"), "No held messages")
    with app.app_context():
        told = {note.user_id: note.message for note in db.session.scalars(
            select(Notification).where(Notification.kind == "forum_moderation"))}
    assert told == {nell: "A steward approved your message: it is now in the forum.",
                    otto: "A steward decided not to publish your message: Links to a shop"}
    assert actions(app) == ["approve", "reject"]


# The log ---------------------------------------------------------------------------------

def test_every_step_lands_in_the_log_of_the_people_who_moderate_its_category(app, forum, browser, make_user):
    flag_id = raise_flag(app, forum, forum["opening"], item=3)
    _, held = held_message(app, make_user, forum)
    other_thread, _ = start_thread(app, forum["people"]["member"], forum["elsewhere"], "Tomatoes again")
    steward, admin = browser("steward"), browser("admin")
    author = forum["people"]["author"]
    steward.post(f"/forum/moderation/flags/{flag_id}/dismiss", data={"note": "Fine"})
    shown_removal(browser, forum)
    browser("author").post(f"/forum/posts/{forum['reply']}/appeal",
                                       data={"appeal": "Please reconsider"})
    steward.post(f"/forum/posts/{forum['reply']}/appeal/answer", data={"note": "Upheld"})
    for step in ("lock", "unlock", "pin", "unpin"):
        steward.post(f"/forum/threads/{forum['thread']}/{step}")
    steward.post(f"/forum/posts/{held}/reject")
    steward.post(f"/forum/people/{author.id}/pause?post={forum['reply']}", data={"days": "1"})
    browser("steward_elsewhere").post(f"/forum/threads/{other_thread}/lock")
    assert actions(app) == ["dismiss", "remove", "appeal", "answer_appeal", "lock", "unlock", "pin",
                            "unpin", "reject", "pause", "lock"]
    labels = ("dismissed a flag on", "removed", "appealed the removal of", "answered the appeal on",
              "locked", "unlocked", "pinned", "unpinned", "did not publish", "paused the posting of")
    ours = shown(steward.get("/forum/moderation"), *labels, "Sharing the hall rota", ATTACKING)
    assert "Tomatoes again" not in ours
    theirs = shown(browser("steward_elsewhere").get("/forum/moderation"), "Tomatoes again")
    assert "Sharing the hall rota" not in theirs
    shown(admin.get("/forum/moderation"), *labels, "Tomatoes again", "Sharing the hall rota")
    with app.app_context():
        newest = db.session.scalars(select(ModerationAction).order_by(ModerationAction.id.desc())).first()
    page = admin.get("/forum/moderation").get_data(as_text=True)
    assert page.index("Tomatoes again") < page.index("paused the posting of"), "newest first"
    assert newest.action == "lock"
