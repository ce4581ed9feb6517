"""A visitor types a city, sees the nearest leaders in distance order on the list and the map, opens one."""
import io
from pathlib import Path

import pytest

from tests.directory.search_fixtures import add_leader
from tests.e2e.conftest import LOCAL_ASSETS, missing, screenshot_dir

TILE_PREFIX = "https://tile.openstreetmap.org/"
VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"


def _tile_png() -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (226, 238, 232)).save(buffer, "PNG")
    return buffer.getvalue()


TILE = _tile_png()
tiles_served: list[str] = []


def serve_tile(route):
    tiles_served.append(route.request.url)
    route.fulfill(status=200, content_type="image/png", body=TILE)


if not any(prefix == TILE_PREFIX for prefix, _ in LOCAL_ASSETS):
    LOCAL_ASSETS.append((TILE_PREFIX, serve_tile))

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

    page.locator("[data-results]").get_by_role("link", name="Joao Pires").click()
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
