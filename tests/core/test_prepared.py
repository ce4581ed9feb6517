"""Prepared statements: compiled once per shape, run on the driver with the values of each call."""
import pytest
from sqlalchemy import bindparam, select

from app.extensions import db
from app.models.directory import LeaderProfile
from app.prepared import Prepared, prepared

_T = LeaderProfile.__table__


def test_each_call_gets_its_own_values_and_the_fixed_ones(app, make_user):
    with app.app_context():
        for email, role in (("ann@example.org", "leader"), ("bob@example.org", "member"), ("cy@example.org", "leader")):
            make_user(email=email, role=role)
        users = db.metadata.tables["users"]
        build = lambda: select(users.c.email).where(  # noqa: E731
            users.c.role == "leader", users.c.email >= bindparam("start")).order_by(users.c.email)
        connection = db.session.connection()
        statement = prepared(connection, ("test", "leaders from"), build)
        assert [row[0] for row in statement.rows(connection, {"start": "a"})] == ["ann@example.org", "cy@example.org"]
        assert [row[0] for row in statement.rows(connection, {"start": "b"})] == ["cy@example.org"]
        # Kept by its key: the same object comes back, without building again.
        assert prepared(connection, ("test", "leaders from"), lambda: pytest.fail("built twice")) is statement


def test_a_missing_value_is_an_error_not_a_guess(app):
    with app.app_context():
        connection = db.session.connection()
        statement = Prepared(select(_T.c.id).where(_T.c.id == bindparam("id")), connection.dialect)
        with pytest.raises(Exception, match="id"):
            statement.rows(connection, {})


def test_expanding_lists_are_refused(app):
    with app.app_context():
        statement = select(_T.c.id).where(_T.c.id.in_([1, 2, 3]))
        with pytest.raises(ValueError, match="expanding"):
            Prepared(statement, db.session.connection().dialect)


def test_the_engines_cursor_events_see_prepared_statements(app):
    from sqlalchemy import event
    seen = []
    with app.app_context():
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            connection = db.session.connection()
            statement = prepared(connection, ("test", "events"), lambda: select(_T.c.id).where(_T.c.id == bindparam("id")))
            assert statement.rows(connection, {"id": 1}) == []
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert statement.sql in seen


def test_a_database_error_comes_back_as_sqlalchemys(app):
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy import text
    with app.app_context():
        connection = db.session.connection()
        statement = prepared(connection, ("test", "broken"), lambda: select(text("no_such_column")).select_from(_T))
        with pytest.raises(DBAPIError):
            statement.rows(connection)
