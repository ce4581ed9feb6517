"""The forum's threads through HTTP: reading, starting, answering a specific message, the nested
display and its "Continue this thread", the flat view, permalinks, editing with versions, soft
deletes, appreciations, bookmarks, drafts and who may do each."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models.forum import ForumDraft, ForumPost, ForumPostVersion, ForumThread
from tests.conftest import login, shown
from tests.forum.helpers import make_category, reply_to, start_thread


@pytest.fixture
def forum(app, make_user):
    """A public and a members-only category, each with its own steward, and people in every role."""
    people = {
        "member": make_user(name="Mira Member"),
        "other": make_user(name="Oren Other"),
        "leader": make_user(role="leader", name="Lea Leader"),
        "admin": make_user(role="admin", name="Ada Admin"),
        "unconfirmed": make_user(name="Una Unconfirmed", verified=False),
        "steward": make_user(name="Stella Steward"),
        "steward_elsewhere": make_user(name="Sol Elsewhere"),
    }
    public = make_category(app, "Getting started", stewards=[people["steward"]])
    private = make_category(app, "Members room", members_only=True, stewards=[people["steward_elsewhere"]])
    return {"people": people, "public": public, "private": private}


def as_person(client, forum, who):
    if who != "anonymous":
        assert login(client, forum["people"][who].email).status_code == 302


def thread_html(client, thread_id, **params) -> str:
    return shown(client.get(f"/forum/threads/{thread_id}", query_string=params))


# Reading ------------------------------------------------------------------------------------

def test_anyone_reads_public_categories_and_members_read_the_members_room(app, client, forum):
    thread_id, _ = start_thread(app, forum["people"]["member"], forum["private"], "Only for members here")
    listing = shown(client.get("/forum"), "Getting started")
    assert "Members room" not in listing
    answer = client.get("/forum/members-room")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert client.get(f"/forum/threads/{thread_id}").status_code == 302
    as_person(client, forum, "other")
    shown(client.get("/forum"), "Members room")
    shown(client.get("/forum/members-room"), "Only for members here")
    shown(client.get(f"/forum/threads/{thread_id}"), "Only for members here")


def test_anonymous_visitors_see_they_need_to_be_a_member_with_join_and_log_in(app, client, forum):
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    page = thread_html(client, thread_id)
    assert "You need to be a member to add comments" in page
    assert re.search(r'href="/register\?next=/forum/threads/%d' % thread_id, page)
    assert re.search(r'href="/login\?next=/forum/threads/%d' % thread_id, page)
    reply_page = shown(client.get(f"/forum/threads/{thread_id}/reply/{opening}"),
                       "You need to be a member to add comments")
    assert "<textarea" not in reply_page


def test_the_category_names_its_stewards_to_message_without_showing_an_address(app, client, forum):
    steward = forum["people"]["steward"]
    page = shown(client.get("/forum/getting-started"), "Questions about this forum? Message", "Stella Steward")
    assert steward.email not in page
    as_person(client, forum, "member")
    link = re.search(r'href="(/forum/getting-started/stewards/\d+/message)"', page).group(1)
    shown(client.get(link), "Message Stella Steward")
    assert client.post(link, data={"message": "How do I pin my own thread?"}).status_code == 302
    with app.app_context():
        from app.models.mail import OutboxMessage
        sent = db.session.scalars(db.select(OutboxMessage)).all()
        assert [m.to for m in sent] == [steward.email]
        assert sent[0].reply_to == forum["people"]["member"].email


def test_a_category_lists_threads_by_last_activity_page_after_page(app, client, forum, monkeypatch):
    from app.forum import reading
    monkeypatch.setattr(reading, "THREADS_PER_PAGE", 3)
    author = forum["people"]["member"]
    ids = [start_thread(app, author, forum["public"], f"Thread number {n:02d}")[0] for n in range(7)]
    reply_to(app, forum["people"]["other"], _opening(app, ids[0]))  # the oldest is now the newest
    first = shown(client.get("/forum/getting-started"))
    titles = re.findall(r"Thread number (\d\d)", first)
    assert titles == ["00", "06", "05"]
    after = re.search(r'href="/forum/getting-started\?after=([^"]+)"', first).group(1)
    second = shown(client.get(f"/forum/getting-started?after={after}"))
    assert re.findall(r"Thread number (\d\d)", second) == ["04", "03", "02"]
    before = re.search(r'href="/forum/getting-started\?before=([^"]+)"', second).group(1)
    back = shown(client.get(f"/forum/getting-started?before={before}"))
    assert re.findall(r"Thread number (\d\d)", back) == ["00", "06", "05"]
    assert "1 reply" in first and "last by Oren Other" in first
    assert shown(client.get("/forum/getting-started?after=garbage")).count("Thread number") == 3


def _opening(app, thread_id) -> int:
    with app.app_context():
        return db.session.scalar(db.select(ForumPost.id).where(ForumPost.thread_id == thread_id,
                                                                ForumPost.top_position == 0))


def test_members_see_new_and_unread_marks(app, client, forum):
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"], "Marks for readers")
    as_person(client, forum, "other")
    assert "New</span>" in shown(client.get("/forum/getting-started"))
    thread_html(client, thread_id)
    assert "New</span>" not in shown(client.get("/forum/getting-started"))
    reply_to(app, forum["people"]["leader"], opening)
    assert "Unread replies" in shown(client.get("/forum/getting-started"))


# Writing ------------------------------------------------------------------------------------

def test_a_member_starts_a_thread_and_another_answers_a_specific_reply(app, client, forum):
    as_person(client, forum, "member")
    answer = client.post("/forum/getting-started/new", data={
        "title": "Where do you meet in winter?", "body": "Our park benches are *frozen*.",
        "follow": "y", "form_token": "token-1"})
    assert answer.status_code == 302
    thread_id = int(re.search(r"/forum/threads/(\d+)", answer.headers["Location"]).group(1))
    page = thread_html(client, thread_id)
    assert "<em>frozen</em>" in page
    opening = _opening(app, thread_id)
    first = reply_to(app, forum["people"]["leader"], opening, "The library lends its back room.")
    client.get("/logout")
    client.post("/logout")
    as_person(client, forum, "other")
    reply_page = shown(client.get(f"/forum/threads/{thread_id}/reply/{first}"),
                       "Reply to Lea Leader", "The library lends its back room.")
    assert "<textarea" in reply_page
    sent = client.post(f"/forum/threads/{thread_id}/reply/{first}",
                       data={"body": "Which library? The one on Mill Street?", "form_token": "token-2"})
    assert sent.status_code == 302
    with app.app_context():
        mine = db.session.scalar(db.select(ForumPost).where(ForumPost.form_token == "token-2"))
        assert mine.parent_id == first and mine.depth == 2
        assert sent.headers["Location"].endswith(f"/forum/threads/{thread_id}/posts/{mine.id}")
        assert db.session.get(ForumThread, thread_id).reply_count == 2
    permalink = client.get(sent.headers["Location"])
    assert permalink.status_code == 302 and permalink.headers["Location"].endswith(f"#post-{mine.id}")


def test_sending_the_same_form_twice_makes_one_message(app, client, forum):
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    as_person(client, forum, "other")
    data = {"body": "Sent once, clicked twice.", "form_token": "same-token"}
    first = client.post(f"/forum/threads/{thread_id}/reply/{opening}", data=data)
    second = client.post(f"/forum/threads/{thread_id}/reply/{opening}", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.get(ForumThread, thread_id).reply_count == 1


def test_the_same_text_twice_within_ten_minutes_is_refused_and_kept_in_the_box(app, client, forum):
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    as_person(client, forum, "other")
    client.post(f"/forum/threads/{thread_id}/reply/{opening}", data={"body": "Me too!", "form_token": "a"})
    again = client.post(f"/forum/threads/{thread_id}/reply/{opening}", data={"body": "Me too!", "form_token": "b"})
    page = shown(again, "You posted this same text a few minutes ago", status=422)
    assert "Me too!</textarea>" in page


@pytest.mark.parametrize("title,message", [
    ("Hey", "at least 5 characters"), ("x" * 151, "keep it to 150"), ("", "at least 5 characters")])
def test_a_bad_title_is_explained_and_nothing_is_made(app, client, forum, title, message):
    as_person(client, forum, "member")
    answer = client.post("/forum/getting-started/new", data={"title": title, "body": "Body text here",
                                                            "form_token": "t"})
    assert message in shown(answer)
    assert "Body text here</textarea>" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ForumThread)) == 0


def test_the_first_message_asks_to_accept_the_guidelines_and_a_new_version_asks_again(app, client, forum):
    with app.app_context():
        from app.forum.members import publish_guidelines
        publish_guidelines("Be kind.", [{"title": "Power with, not power over", "text": "Share it."}], None)
        db.session.commit()
    as_person(client, forum, "member")
    page = shown(client.get("/forum/getting-started/new"), "Power with, not power over",
                 "I have read the community guidelines")
    refused = client.post("/forum/getting-started/new", data={"title": "Hello all of you", "body": "Hi", "form_token": "1"})
    assert "tick the box to accept them" in shown(refused)
    accepted = client.post("/forum/getting-started/new", data={
        "title": "Hello all of you", "body": "Hi", "form_token": "2", "accept_guidelines": "y"})
    assert accepted.status_code == 302
    assert "I have read the community guidelines" not in shown(client.get("/forum/getting-started/new"))
    with app.app_context():
        from app.forum.members import publish_guidelines
        publish_guidelines("Be kinder.", [{"title": "Every role valued", "text": "All of them."}], None)
        db.session.commit()
    assert "Every role valued" in shown(client.get("/forum/getting-started/new"))
    assert page


@pytest.mark.parametrize("who,status", [
    ("unconfirmed", 403), ("member", 200), ("leader", 200), ("steward", 200),
    ("steward_elsewhere", 200), ("admin", 200)])
def test_who_may_open_the_new_thread_page(app, client, forum, who, status):
    as_person(client, forum, who)
    assert client.get("/forum/getting-started/new").status_code == status


def test_anonymous_people_are_sent_to_log_in_and_their_text_is_kept(app, client, forum):
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    answer = client.get("/forum/getting-started/new")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    sent = client.post(f"/forum/threads/{thread_id}/reply/{opening}", data={"body": "Typed while logged out"})
    assert sent.status_code in (302, 303)
    with app.app_context():
        assert db.session.get(ForumThread, thread_id).reply_count == 0


def test_a_locked_thread_takes_replies_from_its_stewards_only(app, client, forum):
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    with app.app_context():
        db.session.get(ForumThread, thread_id).locked = True
        db.session.commit()
    as_person(client, forum, "other")
    assert "locked this thread" in thread_html(client, thread_id)
    assert client.post(f"/forum/threads/{thread_id}/reply/{opening}",
                       data={"body": "Let me in", "form_token": "x"}).status_code == 403
    client.post("/logout")
    as_person(client, forum, "steward")
    assert client.post(f"/forum/threads/{thread_id}/reply/{opening}",
                       data={"body": "Closing note from the steward", "form_token": "y"}).status_code == 302


# The nested display -------------------------------------------------------------------------

def test_answers_nest_three_deep_then_hang_under_their_ancestor_naming_whom_they_answer(app, client, forum):
    people = forum["people"]
    thread_id, opening = start_thread(app, people["member"], forum["public"])
    chain = [opening]
    for depth in range(1, 6):
        chain.append(reply_to(app, people["other"] if depth % 2 else people["leader"], chain[-1], f"Depth {depth} answer"))
    page = thread_html(client, thread_id)
    for depth in (1, 2, 3):
        assert re.search(r'replies__item--depth-%d">\s*<article[^>]*id="post-%d"' % (depth, chain[depth]), page)
    for depth in (4, 5):
        assert re.search(r'replies__item--depth-3">\s*<article[^>]*id="post-%d"' % chain[depth], page)
    fourth = page[page.index(f'id="post-{chain[4]}"'):]
    assert re.search(r'in reply to <a href="/forum/threads/%d/posts/%d">Oren Other</a>' % (thread_id, chain[3]),
                     fourth[:fourth.index("</article>")])


def test_a_long_sub_thread_continues_on_its_own_page_and_its_permalinks_go_there(app, client, forum, monkeypatch):
    from app.forum import reading
    monkeypatch.setattr(reading, "SHOWN_UNDER_DEEPEST", 2)
    people = forum["people"]
    thread_id, opening = start_thread(app, people["member"], forum["public"])
    chain = [opening]
    for depth in range(1, 7):
        chain.append(reply_to(app, people["other"], chain[-1], f"Level {depth} words"))
    page = thread_html(client, thread_id)
    assert "Level 5 words" in page and "Level 6 words" not in page
    link = re.search(r'href="(/forum/threads/%d/replies/%d)">Continue this thread \(1 more reply\)' % (thread_id, chain[3]), page)
    assert link
    continued = shown(client.get(link.group(1)), "Continue this thread", "Level 6 words")
    assert "Level 2 words" not in continued
    permalink = client.get(f"/forum/threads/{thread_id}/posts/{chain[6]}")
    assert permalink.headers["Location"].endswith(f"/forum/threads/{thread_id}/replies/{chain[3]}#post-{chain[6]}")


def test_fifty_top_level_answers_a_page_and_a_permalink_finds_its_page(app, client, forum, monkeypatch):
    from app.forum import reading
    monkeypatch.setattr(reading, "TOP_LEVEL_PER_PAGE", 2)
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    answers = [reply_to(app, forum["people"]["other"], opening, f"Top answer {n}") for n in range(5)]
    nested = reply_to(app, forum["people"]["leader"], answers[4], "Under the last one")
    page_one = thread_html(client, thread_id)
    assert "Top answer 0" in page_one and "Top answer 2" not in page_one and "Page 1 of 3" in page_one
    page_three = thread_html(client, thread_id, page=3)
    assert "Top answer 4" in page_three and "Under the last one" in page_three
    answer = client.get(f"/forum/threads/{thread_id}/posts/{nested}")
    assert "page=3" in answer.headers["Location"] and answer.headers["Location"].endswith(f"#post-{nested}")
    assert thread_html(client, thread_id, page=99).count("Top answer 4") == 1


def test_the_flat_view_shows_replies_in_the_order_written(app, client, forum):
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    first = reply_to(app, forum["people"]["other"], opening, "Written first")
    reply_to(app, forum["people"]["leader"], opening, "Written second")
    reply_to(app, forum["people"]["leader"], first, "Written third")
    flat = thread_html(client, thread_id, view="flat")
    assert flat.index("Written first") < flat.index("Written second") < flat.index("Written third")
    assert "Show as conversation" in flat


# Editing and deleting -----------------------------------------------------------------------

def test_editing_marks_the_message_and_keeps_versions_for_the_writer_and_stewards(app, client, forum):
    people = forum["people"]
    thread_id, opening = start_thread(app, people["member"], forum["public"])
    mine = reply_to(app, people["other"], opening, "First wording")
    as_person(client, forum, "other")
    form = shown(client.get(f"/forum/posts/{mine}/edit"), "First wording")
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    assert client.post(f"/forum/posts/{mine}/edit", data={"body": "Second wording", "version": version}).status_code == 302
    page = thread_html(client, thread_id)
    assert "Second wording" in page and "First wording" not in page and "edited" in page
    shown(client.get(f"/forum/posts/{mine}/versions"), "First wording")
    for who, status in (("member", 404), ("steward_elsewhere", 404), ("steward", 200), ("admin", 200)):
        client.post("/logout")
        as_person(client, forum, who)
        assert client.get(f"/forum/posts/{mine}/versions").status_code == status, who
        assert client.get(f"/forum/posts/{mine}/edit").status_code == 403, who


def test_an_edit_over_a_newer_version_shows_both_texts_and_saves_nothing(app, client, forum):
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    mine = reply_to(app, forum["people"]["other"], opening, "Original text")
    as_person(client, forum, "other")
    client.post(f"/forum/posts/{mine}/edit", data={"body": "From the first tab", "version": "1"})
    stale = client.post(f"/forum/posts/{mine}/edit", data={"body": "From the second tab", "version": "1"})
    page = shown(stale, "This message changed since you opened it", "From the first tab")
    assert "From the second tab</textarea>" in page
    with app.app_context():
        assert db.session.get(ForumPost, mine).body == "From the first tab"


def test_deleting_leaves_this_reply_was_deleted_and_its_answers(app, client, forum):
    people = forum["people"]
    thread_id, opening = start_thread(app, people["member"], forum["public"])
    mine = reply_to(app, people["other"], opening, "Something I regret")
    under = reply_to(app, people["leader"], mine, "An answer that stays")
    as_person(client, forum, "other")
    client.post(f"/forum/posts/{mine}/edit", data={"body": "Something I regret, edited", "version": "1"})
    shown(client.get(f"/forum/posts/{mine}/delete"), "Delete your message?")
    assert client.post(f"/forum/posts/{mine}/delete").status_code == 302
    page = thread_html(client, thread_id)
    assert "This reply was deleted." in page and "regret" not in page and "An answer that stays" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ForumPostVersion)) == 0
        assert db.session.get(ForumPost, under).parent_id == mine
    assert client.get(f"/forum/posts/{mine}/edit").status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "member", "leader", "steward", "admin", "unconfirmed"])
def test_nobody_edits_or_deletes_someone_elses_message(app, client, forum, who):
    thread_id, opening = start_thread(app, forum["people"]["other"], forum["public"])
    as_person(client, forum, who)
    for path in (f"/forum/posts/{opening}/edit", f"/forum/posts/{opening}/delete"):
        answer = client.post(path, data={"body": "Hijacked", "version": "1"})
        assert answer.status_code in ((302, 303) if who == "anonymous" else (403,)), (who, path)
    with app.app_context():
        assert db.session.get(ForumPost, opening).body == "What do you think about a question for everyone?"


# Appreciations, bookmarks, drafts, mentions ----------------------------------------------------

def test_appreciating_counts_once_per_person_and_shows_who(app, client, forum):
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    for who in ("other", "leader"):
        client.post("/logout")
        as_person(client, forum, who)
        client.post(f"/forum/posts/{opening}/appreciate")
    client.post(f"/forum/posts/{opening}/appreciate")  # the leader takes theirs back
    client.post(f"/forum/posts/{opening}/appreciate")  # and gives it again
    assert "2 appreciations" in thread_html(client, thread_id)
    people = shown(client.get(f"/forum/posts/{opening}/appreciations"), "Oren Other", "Lea Leader")
    assert "Mira Member" not in people.split("<h1>")[1]
    client.post("/logout")
    as_person(client, forum, "member")
    client.post(f"/forum/posts/{opening}/appreciate")  # one's own message: no
    with app.app_context():
        assert db.session.get(ForumPost, opening).appreciation_count == 2


def test_bookmarks_and_drafts_are_listed_for_their_owner(app, client, forum):
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"], "Worth keeping around")
    as_person(client, forum, "other")
    client.post(f"/forum/posts/{opening}/bookmark")
    client.post("/forum/drafts", data={"place": f"thread:{thread_id}:{opening}", "body": "Half a thought"})
    page = shown(client.get("/forum/bookmarks"), "Worth keeping around", "Half a thought")
    assert f"/forum/threads/{thread_id}/reply/{opening}" in page
    shown(client.get(f"/forum/threads/{thread_id}/reply/{opening}"), "Half a thought</textarea>")
    assert client.post("/forum/drafts", data={"place": "../../etc", "body": "x"}).status_code == 400
    client.post(f"/forum/threads/{thread_id}/reply/{opening}", data={"body": "Half a thought, finished", "form_token": "f"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ForumDraft)) == 0


def test_the_save_draft_button_keeps_a_new_thread_for_later(app, client, forum):
    as_person(client, forum, "member")
    client.post("/forum/getting-started/new", data={"title": "Not ready yet", "body": "Notes", "save_draft": "1"})
    page = shown(client.get("/forum/getting-started/new"))
    assert 'value="Not ready yet"' in page and "Notes</textarea>" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ForumThread)) == 0


def test_mentions_link_to_people_and_suggestions_find_them(app, client, forum):
    as_person(client, forum, "member")
    people = client.get("/forum/mentions?q=Ore").get_json()["people"]
    assert people == [{"handle": "oren-other", "name": "Oren Other"}]
    thread_id, _ = start_thread(app, forum["people"]["member"], forum["public"], body="Thanks @oren-other and @nobody-here")
    page = thread_html(client, thread_id)
    assert re.search(r'<a href="/forum/people/oren-other"[^>]*>@oren-other</a>', page)
    assert "@nobody-here" in page and 'href="/forum/people/nobody-here"' not in page
    shown(client.get("/forum/people/oren-other"), "Oren Other")
    assert client.get("/forum/people/nobody-here").status_code == 404


def test_a_persons_page_lists_their_recent_threads_and_replies_they_may_read(app, client, forum):
    person = forum["people"]["member"]
    start_thread(app, person, forum["public"], "A public question")
    start_thread(app, person, forum["private"], "A members-only question")
    page = shown(client.get("/forum/people/mira-member"), "A public question")
    assert "A members-only question" not in page
    as_person(client, forum, "other")
    shown(client.get("/forum/people/mira-member"), "A members-only question")


# Hostile text ---------------------------------------------------------------------------------

XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "[click](javascript:alert(1))",
       "<svg/onload=alert(1)>"]


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_titles_and_messages_is_shown_as_text(app, client, forum, payload):
    people = forum["people"]
    thread_id, opening = start_thread(app, people["leader"], forum["public"], f"Title {payload}", f"Body {payload}")
    reply_to(app, people["admin"], opening, f"Reply {payload}")
    for page in (thread_html(client, thread_id), shown(client.get("/forum/getting-started")),
                 shown(client.get(f"/forum/threads/{thread_id}/reply/{opening}"))):
        assert "<script>alert" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
        assert "javascript:alert" not in page.split("<textarea")[0].replace("[click](javascript:alert(1))", "")
        assert "<svg" not in page


def test_data_download_and_account_deletion_keep_threads_readable(app, client, forum):
    people = forum["people"]
    thread_id, opening = start_thread(app, people["other"], forum["public"], "Started by someone leaving")
    reply = reply_to(app, people["other"], reply_to(app, people["member"], opening, "A kept answer"), "Goodbye words")
    with app.app_context():
        from app import features
        from app.models.accounts import User
        leaving = db.session.get(User, people["other"].id)
        data = features.export_data(leaving)["forum"]
        assert [t["title"] for t in data["threads"]] == ["Started by someone leaving"]
        assert [r["body"] for r in data["replies"]] == ["Goodbye words"]
        features.forget_user(leaving)
        db.session.delete(leaving)
        db.session.commit()
    page = thread_html(client, thread_id)
    assert "Started by someone leaving" in page and "Former member" in page
    assert "Goodbye words" not in page and "A kept answer" in page and "This reply was deleted." in page
    with app.app_context():
        assert db.session.get(ForumPost, reply).author_id is None


def test_the_json_of_a_public_thread_nests_replies_and_hides_members_only_ones(app, client, forum):
    people = forum["people"]
    thread_id, opening = start_thread(app, people["member"], forum["public"], "A thread for tools")
    first = reply_to(app, people["other"], opening, "A top-level answer")
    under = reply_to(app, people["leader"], first, "A nested answer")
    gone = reply_to(app, people["other"], opening, "Soon deleted")
    with app.app_context():
        from app.forum.posting import forget_text
        forget_text(db.session.get(ForumPost, gone))
        db.session.commit()
    data = client.get(f"/api/forum/threads/{thread_id}").get_json()
    assert data["title"] == "A thread for tools" and data["category"]["slug"] == "getting-started"
    assert data["reply_count"] == 3 and data["pages"] == 1
    assert data["opening"]["author"] == {"name": "Mira Member", "handle": "mira-member"}
    assert [r["id"] for r in data["replies"]] == [first, gone]
    assert data["replies"][0]["replies"][0]["id"] == under
    assert data["replies"][0]["replies"][0]["text"] == "A nested answer"
    assert data["replies"][1]["deleted"] is True and data["replies"][1]["text"] is None
    assert data["replies"][0]["url"].endswith(f"/forum/threads/{thread_id}/posts/{first}")
    private, _ = start_thread(app, people["member"], forum["private"], "Members only for tools")
    assert client.get(f"/api/forum/threads/{private}").status_code == 404
    as_person(client, forum, "other")
    assert client.get(f"/api/forum/threads/{private}").status_code == 404
    assert client.get("/api/forum/threads/999999").status_code == 404


def test_posting_faster_than_the_pace_is_refused_with_the_text_kept(app, app_config, client, forum):
    app.config["FORUM_PACE"] = [(2, 10)]
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    as_person(client, forum, "other")
    for n in range(2):
        assert client.post(f"/forum/threads/{thread_id}/reply/{opening}",
                           data={"body": f"Quick answer {n}", "form_token": f"p{n}"}).status_code == 302
    third = client.post(f"/forum/threads/{thread_id}/reply/{opening}",
                        data={"body": "One more thought", "form_token": "p3"})
    page = shown(third, "You have posted 2 messages in the last 10 minutes", status=422)
    assert "One more thought</textarea>" in page
    client.post("/logout")
    as_person(client, forum, "leader")  # the pace is each person's own
    assert client.post(f"/forum/threads/{thread_id}/reply/{opening}",
                       data={"body": "Someone else", "form_token": "p4"}).status_code == 302


def test_visitors_see_every_change_at_once_though_their_pages_are_kept(app, client, forum):
    people = forum["people"]
    thread_id, opening = start_thread(app, people["member"], forum["public"], "Kept for visitors")
    first = reply_to(app, people["other"], opening, "The first answer")
    assert "The first answer" in thread_html(client, thread_id)
    reply_to(app, people["leader"], opening, "A second answer")
    assert "A second answer" in thread_html(client, thread_id)
    with app.app_context():
        from app.forum.posting import forget_text
        forget_text(db.session.get(ForumPost, first))
        db.session.commit()
    page = thread_html(client, thread_id)
    assert "The first answer" not in page and "This reply was deleted." in page
    with app.app_context():
        db.session.get(ForumThread, thread_id).locked = True
        db.session.get(ForumPost, opening).appreciation_count = 7
        db.session.commit()
    page = thread_html(client, thread_id)
    assert "7 appreciations" in page and "Locked: no new replies" in page


def test_the_flat_view_names_the_reply_an_answer_answers_even_from_an_earlier_page(app, client, forum, monkeypatch):
    from app.forum import reading
    monkeypatch.setattr(reading, "FLAT_PER_PAGE", 1)
    thread_id, opening = start_thread(app, forum["people"]["member"], forum["public"])
    first = reply_to(app, forum["people"]["other"], opening, "Written first")
    second = reply_to(app, forum["people"]["leader"], first, "Written second")
    later = thread_html(client, thread_id, view="flat", after=first)
    assert "Written second" in later and "Written first" not in later
    assert f'in reply to <a href="/forum/threads/{thread_id}/posts/{first}">Oren Other</a>' in later
    assert second
