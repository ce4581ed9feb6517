"""The town named on a city-level profile gives away no more than its ~10 km cell.

The attacker reads what is public about a leader (profile page, card, API), looks the named
town up every public way (/api/places, /api/leaders?near=, the site's geocoder) and measures
how close that lands to the leader's private point. Each leader here lives in or next to a
hamlet that is at least 10 km from any town of 15,000 people, so the attacker must land at
least LANDS_NO_CLOSER_KM away; before the town was chosen from the public point alone, the
typed hamlet (or one next to a pin or a postal code's point) was named, and they landed on
the private point (0 km).
"""
import json
import random
from types import SimpleNamespace

import pytest
from geopy.geocoders import Nominatim
from geopy.location import Location
from sqlalchemy import delete, func, insert, select

from app.directory import services
from app.directory.cards import public_card
from app.directory.geocoding import get_geocoder
from app.directory.search import Summary
from app.extensions import db
from app.geo.distance import KM_PER_DEGREE_LAT, haversine_km
from app.geo.gazetteer import Place, PlaceName, normalize
from app.geo.privacy import PUBLIC_TOWN_MIN_POPULATION, public_point, public_town
from app.models.directory import LeaderProfile, Precision
from tests.conftest import login, shown
from tests.directory.profile_helpers import load_profile, make_leader, profile_form  # noqa: F401

LANDS_NO_CLOSER_KM = 5.0
TEST_SOURCE = "test-hamlet"

# Hamlets the test gazetteer (towns of 15,000+) lacks: (name, region, country code, lat, lng).
HAMLETS = [
    ("Nether Quietby", "England", "GB", 52.8617, 0.9075),   # Norfolk; East Dereham is 20 km off
    ("Little Quietby", "England", "GB", 52.8702, 0.9501),   # the same cell as Nether Quietby
    ("Wold Quietly", "England", "GB", 53.35, -0.25),        # Lincolnshire Wolds; Louth 16 km
    ("Upper Stillwater", "England", "GB", 51.85, -1.85),    # Cotswolds; Cheltenham 17 km
    ("Fellside Quiet", "England", "GB", 54.25, -2.1),       # Dales; no town of 15,000 within 30 km
    ("Quiet Landing", "Iowa", "US", 42.0737, -90.1955),     # at US postal code 52070's point
]
COUNTRY_NAMES = {"GB": "United Kingdom", "US": "United States"}
# Nominatim knows this one; the gazetteer does not.
COMBE_QUIETLY = {"lat": "50.75", "lon": "-3.9", "name": "Combe Quietly", "addresstype": "hamlet",
                 "display_name": "Combe Quietly, West Devon, Devon, England, United Kingdom",
                 "importance": 0.3, "address": {"hamlet": "Combe Quietly", "state": "England",
                                                "country": "United Kingdom", "country_code": "gb"}}


@pytest.fixture
def hamlets(app):
    """The hamlets added to the gazetteer, removed again after the test (PostgreSQL keeps it)."""

    def remove():
        ids = select(Place.id).where(Place.source == TEST_SOURCE).scalar_subquery()
        db.session.execute(delete(PlaceName).where(PlaceName.place_id.in_(ids)))
        db.session.execute(delete(Place).where(Place.source == TEST_SOURCE))
        db.session.commit()

    with app.app_context():
        remove()
        first = db.session.scalar(select(func.max(Place.id))) + 1
        for number, (name, region, code, lat, lng) in enumerate(HAMLETS):
            db.session.execute(insert(Place).values(
                id=first + number, source=TEST_SOURCE, source_id=str(number), kind="city", name=name,
                search_key=normalize(name), country_code=code, country_name=COUNTRY_NAMES[code],
                region_code=None, region_name=region, population=100, lat=lat, lng=lng))
            db.session.execute(insert(PlaceName).values(search_key=normalize(name), place_id=first + number,
                                                        is_primary=True))
        db.session.commit()
    yield {name: (lat, lng) for name, _, _, lat, lng in HAMLETS}
    with app.app_context():
        remove()


