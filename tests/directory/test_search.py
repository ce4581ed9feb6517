"""Finding leaders on /leaders and through the search service: radius, order, filters, edges of the map."""
import re

import pytest

from app.directory import search
from app.directory.search import Filters, Origin
from app.geo.distance import haversine_km
from tests.conftest import shown
from tests.directory.search_fixtures import add_leader, leader  # noqa: F401  (fixture)

PORTLAND = "Portland, Oregon"


def origin_of(app, place: str) -> Origin:
    with app.test_request_context():
        return search.find_place(place).origin


def run(app, origin, radius_km=50.0, filters=Filters(), page=1, **kwargs):
    """(names in order, results) from the search service."""
    with app.test_request_context():
        results = search.search(origin, radius_km, filters, page, **kwargs)
        profiles = search.load_profiles(results.hits)
        return [profiles[hit.profile_id].display_name for hit in results.hits], results


def slugs_on_page(html: str) -> list[str]:
    return re.findall(r'data-leader="([^"]+)"', html)


@pytest.fixture
def portland(app, leader):
    """Leaders due north of Portland, Oregon, at about 6, 22, 44 and 89 km, plus one in Maine."""
    here = origin_of(app, PORTLAND)
    for name, degrees in (("Ana Far", 0.8), ("Bo Near", 0.05), ("Cy Middle", 0.2), ("Di Edge", 0.4)):
        leader(name, here.lat + degrees, here.lng, precision="exact", city="Portland", country="United States")
    leader("Ed Maine", 43.6591, -70.2568, city="Portland", region="Maine")
    return here


def test_results_within_the_radius_sorted_by_distance(app, portland):
    names, results = run(app, portland, 50)
    assert names == ["Bo Near", "Cy Middle", "Di Edge"]
    assert results.total == 3 and not results.nearest
    distances = [hit.distance_km for hit in results.hits]
    assert distances == sorted(distances)
    assert [hit.distance_label() for hit in results.hits] == ["about 5 km", "about 20 km", "about 45 km"]


def test_without_a_place_everyone_is_listed_by_name(app, portland):
    names, results = run(app, None)
    assert names == ["Ana Far", "Bo Near", "Cy Middle", "Di Edge", "Ed Maine"]
    assert all(hit.distance_km is None for hit in results.hits)


def test_without_a_place_a_broad_filter_is_counted_only_so_far(app, client, leader, monkeypatch):
    """Past COUNT_CAP matches the count stops: "3+ leaders", the pages still in order; everyone
    (and everyone online) is counted exactly, and fewer matches than the cap exactly too."""
    from app.directory.search import statements
    monkeypatch.setattr(statements, "COUNT_CAP", 3)
    for number, name in enumerate(["Eve", "Abe", "Dee", "Cal", "Bea", "Fay"]):
        leader(name, 10.0 + number, 10.0, headline="Teacher" if number < 5 else "Nurse",
               focus=("Youth work",) if number != 2 else (), works_online=number % 2 == 0,
               languages="English, Kiswahili" if number < 2 else "French")
    names, results = run(app, None, filters=Filters(keyword="teacher"), sort="name", per_page=2)
    assert names == ["Abe", "Bea"] and results.total == 3 and results.total_capped and results.pages == 2
    names, results = run(app, None, filters=Filters(focus_area="youth-work"), page=2, per_page=2)
    assert names == ["Cal", "Eve"] and results.total_capped
    names, results = run(app, None, filters=Filters(keyword="teacher"))  # best match first
    assert sorted(names) == ["Abe", "Bea", "Cal", "Dee", "Eve"] and results.total_capped
    names, results = run(app, None, filters=Filters(language="kiswahili"))
    assert names == ["Abe", "Eve"] and results.total == 2 and not results.total_capped
    names, results = run(app, None)
    assert len(names) == 6 and results.total == 6 and not results.total_capped
    names, results = run(app, None, filters=Filters(online=True))
    assert names == ["Bea", "Dee", "Eve"] and results.total == 3 and not results.total_capped
    html = shown(client.get("/leaders", query_string={"keyword": "teacher"}), "3+ leaders")
    assert "the first 3 are shown: add a place or another filter" in html
    body = client.get("/api/leaders", query_string={"focus_area": "youth-work"}).get_json()
    assert body["total"] == 3 and body["total_capped"] is True
    body = client.get("/api/leaders", query_string={"language": "French"}).get_json()
    assert body["total"] == 3 and body["total_capped"] is True  # four speak French


