"""Forum requests that race, sent in parallel to a live server (SQLite and PostgreSQL): a double
submitted reply or thread, many replies at once, two tabs editing one message, appreciations."""
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models.forum import ForumAppreciation, ForumPost, ForumThread
from tests.conftest import PASSWORD
from tests.forum.helpers import make_category, start_thread
from tests.live import Visitor, at_once


def visitor(live, user) -> Visitor:
    person = Visitor(live.url)
    person.log_in(user.email, PASSWORD)
    return person


def test_a_double_submitted_reply_makes_one_message(app, live, make_user):
    author, replier = make_user(name="Ana Author"), make_user(name="Ren Replier")
    thread_id, opening = start_thread(app, author, make_category(app))
    person = visitor(live, replier)
    form = {"body": "Clicked twice, posted once.", "form_token": "double-click", "follow": "y"}
    answers = at_once([lambda: person.post(f"/forum/threads/{thread_id}/reply/{opening}", form)
                       for _ in range(4)])
    assert [answer.status for answer in answers] == [302] * 4
    assert len({answer.location for answer in answers}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ForumPost).where(
            ForumPost.thread_id == thread_id, ForumPost.top_position > 0)) == 1
        assert db.session.get(ForumThread, thread_id).reply_count == 1


def test_a_double_submitted_new_thread_makes_one_thread(app, live, make_user):
    author = make_user(name="Ana Author")
    make_category(app, "Running gatherings")
    person = visitor(live, author)
    form = {"title": "Chairs or cushions?", "body": "For a circle of twenty.", "form_token": "once"}
    answers = at_once([lambda: person.post("/forum/running-gatherings/new", form) for _ in range(4)])
    assert [answer.status for answer in answers] == [302] * 4
    assert len({answer.location for answer in answers}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ForumThread)) == 1


def test_many_people_answering_at_once_each_get_their_own_place(app, live, make_user):
    author = make_user(name="Ana Author")
    thread_id, opening = start_thread(app, author, make_category(app))
    people = [visitor(live, make_user(name=f"Replier {n}")) for n in range(6)]
    answers = at_once([lambda p=p, n=n: p.post(f"/forum/threads/{thread_id}/reply/{opening}",
                                               {"body": f"Answer number {n}", "form_token": f"t{n}"})
                       for n, p in enumerate(people)])
    assert [answer.status for answer in answers] == [302] * 6
    with app.app_context():
        positions = db.session.scalars(select(ForumPost.top_position).where(
            ForumPost.thread_id == thread_id, ForumPost.top_position > 0)).all()
        assert sorted(positions) == [1, 2, 3, 4, 5, 6]
        thread = db.session.get(ForumThread, thread_id)
        assert thread.reply_count == 6 and thread.top_count == 6


def test_two_tabs_editing_one_message_the_second_gets_a_conflict_with_its_text(app, live, make_user):
    author = make_user(name="Ana Author")
    _, opening = start_thread(app, author, make_category(app))
    tabs = [visitor(live, author), visitor(live, author)]
    answers = at_once([lambda t=t, n=n: t.post(f"/forum/posts/{opening}/edit",
                                               {"title": "A question for everyone",
                                                "body": f"Wording from tab {n}", "version": "1"})
                       for n, t in enumerate(tabs)])
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200, 302], statuses
    refused = next(answer for answer in answers if answer.status == 200)
    assert "This message changed since you opened it" in refused.text
    assert re.search(r"Wording from tab \d</textarea>", refused.text)
    with app.app_context():
        post = db.session.get(ForumPost, opening)
        assert post.version == 2 and post.body.startswith("Wording from tab")


def test_appreciations_sent_at_once_count_each_person_once(app, live, make_user):
    author = make_user(name="Ana Author")
    _, opening = start_thread(app, author, make_category(app))
    fans = [visitor(live, make_user(name=f"Fan {n}")) for n in range(4)]
    double = fans[0]
    answers = at_once([lambda f=f: f.post(f"/forum/posts/{opening}/appreciate", {}) for f in fans]
                      + [lambda: double.post(f"/forum/posts/{opening}/appreciate", {})])
    assert all(answer.status == 302 for answer in answers)
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(ForumAppreciation))
        assert db.session.get(ForumPost, opening).appreciation_count == rows
        assert rows in (3, 4)  # the double click gave and took back, or gave once


def test_members_reading_a_thread_while_others_reply_all_get_their_page(app, live, make_user):
    """A thread page remembers what its reader saw (a write on GET): it waits for the writers
    instead of answering "database is locked"."""
    author = make_user(name="Ana Author")
    thread_id, opening = start_thread(app, author, make_category(app))
    readers = [visitor(live, make_user(name=f"Reader {n}")) for n in range(4)]
    writers = [visitor(live, make_user(name=f"Writer {n}")) for n in range(3)]
    calls = [lambda r=r: r.get(f"/forum/threads/{thread_id}") for r in readers]
    calls += [lambda w=w, n=n: w.post(f"/forum/threads/{thread_id}/reply/{opening}",
                                      {"body": f"Writing at the same time {n}", "form_token": f"w{n}"})
              for n, w in enumerate(writers)]
    for _ in range(3):
        answers = at_once(calls)
        assert [answer.status for answer in answers] == [200] * 4 + [302] * 3
        calls = calls[:4] + [lambda w=w, n=n: w.post(f"/forum/threads/{thread_id}/reply/{opening}",
                                                     {"body": f"Again {n} {id(answers)}", "form_token": f"x{n}{id(answers)}"})
                             for n, w in enumerate(writers)]
