"""A leader sets their location in the profile editor (a pin, "Use my location", a typed place:
whatever they did last is saved), and a visitor reads a profile with its map and goes back to
the search they came from."""
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.services import create_user
from app.directory import location, services
from app.extensions import db
from app.geo.privacy import public_point
from app.models.accounts import Role, User
from app.models.directory import LeaderProfile, Precision
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot_dir
from tests.e2e.test_search_journey import lisbon_leaders, tiles_served  # noqa: F401  (fixture, tiles)

VIEWPORTS = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                                    ids=["desktop", "phone"], indirect=True)
NAIROBI = {"latitude": -1.28333, "longitude": 36.81667}
LISBON_PIN = (38.72, -9.14)


def log_in(page, a11y, email):
    page.goto("/login")
    a11y(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    a11y(page)


def open_editor(page, a11y):
    page.goto("/leaders/me")
    a11y(page)
    if "/edit" not in page.url:  # a leader without a profile starts one first
        page.get_by_role("button").filter(has_text="profile").first.click()
        page.wait_for_load_state("load")
        a11y(page)
    assert "/edit" in page.url


def stored(live_app, name) -> LeaderProfile:
    with live_app.app_context():
        profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.display_name == name))
        db.session.expunge(profile)
        return profile


def will_be_saved(page) -> str:
    return " ".join(page.locator("[data-will-be-saved]").inner_text().split())


def test_drop_a_pin_then_save(page, a11y, live_app, lisbon_leaders):  # noqa: F811
    with live_app.app_context():
        create_user("pin@example.com", "Paula Pin", PASSWORD, Role.LEADER, verified=True)
        db.session.commit()
    log_in(page, a11y, "pin@example.com")
    open_editor(page, a11y)

    page.get_by_text("Or give a precise point").click()
    pin_map = page.locator("[data-pin-map]")
    pin_map.wait_for(state="visible")
    assert page.get_attribute("[data-pin-map]", "data-pin-map-ready") == "true"
    box = pin_map.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    lat = float(page.get_by_label("Latitude").input_value())
    lng = float(page.get_by_label("Longitude").input_value())
    assert -90 <= lat <= 90 and -180 <= lng <= 180
    assert page.locator(".leaflet-marker-icon").count() == 1
    # The place box and the note follow the pin.
    assert page.get_by_label("Where you are").input_value() == "Pin on the map"
    assert will_be_saved(page) == "Will be saved: the pin on the map, where you put it"
    a11y(page)
    page.screenshot(path=str(screenshot_dir() / "profile-pin-desktop.png"), full_page=True)

    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state("load")
    a11y(page)
    profile = stored(live_app, "Paula Pin")
    assert (round(profile.lat, 5), round(profile.lng, 5)) == (lat, lng)
    assert (profile.public_lat, profile.public_lng) == public_point(lat, lng, "city")
    # Saved: the editor is drawn again, says so and keeps the pin, in words.
    assert "Your profile is saved." in page.inner_text("main")
    assert page.get_by_label("Where you are").input_value().startswith("Pin on the map")
    assert "Pin at" not in page.content()