def test_the_page_sorts_by_distance_and_shows_rounded_distances(client, portland):
    response = client.get("/leaders", query_string={"near": PORTLAND, "radius": "100"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert [slug.rsplit("-", 1)[0] for slug in slugs_on_page(html)] == ["bo-near", "cy-middle", "di-edge",
                                                                       "ana-far"]
    assert "4 leaders within 100 km of Portland, Oregon, United States" in html
    assert "about 5 km" in html and "about 90 km" in html
    assert "data-map=" in html


def test_miles(client, app, portland):
    # 30 miles is 48 km: Di Edge at 44 km is in, and distances read in miles.
    names, _ = run(app, portland, search.to_km(30, "mi"))
    assert names == ["Bo Near", "Cy Middle", "Di Edge"]
    html = shown(client.get("/leaders", query_string={"near": PORTLAND, "radius": "30", "unit": "mi"}),
                 "3 leaders within 30 mi of")
    assert "3 leaders within 30 mi of" in html
    assert "about 15 mi" in html and "about 30 mi" in html and " km<" not in html
    # 30 km leaves Di Edge out.
    assert run(app, portland, 30)[0] == ["Bo Near", "Cy Middle"]


def test_nobody_within_the_radius_shows_the_nearest_leaders_with_a_message(client, app, leader):
    here = origin_of(app, "Reykjavik")
    leader("Far North", here.lat + 3, here.lng)  # about 330 km away
    leader("Further", here.lat + 6, here.lng)
    names, results = run(app, here, 50)
    assert results.nearest and names == ["Far North", "Further"]
    response = client.get("/leaders", query_string={"near": "Reykjavik", "radius": "50"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nobody is within 50 km of Reykjavík, Iceland." in html
    assert "These are the nearest leaders instead" in html
    assert "about 330 km" in html


def test_nearest_fallback_takes_twenty_across_growing_circles(app, leader):
    here = Origin("sea", 0.0, -30.0)
    for number in range(30):  # 2 to 31 degrees east of the search point, ~220 to ~3400 km
        leader(f"L{number:02d}", 0.0, -28.0 + number, precision="exact")
    names, results = run(app, here, 5)
    assert results.nearest and results.total == 20
    assert names == [f"L{number:02d}" for number in range(20)]


def test_nearest_fallback_matches_a_full_scan(app, leader):
    import random
    rng = random.Random(7)
    for number in range(60):
        leader(f"R{number:02d}", rng.uniform(-60, 60), rng.uniform(-180, 180), precision="exact")
    for lat, lng in ((10, 170), (-45, -100), (60, 0), (0, -179.9)):
        fast = run(app, Origin("x", lat, lng), 5)
        slow = run(app, Origin("x", lat, lng), 5, full_scan=True)
        assert fast[0] == slow[0] and len(fast[0]) == 20


def test_nearest_fallback_reads_once_from_the_cells_map_and_matches_a_full_scan(app, leader, monkeypatch):
    """The 1° cells' counts give a radius that surely holds twenty: one read, the same answer
    as a full scan, near the poles and across the 180th meridian too."""
    import random
    from app.directory.search import statements
    rng = random.Random(11)
    for number in range(80):
        lat = rng.choice([rng.uniform(-85, -55), rng.uniform(55, 85), rng.uniform(-20, 20)])
        leader(f"Q{number:02d}", lat, rng.choice([rng.uniform(170, 180), rng.uniform(-180, -170),
                                                  rng.uniform(-180, 180)]), precision="exact")
    reads = []
    real = statements.points_in_boxes
    monkeypatch.setattr(statements, "points_in_boxes", lambda *args, **kwargs: reads.append(args) or real(*args, **kwargs))
    for lat, lng in ((88, 0), (-88, 120), (70, 179.9), (-60, -179.95), (5, 175), (0, 0), (45, -100)):
        reads.clear()
        fast = run(app, Origin("x", lat, lng), 5)
        assert len(reads) == 2, (lat, lng)  # the 5 km circle, then the cells' radius
        slow = run(app, Origin("x", lat, lng), 5, full_scan=True)
        assert fast[0] == slow[0] and len(fast[0]) == 20
        assert [hit.distance_km for hit in fast[1].hits] == [hit.distance_km for hit in slow[1].hits]


def test_nearest_fallback_of_a_rare_filter_reads_its_matches_and_matches_a_full_scan(app, leader, monkeypatch):
    """Spanish from Tokyo: once the growing circle would hold more leaders than match anywhere,
    the matches are read through the filter's index instead; the answer is the full scan's."""
    import random
    from app.directory.search import nearest, statements
    rng = random.Random(5)
    for number in range(60):  # a crowd around the origin, nobody speaking Spanish
        leader(f"N{number:02d}", 35.0 + rng.uniform(-3, 3), 139.0 + rng.uniform(-3, 3), precision="exact",
               languages="Japanese", headline="Teacher")
    for number in range(25):  # the speakers, far away
        leader(f"S{number:02d}", rng.uniform(-40, 20), rng.uniform(-100, -60), precision="exact",
               languages="Spanish, English", headline="Teacher" if number % 2 else "Nurse")
    monkeypatch.setattr(nearest, "NEAREST_FETCH_CAP", 10)
    read = []
    real = statements.matching_points
    monkeypatch.setattr(statements, "matching_points", lambda filters: read.append(filters) or real(filters))
    tokyo = Origin("Tokyo", 35.68, 139.69)
    for filters in (Filters(language="Spanish"), Filters(language="spanish", keyword="teach"),
                    Filters(language="Spanish", online=True)):
        read.clear()
        fast = run(app, tokyo, 5, filters=filters)
        slow = run(app, tokyo, 5, filters=filters, full_scan=True)
        assert read and fast[0] == slow[0] and fast[1].nearest, filters
        assert [hit.distance_km for hit in fast[1].hits] == [hit.distance_km for hit in slow[1].hits]
    assert len(run(app, tokyo, 5, filters=Filters(language="Spanish"))[0]) == 20


def test_nearest_fallback_is_right_when_the_cells_map_is_stale(app, leader):
    """Each worker keeps the map for a minute: leaders who left since must not be missed or shown."""
    from sqlalchemy import select
    from app.directory.services import set_listed
    from app.extensions import db
    from app.models.directory import LeaderProfile
    here = Origin("sea", 0.0, -30.0)
    close = [leader(f"C{number:02d}", 0.0, -29.0 + number * 0.05, precision="exact") for number in range(20)]
    for number in range(30):
        leader(f"F{number:02d}", 0.0, -20.0 + number, precision="exact")
    names, _ = run(app, here, 5)
    assert names == [f"C{number:02d}" for number in range(20)]
    with app.app_context():
        for slug in close[:15]:  # the map still counts them
            set_listed(db.session.scalar(select(LeaderProfile).where(LeaderProfile.slug == slug)), False)
        db.session.commit()
    names, results = run(app, here, 5)
    assert results.nearest and names == [f"C{number:02d}" for number in range(15, 20)] + [
        f"F{number:02d}" for number in range(15)]


def test_pagination_twenty_a_page_in_distance_order(client, app, leader):
    here = origin_of(app, PORTLAND)
    for number in range(25):
        leader(f"P{number:02d}", here.lat + 0.01 * (number + 1), here.lng, precision="exact")
    first, results = run(app, here, 50)
    assert len(first) == 20 and results.total == 25 and results.pages == 2
    second, _ = run(app, here, 50, page=2)
    assert first + second == [f"P{number:02d}" for number in range(25)]
    html = client.get("/leaders", query_string={"near": PORTLAND, "page": "2"}).get_data(True)
    assert len(slugs_on_page(html)) == 5
    assert "Page 2 of 2" in html and 'start="21"' in html
    assert "near=Portland" in html  # the previous-page link keeps the search


def test_keyword_searches_name_headline_bio_and_tags(app, leader):
    leader("Grace Hopper", 10, 10, headline="Teacher")
    leader("Kim Lee", 10, 10, bio="I run a community garden.")
    leader("Sam Ode", 10, 10, focus=("Youth mentoring",))
    leader("Ola Nordmann", 10, 10, headline="GARDEN planner")
    assert run(app, None, filters=Filters(keyword="hopper"))[0] == ["Grace Hopper"]
    assert run(app, None, filters=Filters(keyword="teach"))[0] == ["Grace Hopper"]
    # Best match first without a place (the short headline before the bio); by name when asked.
    assert run(app, None, filters=Filters(keyword="garden"))[0] == ["Ola Nordmann", "Kim Lee"]
    assert run(app, None, filters=Filters(keyword="garden"), sort="name")[0] == ["Kim Lee", "Ola Nordmann"]
    assert run(app, None, filters=Filters(keyword="mentoring"))[0] == ["Sam Ode"]
    assert run(app, None, filters=Filters(keyword="community garden"))[0] == ["Kim Lee"]
    assert run(app, None, filters=Filters(keyword="100%_"))[0] == []


def test_focus_area_language_and_program_filters(client, app, leader):
    leader("Ama", 10, 10, focus=("Education",), languages="English, Spanish", programs=("Fellows 2024",))
    leader("Ben", 10, 10, focus=("Health",), languages="Spanglish")
    leader("Cai", 10, 10, focus=("Education", "Health"), languages="French")
    assert run(app, None, filters=Filters(focus_area="education"))[0] == ["Ama", "Cai"]
    assert run(app, None, filters=Filters(language="spanish"))[0] == ["Ama"]
    assert run(app, None, filters=Filters(language="Span"))[0] == []
    assert run(app, None, filters=Filters(program="fellows-2024"))[0] == ["Ama"]
    near = Origin("x", 10, 10)
    assert run(app, near, filters=Filters(focus_area="health", language="french"))[0] == ["Cai"]
    html = client.get("/leaders", query_string={"focus_area": "health"}).get_data(True)
    assert len(slugs_on_page(html)) == 2
    assert '<option selected value="health">Health</option>' in html


def test_hidden_leaders_and_deactivated_accounts_are_never_found(app, leader):
    leader("Shown", 10, 10)
    leader("Hidden", 10, 10, listed=False)
    leader("Gone", 10, 10, active=False)
    assert run(app, Origin("x", 10, 10))[0] == ["Shown"]
    assert run(app, None)[0] == ["Shown"]


def test_online_toggle_adds_online_leaders_after_the_local_ones(client, app, portland, leader):
    leader("Zed Online", -33.9, 151.2, works_online=True)  # Sydney
    leader("Ola Nowhere", works_online=True)  # online, no location at all
    leader("Offline Far", -33.9, 151.2)
    names, results = run(app, portland, 50, Filters(online=True))
    assert names == ["Bo Near", "Cy Middle", "Di Edge", "Ola Nowhere", "Zed Online"]
    assert results.total == 5
    assert [hit.beyond_radius for hit in results.hits] == [False] * 3 + [True] * 2
    assert all(hit.online for hit in results.hits[3:])
    assert run(app, portland, 50)[0] == ["Bo Near", "Cy Middle", "Di Edge"]
    html = client.get("/leaders", query_string={"near": PORTLAND, "online": "y"}).get_data(True)
    assert "Leaders who work online, further away" in html
    assert html.count('class="tag tag--info">Online<') == 2
    # Without a place the toggle lists the online leaders only.
    assert run(app, None, filters=Filters(online=True))[0] == ["Ola Nowhere", "Zed Online"]


def test_online_leaders_page_on_after_the_local_ones(app, leader):
    here = Origin("x", 10, 10)
    for number in range(15):
        leader(f"A{number:02d}", 10 + 0.01 * number, 10, precision="exact")
    for number in range(10):
        leader(f"W{number:02d}", -10, -10, works_online=True)
    leader("A-local-online", 10.2, 10, precision="exact", works_online=True)
    first, results = run(app, here, 50, Filters(online=True))
    second, _ = run(app, here, 50, Filters(online=True), page=2)
    assert results.total == 26
    assert first[:16] == [f"A{number:02d}" for number in range(15)] + ["A-local-online"]
    assert first[16:] + second == [f"W{number:02d}" for number in range(10)]


def test_across_the_antimeridian(app, leader):
    """Fiji straddles 180°; Tonga and Samoa lie just east of it."""
    leader("Suva", -18.1416, 178.4419, city="Suva", country="Fiji")
    leader("Labasa", -16.4167, 179.3833, city="Labasa", country="Fiji")
    leader("Lakeba", -18.2333, -178.8000, city="Lakeba", country="Fiji")
    leader("Taveuni", -16.9800, -179.9500, city="Taveuni", country="Fiji")
    leader("Nukualofa", -21.1394, -175.2018, city="Nuku'alofa", country="Tonga")
    leader("Apia", -13.8333, -171.7667, city="Apia", country="Samoa")
    suva = origin_of(app, "Suva")
    names, results = run(app, suva, 300)
    assert names[0] == "Suva" and set(names) == {"Suva", "Lakeba", "Taveuni", "Labasa"}
    assert [hit.distance_km for hit in results.hits] == sorted(hit.distance_km for hit in results.hits)
    # From the east side of the line the west side is found, in distance order.
    names, results = run(app, Origin("Lakeba", -18.2333, -178.8), 500)
    assert names[:2] == ["Lakeba", "Taveuni"]
    assert set(names) == {"Suva", "Lakeba", "Taveuni", "Labasa", "Nukualofa"}
    assert all(hit.distance_km < 500 for hit in results.hits)
    # From Tonga, nobody within 50 km but itself; the nearest go across the line.
    names, results = run(app, Origin("Nuku'alofa", -21.1394, -175.2018), 5)
    assert names[0] == "Nukualofa"
    at_sea = Origin("At sea east of Tonga", -21.0, -172.0)
    names, results = run(app, at_sea, 50)
    assert results.nearest and names[0] == "Nukualofa" and len(names) == 6
    assert names == run(app, at_sea, 50, full_scan=True)[0]
    assert [hit.distance_km for hit in results.hits] == sorted(hit.distance_km for hit in results.hits)
    # A search centred exactly on the line finds both sides.
    names, _ = run(app, Origin("line", -17.0, 180.0), 150)
    assert set(names) == {"Taveuni", "Labasa"}
    names, _ = run(app, Origin("line", -17.0, -180.0), 150)
    assert set(names) == {"Taveuni", "Labasa"}


def test_near_the_poles(app, leader):
    leader("Longyearbyen", 78.2232, 15.6267)
    leader("Ny-Alesund", 78.9250, 11.9300)
    leader("Near the North Pole", 89.5, 10.0, precision="exact")
    leader("South Pole", -90.0, 0.0, precision="exact")
    leader("McMurdo", -77.8463, 166.6682)
    names, _ = run(app, Origin("Longyearbyen", 78.2232, 15.6267), 150)
    assert names == ["Longyearbyen", "Ny-Alesund"]
    # Across the pole: 89° N, 170° W is about 170 km from 89.5° N, 10° E.
    names, results = run(app, Origin("top", 89.0, -170.0), 500)
    assert names == ["Near the North Pole"]
    assert 150 < results.hits[0].distance_km < 200
    names, _ = run(app, Origin("bottom", -89.5, 120.0), 100)
    assert names == ["South Pole"]
    names, results = run(app, Origin("bottom", -89.9, -60.0), 5)
    assert names[0] == "South Pole"
    names, results = run(app, Origin("top", 90.0, 0.0), 500)
    assert names == ["Near the North Pole"]


@pytest.mark.parametrize("cells_per_km", [0, 10**9], ids=["by cells", "by points"])
def test_search_matches_a_full_scan_everywhere(app, leader, cells_per_km):
    """Neither way of searching loses a leader a full scan would find, wherever the search is."""
    import random
    app.config["SEARCH_CELLS_PER_KM"] = cells_per_km
    rng = random.Random(11)
    points = [(rng.uniform(-89.9, 89.9), rng.uniform(-180, 180)) for _ in range(150)]
    points += [(rng.uniform(-20, -15), rng.choice([179.5, -179.5]) + rng.uniform(-0.5, 0.5)) for _ in range(40)]
    points += [(rng.uniform(85, 90), rng.uniform(-180, 180)) for _ in range(30)]
    with app.app_context():
        for number, (lat, lng) in enumerate(points):
            add_leader(f"Q{number:03d}", lat, lng, precision=rng.choice(["exact", "city"]))
    origins = [Origin("x", rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(20)]
    origins += [Origin("x", -17.5, 179.9), Origin("x", -17.5, -179.9), Origin("x", 88.0, 45.0)]
    for origin in origins:
        for radius in (50, 500):
            fast = run(app, origin, radius, per_page=500)
            slow = run(app, origin, radius, per_page=500, full_scan=True)
            assert fast[0] == slow[0]
            # The search's own distance loop and haversine_km agree to the last bit.
            assert [hit.distance_km for hit in fast[1].hits] == [hit.distance_km for hit in slow[1].hits]


def test_ambiguous_place_offers_other_places(client):
    response = client.get("/leaders", query_string={"near": "Springfield"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Did you mean another place?" in html
    choices = re.findall(r'near=(Springfield[^&"]+)', html)
    assert len(choices) >= 3
    assert "Illinois" in html and "Massachusetts" in html


def test_an_ambiguous_choice_links_to_a_search_there(client):
    html = client.get("/leaders", query_string={"near": "Springfield"}).get_data(True)
    link = re.search(r'href="(/leaders\?[^"]*near=Springfield,\+Illinois[^"]*)"', html).group(1)
    page = client.get(link.replace("&amp;", "&")).get_data(True)
    assert "of Springfield, Illinois, United States" in page


def test_my_location_searches_from_the_point_sent(client, portland):
    response = client.get("/leaders", query_string={"lat": f"{portland.lat:.3f}", "lng": f"{portland.lng:.3f}",
                                                    "near": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "3 leaders within 50 km of your location" in html


def test_the_form_works_without_a_search(client):
    response = client.get("/leaders")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for label in ("Near", "Within", "Unit", "Keyword", "Focus area", "Language", "Program",
                  "Include leaders who work online"):
        assert f">{label}</label>" in html
    assert "Use my location" in html and "<script>" not in html


@pytest.mark.parametrize("query, message", [
    ({"near": "Portland", "radius": "0"}, "Enter a distance from 5 to 500"),
    ({"near": "Portland", "radius": "9999"}, "Enter a distance from 5 to 500"),
    ({"near": "Portland", "radius": "ten"}, "Enter a distance from 5 to 500"),
    ({"near": "Portland", "radius": "nan"}, "Enter a distance from 5 to 500"),
    ({"lat": "200", "lng": "0"}, "We could not read your location"),
    ({"lat": "45"}, "We could not read your location"),
    ({"lat": "north", "lng": "west"}, "We could not read your location"),
    ({"near": "Portland", "unit": "furlongs"}, "Choose kilometres or miles"),
    ({"focus_area": "no-such-area"}, "Choose a focus area from the list"),
    ({"program": "no-such-program"}, "Choose a program from the list"),
    ({"near": "Portland", "page": "two"}, "Page numbers go from 1 to"),
    ({"near": "Portland", "page": "0"}, "Page numbers go from 1 to"),
    ({"near": "!!!"}, "Enter a city, address or postal code"),
    ({"near": "x" * 300}, "Enter a shorter place name"),
    ({"near": "Qwxzzyville"}, "We could not find “Qwxzzyville”"),
])
def test_bad_input_gets_a_clear_message_on_the_page(client, query, message):
    response = client.get("/leaders", query_string=query)
    assert response.status_code == 200  # shown with the form, as on every page; the API says 400
    html = response.get_data(as_text=True)
    assert message in html.replace("&#34;", '"').replace("&#39;", "'")
    assert "There is a problem" in html


def test_a_page_past_the_end_says_so(client, portland):
    response = client.get("/leaders", query_string={"near": PORTLAND, "page": "9"})
    assert response.status_code == 200
    assert "There are no more results on this page" in response.get_data(as_text=True)


def test_distances_use_the_public_point(app, leader):
    """A city-precision leader is measured from the centre of their cell, not their doorstep."""
    slug = leader("Cell", 51.5074, -0.1278, precision="city")
    here = Origin("x", 51.6, -0.2)
    _, results = run(app, here, 50)
    with app.app_context():
        from app.extensions import db
        from app.models.directory import LeaderProfile
        profile = db.session.query(LeaderProfile).filter_by(slug=slug).one()
        expected = haversine_km(here.lat, here.lng, profile.public_lat, profile.public_lng)
    assert results.hits[0].distance_km == pytest.approx(expected)


def test_old_radius_km_links_redirect_to_radius_and_unit(client, portland):
    response = client.get("/leaders", query_string={"near": PORTLAND, "radius_km": "25", "keyword": "",
                                                    "_method": "x"})
    assert response.status_code in (301, 302)
    assert response.headers["Location"] == "/leaders?near=Portland,+Oregon&radius=25&unit=km"
    html = client.get("/leaders", query_string={"near": PORTLAND, "radius_km": "25"},
                      follow_redirects=True).get_data(True)
    assert "2 leaders within 25 km of Portland" in html
    # radius wins over radius_km when a link has both, as before.
    both = client.get("/leaders", query_string={"near": PORTLAND, "radius": "100", "radius_km": "25"})
    assert both.headers["Location"] == "/leaders?near=Portland,+Oregon&radius=100"


@pytest.mark.parametrize("cells_per_km", [0, 10**9], ids=["by cells", "by points"])
def test_pages_and_counts_match_a_full_scan_where_many_share_a_point(app, leader, cells_per_km):
    """City-level leaders share their area's point: counting and paging by point changes nothing."""
    import random
    app.config["SEARCH_CELLS_PER_KM"] = cells_per_km
    rng = random.Random(5)
    with app.app_context():
        for number in range(60):
            lat, lng = 48.85 + rng.uniform(-0.3, 0.3), 2.35 + rng.uniform(-0.4, 0.4)
            add_leader(rng.choice(["Ana", "bruno", "Çelik", "ana", "Zoé"]) + f" {number % 7}", lat, lng,
                       precision=rng.choice(["exact", "city", "city"]), works_online=rng.random() < 0.3)
        add_leader("Far Online", -30, 100, works_online=True)
        add_leader("Hidden Online", 48.85, 2.35, works_online=True, listed=False)
    paris = Origin("x", 48.85, 2.35)
    for radius in (5, 20, 50):
        for filters in (Filters(), Filters(online=True)):
            for page in (1, 2, 3, 4, 5):
                fast = run(app, paris, radius, filters, page, per_page=7)
                slow = run(app, paris, radius, filters, page, per_page=7, full_scan=True)
                assert fast[0] == slow[0], (radius, filters, page)
                assert fast[1].total == slow[1].total
                assert [hit.distance_km for hit in fast[1].hits] == [hit.distance_km for hit in slow[1].hits]
