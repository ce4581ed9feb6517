"""The forum's keyword search: words in titles and replies found and marked, accents folded,
filters, who may see what, and typed text that can never break it (SQLite and PostgreSQL)."""
import re
from html import unescape

import pytest
from sqlalchemy import insert, text

from app.extensions import db
from app.forum import search_routes
from app.forum.members import member
from app.forum.search import marked_html, search
from app.models.accounts import User
from app.models.base import utcnow
from app.models.forum import ForumPost, ForumThread, PostStatus
from app.text.markdown import plain_text, slugify
from tests.conftest import ON_POSTGRES, shown
from tests.forum.helpers import make_category, reply_to, start_thread


# Forum rows written straight into the tables, for states the forum's rules do not make at
# once (held, deleted, removed, no author); tests/forum/test_feeds.py uses them too. ------------

def add_thread(app, category_id, author, title, body, **fields) -> tuple[int, int]:
    """(thread id, opening message id)."""
    with app.app_context():
        thread = ForumThread(category_id=category_id, author_id=author.id if author else None,
                             title=title, slug=slugify(title))
        db.session.add(thread)
        db.session.flush()
        opening = ForumPost(thread_id=thread.id, author_id=thread.author_id, title=title, body=body,
                            plain=plain_text(body), **fields)
        db.session.add(opening)
        db.session.commit()
        return thread.id, opening.id


def add_reply(app, thread_id, author, body, **fields) -> int:
    with app.app_context():
        thread = db.session.get(ForumThread, thread_id)
        opening = db.session.scalar(db.select(ForumPost.id).where(ForumPost.thread_id == thread_id,
                                                                  ForumPost.top_position == 0))
        thread.top_count += 1
        reply = ForumPost(thread_id=thread_id, author_id=author.id if author else None, parent_id=opening,
                          depth=1, top_position=thread.top_count, body=body, plain=plain_text(body),
                          **fields)
        db.session.add(reply)
        db.session.commit()
        return reply.id


def found_ids(app, viewer=None, q="", **filters) -> list[int]:
    with app.app_context():
        return [found.post_id for found in search(viewer, q, **filters)]


@pytest.fixture
def garden(app, make_user):
    """A public category with a thread about composting and a reply; a second category."""
    maria = make_user(name="María Núñez")
    sam = make_user(name="Sam Okafor")
    gardens = make_category(app, "Community gardens")
    schools = make_category(app, "Schools")
    thread_id, opening = add_thread(app, gardens, maria, "Composting with neighbours",
                                    "We started a shared bin behind the library.")
    reply = add_reply(app, thread_id, sam, "Our school tried **composting** too; the children loved it.")
    other_thread, other = add_thread(app, schools, sam, "Reading clubs after school",
                                     "Who runs one? Tell us how composting fits in the timetable.")
    return {"maria": maria, "sam": sam, "gardens": gardens, "schools": schools, "thread": thread_id,
            "opening": opening, "reply": reply, "other": other, "other_thread": other_thread}


def results_of(body: str) -> list[str]:
    """The links of the results on a search page (to each message's permalink)."""
    return re.findall(r'<h3 class="thread-row__title"><a href="([^"]+)"', body)


# Finding and marking ----------------------------------------------------------------------

def test_a_word_in_a_title_and_in_a_reply_is_found_with_its_snippet_marked(client, garden):
    body = shown(client.get("/forum/search?q=composting"), "Composting with neighbours")
    links = results_of(body)
    assert f"/forum/threads/{garden['thread']}/posts/{garden['opening']}" in links
    assert f"/forum/threads/{garden['thread']}/posts/{garden['reply']}" in links
    assert f"/forum/threads/{garden['other_thread']}/posts/{garden['other']}" in links
    assert "<mark>Composting</mark> with neighbours" in body  # the opening's title, marked
    assert "tried <mark>composting</mark> too" in body  # the reply's plain words, no Markdown
    assert "**" not in body
    assert "Reply by Sam Okafor in" in body and "Thread started by María Núñez in" in body


