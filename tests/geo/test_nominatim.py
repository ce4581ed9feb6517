"""The Nominatim geocoder, with geopy's network call replaced: caching, fallback and rate limit."""
from dataclasses import dataclass, field

import pytest
from geopy.exc import GeocoderServiceError, GeocoderTimedOut
from geopy.location import Location
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.geo.geocoder import GeocodeCache, NominatimGeocoder, OfflineGeocoder, RequestClock


@dataclass
class FakeClock:
    """Wall-clock time that only moves when someone sleeps."""

    now: float = 1_700_000_000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


PORTLAND_OREGON = {
    "lat": "45.5202471",
    "lon": "-122.674194",
    "name": "Portland",
    "display_name": "Portland, Multnomah County, Oregon, United States",
    "addresstype": "city",
    "importance": 0.76,
    "address": {"city": "Portland", "state": "Oregon", "country": "United States", "country_code": "us"},
}
PORTLAND_MAINE = {
    "lat": "43.6573605",
    "lon": "-70.2586618",
    "name": "Portland",
    "display_name": "Portland, Cumberland County, Maine, United States",
    "addresstype": "city",
    "importance": 0.66,
    "address": {"city": "Portland", "state": "Maine", "country": "United States", "country_code": "us"},
}


class FakeNominatim:
    """Stands in for Nominatim.geocode, recording when and what it was asked."""

    def __init__(self, clock: FakeClock, answer: list[dict] | Exception | None = None) -> None:
        self.clock = clock
        self.answer = [PORTLAND_OREGON, PORTLAND_MAINE] if answer is None else answer
        self.calls: list[tuple[str, float]] = []

    def geocode(self, query: str, **options) -> list[Location] | None:
        assert options["exactly_one"] is False
        self.calls.append((query, self.clock()))
        if isinstance(self.answer, Exception):
            raise self.answer
        locations = [Location(raw["display_name"], (float(raw["lat"]), float(raw["lon"])), raw) for raw in self.answer]
        return locations or None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def nominatim(session: Session, clock: FakeClock, monkeypatch, answer=None, **options) -> tuple[NominatimGeocoder, FakeNominatim]:
    geocoder = NominatimGeocoder(
        session, "leaders-network-tests", OfflineGeocoder(session), clock=clock, sleep=clock.sleep, **options
    )
    fake = FakeNominatim(clock, answer)
    monkeypatch.setattr(geocoder.client, "geocode", fake.geocode)
    return geocoder, fake


def test_answers_come_from_nominatim(geo_session, clock, monkeypatch):
    geocoder, fake = nominatim(geo_session, clock, monkeypatch)
    result = geocoder.geocode("Portland")
    assert [query for query, _ in fake.calls] == ["Portland"]
    assert result.best.label == "Portland, Oregon, United States"
    assert result.best.country_code == "US" and result.best.kind == "city"
    assert result.best.lat == pytest.approx(45.5202471)
    assert result.ambiguous
    assert [candidate.region for candidate in result.alternatives] == ["Oregon", "Maine"]


def test_a_repeated_query_is_answered_from_the_cache(geo_session, clock, monkeypatch):
    geocoder, fake = nominatim(geo_session, clock, monkeypatch)
    first = geocoder.geocode("Portland")
    clock.now += 60
    again = geocoder.geocode("  PORTLAND ")
    assert len(fake.calls) == 1
    assert again == first
    assert geo_session.scalar(select(func.count()).select_from(GeocodeCache)) == 1


def test_another_worker_uses_the_same_cache(geo_engine, clock, monkeypatch):
    with Session(geo_engine) as one, Session(geo_engine) as other:
        first, first_fake = nominatim(one, clock, monkeypatch)
        second, second_fake = nominatim(other, clock, monkeypatch)
        first.geocode("Portland")
        assert second.geocode("portland").best.region == "Oregon"
        assert len(first_fake.calls) == 1 and second_fake.calls == []


@pytest.mark.parametrize("error", [GeocoderTimedOut("timed out"), GeocoderServiceError("HTTP 503")])
def test_errors_fall_back_to_the_offline_geocoder(geo_session, clock, monkeypatch, error):
    geocoder, fake = nominatim(geo_session, clock, monkeypatch, answer=error)
    result = geocoder.geocode("zurich")
    assert len(fake.calls) == 1
    assert (result.best.name, result.best.country_code) == ("Zürich", "CH")
    assert geo_session.scalar(select(func.count()).select_from(GeocodeCache)) == 0  # a failure is not an answer


def test_no_answer_is_cached_and_falls_back(geo_session, clock, monkeypatch):
    geocoder, fake = nominatim(geo_session, clock, monkeypatch, answer=[])
    assert geocoder.geocode("10001").best.kind == "postal"
    clock.now += 60
    assert geocoder.geocode("10001").best.kind == "postal"
    assert len(fake.calls) == 1


def test_requests_are_spaced_a_second_apart(geo_session, clock, monkeypatch):
    geocoder, fake = nominatim(geo_session, clock, monkeypatch)
    geocoder.geocode("Portland")
    clock.now += 0.25
    geocoder.geocode("Portland, Oregon")
    geocoder.geocode("Portland, Maine")
    times = [at for _, at in fake.calls]
    assert len(times) == 3
    assert clock.sleeps == pytest.approx([0.75, 1.0])
    assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[1:]))
    assert geo_session.scalar(select(RequestClock.last_request_at)) == times[-1]


def test_workers_share_the_request_clock(geo_engine, clock, monkeypatch):
    with Session(geo_engine) as one, Session(geo_engine) as other:
        first, first_fake = nominatim(one, clock, monkeypatch)
        second, second_fake = nominatim(other, clock, monkeypatch)
        first.geocode("Portland")
        second.geocode("Springfield")
        assert clock.sleeps == [1.0]
        assert second_fake.calls[0][1] - first_fake.calls[0][1] >= 1.0


def test_a_busy_clock_sends_the_query_offline_instead_of_waiting(geo_session, clock, monkeypatch):
    geocoder, fake = nominatim(geo_session, clock, monkeypatch, max_wait=0.5)
    geocoder.geocode("Portland")
    result = geocoder.geocode("Springfield")
    assert len(fake.calls) == 1 and clock.sleeps == []
    assert result.ambiguous and result.best.region == "Missouri"  # the gazetteer's answer


def test_suggestions_never_call_nominatim(geo_session, clock, monkeypatch):
    geocoder, fake = nominatim(geo_session, clock, monkeypatch)
    assert geocoder.suggest("zur")[0].name == "Zürich"
    assert fake.calls == []
