"""The forum's keyword search: published messages holding every word typed, in the categories the
viewer may read, best match first (the newest first among equals), each with the words it matched
marked in a snippet of safe HTML. One interface over SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Typed text is cut into words by search_words() before either database sees it, so nothing typed
is ever query syntax. Words match whole (POST_SEARCH keeps no prefix indexes), case and accents
folded. A page starts after the last message of the one before (`after`, a message id): its rank
is computed again in the same statement, so no number travels through the address.

SQLite: forum_posts_fts MATCH '"w1" "w2"', ranked by bm25 (FTS5's rank); highlight() and snippet()
mark the words with \\x02 and \\x03, which become <mark> once the rest is escaped.

PostgreSQL: documents are to_tsvector('simple', unaccent(text) with punctuation as spaces), and the
query is websearch_to_tsquery('simple', '"w1" "w2"') of each word folded by that same expression:
quoted, a word is never an operator ("or", "-"), and it folds exactly as the documents did.
Ranked by ts_rank over 1 + log(length), as FullTextIndex.ranked. The page's 20 snippets are
marked here in Python (mark_words, snippet_of: each whole word whose folded form is a typed word),
the text shown as written ("jose" marks "José"); ts_headline, which reads the text unfolded and
needed a query of each message's own words, took 12 ms for them.

Past RANKED_UP_TO matches the newest come first instead of the best (ranking every message that
holds a common word reads them all).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import Select, and_, column, func, literal, literal_column, or_, select, table, true
from sqlalchemy.types import Text

from app.extensions import db
from app.forum import reading
from app.models.accounts import User
from app.models.forum import POST_SEARCH, ForumCategory, ForumPost, ForumThread, PostStatus
from app.text.fulltext import search_words

START, STOP = "\x02", "\x03"  # around matched words (marked_html copes with any in the text)
_MARKS = re.compile("([\x02\x03])")
# Other control characters: HTML cannot show them (and \x01 keeps ts_headline off "tags", below).
_CONTROL = re.compile("[\x00\x01\x04-\x08\x0b\x0c\x0e-\x1f\x7f]")
SNIPPET_WORDS = 24
MAX_LIMIT = 100
# Ranked by relevance up to this many matches; past it the newest come first (ranking every
# message holding a common word would read them all: 2 s for 330,000 of 1.1 million).
RANKED_UP_TO = 1000


class Results(list):
    """The messages found; newest_first when more matched than are ranked (RANKED_UP_TO)."""

    newest_first = False


@dataclass(frozen=True)
class Found:
    """One message found: where it is, who wrote it, and its words marked."""

    post_id: int
    thread_id: int
    thread_slug: str
    thread_title: Markup  # marked where it matched when the message is the thread's opening
    category: ForumCategory
    is_reply: bool
    author_name: str | None  # None: the account is gone
    created_at: datetime
    snippet: Markup


def search(viewer, q: str, category_id: int | None = None, author_id: int | None = None,
           limit: int = 20, after: int | None = None, readable: list[ForumCategory] | None = None) -> Results:
    """Up to `limit` messages matching every word of `q` that `viewer` may read, in one category
    or by one author if asked, starting after message `after` of the previous page. readable:
    reading.categories_for(viewer), when the caller has read it already."""
    words = search_words(q or "")
    readable = reading.categories_for(viewer) if readable is None else readable
    categories = {category.id: category for category in readable
                  if category_id is None or category.id == category_id}
    results = Results()
    if not words or not categories:
        return results
    match = _Fts5(words) if db.session.get_bind().dialect.name == "sqlite" else _Tsvector(words)
    many = db.session.scalar(select(func.count()).select_from(
        match.ids().limit(RANKED_UP_TO + 1).subquery())) > RANKED_UP_TO
    rows = db.session.execute(_page(match, list(categories), author_id,
                                    max(1, min(limit, MAX_LIMIT)), after, newest=many)).all()
    results.newest_first = many
    if not rows:
        return results
    marked = {row[0]: (row[1], row[2]) for row in match.marked([r.id for r in rows])}
    results.extend(_found(row, categories[row.category_id], *marked.get(row.id, ("", ""))) for row in rows)
    return results


def _page(match, category_ids: list[int], author_id: int | None, limit: int,
          after: int | None, newest: bool = False) -> Select:
    """The page's messages, best rank first (newest first when there are many), from the
    index's matches (never a scan of posts)."""
    source, rank, matching = match.newest(after) if newest else match.ranked()
    query = (select(ForumPost.id, ForumPost.thread_id, ForumPost.created_at, ForumPost.top_position,
                    ForumThread.title, ForumThread.slug, ForumThread.category_id, User.display_name)
             .select_from(source.join(ForumThread, ForumThread.id == ForumPost.thread_id)
                          .outerjoin(User, User.id == ForumPost.author_id))
             .where(matching, ForumPost.status == PostStatus.PUBLISHED, ForumPost.deleted_at.is_(None),
                    ForumPost.removed_at.is_(None), ForumThread.category_id.in_(category_ids))
             .order_by(*((rank,) if newest else (rank, ForumPost.id.desc()))).limit(limit))
    if author_id is not None:
        query = query.where(ForumPost.author_id == author_id)
    if after is not None and not newest:
        earlier = match.rank_of(after)
        query = query.where(or_(rank > earlier, and_(rank == earlier, ForumPost.id < after)))
    return query


