"""A leader drops a pin on the map in the profile editor and saves a city-level location."""
from sqlalchemy import select

from app.auth.services import create_user
from app.extensions import db
from app.geo.privacy import public_point
from app.models.accounts import Role
from app.models.directory import LeaderProfile
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot_dir
from tests.e2e.test_search_journey import lisbon_leaders, tiles_served  # noqa: F401  (fixture, tiles)


def test_drop_a_pin_then_save(page, a11y, live_app, lisbon_leaders):  # noqa: F811
    with live_app.app_context():
        create_user("pin@example.com", "Paula Pin", PASSWORD, Role.LEADER, verified=True)
        db.session.commit()
    page.goto("/login")
    a11y(page)
    page.get_by_label("Email address").fill("pin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    a11y(page)
    page.goto("/leaders/me")
    a11y(page)
    if "/edit" not in page.url:  # a leader without a profile starts one first
        page.get_by_role("button").filter(has_text="profile").first.click()
        page.wait_for_load_state("load")
        a11y(page)
    assert "/edit" in page.url

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
    a11y(page)
    page.screenshot(path=str(screenshot_dir() / "profile-pin-desktop.png"), full_page=True)

    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state("load")
    a11y(page)
    with live_app.app_context():
        profile = db.session.scalar(select(LeaderProfile).join(LeaderProfile.user)
                                    .where(LeaderProfile.display_name == "Paula Pin"))
        assert (round(profile.lat, 5), round(profile.lng, 5)) == (lat, lng)
        assert (profile.public_lat, profile.public_lng) == public_point(lat, lng, "city")
