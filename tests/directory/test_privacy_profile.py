"""Profile pages never give away a city-level leader's exact point; only the owner and admins see it."""
import pytest

from app.geo.privacy import public_point
from app.models.accounts import Role
from tests.conftest import login, shown
from tests.directory.profile_helpers import (EXACT_LAT, EXACT_LNG, leak_strings, load_profile,  # noqa: F401
                                             make_leader, profile_form, profile_page)

PUBLIC_POINT = public_point(EXACT_LAT, EXACT_LNG, "city")


def assert_no_leak(html: str, lat=EXACT_LAT, lng=EXACT_LNG):
    for text in leak_strings(lat, lng):
        assert text not in html, f"the exact point leaked as {text!r}"


@pytest.fixture
def city_leader(make_leader):
    return make_leader(precision="city", quote="Start with tea.", featured_quote=True,
                       place_name="12 Rue Exemple, Lyon")


def assert_shows_the_public_point(html: str, point=PUBLIC_POINT):
    """The page is the working profile page: its map is drawn at the public point."""
    data = profile_map(html)
    assert (data["lat"], data["lng"]) == point


def test_visitors_never_see_the_exact_point(client, city_leader):
    owner, slug = city_leader
    assert_shows_the_public_point(profile_page(client, slug, owner.display_name))
    shows = {f"/leaders/{slug}": [f'<h1 class="profile__name">{owner.display_name}</h1>', "Lyon, France"],
             "/": ["Start with tea.", f'href="/leaders/{slug}"'],
             "/sitemap.xml": [f"/leaders/{slug}</loc>"]}
    for path, expected in shows.items():
        html = shown(client.get(path), *expected)
        assert_no_leak(html)
        assert "12 Rue Exemple" not in html


def test_other_members_and_leaders_never_see_it(client, city_leader, login_as):
    owner, slug = city_leader
    login_as(Role.LEADER)
    page = profile_page(client, slug, owner.display_name)
    assert_shows_the_public_point(page)
    assert_no_leak(page)
    assert_no_leak(shown(client.get(f"/leaders/{slug}/contact"), f"Send {owner.display_name} a message"))


def test_editors_are_not_admins_for_locations(client, city_leader, login_as):
    owner, slug = city_leader
    login_as(Role.EDITOR)
    page = profile_page(client, slug, owner.display_name)
    assert_shows_the_public_point(page)
    assert_no_leak(page)


def test_the_owner_and_admins_see_it(client, city_leader, login_as):
    owner, slug = city_leader
    login(client, owner.email)
    html = client.get(f"/leaders/{slug}").get_data(True)
    assert f"{EXACT_LAT:.5f}" in html and f"{EXACT_LNG:.5f}" in html and "12 Rue Exemple" in html
    # Preview is what others see, so it leaks nothing either.
    preview = shown(client.get(f"/leaders/{slug}/preview"), "how other people see your profile",
                    f'<h1 class="profile__name">{owner.display_name}</h1>', "Lyon, France")
    assert_shows_the_public_point(preview)
    assert_no_leak(preview)
    client.post("/logout")
    login_as(Role.ADMIN)
    assert f"{EXACT_LAT:.5f}" in client.get(f"/leaders/{slug}").get_data(True)


def test_the_public_point_is_a_stable_cell_centre_far_from_nothing_finer(app, client, city_leader):
    owner, slug = city_leader
    stored = load_profile(app, slug)
    assert (stored.public_lat, stored.public_lng) == public_point(EXACT_LAT, EXACT_LNG, "city")
    assert (stored.public_lat, stored.public_lng) != (EXACT_LAT, EXACT_LNG)
    # Saving again (same place) leaves the public point where it was.
    login(client, owner.email)
    client.post(f"/leaders/{slug}/edit", data=profile_form(place=stored.place_name))
    again = load_profile(app, slug)
    assert (again.public_lat, again.public_lng) == (stored.public_lat, stored.public_lng)
    assert (again.lat, again.lng) == (EXACT_LAT, EXACT_LNG)


def test_switching_precision_moves_the_public_point_both_ways(app, client, city_leader):
    owner, slug = city_leader
    login(client, owner.email)
    place = load_profile(app, slug).place_name
    client.post(f"/leaders/{slug}/edit", data=profile_form(place=place, precision="exact"))
    exact = load_profile(app, slug)
    assert (exact.public_lat, exact.public_lng) == (round(EXACT_LAT, 5), round(EXACT_LNG, 5))
    client.post(f"/leaders/{slug}/edit", data=profile_form(place=place, precision="city"))
    city = load_profile(app, slug)
    assert (city.public_lat, city.public_lng) == public_point(EXACT_LAT, EXACT_LNG, "city")


