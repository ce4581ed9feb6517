"""/leaders as a results-first page: the search bar and its Filters (n), sort by name, page
numbers, "Use my location" against a typed place, the one leader card everywhere it appears."""
import html as html_lib
import json
import random
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app.directory import search
from app.directory.search import Filters, Origin
from app.extensions import db
from app.geo.distance import haversine_km
from app.models.accounts import Role
from app.models.directory import LeaderProfile
from tests.conftest import login, shown
from tests.directory.profile_helpers import make_leader  # noqa: F401  (fixture)
from tests.directory.search_fixtures import add_leader, leader  # noqa: F401  (fixture)
from tests.editorial.conftest import make_proposal  # noqa: F401  (fixture)

PORTLAND = "Portland, Oregon"
LISBON = (38.7223, -9.1393)


def page_of(client, **query) -> str:
    response = client.get("/leaders", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def names_on(html: str) -> list[str]:
    return [html_lib.unescape(name) for name in
            re.findall(r'class="leader-card__name"><a href="[^"]*">([^<]+)</a>', html)]


def filters_summary(html: str) -> tuple[str, bool]:
    """(the summary's text, whether the disclosure is open)."""
    found = re.search(r'<details class="search-filters"( open)? data-filters>\s*'
                      r'<summary class="search-filters__summary">([^<]*)<', html)
    assert found, "no Filters disclosure"
    return found.group(2), bool(found.group(1))


@pytest.fixture
def portland(app, leader):
    with app.test_request_context():
        here = search.find_place(PORTLAND).origin
    for name, degrees, precision in (("Bo Near", 0.05, "exact"), ("Cy Middle", 0.2, "city"),
                                     ("Ann Edge", 0.4, "exact")):
        leader(name, here.lat + degrees, here.lng, precision=precision, city="Portland", country="United States",
               languages="English, Spanish")
    return here


# The search bar and its filters -------------------------------------------------------------

def test_filters_are_folded_and_counted_open_only_when_one_is_set(client, portland):
    assert filters_summary(page_of(client, near=PORTLAND)) == ("Filters (0)", False)
    assert filters_summary(page_of(client)) == ("Filters (0)", False)
    assert filters_summary(page_of(client, near=PORTLAND, keyword="garden")) == ("Filters (1)", True)
    html = page_of(client, near=PORTLAND, keyword="x", language="Spanish", online="y", sort="name")
    assert filters_summary(html) == ("Filters (4)", True)
    # The search bar itself (place, distance, unit) is not a filter.
    assert filters_summary(page_of(client, near=PORTLAND, radius="100", unit="mi")) == ("Filters (0)", False)
    # Every filter is inside the disclosure, the place and distance outside it.
    details = html[html.index('<details class="search-filters"'):html.index("</details>", html.index("search-filters"))]
    for name in ("keyword", "focus_area", "language", "program", "online", "sort"):
        assert f'name="{name}"' in details
    for name in ("near", "radius", "unit"):
        assert f'name="{name}"' not in details


def test_a_search_offers_a_skip_link_to_its_focusable_results_heading(client, portland):
    html = page_of(client, near=PORTLAND)
    assert '<a class="skip-link" href="#results-title">Skip to results</a>' in html
    assert re.search(r'<h2 id="results-title"[^>]*tabindex="-1"[^>]*data-searched', html)
    # The bare page lists everyone by name but was not a search: focus stays where it is.
    bare = page_of(client)
    assert names_on(bare) == ["Ann Edge", "Bo Near", "Cy Middle"]
    assert "data-searched" not in bare


# Sorting ------------------------------------------------------------------------------------

def expected_by_name(app, origin, radius_km, **where):
    """Every listed leader within the circle, ordered as the page must: casefolded name, then id."""
    with app.app_context():
        profiles = db.session.query(LeaderProfile).filter_by(searchable=True, **where).all()
        inside = [p for p in profiles if p.public_lat is not None and origin is not None
                  and haversine_km(origin.lat, origin.lng, p.public_lat, p.public_lng) <= radius_km]
        chosen = inside if origin is not None else profiles
        return [p.display_name for p in sorted(chosen, key=lambda p: (p.display_name.casefold(), p.id))]


@pytest.fixture
def crowd(app):
    """60 leaders around Lisbon whose names differ by case and accents, some sharing a point."""
    rng = random.Random(11)
    with app.app_context():
        for number in range(60):
            name = rng.choice(["Ana", "ana", "Álvaro", "bruno", "Bruno", "Çelik", "Zoé", "zé", "Émile"])
            add_leader(f"{name} {number % 9}", LISBON[0] + rng.uniform(-0.4, 0.4), LISBON[1] + rng.uniform(-0.4, 0.4),
                       precision=rng.choice(["exact", "city", "city"]), works_online=rng.random() < 0.3)
        add_leader("aaron Far Online", -30, 100, works_online=True)
        add_leader("Hidden Near", *LISBON, listed=False)
    return Origin("Lisbon", *LISBON)


@pytest.mark.parametrize("cells_per_km", [0, 10**9], ids=["crowded", "sparse"])
def test_sort_by_name_is_exact_across_pages(app, crowd, cells_per_km):
    app.config["SEARCH_CELLS_PER_KM"] = cells_per_km
    for radius in (20, 35, 60):
        expected = expected_by_name(app, crowd, radius)
        assert len(expected) > 7, radius
        seen = []
        for page in range(1, len(expected) // 7 + 3):
            with app.test_request_context():
                results = search.search(crowd, radius, Filters(), page, per_page=7, sort="name")
                profiles = search.load_profiles(results.hits)
                names = [profiles[hit.profile_id].display_name for hit in results.hits]
                slow = search.search(crowd, radius, Filters(), page, per_page=7, sort="name", full_scan=True)
            assert results.total == len(expected)
            assert [hit.profile_id for hit in results.hits] == [hit.profile_id for hit in slow.hits]
            # Distances still shown, measured as before.
            assert all(hit.distance_km is not None and hit.distance_km <= radius for hit in results.hits)
            seen += names
        assert seen == expected, radius


def test_sort_by_name_then_online_leaders_by_name(app, crowd):
    expected_local = expected_by_name(app, crowd, 30)
    with app.test_request_context():
        results = search.search(crowd, 30, Filters(online=True), 1, per_page=200, sort="name")
        profiles = search.load_profiles(results.hits)
    local = [profiles[hit.profile_id].display_name for hit in results.hits if not hit.beyond_radius]
    online = [profiles[hit.profile_id] for hit in results.hits if hit.beyond_radius]
    assert local == expected_local
    assert online and all(profile.works_online for profile in online)
    assert [(p.display_name, p.id) for p in online] == sorted((p.display_name, p.id) for p in online)
    assert "aaron Far Online" in [p.display_name for p in online]


def test_without_a_place_everyone_by_name_exactly(app, crowd, client):
    expected = expected_by_name(app, None, 0)
    seen = []
    for page in range(1, 5):
        seen += names_on(page_of(client, page=str(page)))
    assert seen == expected  # 20 a page: "ana 3" and "Ana 5" together, "Zoé" after "bruno"


def test_the_page_sorts_by_name_or_by_distance(client, portland):
    assert names_on(page_of(client, near=PORTLAND)) == ["Bo Near", "Cy Middle", "Ann Edge"]
    html = page_of(client, near=PORTLAND, sort="name")
    assert names_on(html) == ["Ann Edge", "Bo Near", "Cy Middle"]
    assert "By name, A to Z" in html and '<option selected value="name">' in html
    # A hand-edited order is the default one, not an error.
    odd = page_of(client, near=PORTLAND, sort="size")
    assert names_on(odd) == ["Bo Near", "Cy Middle", "Ann Edge"] and "There is a problem" not in odd
    assert filters_summary(odd) == ("Filters (0)", False)


def test_the_api_sorts_by_name_with_the_same_json(client, portland):
    body = client.get("/api/leaders", query_string={"near": PORTLAND, "sort": "name"}).get_json()
    assert [item["name"] for item in body["results"]] == ["Ann Edge", "Bo Near", "Cy Middle"]
    assert set(body) == {"origin", "alternatives", "total", "total_capped", "page", "results"}
    by_distance = client.get("/api/leaders", query_string={"near": PORTLAND}).get_json()
    assert [item["name"] for item in by_distance["results"]] == ["Bo Near", "Cy Middle", "Ann Edge"]
    bad = client.get("/api/leaders", query_string={"near": PORTLAND, "sort": "size"})
    assert bad.status_code == 400 and bad.get_json() == {"error": "sort must be distance or name"}


# Page numbers -------------------------------------------------------------------------------

def test_page_numbers_around_the_current_page_keep_the_search(client, app):
    with app.app_context():
        for number in range(130):
            add_leader(f"Leader {number:03}", LISBON[0] + number * 0.001, LISBON[1], precision="exact")
    html = page_of(client, near="Lisbon", page="4", sort="name", junk="x")
    nav = html[html.index('<nav class="pagination"'):]
    nav = nav[:nav.index("</nav>")]
    numbers = re.findall(r'<span class="visually-hidden">Page </span>(\d+)</a>', nav)
    assert numbers == ["1", "2", "3", "4", "5", "6", "7"]  # 130 leaders, 20 a page
    assert re.search(r'aria-current="page" href="[^"]*page=4[^"]*"><span class="visually-hidden">Page </span>4<', nav)
    assert "Page 4 of 7" in nav and 'rel="prev"' in nav and 'rel="next"' in nav
    for link in re.findall(r'href="([^"]+)"', nav):
        query = parse_qs(urlsplit(html_lib.unescape(link)).query)
        assert query["near"] == ["Lisbon"] and query["sort"] == ["name"] and "junk" not in query
    with app.app_context():
        for number in range(130, 250):
            add_leader(f"Leader {number:03}", LISBON[0] + number * 0.001, LISBON[1], precision="exact")
    nav = page_of(client, near="Lisbon", radius="100", page="7")
    nav = nav[nav.index('<nav class="pagination"'):]
    nav = nav[:nav.index("</nav>")]
    assert re.findall(r'Page </span>(\d+)</a>', nav) == ["1", "5", "6", "7", "8", "9", "13"]
    assert nav.count("…") == 2


# "Use my location" and a typed place --------------------------------------------------------

def test_a_typed_place_wins_over_coordinates_left_by_use_my_location(client, portland):
    far = {"lat": "-33.869", "lng": "151.209"}  # Sydney: nobody there
    html = page_of(client, near=PORTLAND, **far)
    assert "3 leaders within 50 km of Portland, Oregon, United States" in html
    # The form shown next no longer carries the stale point.
    assert 'name="lat" type="hidden" value=""' in html and 'name="lng" type="hidden" value=""' in html
    # Even unreadable leftovers do not stop a typed place.
    assert "3 leaders within 50 km of Portland" in page_of(client, near=PORTLAND, lat="x", lng="")


def test_your_location_in_the_near_box_searches_the_point(client, portland):
    point = {"lat": f"{portland.lat:.3f}", "lng": f"{portland.lng:.3f}"}
    for near in ("Your location", " your location ", ""):
        html = page_of(client, near=near, **point)
        assert "3 leaders within 50 km of your location" in html
        assert 'value="Your location"' in html  # the box reads what is searched


# The leader card ----------------------------------------------------------------------------

def test_area_shown_only_on_city_level_cards(client, portland):
    html = page_of(client, near=PORTLAND)
    cards = dict(zip(names_on(html), re.split(r'<article class="leader-card', html)[1:]))
    assert "Area shown" in cards["Cy Middle"]
    assert "This leader shares only their area; distance is to its centre." in cards["Cy Middle"]
    assert "Area shown" not in cards["Bo Near"] and "Area shown" not in cards["Ann Edge"]


def test_cards_show_languages_and_a_message_button_only_when_contact_is_open(client, make_leader, login_as):
    _, open_slug = make_leader(display_name="Open Olu", languages="French, Wolof")
    _, closed_slug = make_leader(display_name="Closed Cleo", contact_enabled=False)
    near = {"lat": "45.76", "lng": "4.84"}

    def cards() -> dict[str, str]:
        html = page_of(client, **near)
        return dict(zip(names_on(html), re.split(r'<article class="leader-card', html)[1:]))

    for who in ("visitor", "member"):
        if who == "member":
            login_as(Role.MEMBER)
        found = cards()
        assert "Speaks</span> French, Wolof" in found["Open Olu"]
        assert f'href="/leaders/{open_slug}/contact">Message' in found["Open Olu"]
        assert "/contact" not in found["Closed Cleo"]


def test_no_message_button_on_ones_own_card(client, make_leader):
    owner, slug = make_leader(display_name="Self Sam")
    login(client, owner.email)
    page = page_of(client, lat="45.76", lng="4.84")
    assert names_on(page) == ["Self Sam"]
    assert f"/leaders/{slug}/contact" not in page


def test_result_cards_link_to_the_profile_with_the_search(client, portland):
    html = page_of(client, near=PORTLAND, sort="name", radius="60", keyword="", junk="1")
    link = html_lib.unescape(re.search(r'class="leader-card__name"><a href="([^"]+)"', html).group(1))
    parts = urlsplit(link)
    assert parts.path.startswith("/leaders/ann-edge-")
    results = parse_qs(parts.query)["results"][0]
    assert parse_qs(results) == {"near": [PORTLAND], "sort": ["name"], "radius": ["60"]}


def test_map_markers_are_numbered_like_the_cards(client, app):
    with app.app_context():
        for number in range(25):
            add_leader(f"Near {number:02}", LISBON[0] + number * 0.002, LISBON[1], precision="exact")
        add_leader("Online Faraway", -30, 100, works_online=True)
    html = page_of(client, near="Lisbon", page="2", online="y")
    data = json.loads(html_lib.unescape(re.search(r"data-map='([^']*)'", html).group(1)))
    assert [m["number"] for m in data["markers"]] == list(range(21, 27))
    assert [m["beyond"] for m in data["markers"]] == [False] * 5 + [True]
    assert data["radius_km"] == 50
    assert re.findall(r'data-number="(\d+)"><article', html) == [str(n) for n in range(21, 27)]
    assert 'start="21"' in html and 'start="26"' in html


def test_the_home_page_quote_and_blog_pages_show_the_leader_card(app, client, make_leader, make_user,
                                                                  make_proposal):
    from app.editorial.workflow import State
    from app.models.editorial import Proposal
    owner, slug = make_leader(display_name="Ama Okan", headline="Youth worker", quote="Listen first.",
                              featured_quote=True, city="Accra", country="Ghana")
    home = client.get("/").get_data(True)
    quote = home[home.index('class="quote-card"'):]
    assert re.search(r'<article class="leader-card leader-card--compact">.*?href="/leaders/' + slug + '"',
                     quote, re.S)
    assert "Youth worker" in quote

    writer = make_user(name="Pat Writer")
    with_card = make_proposal(owner.id, state=State.PUBLISHED, title="Tea first")
    without = make_proposal(writer.id, state=State.PUBLISHED, title="No profile here")
    with app.app_context():
        with_card, without = (db.session.get(Proposal, id_).slug for id_ in (with_card, without))
    byline = client.get(f"/blog/{with_card}").get_data(True)
    assert re.search(r'class="post__author"><article class="leader-card leader-card--compact">.*?href="/leaders/'
                     + slug + '"', byline, re.S)
    author = client.get(f"/blog/author/{owner.id}").get_data(True)
    assert re.search(r'<article class="leader-card">.*?<h2 class="leader-card__name"><a href="/leaders/' + slug,
                     author, re.S)
    # A writer without a leader profile: their name only, no card.
    other = shown(client.get(f"/blog/{without}"), "No profile here")
    assert "Pat Writer" in other and "leader-card" not in other
    assert "leader-card" not in shown(client.get(f"/blog/author/{writer.id}"), "Pat Writer", "No profile here")


def test_the_home_page_has_the_same_search_bar(client):
    home = shown(client.get("/"), 'role="search"')
    leaders = page_of(client)
    for html in (home, leaders):
        assert 'role="search"' in html and 'data-search-form' in html
        for name in ('name="near"', 'name="radius"', 'name="unit"', 'name="lat"', 'name="lng"'):
            assert name in html
        assert "Use my location" in html
        assert "up to 200 characters" in html
        assert "js/near-me.js" in html
    assert 'name="radius_km"' not in home
    assert "search-filters" not in home  # the filters live on /leaders


def test_the_page_names_the_order_it_shows(client, portland):
    """Near a place: nearest first; a keyword without a place: best match first (the order the
    search used, not guessed again from the form); by name when asked."""
    assert "Nearest first" in page_of(client, near=PORTLAND)
    keyword = page_of(client, keyword="Bo")
    assert "Best match first" in keyword and "By name, A to Z" not in keyword
    assert "By name, A to Z" in page_of(client, keyword="Bo", sort="name")
    assert "By name, A to Z" in page_of(client)
