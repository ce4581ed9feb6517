"""A database made by the migrations (not create_all) matches alerts too: the queue's triggers on
leader_profiles and gatherings (app.models.alerts.ARRIVAL_TRIGGERS) must be in the migration."""
import pytest
from sqlalchemy import text

from app.alerts import matching, services
from app.extensions import db
from app.models.accounts import Role, User
from app.models.directory import LeaderProfile
from tests.core.test_migrations import empty_database_url, migrated_app  # noqa: F401 (fixtures)

TRIGGERS = {"sqlite": ["alert_arrivals_leader_insert", "alert_arrivals_leader_update",
                       "alert_arrivals_gathering_insert", "alert_arrivals_gathering_update"],
            "postgresql": ["alert_arrivals_leader", "alert_arrivals_gathering"]}


def test_the_migrated_database_queues_and_matches_a_new_leader(migrated_app):  # noqa: F811
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        found = db.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                        "AND name LIKE 'alert_arrivals%'")).scalars().all()
    else:
        found = db.session.execute(text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'alert_arrivals%'"))\
            .scalars().all()
    assert sorted(found) == sorted(TRIGGERS[dialect])

    watcher = User(email="watcher@example.com", display_name="Wanda", password_hash="x", role=Role.MEMBER)
    host = User(email="leader@example.com", display_name="Lee", password_hash="x", role=Role.LEADER)
    db.session.add_all([watcher, host])
    db.session.flush()
    alert = services.create_alert(watcher, services.read_search(
        {"kind": "leaders", "lat": "45.748", "lng": "4.847", "radius": "25"}))
    db.session.add(LeaderProfile(user_id=host.id, slug="lee", display_name="Lee", public_lat=45.75,
                                 public_lng=4.85, searchable=True))
    db.session.commit()
    assert matching.match_arrivals().matches == 1
    assert alert.id
