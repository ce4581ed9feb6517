"""The attacker test: someone with many small alerts around a city-level leader learns no more than
from searches. Alerts match at public points only (a grid of tiny circles around the leader's
exact point finds the same as the same searches would), what they tell is the search's card and
its rounded distance, the radius has the search's minimum and one person keeps at most 20."""
import itertools

import feedparser
import pytest

from app.alerts import services
from app.directory import search as leaders
from app.extensions import db
from app.geo.distance import haversine_km
from app.geo.privacy import public_point
from app.models.accounts import User
from app.models.directory import LeaderProfile
from tests.alerts.helpers import alert_row, leader, match, matched, save, save_at

EXACT = (45.79, 4.90)  # the leader's private point
AREA = public_point(*EXACT, "city")  # what everyone sees: 5.7 km away
STEP_DEGREES = 0.02  # about 2 km between the attacker's circles


@pytest.fixture
def attackers(make_user):
    """Three accounts of one attacker: sixty alerts."""
    return [make_user(name=f"Mallory {number}") for number in range(3)]


def grid(centre, count=60):
    """Alert centres on a square grid around a point, about 2 km apart."""
    side = int(count ** 0.5) + 1
    offsets = [(dy - side // 2, dx - side // 2) for dy, dx in itertools.product(range(side), repeat=2)]
    return [(round(centre[0] + dy * STEP_DEGREES, 3), round(centre[1] + dx * STEP_DEGREES, 3))
            for dy, dx in offsets[:count]]


def plant(app, attackers, centres, radius=5) -> dict[int, tuple[float, float]]:
    return {save_at(app, attackers[index % len(attackers)], lat, lng, radius=radius): (lat, lng)
            for index, (lat, lng) in enumerate(centres)}


def search_lists(app, profile_id, lat, lng, radius_km) -> bool:
    """Does the leader search for this point and radius list the leader inside its circle?"""
    with app.test_request_context():
        results = leaders.search(leaders.Origin("your location", lat, lng), radius_km, per_page=100)
        return not results.nearest and any(hit.profile_id == profile_id for hit in results.hits)


def test_a_grid_of_tiny_alerts_around_the_exact_point_finds_what_searches_find(app, attackers):
    alerts = plant(app, attackers, grid(EXACT))
    target = leader(app, "Cleo City", *EXACT, precision="city")
    match(app)
    found = {alert for alert in alerts if matched(app, alert) == [target]}
    for alert, (lat, lng) in alerts.items():
        assert (alert in found) == search_lists(app, target, lat, lng, 5), f"alert at {lat}, {lng}"
        # Matched exactly where the public point is inside: the exact point plays no part.
        assert (alert in found) == (haversine_km(lat, lng, *AREA) <= 5)
    assert found, "some circles hold the area's centre"
    holds_exact = {alert for alert, centre in alerts.items() if haversine_km(*centre, *EXACT) <= 5}
    assert holds_exact - found, "circles around the exact point but not the area's centre find nothing"


def test_two_leaders_of_one_area_are_told_alike_wherever_their_exact_points(app, attackers):
    alerts = plant(app, attackers, grid(AREA, 49))
    first = leader(app, "Ana Area", *EXACT, precision="city")
    second = leader(app, "Ben Area", AREA[0] + 0.04, AREA[1] - 0.05, precision="city")  # 6 km from Ana
    assert public_point(AREA[0] + 0.04, AREA[1] - 0.05, "city") == AREA
    match(app)
    for alert in alerts:
        assert sorted(matched(app, alert)) in ([], sorted([first, second])), "never one without the other"


def test_what_an_alert_tells_is_the_searchs_card_and_rounded_distance(app, client, attackers):
    alerts = plant(app, attackers[:1], grid(AREA, 9))
    target = leader(app, "Cleo City", *EXACT, precision="city", city="Lyon", country="France",
                    headline="Neighbourhood organiser")
    match(app)
    with app.app_context():
        profile = db.session.get(LeaderProfile, target)
        assert (profile.public_lat, profile.public_lng) == AREA
    told = 0
    for alert, (lat, lng) in alerts.items():
        if not matched(app, alert):
            continue
        with app.test_request_context():
            results = leaders.search(leaders.Origin("your location", lat, lng), 5)
            label = next(hit for hit in results.hits if hit.profile_id == target).distance_label("km")
        kept = alert_row(app, alert)
        parsed = feedparser.parse(client.get(f"/alerts/{alert}/{kept.feed_token}.atom").get_data())
        [entry] = parsed.entries
        assert f"Lyon, France · {label}" in entry.summary, "the distance as the search shows it"
        for digits in (f"{EXACT[0]}", f"{EXACT[1]:.2f}", f"{AREA[0]}", f"{AREA[1]}"):
            assert digits not in entry.summary
        told += 1
    assert told


@pytest.mark.parametrize("radius, unit", [("4.9", "km"), ("1", "km"), ("0.5", "km"), ("0", "km"), ("-5", "km"),
                                          ("3", "mi"), ("1e-9", "km")])
def test_an_alert_is_never_smaller_than_the_searchs_smallest_circle(app, attackers, radius, unit):
    with app.test_request_context():
        with pytest.raises(services.AlertError, match="Enter a distance from 5 to 500"):
            services.read_search({"kind": "leaders", "lat": f"{EXACT[0]}", "lng": f"{EXACT[1]}",
                                  "radius": radius, "unit": unit})


def test_smallest_alert_is_filed_and_measured_as_the_search_would(app, attackers):
    alert = save_at(app, attackers[0], *AREA, radius=5)
    assert alert_row(app, alert).radius_km == 5


def test_one_person_keeps_at_most_twenty(app, attackers):
    for lat, lng in grid(EXACT, 20):
        save_at(app, attackers[0], lat, lng)
    with app.test_request_context():
        person = db.session.get(User, attackers[0].id)
        with pytest.raises(services.AlertError, match="the most one person can keep"):
            services.create_alert(person, services.read_search(
                {"kind": "leaders", "lat": "45.0", "lng": "4.0", "radius": "5"}))


def test_the_exact_point_of_a_city_level_leader_is_never_read_by_matching(app, attackers, monkeypatch):
    """Matching names its columns: a query naming leader_profiles.lat or .lng would fail here."""
    from sqlalchemy import event
    alert = save(app, attackers[0])
    leader(app, "Cleo City", *EXACT, precision="city")
    statements = []
    with app.app_context():
        listener = lambda _c, _cur, statement, *_a: statements.append(statement)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            from app.alerts import matching
            matching.match_arrivals()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    profile_reads = [statement for statement in statements if "FROM leader_profiles" in statement]
    assert profile_reads
    for statement in profile_reads:
        assert "leader_profiles.lat" not in statement and "leader_profiles.lng" not in statement
    assert alert