def test_a_pinned_city_level_location_is_named_after_the_public_point_only(app, client, make_leader):
    owner, slug = make_leader(lat=None)
    login(client, owner.email)
    client.post(f"/leaders/{slug}/edit", data=profile_form(pin_lat=str(EXACT_LAT), pin_lng=str(EXACT_LNG)))
    profile = load_profile(app, slug)
    assert (profile.lat, profile.lng) == (EXACT_LAT, EXACT_LNG)
    assert profile.city and profile.country == "France"
    client.post("/logout")
    html = profile_page(client, slug, profile.display_name, profile.city)
    assert_shows_the_public_point(html, (profile.public_lat, profile.public_lng))
    assert_no_leak(html)
    assert "Pin at" not in html


def test_points_close_together_in_one_cell_give_the_same_public_answer(app, client, make_leader):
    # An attacker comparing leaders in the same cell learns nothing about where each one is.
    points = [(EXACT_LAT + d, EXACT_LNG + d) for d in (-0.01, 0, 0.01)]
    publics = set()
    for lat, lng in points:
        owner, slug = make_leader(lat=lat, lng=lng)
        stored = load_profile(app, slug)
        publics.add((stored.public_lat, stored.public_lng))
        html = profile_page(client, slug, owner.display_name)
        assert_shows_the_public_point(html, (stored.public_lat, stored.public_lng))
        assert_no_leak(html, lat, lng)
    assert len(publics) == 1


def test_public_card_carries_only_the_public_point(app, city_leader):
    """The card behind /api/leaders and the /leaders map: only the public point."""
    from app.directory import services
    from app.directory.cards import public_card
    from app.directory.search import Hit, Summary, summaries
    _, slug = city_leader
    with app.test_request_context():
        profile = services.profile_by_slug(slug)
        card = public_card(Summary.of(profile))  # from a loaded profile, as the map
        # From the columns the search reads, as /api/leaders: the same card.
        assert public_card(summaries([Hit(profile.id, None, False)])[profile.id]) == card
    assert (card["lat"], card["lng"]) == public_point(EXACT_LAT, EXACT_LNG, "city")
    assert (card["slug"], card["city"], card["country"]) == (slug, "Lyon", "France")
    assert_no_leak(repr(card))
    assert "12 Rue" not in repr(card)


def test_exact_precision_leaders_show_their_point_as_chosen(app, make_leader):
    _, slug = make_leader(precision="exact")
    stored = load_profile(app, slug)
    assert (stored.public_lat, stored.public_lng) == (round(EXACT_LAT, 5), round(EXACT_LNG, 5))


def profile_map(html: str) -> dict:
    """The data the profile page's small map draws."""
    import html as html_lib
    import json
    import re
    match = re.search(r"data-profile-map='([^']*)'", html)
    assert match, "the profile page has no map"
    return json.loads(html_lib.unescape(match.group(1)))


def test_the_profile_map_shows_a_city_level_leader_only_as_the_public_area(client, city_leader, login_as):
    owner, slug = city_leader
    public = public_point(EXACT_LAT, EXACT_LNG, "city")
    for who in ("visitor", "owner", "admin"):
        if who == "owner":
            login(client, owner.email)
        elif who == "admin":
            client.post("/logout")
            login_as(Role.ADMIN)
        html = client.get(f"/leaders/{slug}").get_data(True)
        data = profile_map(html)
        # Owners and admins see the exact point in words; the map is the public page's all the same.
        assert (data["lat"], data["lng"]) == public, who
        assert data["radius_km"] >= 7, who  # an area around the whole ~10 km cell, not a pin
        assert_no_leak(repr(data))
        assert data["text"] == "Area shown: Lyon, France"
        assert "Area shown: Lyon, France." in html
        assert 'aria-label="Map of the area where' in html


def test_the_profile_map_of_an_exact_leader_is_their_chosen_point(client, make_leader):
    _, slug = make_leader(precision="exact")
    data = profile_map(client.get(f"/leaders/{slug}").get_data(True))
    assert (data["lat"], data["lng"]) == (round(EXACT_LAT, 5), round(EXACT_LNG, 5))
    assert data["radius_km"] is None and data["text"] == "Place shown: Lyon, France"


def test_no_location_no_map(client, make_leader):
    owner, slug = make_leader(lat=None)
    assert "data-profile-map" not in profile_page(client, slug, owner.display_name, place=None)
