"""Hot read queries compiled once per shape and run straight on the database driver.

On every execute SQLAlchemy builds the statement, computes its cache key and looks up the
compiled form: 0.1 to 0.3 ms a statement, more than SQLite takes to answer an indexed
search. A prepared statement is written with Core as usual, with `bindparam()` for each
value that changes between requests; it is compiled once per database dialect and run on
the driver's cursor, which skips those steps. Values fixed when it was built (a filter's
keyword, say) are remembered and sent with every run.

Only plain values can be prepared: statements with expanding IN lists are refused (give
each list item its own bindparam and make the length part of the key).
"""
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Executable, Integer, bindparam
from sqlalchemy.engine import Dialect

from app.worker_cache import WorkerCache

CACHE_SIZE = 512


class Prepared:
    """One statement compiled for one dialect: its SQL, fixed values and parameter order."""

    __slots__ = ("sql", "_fixed", "_order", "_processors")

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("expanding parameters cannot be prepared; use one bindparam per value")
        self.sql = compiled.string
        # The values fixed when the statement was built; placeholders get theirs on each run.
        self._fixed = {compiled.bind_names[bind]: bind.effective_value
                       for bind in compiled.binds.values() if not bind.required}
        # The names in the order the driver takes them by position (None: it takes them by name).
        self._order = None if compiled.positiontup is None else tuple(compiled.positiontup)
        processors = {}
        for bind, name in compiled.bind_names.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        self._processors = processors

    def rows(self, connection: Connection, values: Mapping[str, Any] | None = None) -> list[tuple]:
        """All rows as the driver's tuples (SQLite gives booleans as 0 and 1)."""
        params = {**self._fixed, **values} if values else dict(self._fixed)
        for name, processor in self._processors.items():
            params[name] = processor(params[name])
        if self._order is not None:
            params = tuple(map(params.__getitem__, self._order))
        # Straight on the driver's cursor, in the connection's transaction: SQLAlchemy's result
        # set-up (a Row per row, column metadata) costs more than the query for the hot paths.
        # The engine's cursor events still see the statement (logging, tests reading the SQL).
        cursor = connection.connection.driver_connection.cursor()
        try:
            for listener in connection.dispatch.before_cursor_execute:
                listener(connection, cursor, self.sql, params, None, False)
            cursor.execute(self.sql, params)
            return cursor.fetchall()
        except connection.dialect.loaded_dbapi.Error:
            # Run it again through SQLAlchemy, which reports the error its usual way (wrapped,
            # and a dropped connection invalidated); a SELECT can safely run twice.
            return list(connection.exec_driver_sql(self.sql, params).tuples())
        finally:
            cursor.close()


_cache = WorkerCache(CACHE_SIZE)  # every app's: the statements are SQL text only


def prepared(connection: Connection, key: Hashable, build: Callable[[], Executable]) -> Prepared:
    """The statement `build()` makes, compiled for this connection's database, kept by `key`.

    The key must name everything that shapes the statement (which filters, how many values
    in a list): two calls with the same key must build the same SQL.
    """
    dialect = connection.dialect
    full_key = (dialect.name, dialect.driver, key)
    statement = _cache.get(full_key)
    if statement is None:
        statement = Prepared(build(), dialect)
        _cache.put(full_key, statement)
    return statement


def in_list(column: ColumnElement, count: int, name: str = "id", type_=Integer) -> ColumnElement[bool]:
    """`column IN (:id0, :id1, ...)` with one placeholder per value, so that it can be prepared:
    put `count` in the statement's key, and the values in with in_values(values, name)."""
    return column.in_([bindparam(f"{name}{n}", type_=type_) for n in range(count)])


def in_values(values: Sequence, name: str = "id") -> dict[str, Any]:
    """The values of an in_list(..., len(values), name) by their placeholders' names."""
    return {f"{name}{n}": value for n, value in enumerate(values)}
