"""Keyword search through a full-text index: SQLite FTS5 or PostgreSQL tsvector + GIN, behind one interface.

An index is declared for a table's text columns (FullTextIndex); it gives the DDL that makes
and fills it on each database and the SQL that finds rows holding every word a person typed.
Every word matches as a prefix of a word in those columns ("teach" finds "teachers"), with case
and accents folded ("jose" finds "José"): SQLite's unicode61 tokenizer with remove_diacritics 2,
PostgreSQL's `simple` configuration over unaccent(). Typed text never reaches either query
language as syntax: it is cut into words of letters and digits first (search_words), so quotes,
`*`, `NEAR(`, `-`, `:`, parentheses and AND/OR/NOT are only ever separators or plain words.

Pure code: SQLAlchemy Core only, nothing from Flask or the features (the forum reuses it).
"""
import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, column, func, literal, literal_column, select, table

# Words of a query that count; the rest are ignored (a pasted paragraph costs no more than a phrase).
MAX_WORDS = 6
# Letters past this in one word are ignored (no word of a bio is longer; an index term has a size limit).
MAX_WORD_LENGTH = 60


def search_words(text: str, limit: int = MAX_WORDS) -> list[str]:
    """The words of typed text: runs of letters, digits and marks (Unicode categories L, N, M),
    everything else a separator, at most `limit` of them, each cut to MAX_WORD_LENGTH.

    The same split as the indexes make of the text they hold (FTS5's unicode61 separates on
    punctuation and spaces; the PostgreSQL trigger turns punctuation into spaces first).
    """
    words: list[str] = []
    current: list[str] = []
    for char in text[:limit * (MAX_WORD_LENGTH + 1) * 4]:  # enough for `limit` words; bounded work
        if unicodedata.category(char)[0] in "LNM":
            current.append(char)
            continue
        if current:
            words.append("".join(current)[:MAX_WORD_LENGTH])
            current = []
            if len(words) == limit:
                return words
    if current:
        words.append("".join(current)[:MAX_WORD_LENGTH])
    return words[:limit]


def is_index_storage(name: str | None, type_: str) -> bool:
    """Whether a database object is a full-text index's own storage, made by its DDL and not in
    the models: SQLite's FTS5 table and its shadow tables (<table>_fts, <table>_fts_data, ...),
    PostgreSQL's search_vector column and its GIN index. Alembic's comparison of models and
    database (migrations/env.py, the migration tests) leaves them out."""
    name = name or ""
    if type_ == "table":
        return name.endswith("_fts") or "_fts_" in name
    if type_ == "column":
        return name.endswith("_vector")
    if type_ == "index":
        return name.endswith("_vector")
    return False