@pytest.fixture
def leader(app, client, make_leader):
    """leader(**form) -> (slug, private point): a leader who saved their profile form so."""

    def make(**form):
        user, slug = make_leader(lat=None)
        login(client, user.email)
        response = client.post(f"/leaders/{slug}/edit", data=profile_form(**form))
        assert response.status_code == 302, response.get_data(True)
        client.post("/logout")
        stored = load_profile(app, slug)
        return slug, (stored.lat, stored.lng)

    return make


def what_is_public(app, client, slug) -> dict:
    """The place as a visitor reads it, the same on the card, the API and the profile page."""
    stored = load_profile(app, slug)
    found = client.get("/api/leaders", query_string={
        "lat": stored.public_lat, "lng": stored.public_lng, "radius_km": 5}).get_json()
    [result] = [result for result in found["results"] if result["slug"] == slug]
    named = {key: result[key] for key in ("city", "region", "country")}
    with app.test_request_context():
        card = public_card(Summary.of(services.profile_by_slug(slug)))
    assert {key: card[key] for key in named} == named
    place = ", ".join(dict.fromkeys(part for part in named.values() if part))
    name = f'<h1 class="profile__name">{stored.display_name}</h1>'
    assert place in shown(client.get(f"/leaders/{slug}"), name)
    return named


def landing_km(app, client, named: dict, private: tuple[float, float]) -> float | None:
    """How close to the private point the named town's every public lookup lands (None: no town named)."""
    city = named["city"]
    if not city:
        return None
    label = ", ".join(part for part in (city, named["region"], named["country"]) if part)
    points = [(place["lat"], place["lng"]) for place in
              client.get("/api/places", query_string={"q": city}).get_json()["places"]
              if place["name"] == city]
    for near in (label, city):
        answer = client.get("/api/leaders", query_string={"near": near}).get_json()
        if answer.get("origin"):
            points.append((answer["origin"]["lat"], answer["origin"]["lng"]))
        points += [(place["lat"], place["lng"]) for place in answer.get("alternatives", [])]
    with app.test_request_context():
        result = get_geocoder().geocode(label)
        points += [(candidate.lat, candidate.lng) for candidate in result.alternatives]
    assert points, f"the attacker could not find {label!r} at all"
    return min(haversine_km(*private, *point) for point in points)


def assert_tells_nothing_finer(app, client, slug, private, hidden: str) -> dict:
    named = what_is_public(app, client, slug)
    landed = landing_km(app, client, named, private)
    assert landed is None or landed >= LANDS_NO_CLOSER_KM, (
        f"the town named, {named}, leads {landed:.3f} km from the private point")
    # Each page is the working one, showing this leader (or the home page's search), before the
    # hamlet is looked for in it.
    name = f'<h1 class="profile__name">{load_profile(app, slug).display_name}</h1>'
    shows = {f"/leaders/{slug}": name, f"/leaders?lat={private[0]}&lng={private[1]}": f'href="/leaders/{slug}?',
             "/": 'action="/leaders"'}
    for page, expected in shows.items():
        assert hidden not in shown(client.get(page), expected)
    nearby = client.get("/api/leaders", query_string={"lat": private[0], "lng": private[1], "radius_km": 50})
    assert nearby.status_code == 200 and slug in [result["slug"] for result in nearby.get_json()["results"]]
    assert hidden not in json.dumps(nearby.get_json())
    return named


def test_a_typed_hamlet_is_never_named(app, client, hamlets, leader):
    slug, private = leader(place="Nether Quietby", precision="city")
    assert private == hamlets["Nether Quietby"]  # the stored point is the hamlet's own
    named = assert_tells_nothing_finer(app, client, slug, private, "Nether Quietby")
    assert named == {"city": "East Dereham", "region": "England", "country": "United Kingdom"}