def test_messages_written_through_the_forum_are_found(client, app, garden):
    thread_id, opening = start_thread(app, garden["maria"], garden["gardens"], "Rainwater barrels",
                                      "Has anyone fitted a _rainwater_ barrel to a shed?")
    answer = reply_to(app, garden["sam"], opening, "Yes: a [kit](https://example.org) and an afternoon.")
    assert set(found_ids(app, q="rainwater")) == {opening}
    assert found_ids(app, q="afternoon kit") == [answer]  # the link's words, not its address
    assert found_ids(app, q="example") == []
    body = shown(client.get("/forum/search?q=barrel+shed"), "rainwater <mark>barrel</mark> to a <mark>shed</mark>?")
    assert results_of(body) == [f"/forum/threads/{thread_id}/posts/{opening}"]


def test_every_word_must_be_there_and_words_match_whole(app, garden):
    assert set(found_ids(app, q="composting school")) == {garden["reply"], garden["other"]}
    assert found_ids(app, q="composting library") == [garden["opening"]]
    assert found_ids(app, q="compost") == []  # whole words: no prefix indexes for the forum
    assert found_ids(app, q="gardening") == []


def test_accents_and_case_are_folded_and_the_text_is_shown_as_written(client, app, garden):
    thread_id, opening = add_thread(app, garden["gardens"], garden["maria"], "Meet José at the Café",
                                    "José Ramírez runs the café garden.")
    body = shown(client.get("/forum/search?q=jose+ramirez"))
    assert results_of(body) == [f"/forum/threads/{thread_id}/posts/{opening}"]
    assert "<mark>José</mark> <mark>Ramírez</mark> runs" in body
    assert "Meet <mark>José</mark> at the Café" in body
    assert found_ids(app, q="CAFÉ") == found_ids(app, q="cafe") == [opening]


def test_a_long_message_gives_an_excerpt_around_the_word(app, garden):
    filler = " ".join(f"row{n}" for n in range(400))
    _, post = add_thread(app, garden["gardens"], garden["sam"], "Long notes", f"{filler} the beehive {filler}")
    with app.app_context():
        [found] = search(None, "beehive")
    assert found.post_id == post and "the <mark>beehive</mark> row0" in found.snippet
    assert len(found.snippet) < 400


def test_the_best_match_comes_first(app, garden):
    _, dense = add_thread(app, garden["gardens"], garden["sam"], "Seedlings", "seedlings seedlings seedlings")
    _, thin = add_thread(app, garden["gardens"], garden["sam"], "Tools and seedlings",
                         "We share spades, rakes, hoses, wheelbarrows and gloves, and sometimes seedlings "
                         "when the spring has been kind and the greenhouse full.")
    assert found_ids(app, q="seedlings") == [dense, thin]


def test_pages_follow_each_other_without_repeating(app, monkeypatch, client, garden):
    ids = [add_thread(app, garden["gardens"], garden["sam"], f"Harvest day {n}", "harvest notes")[1]
           for n in range(5)]
    first = found_ids(app, q="harvest", limit=2)
    second = found_ids(app, q="harvest", limit=2, after=first[-1])
    third = found_ids(app, q="harvest", limit=2, after=second[-1])
    assert first + second + third == sorted(ids, reverse=True)  # equal ranks: the newest first

    monkeypatch.setattr(search_routes, "PER_PAGE", 2)
    body = shown(client.get("/forum/search?q=harvest"), "More messages")
    more = unescape(re.search(r'href="([^"]+)">More messages', body).group(1))
    assert f"after={first[-1]}" in more and "q=harvest" in more
    assert len(results_of(shown(client.get(more)))) == 2


def test_no_match_says_so(client, garden):
    shown(client.get("/forum/search?q=volcano"), "No messages match “volcano”.")
    body = shown(client.get("/forum/search"), "Search the forum")  # the form alone, no verdict
    assert "No messages match" not in body


# Filters ----------------------------------------------------------------------------------

def test_the_category_filter(client, garden):
    body = shown(client.get("/forum/search?q=composting&category=schools"))
    assert results_of(body) == [f"/forum/threads/{garden['other_thread']}/posts/{garden['other']}"]
    assert '<option value="schools" selected>' in body
    shown(client.get("/forum/search?q=composting&category=no-such-place"),
          "Choose a category from the list.")


