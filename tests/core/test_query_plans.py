"""Every query a public page runs is answered through an index: none reads the whole of
leader_profiles (issue 12). Each hot request below is made through the test client, every
SELECT it runs is caught as it is sent (with its values) and its plan is read: EXPLAIN QUERY
PLAN on SQLite, EXPLAIN with sequential scans priced out on PostgreSQL (so a small test table
still shows whether an index *can* answer). A plan that scans leader_profiles fails the test.

What this cannot see: an index range that happens to cover most of the table (a language
nobody speaks, asked without a place, walks the (searchable, name_key) index to its end).
"""
import re

import pytest
from sqlalchemy import event, select, text

from app.extensions import db
from app.models.directory import FocusArea, LeaderProfile, Program
from app.models.editorial import Proposal, State

# Places by point: these tests are about the plans, not the geocoder.
LONDON = {"lat": "51.5085", "lng": "-0.1257"}
USHUAIA = {"lat": "-54.8", "lng": "-68.3"}  # nobody within 5 km: the nearest-leaders fallback


def hot_requests(area: str, program: str, profile: str, post: str) -> list[tuple[str, dict]]:
    api = []
    for where in (LONDON | {"radius_km": "50"}, LONDON | {"radius_km": "500"}, {}):
        for extra in ({}, {"keyword": "teacher"}, {"keyword": "youth teach"}, {"focus_area": area},
                      {"program": program}, {"language": "English"}, {"online": "1"}):
            api.append(("/api/leaders", where | extra))
    api += [("/api/leaders", USHUAIA | {"radius_km": "5"}), ("/api/leaders", {"sort": "name", "keyword": "teacher"}),
            ("/api/leaders", LONDON | {"radius_km": "50", "sort": "name"}),
            ("/api/leaders", {"focus_area": area, "page": "3"})]
    pages = [("/", {}), ("/leaders", {"near": "London", "radius": "50"}), ("/leaders", {"keyword": "teacher"}),
             ("/leaders", {}), (f"/leaders/{profile}", {}), ("/blog", {}), (f"/blog/{post}", {}),
             ("/blog/feed.atom", {}), ("/sitemap.xml", {})]
    return api + pages


def scans(plan: list[str]) -> list[str]:
    """The lines of a plan that read every row of leader_profiles."""
    return [line for line in plan if re.search(r"^SCAN leader_profiles\b|Seq Scan on leader_profiles\b", line.strip())]


@pytest.fixture
def seeded(app, runner):
    result = runner.invoke(args=["seed-demo", "--leaders", "400", "--no-banner"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.execute(text("ANALYZE"))  # plans from the table's real statistics
        db.session.commit()
        area = db.session.scalar(select(FocusArea.slug).order_by(FocusArea.id))
        program = db.session.scalar(select(Program.slug).order_by(Program.id))
        profile = db.session.scalar(select(LeaderProfile.slug).where(LeaderProfile.searchable).order_by(
            LeaderProfile.id.desc()))
        post = db.session.scalar(select(Proposal.slug).where(Proposal.state == State.PUBLISHED))
    return area, program, profile, post


def test_no_public_page_scans_the_leader_profiles(app, client, seeded):
    caught: list[tuple[str, object]] = []

    def catch(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "leader_profiles" in statement:
            caught.append((statement, parameters))

    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        event.listen(engine, "before_cursor_execute", catch)
        try:
            for path, query in hot_requests(*seeded):
                response = client.get(path, query_string=query)
                assert response.status_code == 200, (path, query, response.status_code)
        finally:
            event.remove(engine, "before_cursor_execute", catch)
        assert len(caught) > 40  # the requests above did run the search's statements
        found = {}
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            cursor = raw.cursor()
            if dialect == "postgresql":
                cursor.execute("SET enable_seqscan = off")
            for statement, parameters in caught:
                if dialect == "sqlite":
                    cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                    plan = [row[3] for row in cursor.fetchall()]
                else:
                    cursor.execute("EXPLAIN " + statement, parameters)
                    plan = [row[0] for row in cursor.fetchall()]
                if scans(plan):
                    found[statement] = plan
            if dialect == "postgresql":
                raw.rollback()
    assert not found, "\n\n".join(f"{statement}\n  " + "\n  ".join(plan) for statement, plan in found.items())


@pytest.mark.parametrize("plan, scanned", [
    (["SCAN leader_profiles"], True),
    (["SEARCH leader_profiles USING INDEX ix_leader_profiles_by_name (searchable=?)"], False),
    (["Seq Scan on leader_profiles  (cost=10000000000.00..10000000001.01 rows=1 width=4)"], True),
    (["  ->  Index Scan using ix_leader_profiles_by_name on leader_profiles"], False),
    (["SCAN leader_profiles_fts VIRTUAL TABLE INDEX 0:M4"], False),
])
def test_the_check_tells_a_scan_from_an_index(plan, scanned):
    assert bool(scans(plan)) is scanned