def _found(row, category: ForumCategory, title: str, snippet: str) -> Found:
    is_reply = row.top_position > 0
    return Found(post_id=row.id, thread_id=row.thread_id, thread_slug=row.slug,
                 thread_title=escape(row.title) if is_reply or not title else marked_html(title),
                 category=category, is_reply=is_reply, author_name=row.display_name,
                 created_at=row.created_at, snippet=marked_html(snippet))


def marked_html(text: str | None) -> Markup:
    """Text with START/STOP around matched words as HTML: everything escaped, the marks as
    <mark> elements, always balanced (whatever marks the text itself held), other control
    characters dropped."""
    html, inside = [], False
    for piece in _MARKS.split(_CONTROL.sub("", text or "")):
        if piece in (START, STOP):
            if (piece == START) != inside:
                html.append("</mark>" if inside else "<mark>")
                inside = not inside
        else:
            html.append(str(escape(piece)))
    if inside:
        html.append("</mark>")
    return Markup("".join(html))


_WORD = re.compile(r"[^\W_]+|[\W_]+")


def _fold(word: str) -> str:
    """A word as the indexes compare it: accents off, case folded."""
    return "".join(char for char in unicodedata.normalize("NFKD", word)
                   if not unicodedata.combining(char)).casefold()


def mark_words(text: str, words: list[str]) -> str:
    """The text with START/STOP around each whole word that folds to a typed word."""
    wanted = {_fold(word) for word in words}
    return "".join(f"{START}{piece}{STOP}" if _fold(piece) in wanted else piece
                   for piece in _WORD.findall(text or ""))


def snippet_of(text: str, words: list[str]) -> str:
    """A short text whole, else about SNIPPET_WORDS words around the first typed word, marked."""
    if len(text or "") <= SHORT_TEXT:
        return mark_words(text, words)
    wanted = {_fold(word) for word in words}
    pieces = _WORD.findall(text)
    at = next((n for n, piece in enumerate(pieces) if _fold(piece) in wanted), 0)
    start, stop = max(0, at - SNIPPET_WORDS), min(len(pieces), at + SNIPPET_WORDS)  # words and gaps
    cut = "".join(pieces[start:stop]).strip()
    return ("…" if start else "") + mark_words(cut, words) + ("…" if stop < len(pieces) else "")