def test_the_author_filter_by_handle_or_account_number(client, app, garden):
    with app.app_context():
        handle = member(db.session.get(User, garden["sam"].id)).handle
        db.session.commit()
    by_handle = results_of(shown(client.get(f"/forum/search?q=composting&author=@{handle}")))
    by_number = results_of(shown(client.get(f"/forum/search?q=composting&author={garden['sam'].id}")))
    assert by_handle == by_number
    assert sorted(link.rsplit("/", 1)[1] for link in by_handle) == sorted(
        [str(garden["reply"]), str(garden["other"])])
    assert found_ids(app, q="composting", author_id=garden["maria"].id) == [garden["opening"]]
    shown(client.get("/forum/search?q=composting&author=nobody-at-all"), "No one in the forum has the handle")


# Who may see what ---------------------------------------------------------------------------

def test_members_only_messages_are_hidden_from_visitors_and_shown_to_members(client, app, garden, login_as):
    inner = make_category(app, "Stewards lounge", members_only=True)
    _, secret = add_thread(app, inner, garden["maria"], "Quiet planning", "The compost rota for winter.")
    assert found_ids(app, q="rota") == []
    assert found_ids(app, q="rota", category_id=inner) == []
    body = shown(client.get("/forum/search?q=rota"), "No messages match")
    assert "Quiet planning" not in body and "stewards-lounge" not in body  # nor offered as a category

    person = login_as()
    assert results_of(shown(client.get("/forum/search?q=rota&category=stewards-lounge"),
                            "Quiet planning", "<mark>rota</mark>"))[0].endswith(f"/posts/{secret}")
    with app.app_context():
        assert [f.post_id for f in search(db.session.get(User, person.id), "rota")] == [secret]


def test_held_rejected_deleted_and_removed_messages_are_never_found(client, app, garden, login_as):
    now = utcnow()
    for fields in ({"status": PostStatus.HELD}, {"status": PostStatus.REJECTED},
                   {"deleted_at": now}, {"removed_at": now}):
        add_reply(app, garden["thread"], garden["sam"], "A secret about mulch.", **fields)
    assert found_ids(app, q="mulch") == []
    login_as(role="admin")  # not even for an admin: search lists what everyone may read
    shown(client.get("/forum/search?q=mulch"), "No messages match “mulch”.")


# Typed text that must not break it ----------------------------------------------------------

HOSTILE = [
    '"', '""', '"composting', 'composting"', "'", "''", "composting'", "\\", "\\\\composting",
    "*", "composting*", "*composting", "NEAR(", "NEAR(composting", "NEAR(composting school, 2)",
    "-", "-composting", "composting -school", "--", ":", "title:composting", "plain : composting",
    "^composting", "(", ")", "((composting", "composting))", ")(", "{composting}", "[composting]",
    "AND", "OR", "NOT", "or", "composting OR school", "composting AND NOT school", "composting | school",
    "composting & school", "!composting", "<->", "composting <-> school", "composting:*", "%", "_",
    "%composting%", "a" * 5000, "composting " * 500, "é" * 5000, "🌱", "🌱 composting 🌿", "\u0301",
    "e\u0301", "½", "ŉ", "ß", "\ufeff", "\u200b", "\u202e", "مرحبا", "你好", "\x02composting\x03",
    "\x01\x1f", "<script>alert(1)</script>", '"><script>alert(1)</script>', "</mark><script>x</script>",
    "&lt;script&gt;", "composting; DROP TABLE forum_posts; --", "' OR 1=1 --", "\\x00", "\t\n\r",
]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_any_typed_text_gives_results_or_no_results(client, garden, q):
    response = client.get("/forum/search", query_string={"q": q})
    body = shown(response)
    assert ("No messages match" in body) or results_of(body) or not q.strip()
    assert "<script>" not in body.split("</header>", 1)[1]


def test_words_inside_syntax_are_still_found(app, garden):
    wanted = {garden["opening"], garden["reply"], garden["other"]}
    for q in ('"composting', "composting*", "-composting", "((composting", "composting:*", "^composting",
              "{composting}", "composting -"):
        assert set(found_ids(app, q=q)) == wanted, q
    assert found_ids(app, q="NEAR(composting library") == []  # NEAR is a word to find, as "title" is
    assert found_ids(app, q="library composting") == [garden["opening"]]
    assert found_ids(app, q="composting OR library") == []  # "or" is a word to find, not an operator


