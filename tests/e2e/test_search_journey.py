"""A visitor types a city, sees the nearest leaders in distance order on the list and the map, opens one."""
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.directory.search_fixtures import add_leader
from tests.e2e.conftest import missing, screenshot_dir
from tests.e2e.journey import tiles_served  # noqa: F401  (test_profile_pin reads it from here)

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"

# Leaders north of Lisbon at growing distances; one in Porto, outside a 50 km search.
LEADERS = [
    ("Marta Ribeiro", 0.30, "exact", "Community health organizer"),
    ("Joao Pires", 0.02, "exact", "Youth football coach"),
    ("Ines Duarte", 0.12, "city", "Teacher and mentor"),
    ("Rui Carvalho", 0.18, "city", "Neighbourhood garden keeper"),
]


@pytest.fixture
def lisbon_leaders(live_app):
    if not (VENDOR / "leaflet" / "leaflet.js").exists():
        missing("Map assets are missing: run `make assets` (npm ci) first.")
    from app.directory.search import find_place
    with live_app.test_request_context():
        here = find_place("Lisbon").origin
        for name, degrees, precision, headline in LEADERS:
            add_leader(name, here.lat + degrees, here.lng, precision=precision, headline=headline,
                       city="Lisbon", country="Portugal", focus=("Education",))
        add_leader("Ana Porto", 41.1496, -8.6110, city="Porto", country="Portugal")
    return here


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"], indirect=True)
def test_find_leaders_near_a_city_and_open_a_profile(page, a11y, lisbon_leaders, viewport):
    label = "phone" if viewport["width"] < 600 else "desktop"
    tiles_served.clear()
    page.goto("/leaders")
    a11y(page)
    # Without JavaScript's help the form is complete; with it, "Use my location" appears.
    assert page.get_by_role("button", name="Use my location").is_visible()

    page.get_by_label("Near", exact=True).fill("Lisbon")
    page.get_by_role("button", name="Search leaders").click()
    page.wait_for_load_state("load")
    if label == "phone":  # the map is folded above the list on a phone
        page.get_by_text("Map of these leaders").click()
    page.wait_for_selector("[data-map-ready]")
    a11y(page)
    heading = page.get_by_role("heading", level=2).first.inner_text()
    assert heading.startswith("4 leaders within 50 km of Lisbon")

    # The list: nearest first, with rounded distances.
    names = page.locator("[data-results] .leader-card__name").all_inner_texts()
    assert names == ["Joao Pires", "Ines Duarte", "Rui Carvalho", "Marta Ribeiro"]
    distances = page.locator("[data-results] .leader-card__distance").all_inner_texts()
    assert len(distances) == 4 and all("km" in text for text in distances)
    assert "Ana Porto" not in page.inner_text("main")

    # The map: a marker (or a cluster counting them) for every leader listed, on local tiles.
    single = page.locator(".leaflet-marker-icon:not(.marker-cluster)").count()
    clustered = sum(int(text) for text in page.locator(".marker-cluster span").all_inner_texts())
    assert single + clustered == 4
    assert page.get_attribute("[data-map]", "data-map-ready") == "4"
    assert tiles_served, "the map asked for no tiles"
    assert page.locator(".leaflet-control-attribution").inner_text().endswith("© OpenStreetMap contributors")
    page.screenshot(path=str(screenshot_dir() / f"search-results-{label}.png"), full_page=True)

    # A single marker opens a popup linking to the profile.
    marker = page.locator(".leaflet-marker-icon:not(.marker-cluster)").first
    if single:
        marker.click()
        assert page.locator(".leaflet-popup-content a").count() == 1

    page.keyboard.press("Escape")
    page.locator("[data-results]").get_by_role("link", name="Joao Pires", exact=True).click()
    page.wait_for_load_state("load")
    a11y(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Joao Pires"
    assert "Youth football coach" in page.inner_text("main")
    page.screenshot(path=str(screenshot_dir() / f"search-profile-{label}.png"), full_page=True)


def test_an_unknown_place_and_an_ambiguous_one(page, a11y, lisbon_leaders):
    page.goto("/leaders")
    a11y(page)
    page.get_by_label("Near", exact=True).fill("Qwxzzyville")
    page.get_by_role("button", name="Search leaders").click()
    a11y(page)
    summary = page.locator("[data-error-summary]")
    assert "We could not find “Qwxzzyville”" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")

    page.get_by_label("Near", exact=True).fill("Springfield")
    page.get_by_role("button", name="Search leaders").click()
    a11y(page)
    assert "Did you mean another place?" in page.inner_text("main")
    page.get_by_role("link", name="Springfield, Illinois, United States").click()
    a11y(page)
    heading = page.get_by_role("heading", level=2).first.inner_text()
    assert heading == "Nearest leaders to Springfield, Illinois, United States"
    assert "Nobody is within 50 km of Springfield, Illinois" in page.inner_text("main")
    page.screenshot(path=str(screenshot_dir() / "search-ambiguous.png"), full_page=True)


# Results first (issue 10) --------------------------------------------------------------------

WIDTHS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
SHOTS = Path("/tmp/shots/after")


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (box is not None and box["y"] >= 0 and box["x"] >= 0
            and box["y"] + box["height"] <= size["height"] and box["x"] + box["width"] <= size["width"])


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.parametrize("viewport", WIDTHS, ids=["desktop", "phone"], indirect=True)
def test_a_search_from_the_home_page_lands_with_the_first_result_in_view(page, a11y, lisbon_leaders, viewport):
    page.goto("/")
    a11y(page)
    page.get_by_label("Near", exact=True).fill("Lisbon")
    with page.expect_navigation():
        page.get_by_role("button", name="Search leaders").click()
    a11y(page)
    assert "near=Lisbon&radius=50&unit=km" in page.url
    assert page.locator("#results-title").inner_text().startswith("4 leaders within 50 km of Lisbon")
    assert focused_id(page) == "results-title"
    first = page.locator("[data-results] .leader-card").first
    assert in_view(page, first), first.bounding_box()
    # The next Tab is the first result's link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Joao Pires"
    if viewport["width"] == 1280:  # the list and the map side by side
        card, map_box = first.bounding_box(), page.locator(".search-results__map").bounding_box()
        assert map_box["x"] >= card["x"] + card["width"] and abs(map_box["y"] - card["y"]) < 40
    page.keyboard.press("Shift+Tab")


@pytest.mark.parametrize("viewport", WIDTHS, ids=["desktop", "phone"], indirect=True)
def test_filters_with_the_keyboard_only(page, a11y, lisbon_leaders, live_app, viewport):
    from tests.directory.search_fixtures import add_leader
    with live_app.app_context():
        add_leader("Tiago Gardens", lisbon_leaders.lat + 0.05, lisbon_leaders.lng, headline="Urban gardener",
                   focus=("Gardening",), precision="exact")
    page.goto("/leaders")
    a11y(page)
    summary = page.locator("summary", has_text="Filters (0)")
    assert page.locator("[data-filters]").get_attribute("open") is None
    # From the top of the page: the place, then the Filters disclosure, a few Tabs away.
    tabs = 0
    while focused_id(page) != "near" and tabs < 20:
        page.keyboard.press("Tab")
        tabs += 1
    page.keyboard.type("Lisbon")
    while page.evaluate("document.activeElement.tagName") != "SUMMARY" and tabs < 30:
        page.keyboard.press("Tab")
        tabs += 1
    assert page.evaluate("document.activeElement.textContent").startswith("Filters (0)")
    assert tabs <= 16, tabs
    page.keyboard.press("Enter")
    assert page.locator("[data-filters]").get_attribute("open") is not None
    page.keyboard.press("Tab")
    assert focused_id(page) == "keyword"
    page.keyboard.type("garden")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    a11y(page)
    assert "keyword=garden" in page.url
    assert focused_id(page) == "results-title"
    assert page.locator("#results-title").inner_text().startswith("2 leaders within 50 km of Lisbon")
    assert page.locator("summary", has_text="Filters (1)").is_visible()  # open, as a filter is set
    assert in_view(page, page.locator("[data-results] .leader-card").first)
    # Space opens and closes the disclosure too.
    page.locator("summary", has_text="Filters (1)").focus()
    page.keyboard.press("Space")
    assert page.locator("[data-filters]").get_attribute("open") is None
    assert summary.count() == 0


@pytest.mark.parametrize("viewport", WIDTHS, ids=["desktop", "phone"], indirect=True)
def test_use_my_location_then_a_typed_place_wins(page, a11y, lisbon_leaders, viewport):
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 41.1496, "longitude": -8.6110})  # Porto
    page.goto("/leaders")
    a11y(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Use my location").click()
    a11y(page)
    assert page.locator("#results-title").inner_text() == "1 leader within 50 km of your location"
    near = page.get_by_label("Near", exact=True)
    assert near.input_value() == "Your location"
    assert page.get_by_role("button", name="Clear your location").is_visible()
    # Typing replaces "Your location" and the stale point with it.
    near.click()
    page.keyboard.type("Lisbon")
    assert near.input_value() == "Lisbon"
    assert page.locator("input[name=lat]").input_value() == ""
    with page.expect_navigation():
        page.get_by_role("button", name="Search leaders").click()
    a11y(page)
    assert page.locator("#results-title").inner_text().startswith("4 leaders within 50 km of Lisbon")
    assert parse_qs(urlsplit(page.url).query).get("lat") in (None, [""])
    # The clear button empties the box and the point.
    with page.expect_navigation():
        page.get_by_role("button", name="Use my location").click()
    a11y(page)
    page.get_by_role("button", name="Clear your location").click()
    assert near.input_value() == "" and page.locator("input[name=lng]").input_value() == ""
    assert focused_id(page) == "near"


def map_state(page) -> dict:
    return page.evaluate("""() => {
        const map = window.leadersMap(), b = map.getBounds();
        return {south: b.getSouth(), north: b.getNorth(), west: b.getWest(), east: b.getEast()};
    }""")


def test_the_map_frames_the_circle_and_cards_light_up_their_markers(page, a11y, lisbon_leaders, live_app):
    from tests.directory.search_fixtures import add_leader
    with live_app.app_context():
        add_leader("Kai Online", -33.87, 151.21, works_online=True, city="Sydney")
    page.goto("/leaders?near=Lisbon&online=y")
    page.wait_for_selector("[data-map-ready]")
    a11y(page)
    assert page.locator("[data-online-results] .leader-card__name").all_inner_texts() == ["Kai Online"]
    bounds = map_state(page)
    # The 50 km circle (about 0.45 degrees of latitude) is inside the frame...
    here = lisbon_leaders
    assert bounds["south"] <= here.lat - 0.44 and bounds["north"] >= here.lat + 0.44
    assert bounds["west"] <= here.lng - 0.57 and bounds["east"] >= here.lng + 0.57
    # ...and Sydney did not zoom the map out to the world.
    assert bounds["north"] - bounds["south"] < 3 and bounds["east"] - bounds["west"] < 5
    # The origin is drawn above the markers and clusters.
    assert page.evaluate("getComputedStyle(document.querySelector('.leaflet-origin-pane')).zIndex") == "650"
    assert page.locator(".leaflet-origin-pane .search-map__origin").count() == 1
    # Numbers: every marker's number is a card's number.
    numbers = set(page.locator(".search-map__pin span").all_inner_texts())
    cards = set(page.locator("[data-leader]").evaluate_all("items => items.map(i => i.dataset.number)"))
    assert numbers and numbers <= cards
    # Hovering (or focusing) a card highlights its marker, or the cluster holding it.
    assert page.locator(".leaflet-marker-icon.is-highlighted").count() == 0
    page.locator("[data-results] li").nth(3).hover()
    assert page.locator(".leaflet-marker-icon.is-highlighted").count() == 1
    page.mouse.move(1, 1)
    assert page.locator(".leaflet-marker-icon.is-highlighted").count() == 0
    page.locator("[data-results] li").first.get_by_role("link").first.focus()
    assert page.locator(".leaflet-marker-icon.is-highlighted").count() == 1
    page.screenshot(path=str(screenshot_dir() / "search-map-highlight.png"))


@pytest.mark.parametrize("viewport", WIDTHS, ids=["desktop", "phone"], indirect=True)
def test_after_screenshots(page, a11y, lisbon_leaders, live_app, viewport):
    """The pages of this change as they look, for the issue's before/after."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models.directory import LeaderProfile
    from tests.directory.search_fixtures import add_leader
    with live_app.app_context():
        for number in range(24):
            add_leader(f"Leader {number:02}", lisbon_leaders.lat - 0.01 * number, lisbon_leaders.lng + 0.01,
                       precision="city" if number % 3 else "exact", languages="Portuguese, English",
                       headline="Neighbourhood organizer", city="Lisbon", country="Portugal")
        for name, quote in (("Marta Ribeiro", "Start with the people already in the room."),
                            ("Ines Duarte", "Ask the grandmothers first.")):
            profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.display_name == name))
            profile.quote, profile.featured_quote = quote, True
        db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = viewport["width"]
    page.goto("/leaders?near=Lisbon&radius=50&unit=km")
    page.wait_for_load_state("load")
    if width > 600:
        page.wait_for_selector("[data-map-ready]")
    a11y(page)
    assert page.locator(".pagination__number").count() == 2
    page.screenshot(path=str(SHOTS / f"search-{width}.png"))
    page.screenshot(path=str(SHOTS / f"search-{width}-full.png"), full_page=True)
    page.goto("/")
    a11y(page)
    assert page.locator(".quote-card .leader-card--compact").count() == 2
    page.screenshot(path=str(SHOTS / f"home-{width}.png"), full_page=True)
