"""The profile editor's location: whatever the leader did last (a place typed or a pin) is saved,
the page says which, and the place box describes a pin in words, never by its coordinates."""
import html as html_lib
import re

import pytest

from app.directory.location import choose_location
from tests.conftest import login, shown
from tests.directory.profile_helpers import load_profile, make_leader, profile_form, profile_page  # noqa: F401

NAIROBI = ("-1.28333", "36.81667")


def field_value(page: str, name: str) -> str | None:
    """The value an <input name=...> is drawn with (None when it has none)."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input named {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html_lib.unescape(value.group(1)) if value else None


def will_be_saved(page: str) -> str:
    match = re.search(r"<p[^>]*data-will-be-saved[^>]*>(.*?)</p>", page, re.S)
    assert match, "no “Will be saved” note"
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


@pytest.fixture
def pinned_leader(app, client, make_leader):
    """A leader who saved the pin "Use my location" gave (Nairobi), logged in on client."""
    owner, slug = make_leader(lat=None)
    login(client, owner.email)
    response = client.post(f"/leaders/{slug}/edit", data=profile_form(
        pin_lat=NAIROBI[0], pin_lng=NAIROBI[1], location_from="pin"))
    assert response.status_code == 302, response.get_data(True)
    return owner, slug


def test_a_place_typed_after_a_pin_wins_without_javascript(app, client, pinned_leader):
    _, slug = pinned_leader
    page = client.get(f"/leaders/{slug}/edit").get_data(True)
    # Without JavaScript the pin fields still hold the saved pin when the leader types a place.
    pin_lat, pin_lng = field_value(page, "pin_lat"), field_value(page, "pin_lng")
    assert (pin_lat, pin_lng) == NAIROBI
    response = client.post(f"/leaders/{slug}/edit", data=profile_form(
        place="Mombasa", pin_lat=pin_lat, pin_lng=pin_lng, version=field_value(page, "version")))
    assert response.status_code == 302, response.get_data(True)
    profile = load_profile(app, slug)
    assert profile.place_name == "Mombasa"
    assert profile.city == "Mombasa" and profile.country == "Kenya"
    assert profile.lat == pytest.approx(-4.05, abs=0.1)


def test_unchanged_place_box_and_a_new_point_saves_the_point(app, client, make_leader):
    owner, slug = make_leader(place_name="Lyon")
    login(client, owner.email)
    page = client.get(f"/leaders/{slug}/edit").get_data(True)
    assert field_value(page, "place") == "Lyon" and not field_value(page, "pin_lat")
    client.post(f"/leaders/{slug}/edit", data=profile_form(place="Lyon", pin_lat="48.85661",
                                                           pin_lng="2.35222"))
    profile = load_profile(app, slug)
    assert (profile.lat, profile.lng) == (48.85661, 2.35222)


def test_what_the_script_says_came_last_wins(app, client, make_leader):
    owner, slug = make_leader(lat=None)
    login(client, owner.email)
    # Typed, then a pin set: the script puts its words in the box and says "pin".
    client.post(f"/leaders/{slug}/edit", data=profile_form(
        place="Pin on the map", pin_lat=NAIROBI[0], pin_lng=NAIROBI[1], location_from="pin"))
    assert (load_profile(app, slug).lat, load_profile(app, slug).lng) == (-1.28333, 36.81667)
    # A pin, then typed: the place wins even if stale coordinates were sent along.
    client.post(f"/leaders/{slug}/edit", data=profile_form(
        place="Mombasa", pin_lat=NAIROBI[0], pin_lng=NAIROBI[1], location_from="place"))
    assert load_profile(app, slug).place_name == "Mombasa"
    # Anything else in location_from counts as no word from the script: the rule without it
    # (the place box as drawn, a point given: the point).
    client.post(f"/leaders/{slug}/edit", data=profile_form(
        place="Mombasa", pin_lat=NAIROBI[0], pin_lng=NAIROBI[1], location_from="place\x01"))
    assert load_profile(app, slug).lat == -1.28333


def test_the_place_box_describes_a_pin_in_words(client, pinned_leader):
    _, slug = pinned_leader
    page = shown(client.get(f"/leaders/{slug}/edit"), 'value="Pin on the map near Nairobi, Kenya"')
    assert "Pin at" not in page
    assert field_value(page, "place") == "Pin on the map near Nairobi, Kenya"
    # Saving again without touching anything keeps the pin (not a search for those words).
    client.post(f"/leaders/{slug}/edit", data=profile_form(
        place=field_value(page, "place"), pin_lat=field_value(page, "pin_lat"),
        pin_lng=field_value(page, "pin_lng")))
    page = shown(client.get(f"/leaders/{slug}/edit"), 'value="Pin on the map near Nairobi, Kenya"')
    assert "Pin at" not in page and "There is a problem" not in page
    own_view = profile_page(client, slug, "Noa Velden", "Nairobi")
    assert "Pin at" not in own_view  # the owner's own view


def test_the_page_says_which_location_will_be_saved(client, pinned_leader, make_leader):
    _, slug = pinned_leader
    page = client.get(f"/leaders/{slug}/edit").get_data(True)
    assert will_be_saved(page) == "Will be saved: the pin on the map, near Nairobi, Kenya"
    assert 'aria-live="polite"' in re.search(r"<p[^>]*data-will-be-saved[^>]*>", page).group(0)
    client.post(f"/leaders/{slug}/edit", data=profile_form(place="Mombasa"))
    page = client.get(f"/leaders/{slug}/edit").get_data(True)
    assert will_be_saved(page) == "Will be saved: Mombasa, Kenya (the place you typed)"
    # After a refused save it says what the next save would keep.
    page = client.post(f"/leaders/{slug}/edit", data=profile_form(
        place="Nairobi", website="not a web address")).get_data(True)
    assert "There is a problem" in page
    assert will_be_saved(page) == "Will be saved: Nairobi (the place you typed)"
    client.post(f"/leaders/{slug}/edit", data=profile_form(place=""))
    page = client.get(f"/leaders/{slug}/edit").get_data(True)
    assert will_be_saved(page) == "Will be saved: no location (the place box is empty)"


def test_the_conflict_page_keeps_working_and_shows_no_coordinates(app, client, pinned_leader):
    _, slug = pinned_leader
    page = client.get(f"/leaders/{slug}/edit").get_data(True)
    old_version = field_value(page, "version")
    client.post(f"/leaders/{slug}/edit", data=profile_form(place="Mombasa", version=old_version))
    response = client.post(f"/leaders/{slug}/edit", data=profile_form(
        display_name="Typed meanwhile", place="Pin on the map near Nairobi, Kenya",
        pin_lat=NAIROBI[0], pin_lng=NAIROBI[1], version=old_version))
    assert response.status_code == 409
    page = response.get_data(True)
    assert "This profile was saved somewhere else" in page and "Typed meanwhile" in page
    assert "Pin at" not in page
    assert load_profile(app, slug).place_name == "Mombasa"
    # Saving the form again (its version now the saved one) keeps what this leader had: the pin.
    response = client.post(f"/leaders/{slug}/edit", data=profile_form(
        display_name="Typed meanwhile", place=field_value(page, "place"),
        pin_lat=field_value(page, "pin_lat"), pin_lng=field_value(page, "pin_lng"),
        version=field_value(page, "version")))
    assert response.status_code == 302, response.get_data(True)
    profile = load_profile(app, slug)
    assert profile.display_name == "Typed meanwhile" and (profile.lat, profile.lng) == (-1.28333, 36.81667)


@pytest.mark.parametrize("typed, shown, pin, last_used, expected", [
    ("Mombasa", "Pin on the map near Nairobi", True, None, "place"),  # no script: the typed place
    ("Pin on the map near Nairobi", "Pin on the map near Nairobi", True, None, "pin"),
    ("Lyon", "Lyon", True, None, "pin"),  # a point given, the box untouched
    ("Lyon", "Lyon", False, None, "kept"),
    ("", "Lyon", False, None, "place"),  # emptied: no location
    ("", "Lyon", True, None, "pin"),
    ("Pin on the map", "Lyon", True, "pin", "pin"),  # the script: a pin came last
    ("Mombasa", "Lyon", True, "place", "place"),  # the script: typing came last
    ("Lyon", "Lyon", True, "place", "kept"),
    ("Mombasa", "Lyon", False, "pin", "place"),  # "pin" without a point is no pin
    # The words of a pin drawn before someone else saved a place (the conflict page): the pin.
    ("Pin on the map near Nairobi, Kenya", "Mombasa", True, None, "pin"),
])
def test_choose_location(typed, shown, pin, last_used, expected):
    assert choose_location(typed, shown, pin, last_used) == expected
