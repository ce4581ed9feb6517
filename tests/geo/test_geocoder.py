"""The offline geocoder against a real slice of the gazetteer."""
import pytest

from app.geo.geocoder import Candidate, GeocodeError, NominatimGeocoder, OfflineGeocoder, make_geocoder


def test_accents_and_case_do_not_matter(geocoder: OfflineGeocoder):
    result = geocoder.geocode("zurich")
    assert result.best is not None
    assert (result.best.name, result.best.country_code) == ("Zürich", "CH")
    assert not result.ambiguous
    assert geocoder.geocode("SÃO PAULO").best == geocoder.geocode("sao paulo").best
    assert geocoder.geocode("sao paulo").best.country_code == "BR"


def test_springfield_is_ambiguous_across_states(geocoder: OfflineGeocoder):
    result = geocoder.geocode("Springfield")
    assert result.ambiguous
    assert result.alternatives[0] == result.best
    assert len(result.alternatives) <= 10
    states = {candidate.region for candidate in result.alternatives}
    assert {"Missouri", "Massachusetts", "Illinois"} <= states
    populations = [candidate.population for candidate in result.alternatives]
    assert populations == sorted(populations, reverse=True)


def test_portland_is_ambiguous_with_oregon_best(geocoder: OfflineGeocoder):
    result = geocoder.geocode("Portland")
    assert result.ambiguous
    assert result.best.label == "Portland, Oregon, United States"
    assert "Portland, Maine, United States" in [candidate.label for candidate in result.alternatives]


@pytest.mark.parametrize("query", ["Portland, Maine", "portland, ME", "Portland, Maine, USA", "portland maine"])
def test_a_state_picks_the_place(geocoder: OfflineGeocoder, query):
    result = geocoder.geocode(query)
    assert result.best.label == "Portland, Maine, United States"
    assert not result.ambiguous


def test_paris_is_clearly_france(geocoder: OfflineGeocoder):
    result = geocoder.geocode("Paris")
    assert not result.ambiguous
    assert result.best.country_code == "FR"
    assert geocoder.geocode("Paris, Texas").best.region == "Texas"


@pytest.mark.parametrize("query", ["London, Canada", "London, Ontario", "London, ON", "London, CA", "london ontario"])
def test_london_in_canada(geocoder: OfflineGeocoder, query):
    result = geocoder.geocode(query)
    assert result.best.label == "London, Ontario, Canada"


def test_plain_london_is_england(geocoder: OfflineGeocoder):
    result = geocoder.geocode("London")
    assert result.best.country_code == "GB"
    assert not result.ambiguous


def test_a_known_country_with_no_such_place_finds_nothing(geocoder: OfflineGeocoder):
    assert geocoder.geocode("Paris, Brazil").best is None


def test_an_unknown_qualifier_is_ignored(geocoder: OfflineGeocoder):
    assert geocoder.geocode("Zurich, Kanton Zürich").best.country_code == "CH"


def test_a_street_address_falls_back_to_its_town(geocoder: OfflineGeocoder):
    assert geocoder.geocode("1 Main St, Springfield, IL, USA").best.label == "Springfield, Illinois, United States"


@pytest.mark.parametrize("query", ["10001", "10001-1234", " 10001 "])
def test_us_postal_codes(geocoder: OfflineGeocoder, query):
    result = geocoder.geocode(query)
    assert result.best.kind == "postal"
    assert result.best.label == "10001, New York, United States"
    assert abs(result.best.lat - 40.75) < 0.05 and abs(result.best.lng + 74.0) < 0.05


def test_unknown_places_have_no_best(geocoder: OfflineGeocoder):
    result = geocoder.geocode("Xqzzyville")
    assert (result.best, result.alternatives, result.ambiguous) == (None, [], False)
    assert geocoder.geocode("00000").best is None


@pytest.mark.parametrize("query", ["", "   ", ",,,", "x" * 201])
def test_empty_or_overlong_queries_are_errors(geocoder: OfflineGeocoder, query):
    with pytest.raises(GeocodeError, match="Enter a city, address or postal code"):
        geocoder.geocode(query)


def test_suggest_matches_prefixes_biggest_first(geocoder: OfflineGeocoder):
    suggestions = geocoder.suggest("zur")
    assert suggestions[0].name == "Zürich"
    assert all(candidate.name.startswith("Zürich") or candidate.name.startswith("Zur") for candidate in suggestions)
    assert len(geocoder.suggest("sa")) == 10
    assert len(geocoder.suggest("sa", limit=3)) == 3
    assert geocoder.suggest("Portl")[0].label == "Portland, Oregon, United States"
    assert geocoder.suggest("z") == []
    assert geocoder.suggest("xqzz") == []
    assert [candidate.name for candidate in geocoder.suggest("1000", limit=3)] == ["10001", "10002", "10003"]


def test_suggest_with_few_big_places_still_lists_small_ones(geocoder: OfflineGeocoder):
    suggestions = geocoder.suggest("springf")
    assert len(suggestions) == 10
    assert suggestions[0].region == "Missouri"


def test_candidate_label_leaves_out_missing_parts():
    candidate = Candidate("Zürich", None, "Switzerland", "CH", 47.37, 8.55, 415_367)
    assert candidate.label == "Zürich, Switzerland"


def test_make_geocoder(geo_session):
    assert isinstance(make_geocoder("offline", geo_session), OfflineGeocoder)
    nominatim = make_geocoder("nominatim", geo_session, user_agent="leaders-network-tests")
    assert isinstance(nominatim, NominatimGeocoder)
    assert isinstance(nominatim.fallback, OfflineGeocoder)
    with pytest.raises(ValueError):
        make_geocoder("google", geo_session)
