"""Demo leaders: real cities on every continent, invented people, deterministic and safe to load twice."""
from sqlalchemy import func, select

from app.extensions import db
from app.geo.distance import haversine_km
from app.geo.privacy import public_point
from app.models.accounts import User
from app.models.directory import LeaderProfile, Precision

# Country codes by continent, for the countries the built-in list uses.
CONTINENTS = {
    "Africa": {"GH", "NG", "KE", "ET", "UG", "RW", "SN", "EG", "MA", "ZA", "ZM"},
    "Europe": {"GB", "IE", "FR", "DE", "CH", "ES", "PT", "IT", "SE", "PL", "GR", "TR", "IS"},
    "Asia": {"IN", "BD", "NP", "ID", "PH", "TH", "VN", "KR", "JP", "TW", "JO", "GE"},
    "North America": {"US", "CA", "MX", "GT"},
    "South America": {"CO", "PE", "CL", "AR", "BR"},
    "Oceania": {"AU", "NZ", "FJ"},
}


def profiles(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(select(
            LeaderProfile.slug, LeaderProfile.country_code, LeaderProfile.precision, LeaderProfile.lat,
            LeaderProfile.lng, LeaderProfile.public_lat, LeaderProfile.public_lng,
            LeaderProfile.works_online, LeaderProfile.featured_quote, LeaderProfile.city,
        ).order_by(LeaderProfile.slug)).all()


def test_seed_demo_spreads_leaders_over_every_continent(app, runner):
    result = runner.invoke(args=["seed-demo", "--no-banner"])
    assert result.exit_code == 0, result.output
    rows = profiles(app)
    assert len(rows) >= 60
    codes = {row.country_code for row in rows}
    for continent, countries in CONTINENTS.items():
        assert codes & countries, f"no demo leader in {continent}"
    precisions = {row.precision for row in rows}
    assert precisions == {Precision.EXACT, Precision.CITY}
    assert any(row.works_online for row in rows) and not all(row.works_online for row in rows)
    assert sum(row.featured_quote for row in rows) >= 3
    for row in rows:
        assert (row.public_lat, row.public_lng) == public_point(row.lat, row.lng, row.precision.value)
    with app.app_context():
        demo_leader = db.session.scalar(select(User).where(User.email == "leader@demo.leaders.example"))
        assert demo_leader.leader_profile.slug == "amara-mensah"


def test_seed_demo_is_idempotent_and_deterministic(app, runner):
    runner.invoke(args=["seed-demo", "--no-banner"])
    first = profiles(app)
    result = runner.invoke(args=["seed-demo", "--no-banner"])
    assert "leader profiles 0" in result.output
    assert profiles(app) == first


def test_the_home_page_shows_demo_quotes_and_profiles_open(app, runner, client):
    runner.invoke(args=["seed-demo", "--no-banner"])
    html = client.get("/").get_data(True)
    assert "Our leaders are saying" in html
    assert client.get("/leaders/amara-mensah").status_code == 200


def test_many_leaders_cluster_around_real_cities(app, runner):
    result = runner.invoke(args=["seed-demo", "--leaders", "400", "--no-banner"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        bulk = db.session.execute(
            select(LeaderProfile.lat, LeaderProfile.lng, LeaderProfile.city, LeaderProfile.precision,
                   LeaderProfile.public_lat, LeaderProfile.public_lng, LeaderProfile.user_id)
            .join(User, User.id == LeaderProfile.user_id)
            .where(User.email.like("%@bulk.demo.leaders.example"))).all()
        from app.geo.gazetteer import Place
        assert len(bulk) == 400
        assert len({row.city for row in bulk}) > 50
        assert {row.precision for row in bulk} == {Precision.EXACT, Precision.CITY}
        for row in bulk[:50]:
            namesakes = db.session.execute(select(Place.lat, Place.lng).where(
                Place.name == row.city, Place.kind == "city")).all()
            assert min(haversine_km(row.lat, row.lng, p.lat, p.lng) for p in namesakes) < 100
            assert (row.public_lat, row.public_lng) == public_point(row.lat, row.lng, row.precision.value)
    # Running it again with a larger number only adds the missing ones.
    result = runner.invoke(args=["seed-demo", "--leaders", "450", "--no-banner"])
    assert "leader profiles 50" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(
            User.email.like("%@bulk.demo.leaders.example"))) == 450


def test_bulk_leaders_are_counted_tagged_and_found_as_if_added_one_by_one(app, runner, monkeypatch):
    """The bulk load sets the insert triggers aside and adds counts and tags itself: they must
    equal what the triggers keep, and the triggers must be back for the next change."""
    from app.directory import demo
    from app.models.directory import FocusArea, LEADER_SEARCH, profile_focus_areas
    from app.text.fulltext import search_words
    from tests.directory.search_fixtures import add_leader
    from tests.directory.test_leader_cells import assert_counts_match

    monkeypatch.setattr(demo, "CHUNK", 70)  # several chunks, the last one short
    result = runner.invoke(args=["seed-demo", "--leaders", "300", "--no-banner"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert_counts_match()
        tags = {}
        for profile_id, name in db.session.execute(
                select(profile_focus_areas.c.profile_id, FocusArea.name)
                .join(FocusArea, FocusArea.id == profile_focus_areas.c.focus_area_id)
                .order_by(profile_focus_areas.c.profile_id, FocusArea.id)):
            tags.setdefault(profile_id, []).append(name)
        stored = dict(db.session.execute(select(LeaderProfile.id, LeaderProfile.search_tags)).all())
        assert len(stored) == 301 and {key: " ".join(names) for key, names in tags.items()} == stored
        some = db.session.scalar(select(LeaderProfile).where(LeaderProfile.slug.like("%-250")))
        words = search_words(f"{some.display_name} {some.search_tags}")
        found = db.session.scalars(select(LeaderProfile.slug).where(LEADER_SEARCH.matching(
            db.engine.dialect.name, LeaderProfile.id, words))).all()
        assert some.slug in found
        # The triggers are back: a leader added afterwards is counted and tagged.
        added = add_leader("After Bulk", 52.52, 13.40, precision="exact", focus=("Youth work",))
        assert_counts_match()
        assert db.session.scalar(select(LeaderProfile.search_tags).where(LeaderProfile.id == added.id))