def test_a_typed_small_town_of_the_gazetteer_is_never_named(app, client, leader):
    # Vaduz has 5,197 people; Liechtenstein has no town of 15,000, so only the country shows.
    slug, private = leader(place="Vaduz", precision="city")
    with app.app_context():
        vaduz = db.session.scalar(select(Place).where(Place.name == "Vaduz"))
        assert vaduz.population < PUBLIC_TOWN_MIN_POPULATION and private == (vaduz.lat, vaduz.lng)
    named = assert_tells_nothing_finer(app, client, slug, private, "Vaduz")
    assert named == {"city": "", "region": "", "country": "Liechtenstein"}


def test_a_hamlet_far_from_any_town_shows_only_the_region_and_country(app, client, hamlets, leader):
    slug, private = leader(place="Fellside Quiet", precision="city")
    named = assert_tells_nothing_finer(app, client, slug, private, "Fellside Quiet")
    assert named == {"city": "", "region": "England", "country": "United Kingdom"}


def test_a_postal_code_names_no_hamlet_at_its_point(app, client, hamlets, leader):
    slug, private = leader(place="52070", precision="city")
    assert haversine_km(*private, *hamlets["Quiet Landing"]) < 0.01
    named = assert_tells_nothing_finer(app, client, slug, private, "Quiet Landing")
    assert (named["city"], named["region"]) == ("Clinton", "Iowa")


def test_a_pin_next_to_a_hamlet_names_no_hamlet(app, client, hamlets, leader):
    # A pin dropped on a house 300 m from the hamlet (the map and "Use my location" send the same fields).
    slug, private = leader(pin_lat="53.35213", pin_lng="-0.24722", precision="city")
    assert private == (53.35213, -0.24722)
    named = assert_tells_nothing_finer(app, client, slug, private, "Wold Quietly")
    assert named["city"] == "Louth"


def test_typed_coordinates_name_no_hamlet(app, client, hamlets, leader):
    slug, private = leader(pin_lat="51.851234", pin_lng="-1.848765", precision="city")
    named = assert_tells_nothing_finer(app, client, slug, private, "Upper Stillwater")
    assert named["city"] == "Cheltenham"


def test_a_hamlet_from_nominatim_is_never_named(app, client, leader, monkeypatch):
    app.config["GEOCODER"] = "nominatim"

    def geocode(self, query, **options):
        # Nominatim answers the attacker too: it knows the hamlet, and nothing else here.
        if "combe quietly" in query.casefold():
            return [Location(COMBE_QUIETLY["display_name"], (50.75, -3.9), COMBE_QUIETLY)]
        return None

    monkeypatch.setattr(Nominatim, "geocode", geocode)
    slug, private = leader(place="Combe Quietly, Devon", precision="city")
    assert private == (50.75, -3.9)
    named = assert_tells_nothing_finer(app, client, slug, private, "Combe Quietly")
    assert named["city"] == "Exeter"


def test_everyone_in_one_cell_is_named_alike_whatever_they_typed(app, client, hamlets, leader):
    # The name is worked out from the cell alone, so it cannot tell the leaders in it apart.
    first, first_point = leader(place="Nether Quietby", precision="city")
    second, second_point = leader(place="Little Quietby", precision="city")
    third, third_point = leader(pin_lat="52.87999", pin_lng="0.93001", precision="city")
    assert public_point(*first_point) == public_point(*second_point) == public_point(*third_point)
    names = [what_is_public(app, client, slug) for slug in (first, second, third)]
    assert names[0] == names[1] == names[2]


def test_switching_to_the_city_level_renames_and_back_names_the_exact_place(app, client, hamlets,
                                                                          make_leader):
    user, slug = make_leader(lat=None)
    login(client, user.email)
    client.post(f"/leaders/{slug}/edit", data=profile_form(place="Nether Quietby", precision="exact"))
    assert load_profile(app, slug).city == "Nether Quietby"  # they chose to show the very point
    client.post(f"/leaders/{slug}/edit", data=profile_form(place="Nether Quietby", precision="city"))
    assert load_profile(app, slug).city == "East Dereham"
    client.post(f"/leaders/{slug}/edit", data=profile_form(place="Nether Quietby", precision="exact"))
    stored = load_profile(app, slug)
    assert (stored.city, stored.public_lat, stored.public_lng) == ("Nether Quietby", 52.8617, 0.9075)