class _Fts5:
    """SQLite: the FTS5 table's matches, its bm25 rank, highlight() and snippet()."""

    def __init__(self, words: list[str]):
        self.fts = table(POST_SEARCH.fts_table, column("rowid"), column("rank"))
        self.matches = literal_column(POST_SEARCH.fts_table).op("MATCH")(
            literal(POST_SEARCH.fts_query(words, prefix=False)))

    def ranked(self):
        """(the matches joined to their messages, their rank, a condition: here none)."""
        hits = select(self.fts.c.rowid.label("key"), self.fts.c.rank.label("rank")).where(
            self.matches).subquery("hits")
        return hits.join(ForumPost, ForumPost.id == hits.c.key), hits.c.rank, true()

    def ids(self) -> Select:
        return select(self.fts.c.rowid).where(self.matches)

    def newest(self, after: int | None):
        """(the FTS5 table joined to the messages, newest first, those before `after`): in
        the FTS5 table's own rowid order, which it reads backwards and stops after a page
        (ordered by forum_posts.id instead, SQLite sorts every match first: 0.9 s for 330,000)."""
        where = self.matches if after is None else and_(self.matches, self.fts.c.rowid < after)
        return (self.fts.join(ForumPost, ForumPost.id == self.fts.c.rowid),
                self.fts.c.rowid.desc(), where)

    def rank_of(self, post_id: int):
        return select(self.fts.c.rank).where(self.matches, self.fts.c.rowid == post_id).scalar_subquery()

    def marked(self, ids: list[int]) -> list[tuple]:
        """(id, title, snippet of the text) of these messages, matched words between the marks."""
        fts = literal_column(POST_SEARCH.fts_table)
        return db.session.execute(select(self.fts.c.rowid, func.highlight(fts, 0, START, STOP),
                                         func.snippet(fts, 1, START, STOP, "…", SNIPPET_WORDS)).where(
            self.matches, self.fts.c.rowid.in_(ids))).all()


_SIMPLE = literal_column("'simple'::regconfig")
_VECTOR = literal_column(f"forum_posts.{POST_SEARCH.vector}")
SHORT_TEXT = 8 * SNIPPET_WORDS  # characters: about as many words as a snippet holds


def _folded(text):
    """The documents' folding (POST_SEARCH's trigger): accents off, punctuation as spaces."""
    return func.regexp_replace(func.unaccent(text), "[[:punct:]]", " ", "g", type_=Text)


def _websearch(parts: list, joiner: str):
    """websearch_to_tsquery of each part in double quotes: a phrase, never an operator."""
    text = literal('"', Text) + parts[0]
    for part in parts[1:]:
        text = text + literal(f'"{joiner}"', Text) + part
    return func.websearch_to_tsquery(_SIMPLE, text + literal('"', Text))


class _Tsvector:
    """PostgreSQL: the search_vector column and its GIN index, ts_rank and ts_headline."""

    def __init__(self, words: list[str]):
        self.words = words
        folded = [_folded(literal(word, Text)) for word in words]
        # The query is worked out first and written into the statements as a constant, which
        # the planner can weigh against the column's statistics (from an expression, unaccent
        # being only stable, it could not). Even so a word outside the most common ones is
        # guessed at 2,405 messages (one held by 20): enough for a parallel plan, whose worker
        # took 7 of the page's 8 ms. So the same statement turns parallel plans off for the
        # rest of this transaction (set_config(..., true) is SET LOCAL): a page's search is a
        # few index reads, and the other gunicorn worker needs the second core.
        query = db.session.execute(select(
            func.set_config("max_parallel_workers_per_gather", "0", True),
            func.cast(_websearch(folded, " "), Text))).one()[1]
        self.every = literal_column("'" + (query or "").replace("'", "''") + "'::tsquery")

    def ranked(self):
        """(the messages, their rank, the index's condition)."""
        rank = -func.ts_rank(_VECTOR, self.every, 1)
        return ForumPost.__table__, rank, _VECTOR.op("@@")(self.every)

    def ids(self) -> Select:
        return select(ForumPost.id).where(_VECTOR.op("@@")(self.every))

    def newest(self, after: int | None):
        matching = _VECTOR.op("@@")(self.every)
        return (ForumPost.__table__, ForumPost.id.desc(),
                matching if after is None else and_(matching, ForumPost.id < after))

    def rank_of(self, post_id: int):
        earlier = table("forum_posts", column("id"), column(POST_SEARCH.vector)).alias("earlier")
        vector = earlier.c[POST_SEARCH.vector]
        return select(-func.ts_rank(vector, self.every, 1)).where(
            earlier.c.id == post_id, vector.op("@@")(self.every)).scalar_subquery()

    def marked(self, ids: list[int]) -> list[tuple]:
        """(id, title, snippet of the text) of these messages, matched words between the marks,
        marked here (ts_headline, which reads the text unfolded, took 12 ms for 20 messages)."""
        rows = db.session.execute(select(ForumPost.id, ForumPost.title, ForumPost.plain)
                                  .where(ForumPost.id.in_(ids))).all()
        return [(row.id, mark_words(row.title, self.words), snippet_of(row.plain, self.words))
                for row in rows]