@pytest.mark.parametrize("params", [
    {"category": "<script>"}, {"category": "a" * 5000}, {"author": "' OR 1=1 --"}, {"author": "9" * 40},
    {"author": "0"}, {"author": "@"}, {"after": "-1"}, {"after": "abc"}, {"after": "99999999999999"},
    {"after": "2147483647"}, {"q": ["composting", "school"]},
], ids=str)
def test_hostile_filters_answer_200(client, garden, params):
    shown(client.get("/forum/search", query_string={"q": "composting", **params}))


def test_a_payload_in_a_title_or_message_comes_back_escaped(client, app, garden):
    title = '<script>alert("t")</script> Raised beds'
    thread_id, opening = add_thread(app, garden["gardens"], garden["maria"], title, "placeholder")
    with app.app_context():  # plain is what the index holds: put markup in it as if it got through
        post = db.session.get(ForumPost, opening)
        post.plain = 'Raised beds <img src=x onerror="alert(2)"> <script>alert(3)</script> & more'
        db.session.commit()
    body = shown(client.get("/forum/search?q=raised+script"))
    assert results_of(body) == [f"/forum/threads/{thread_id}/posts/{opening}"]
    main = body.split("</header>", 1)[1]
    assert "<script" not in main and "<img" not in main
    assert "&lt;<mark>script</mark>&gt;alert(" in main
    assert "&lt;img src=x onerror=" in main and "&amp; more" in main


def test_marked_html_escapes_everything_but_its_own_marks():
    assert marked_html('\x02<b>\x03 & "x"') == '<mark>&lt;b&gt;</mark> &amp; &#34;x&#34;'
    assert marked_html("\x03stray\x02 open \x02twice") == "stray<mark> open twice</mark>"
    assert marked_html("a\x01<\x00b\x1f") == "a&lt;b"  # control characters HTML cannot show
    assert marked_html(None) == ""


# Read through the index --------------------------------------------------------------------

def test_the_search_reads_the_full_text_index_not_every_message(app, garden):
    from app.forum.search import _Fts5, _page, _Tsvector
    from app.text.fulltext import search_words
    with app.app_context():
        words = search_words("composting")
        match = _Tsvector(words) if ON_POSTGRES else _Fts5(words)
        statement = _page(match, [garden["gardens"], garden["schools"]], None, 20, garden["reply"])
        sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
        if ON_POSTGRES:  # enough messages for the planner to weigh its indexes
            db.session.execute(insert(ForumPost), [
                {"thread_id": garden["thread"], "depth": 1, "top_position": n, "plain": f"note {n} on soil"}
                for n in range(1, 3001)])
            db.session.execute(text("ANALYZE forum_posts"))
            # The query is a constant the planner weighs against the statistics: on a table this
            # small a scan of it is cheaper than any index, so scans are priced out (as in
            # tests/core/test_query_plans.py) to see whether the index can answer.
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(db.session.execute(text("EXPLAIN " + sql)).scalars())
            assert "ix_forum_posts_search_vector" in plan, plan
            assert "Seq Scan on forum_posts" not in plan, plan
        else:
            plan = "\n".join(row[-1] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert "VIRTUAL TABLE INDEX" in plan, plan
            assert not re.search(r"\bSCAN (forum_posts|forum_threads|users)\b", plan), plan
        db.session.rollback()


def test_past_a_thousand_matches_the_newest_come_first_and_say_so(app, client, make_user, monkeypatch):
    from app.forum import search as finder
    from tests.forum.helpers import make_category, reply_to, start_thread
    monkeypatch.setattr(finder, "RANKED_UP_TO", 3)
    author = make_user(name="Ivo Writer", role="leader")
    thread_id, opening = start_thread(app, author, make_category(app), "Compost heaps everywhere",
                                      "Compost is what we do.")
    ids = [reply_to(app, author, opening, f"More compost news, day {n}") for n in range(5)]
    page = client.get("/forum/search?q=compost").get_data(as_text=True)
    assert "the newest come first" in page
    found = re.findall(r'/forum/threads/%d/posts/(\d+)"' % thread_id, page)
    assert [int(n) for n in found] == sorted(ids + [opening], reverse=True)
    few = client.get("/forum/search?q=heaps").get_data(as_text=True)
    assert "the newest come first" not in few and "<mark>heaps</mark>" in few
    with app.test_request_context():
        later = finder.search(None, "compost", after=ids[2])
        assert [r.post_id for r in later] == [ids[1], ids[0], opening] and later.newest_first