@pytest.mark.parametrize("form, city", [
    ({"place": "Nether Quietby"}, "Nether Quietby"),
    ({"place": "Lyon"}, "Lyon"),
    ({"place": "Vaduz"}, "Vaduz"),
    ({"pin_lat": "53.35213", "pin_lng": "-0.24722"}, "Wold Quietly"),  # the nearest place of any size
    ({"place": "52070"}, "Quiet Landing"),
])
def test_exact_leaders_are_named_by_their_own_point(app, client, hamlets, leader, form, city):
    slug, private = leader(precision="exact", **form)
    stored = load_profile(app, slug)
    assert (stored.public_lat, stored.public_lng) == public_point(*private, "exact")
    assert what_is_public(app, client, slug)["city"] == city


def test_rename_towns_fixes_profiles_saved_before(app, hamlets, runner, make_leader):
    # As saved before: the typed hamlet named on a city-level profile, and an exact one.
    _, city_slug = make_leader(lat=52.8617, lng=0.9075, city="Nether Quietby", country="United Kingdom")
    _, exact_slug = make_leader(precision="exact", lat=52.8617, lng=0.9075, city="Nether Quietby",
                                country="United Kingdom")
    result = runner.invoke(args=["geo", "rename-towns"])
    assert result.exit_code == 0, result.output
    assert "Renamed the town of 1 city-level profile." in result.output
    renamed = load_profile(app, city_slug)
    assert (renamed.city, renamed.region, renamed.country, renamed.country_code) == (
        "East Dereham", "England", "United Kingdom", "GB")
    assert load_profile(app, exact_slug).city == "Nether Quietby"
    assert "Renamed the town of 0 city-level profiles." in runner.invoke(args=["geo", "rename-towns"]).output
    with app.app_context():
        assert db.session.scalar(select(LeaderProfile.precision).where(
            LeaderProfile.slug == city_slug)) == Precision.CITY


# The rule itself, on places made up around a public point at (45.0, 5.0) ----------------------

def place(name, km_north, population, country="FR", kind="city"):
    return SimpleNamespace(name=name, kind=kind, region_name=None, country_name=country, country_code=country,
                           population=population, lat=45.0 + km_north / KM_PER_DEGREE_LAT, lng=5.0)


def named(places):
    found = public_town(45.0, 5.0, places)
    return found and (found.city, found.country_code)


def test_the_rule_names_the_city_rather_than_its_districts():
    assert named([place("Centre 01", 0.3, 29_000), place("Grande Ville", 2, 500_000),
                  place("Hameau", 0.1, 90)]) == ("Grande Ville", "FR")


def test_the_rule_takes_the_nearest_town_when_none_is_within_a_cell():
    assert named([place("Bourg", 12, 16_000), place("Métropole", 25, 900_000),
                  place("Hameau", 1, 90)]) == ("Bourg", "FR")
    assert named([place("Lointaine", 31, 900_000), place("Hameau", 1, 90)]) == ("", "FR")
    assert named([place("Lointaine", 31, 900_000)]) is None


def test_the_rule_stays_in_the_country_of_the_place_nearest_the_public_point():
    across = place("Across The River", 3, 600_000, country="US")
    assert named([across, place("Riverside", 1, 20_000, country="CA")]) == ("Riverside", "CA")
    assert named([across, place("Hamlet", 0.5, 50, country="CA")]) == ("", "CA")


def test_the_rule_does_not_depend_on_the_order_of_the_rows():
    places = [place(f"Town {number}", 4, 50_000) for number in range(6)] + [place("Hameau", 1, 90)]
    answers = {named(random.Random(seed).sample(places, len(places))) for seed in range(20)}
    assert answers == {("Town 0", "FR")}