@dataclass(frozen=True)
class FullTextIndex:
    """A full-text index over some text columns of a table whose rows have an integer key.

    SQLite: an FTS5 table `<table>_fts` with external content (the table itself), kept by
    triggers. PostgreSQL: a tsvector column `search_vector` on the table, kept by a trigger,
    with a GIN index. Neither is in the SQLAlchemy model: the DDL comes from create_ddl().
    A second index on the same table has its own name: `<table>_<name>_fts`, `<name>_vector`.
    """

    table: str
    columns: tuple[str, ...]
    key: str = "id"
    name: str = "search"
    prefixes: bool = True  # SQLite: indexes of the first 1-3 letters, for words typed as prefixes

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts" if self.name == "search" else f"{self.table}_{self.name}_fts"

    @property
    def vector(self) -> str:
        """PostgreSQL: the tsvector column."""
        return f"{self.name}_vector"

    @property
    def _folded_text(self) -> str:
        """PostgreSQL: the columns as one text, accents off, punctuation turned into spaces.

        Punctuation goes so PostgreSQL's parser makes the words FTS5 makes (it would keep
        "e-mail", "example.com" and "3.5" whole and drop "<b>"); unaccent runs first, as
        it can write punctuation ("½" is " 1/2").
        """
        joined = " || ' ' || ".join(f"coalesce(NEW.{name}, '')" for name in self.columns)
        return f"regexp_replace(unaccent({joined}), '[[:punct:]]', ' ', 'g')"

    def create_ddl(self, dialect: str) -> list[str]:
        """The statements that make the index (empty: fill it with rebuild_ddl)."""
        names = ", ".join(self.columns)
        if dialect == "sqlite":
            fts = self.fts_table
            old = ", ".join(f"old.{name}" for name in self.columns)
            new = ", ".join(f"new.{name}" for name in self.columns)
            return [
                # prefix='1 2 3': the first letters people type are answered from their own index.
                f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{self.table}', "
                f"content_rowid='{self.key}', tokenize='unicode61 remove_diacritics 2'"
                + (", prefix='1 2 3')" if self.prefixes else ")"),
                f"CREATE TRIGGER {fts}_on_insert AFTER INSERT ON {self.table} BEGIN "
                f"INSERT INTO {fts} (rowid, {names}) VALUES (new.{self.key}, {new}); END",
                f"CREATE TRIGGER {fts}_on_delete AFTER DELETE ON {self.table} BEGIN "
                f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.{self.key}, {old}); END",
                f"CREATE TRIGGER {fts}_on_update AFTER UPDATE OF {names} ON {self.table} BEGIN "
                f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.{self.key}, {old}); "
                f"INSERT INTO {fts} (rowid, {names}) VALUES (new.{self.key}, {new}); END",
            ]
        if dialect == "postgresql":
            function = f"{self.table}_{self.vector}"
            return [
                "CREATE EXTENSION IF NOT EXISTS unaccent",
                f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS {self.vector} tsvector",
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"NEW.{self.vector} := to_tsvector('simple'::regconfig, {self._folded_text}); "
                "RETURN NEW; END $$",
                f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE OF {names} ON {self.table} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()",
                f"CREATE INDEX IF NOT EXISTS ix_{self.table}_{self.vector} ON {self.table} USING gin ({self.vector})",
            ]
        return []

    def rebuild_ddl(self, dialect: str) -> list[str]:
        """The statements that fill the index from the rows already there (a migration's backfill)."""
        if dialect == "sqlite":
            return [f"INSERT INTO {self.fts_table} ({self.fts_table}) VALUES ('rebuild')"]
        if dialect == "postgresql":  # the trigger computes the vector: touch one watched column
            first = self.columns[0]
            return [f"UPDATE {self.table} SET {first} = {first}"]
        return []

    def drop_ddl(self, dialect: str) -> list[str]:
        if dialect == "sqlite":
            fts = self.fts_table
            return [f"DROP TRIGGER IF EXISTS {fts}_on_{event}" for event in ("insert", "delete", "update")] + [
                f"DROP TABLE IF EXISTS {fts}"]
        if dialect == "postgresql":
            function = f"{self.table}_{self.vector}"
            return [f"DROP TRIGGER IF EXISTS {function} ON {self.table}", f"DROP FUNCTION IF EXISTS {function}()",
                    f"DROP INDEX IF EXISTS ix_{self.table}_{self.vector}",
                    f"ALTER TABLE {self.table} DROP COLUMN IF EXISTS {self.vector}"]
        return []

    # Queries --------------------------------------------------------------------------------

    def matching(self, dialect: str, key: ColumnElement, words: list[str],
                 prefix: bool = True) -> ColumnElement[bool]:
        """True for rows (whose key is `key`) holding every word, each as a word's prefix
        (prefix=False: as a whole word).

        `words` come from search_words() and must not be empty. SQLite: the key is in the ids
        the FTS5 table finds; PostgreSQL: the row's own vector matches (the GIN index).
        """
        if dialect == "sqlite":
            return key.in_(self.matching_ids(words, prefix))
        return literal_column(f"{self.table}.{self.vector}").op("@@")(self._tsquery(words, prefix))

    def ranked(self, dialect: str, words: list[str]) -> Select:
        """(key, rank) of the rows holding every word; a lower rank is a better match (BM25 on
        SQLite; on PostgreSQL ts_rank negated, divided by 1 + the log of the text's length so
        that, as with BM25, a word in a short headline counts more than in a long bio)."""
        if dialect == "sqlite":
            fts = table(self.fts_table, column("rowid"), column("rank"))
            return (select(fts.c.rowid.label("key"), fts.c.rank.label("rank"))
                    .where(literal_column(self.fts_table).op("MATCH")(literal(self.fts_query(words)))))
        rows = table(self.table, column(self.key), column(self.vector))
        query = self._tsquery(words)
        vector = rows.c[self.vector]
        return (select(rows.c[self.key].label("key"), (-func.ts_rank(vector, query, 1)).label("rank"))
                .where(vector.op("@@")(query)))

    @staticmethod
    def fts_query(words: list[str], prefix: bool = True) -> str:
        """An FTS5 query: every word a quoted string (never syntax), with a prefix star unless
        whole words are asked for, all required."""
        star = "*" if prefix else ""
        return " ".join('"' + word.replace('"', "") + '"' + star for word in words)

    def matching_ids(self, words: list[str], prefix: bool = True) -> Select:
        """SQLite: the rowids of the FTS5 table's matches, as it finds them (a query can start from them)."""
        fts = table(self.fts_table, column("rowid"))
        return select(fts.c.rowid).where(
            literal_column(self.fts_table).op("MATCH")(literal(self.fts_query(words, prefix))))

    @staticmethod
    def _tsquery(words: list[str], prefix: bool = True) -> ColumnElement:
        """to_tsquery of `'word':* & ...` (without `:*` for whole words), each word folded by unaccent() as the documents are.

        Quotes and backslashes unaccent() could write are taken out of each lexeme, and one
        space is kept inside its quotes, so a lexeme is never the empty '' (a syntax error).
        """
        parts = []
        suffix = " ':*" if prefix else " '"
        for word in words:
            folded = func.replace(func.replace(func.unaccent(literal(word)), "'", ""), "\\", "")
            parts.append(literal("'") + folded + literal(suffix))
        text = parts[0]
        for part in parts[1:]:
            text = text + literal(" & ") + part
        return func.to_tsquery(literal_column("'simple'::regconfig"), text)
