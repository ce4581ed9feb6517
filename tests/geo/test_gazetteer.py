"""The gazetteer tables, search keys and the loader."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.geo.gazetteer import Place, PlaceName, country_keys, load_gazetteer, normalize, region_keys


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Zürich", "zurich"),
        ("  São   Paulo ", "sao paulo"),
        ("Saint-Étienne", "saint etienne"),
        ("Washington, D.C.", "washington dc"),
        ("St. Louis", "st louis"),
        ("O'Fallon", "ofallon"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("Москва", "москва"),
        ("!!!", ""),
    ],
)
def test_normalize(text, key):
    assert normalize(text) == key


def test_qualifier_keys_know_countries_and_regions():
    assert country_keys()["canada"] == "CA"
    assert country_keys()["ca"] == "CA"
    assert country_keys()["usa"] == "US"
    assert ("US", "OR") in region_keys()["oregon"]
    assert ("CA", "08") in region_keys()["ontario"]
    assert ("CA", "08") in region_keys()["on"]


def test_load_counts_match_the_tables(geo_session: Session, prepared_gazetteer):
    counts = prepared_gazetteer.counts
    total = geo_session.scalar(select(func.count()).select_from(Place))
    assert total == counts["places"] + counts["postal"]
    assert geo_session.scalar(select(func.count()).select_from(PlaceName)) == counts["names"]
    primaries = geo_session.scalar(select(func.count()).select_from(PlaceName).where(PlaceName.is_primary))
    assert primaries == counts["places"]
    assert counts["postal"] > 40_000
    assert set(geo_session.scalars(select(Place.country_code).distinct())) == {"US", "CA", "GB", "CH", "FR", "BR"}


def test_alternate_names_are_distinct_per_place_and_differ_from_the_primary(geo_session: Session):
    duplicates = geo_session.execute(
        select(PlaceName.place_id, PlaceName.search_key).group_by(PlaceName.place_id, PlaceName.search_key).having(func.count() > 1)
    ).all()
    assert duplicates == []
    zurich = geo_session.scalars(select(Place).where(Place.search_key == "zurich")).one()
    keys = geo_session.scalars(select(PlaceName.search_key).where(PlaceName.place_id == zurich.id, ~PlaceName.is_primary)).all()
    assert "zurich" not in keys and "zuerich" in keys


def test_places_carry_countries_regions_and_population(geo_session: Session):
    london = geo_session.scalars(
        select(Place).where(Place.search_key == "london", Place.country_code == "CA")
    ).one()
    assert (london.kind, london.source, london.country_name, london.region_name) == ("city", "geonames", "Canada", "Ontario")
    assert london.population > 300_000
    portland = geo_session.scalars(select(Place).where(Place.search_key == "portland", Place.region_code == "OR")).one()
    assert portland.region_name == "Oregon"
    assert 45 < portland.lat < 46 and -123 < portland.lng < -122


def test_postal_codes_are_places_in_their_state(geo_session: Session):
    postal = geo_session.scalars(select(Place).where(Place.search_key == "10001", Place.kind == "postal")).one()
    assert (postal.name, postal.source, postal.region_code, postal.region_name) == ("10001", "zipcode", "NY", "New York")
    assert postal.population == 0


def test_loading_again_replaces_rather_than_adds(empty_geo_engine):
    with Session(empty_geo_engine) as session:
        first = load_gazetteer(session, countries=["ch"], min_population=15000, include_postal=False, batch=50)
        session.commit()
        second = load_gazetteer(session, countries=["CH"], min_population=15000, include_postal=False)
        session.commit()
        assert first == second and first["postal"] == 0
        assert session.scalar(select(func.count()).select_from(Place)) == first["places"]
        assert session.scalar(select(func.count()).select_from(PlaceName)) == first["names"]
        assert set(session.scalars(select(Place.country_code).distinct())) == {"CH"}


def test_population_between_extracts_filters_places(empty_geo_engine):
    with Session(empty_geo_engine) as session:
        load_gazetteer(session, countries=["CH"], min_population=100_000, include_postal=False)
        assert session.scalar(select(func.min(Place.population))) >= 100_000
        assert session.scalar(select(func.count()).select_from(Place)) < 10
