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
ts_headline reads the text as written, so by itself "jose" would not mark "José": its query is made
for each message of that message's own words whose folded form matches a typed word, so the text
is shown as written and marked where it matched. Ranked by ts_rank over 1 + log(length), as
FullTextIndex.ranked, with the same StartSel/StopSel marks escaped into <mark>.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import Select, and_, case, column, func, literal, literal_column, or_, select, table, true
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
           limit: int = 20, after: int | None = None) -> Results:
    """Up to `limit` messages matching every word of `q` that `viewer` may read, in one category
    or by one author if asked, starting after message `after` of the previous page."""
    words = search_words(q or "")
    categories = {category.id: category for category in reading.categories_for(viewer)
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
    marked = {row[0]: (row[1], row[2]) for row in db.session.execute(match.marked([r.id for r in rows]))}
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

    def marked(self, ids: list[int]) -> Select:
        """(id, title, snippet of the text) of these messages, matched words between the marks."""
        fts = literal_column(POST_SEARCH.fts_table)
        return select(self.fts.c.rowid, func.highlight(fts, 0, START, STOP),
                      func.snippet(fts, 1, START, STOP, "…", SNIPPET_WORDS)).where(
            self.matches, self.fts.c.rowid.in_(ids))


_SIMPLE = literal_column("'simple'::regconfig")
_VECTOR = literal_column(f"forum_posts.{POST_SEARCH.vector}")
_HEADLINE = f'StartSel="{START}", StopSel="{STOP}", MaxFragments=2, MaxWords={SNIPPET_WORDS}, ' \
            'MinWords=10, FragmentDelimiter=" … "'
_WHOLE = f'StartSel="{START}", StopSel="{STOP}", HighlightAll=true'
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
        folded = [_folded(literal(word, Text)) for word in words]
        self.every = _websearch(folded, " ")
        self.any = _websearch(folded, " or ")

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

    def marked(self, ids: list[int]) -> Select:
        """(id, title, snippet of the text) of these messages, matched words between the marks.

        ts_headline reads "<b>" as an HTML tag and leaves it out; these texts are plain, so
        each "<" is followed by \x01 (no tag starts so), which marked_html drops again."""
        title, plain = (func.replace(text, "<", "<\x01") for text in (ForumPost.title, ForumPost.plain))
        query = self._own_words(func.concat(title, " ", plain))
        # A short text whole, as FTS5's snippet() gives it (fragments would clip its ends).
        snippet = case((func.length(ForumPost.plain) <= SHORT_TEXT,
                        func.ts_headline(_SIMPLE, plain, query, _WHOLE)),
                       else_=func.ts_headline(_SIMPLE, plain, query, _HEADLINE))
        return select(ForumPost.id, func.ts_headline(_SIMPLE, title, query, _WHOLE), snippet).where(
            ForumPost.id.in_(ids))

    def _own_words(self, text):
        """A tsquery of the message's own words (as written) that fold to a typed word."""
        lexemes = func.unnest(func.to_tsvector(_SIMPLE, text)).table_valued("lexeme").alias("own")
        quoted = literal('"', Text) + func.replace(lexemes.c.lexeme, '"', " ") + literal('"', Text)
        words = (select(func.coalesce(func.string_agg(quoted, literal(" or ", Text)), ""))
                 .where(func.to_tsvector(_SIMPLE, _folded(lexemes.c.lexeme)).op("@@")(self.any))
                 .scalar_subquery())
        return func.websearch_to_tsquery(_SIMPLE, words)