@VIEWPORTS
def test_a_place_typed_after_use_my_location_wins(page, a11y, live_app, lisbon_leaders, viewport):  # noqa: F811
    label = "phone" if viewport["width"] < 600 else "desktop"
    with live_app.app_context():
        user = create_user("kamau@example.com", "Wanjiru Kamau", PASSWORD, Role.LEADER, verified=True)
        db.session.flush()
        profile = services.create_profile(db.session.get(User, user.id))
        location.set_location_from_pin(profile, *LISBON_PIN, Precision.CITY)
        db.session.commit()
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(NAIROBI)
    log_in(page, a11y, "kamau@example.com")
    open_editor(page, a11y)

    # The saved pin: described in words, drawn on the open map, and named as what will be saved.
    place = page.get_by_label("Where you are")
    assert place.input_value().startswith("Pin on the map near ")
    assert "Pin at" not in page.content()
    assert will_be_saved(page).startswith("Will be saved: the pin on the map, near ")
    pin_map = page.locator("[data-pin-map]")
    pin_map.wait_for(state="visible")
    assert tuple(map(float, pin_map.get_attribute("data-pin").split(","))) == LISBON_PIN
    page.screenshot(path=str(screenshot_dir() / f"editor-{label}.png"), full_page=True)
    # Radio buttons as big as the checkboxes.
    radio = page.get_by_label("The exact point").bounding_box()
    checkbox = page.get_by_label("I also work with people online").bounding_box()
    assert (round(radio["width"]), round(radio["height"])) == (round(checkbox["width"]), round(checkbox["height"]))

    # "Use my location" moves the pin there and brings it into view.
    page.get_by_role("button", name="Use my location").click()
    expect(pin_map).to_have_attribute("data-pin", "-1.28333,36.81667")
    assert page.get_by_label("Latitude").input_value() == "-1.28333"
    assert page.get_by_label("Longitude").input_value() == "36.81667"
    marker = page.locator(".pin-map .leaflet-marker-icon")
    assert marker.count() == 1
    # The map recentres on the pin: waited for until the marker's tip is inside the map.
    page.wait_for_function(
        """() => {
            const frame = document.querySelector("[data-pin-map]").getBoundingClientRect();
            const spot = document.querySelector(".pin-map .leaflet-marker-icon").getBoundingClientRect();
            const x = spot.x + spot.width / 2, y = spot.y + spot.height;
            return frame.x <= x && x <= frame.x + frame.width && frame.y <= y && y <= frame.y + frame.height;
        }""")
    spot, frame = marker.bounding_box(), pin_map.bounding_box()
    assert frame["x"] <= spot["x"] + spot["width"] / 2 <= frame["x"] + frame["width"]
    assert frame["y"] <= spot["y"] + spot["height"] <= frame["y"] + frame["height"]
    assert place.input_value() == "Pin on the map"
    assert will_be_saved(page) == "Will be saved: the pin on the map, at your location"
    assert page.locator("[data-will-be-saved]").get_attribute("aria-live") == "polite"
    a11y(page)

    # Then typing a place: the words about the pin go, the pin is cleared, and the place is
    # what will be saved.
    place.click()
    page.keyboard.type("Mombasa")
    assert place.input_value() == "Mombasa"
    assert page.get_by_label("Latitude").input_value() == ""
    assert page.get_by_label("Longitude").input_value() == ""
    assert marker.count() == 0
    expect(page.locator("[data-will-be-saved]")).to_have_text("Will be saved: Mombasa (the place you typed)")
    a11y(page)
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state("load")
    a11y(page)
    assert "Your profile is saved" in page.inner_text("main")
    saved = stored(live_app, "Wanjiru Kamau")
    assert (saved.place_name, saved.city, saved.country) == ("Mombasa", "Mombasa", "Kenya")
    assert saved.lat == pytest.approx(-4.05, abs=0.1)
    assert place.input_value() == "Mombasa"
    assert will_be_saved(page) == "Will be saved: Mombasa, Kenya (the place you typed)"
    page.screenshot(path=str(screenshot_dir() / f"editor-saved-{label}.png"), full_page=True)


@VIEWPORTS
def test_a_profile_shows_its_area_and_goes_back_to_the_results(page, a11y, lisbon_leaders, viewport):  # noqa: F811
    label = "phone" if viewport["width"] < 600 else "desktop"
    tiles_served.clear()
    page.goto("/leaders?near=Lisbon&radius=50&unit=km")
    a11y(page)
    page.get_by_role("link", name="Ines Duarte").first.click()
    page.wait_for_load_state("load")
    a11y(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Ines Duarte"
    assert parse_qs(urlsplit(page.url).query)["results"]

    # The map: the area of a city-level leader as a circle, never a pin, with the words beside it.
    area_map = page.get_by_role("region", name="Map of the area where Ines Duarte works")
    area_map.wait_for(state="visible")
    assert area_map.get_attribute("data-profile-map-ready") == "area"
    assert page.locator(".profile-area .leaflet-marker-icon").count() == 0
    assert page.locator(".profile-area path.profile-area__circle").count() == 1
    assert tiles_served, "the map asked for no tiles"
    assert "Area shown: Lisbon" in page.locator(".profile-area").inner_text()
    canonical = page.get_attribute("link[rel=canonical]", "href")
    assert "results" not in canonical and canonical.endswith("/leaders/" + page.url.split("/leaders/")[1].split("?")[0])
    page.screenshot(path=str(screenshot_dir() / f"profile-area-{label}.png"), full_page=True)

    page.get_by_role("link", name="Back to results").click()
    page.wait_for_load_state("load")
    a11y(page)
    query = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path == "/leaders" and query["near"] == ["Lisbon"]
    assert page.get_by_role("link", name="Ines Duarte").first.is_visible()
