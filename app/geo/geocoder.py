"""Turning what people type ("Portland, Maine", "97201") into places, offline or via Nominatim."""
import logging
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from geopy.exc import GeopyError
from geopy.geocoders import Nominatim
from sqlalchemy import JSON, ColumnElement, String, and_, insert, or_, select, update
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from app.geo.english_names import EnglishName
from app.geo.gazetteer import Place, PlaceName, country_keys, english_name_keys, normalize, region_keys
from app.models.base import Base, utcnow

log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
MAX_ALTERNATIVES = 10
SUGGEST_MIN_LENGTH = 2
SUGGEST_POPULATION_FLOOR = 15000
# Another match is a real contender if it has at least this share of the best one's people.
AMBIGUITY_POPULATION_RATIO = 0.1
# The same in score points (see MATCH_WEIGHTS): a tenth of the people is 1 point less.
AMBIGUITY_SCORE_GAP = -math.log10(AMBIGUITY_POPULATION_RATIO)
# How a typed name can match a place: its own (GeoNames) name, its English name from
# app/geo/english_names.py, or one of the other names GeoNames lists for it.
OWN_NAME = "own"
ENGLISH_NAME = "english"
ALTERNATE_NAME = "alternate"
# What each kind of match adds to a place's score, log10 of its population (see match_score).
MATCH_WEIGHTS = {
    # An English name counts as much as the local one: "Seville" means Sevilla (686,741
    # people), not Seville, Ohio (2,340), and "Paris" still means Paris, France.
    OWN_NAME: 0.0,
    ENGLISH_NAME: 0.0,
    # GeoNames' other names mix every language with old names, codes and noise ("White House"
    # for Casablanca, "Augusta" for Augsburg, "Joanna" for Johannesburg: 300 to 6,000 times
    # the town whose own name it is), so no population makes one outrank an own or English
    # name: 10 points is more than any city's log10(population). They still find "Kiev".
    ALTERNATE_NAME: -10.0,
}
# Nominatim gives no population; a contender's importance must be this close to the best.
AMBIGUITY_IMPORTANCE_RATIO = 0.8
_US_POSTAL_CODE = re.compile(r"^(\d{5})(?:[-\s]?\d{4})?$")
_EMPTY_QUERY = "Enter a city, address or postal code"


class GeocodeError(Exception):
    """The query cannot be looked up at all (empty or far too long)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One place a query may mean."""

    name: str
    region: str | None
    country: str
    country_code: str
    lat: float
    lng: float
    population: int = 0
    kind: str = "city"  # "city", "postal" or, from Nominatim, "address"

    @property
    def label(self) -> str:
        """How people name it: "Portland, Oregon, United States"."""
        return ", ".join(part for part in (self.name, self.region, self.country) if part)


@dataclass(slots=True)
class GeocodeResult:
    """The best match (None if nothing matched) and the matches to offer instead, best first.

    alternatives lists the matches as good as the best (up to 10, best included) even when
    the answer is clear; ambiguous says whether they are close enough to ask the user.
    """

    best: Candidate | None
    alternatives: list[Candidate] = field(default_factory=list)
    ambiguous: bool = False


class Geocoder(Protocol):
    def geocode(self, query: str) -> GeocodeResult: ...

    def suggest(self, query: str, limit: int = 10) -> list[Candidate]: ...


def clean_query(query: str) -> str:
    """The query stripped of outer whitespace, or GeocodeError if there is nothing to look up."""
    text = query.strip()
    if not text or len(text) > MAX_QUERY_LENGTH or not normalize(text):
        raise GeocodeError(_EMPTY_QUERY)
    return text


@dataclass(frozen=True, slots=True)
class _Area:
    """What a qualifier after the name ("Maine", "Canada", "CA") may mean.

    It can mean several places at once ("CA": California or Canada); any of them may match.
    """

    regions: frozenset[tuple[str, str]] = frozenset()
    countries: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.regions or self.countries)

    def within(self, countries: frozenset[str]) -> "_Area":
        """Only the regions that lie in one of the given countries."""
        return _Area(regions=frozenset(r for r in self.regions if r[0] in countries))

    def condition(self) -> ColumnElement[bool]:
        terms: list[ColumnElement[bool]] = [
            and_(Place.country_code == country, Place.region_code == region) for country, region in sorted(self.regions)
        ]
        if self.countries:
            terms.append(Place.country_code.in_(sorted(self.countries)))
        return or_(*terms)


def _area(text: str) -> _Area:
    key = normalize(text)
    country = country_keys().get(key)
    return _Area(regions=region_keys().get(key, frozenset()), countries=frozenset([country] if country else []))


_CANDIDATE_COLUMNS = (
    Place.name,
    Place.region_name,
    Place.country_name,
    Place.country_code,
    Place.lat,
    Place.lng,
    Place.population,
    Place.kind,
)


def _candidate(row: Row[Any]) -> Candidate:
    return Candidate(
        name=row.name,
        region=row.region_name,
        country=row.country_name,
        country_code=row.country_code,
        lat=row.lat,
        lng=row.lng,
        population=row.population,
        kind=row.kind,
    )


def match_score(kind: str, population: int) -> float:
    """How well a place answers a typed name: the kind of match's weight plus log10(population).

    The best score wins. Each point is a factor of ten in population, so with MATCH_WEIGHTS an
    own-name or English-name match of a bigger place beats one of a smaller place whatever the
    kind ("Seville": Sevilla by its English name over Seville, Ohio by its own), and an
    alternate-name match never beats either of them (alternates are ranked among themselves).
    Places of unknown population (0) score as if they had one person.
    """
    return MATCH_WEIGHTS[kind] + math.log10(max(population, 1))


@dataclass(frozen=True, slots=True)
class _Match:
    """A place found by a typed name, and how the name matched it."""

    kind: str
    row: Row[Any]
    score: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", match_score(self.kind, self.row.population))

    @property
    def by_alternate(self) -> bool:
        return self.kind == ALTERNATE_NAME


def _ranked(matches: list[_Match]) -> GeocodeResult:
    """The best match and its rivals, best first.

    Alternatives are the matches of the best one's sort (own or English names, else alternate
    names), up to 10: "Venice" also finds Dayton, Ohio by an alternate name, no rival to Venice.
    The answer is ambiguous when a rival scores within AMBIGUITY_SCORE_GAP of the best, or when
    the best won by its English name and a place has that name as its own: "Seville" shows
    Sevilla, with Seville, Ohio under "Did you mean".
    """
    if not matches:
        return GeocodeResult(best=None)
    ordered = sorted(matches, key=lambda match: (-match.score, match.row.id))
    best = ordered[0]
    rivals = [match for match in ordered if match.by_alternate == best.by_alternate][:MAX_ALTERNATIVES]
    ambiguous = any(best.score - match.score <= AMBIGUITY_SCORE_GAP for match in rivals[1:]) or (
        best.kind == ENGLISH_NAME and any(match.kind == OWN_NAME for match in rivals[1:])
    )
    candidates = [_candidate(match.row) for match in rivals]
    return GeocodeResult(best=candidates[0], alternatives=candidates, ambiguous=ambiguous)


class OfflineGeocoder:
    """Looks places up in the gazetteer tables; every lookup is a few index seeks."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def geocode(self, query: str) -> GeocodeResult:
        text = clean_query(query)
        parts = [part.strip() for part in text.split(",") if part.strip()]
        postal = _US_POSTAL_CODE.match(parts[0])
        if postal:
            return self._postal(postal.group(1))
        if len(parts) == 1:
            result = self._named(parts[0], None)
            if result.best is None:
                result = self._named_with_trailing_area(parts[0])
            return result
        if len(parts) == 2:
            return self._named(parts[0], _area(parts[1]))
        # "name, region, country"; anything before them is a street address we cannot use.
        name, region, country = parts[-3:]
        country_area, region_area = _area(country), _area(region)
        if country_area.countries:
            area = region_area.within(country_area.countries) or _Area(countries=country_area.countries)
        else:
            area = region_area
        return self._named(name, area)

    def suggest(self, query: str, limit: int = 10) -> list[Candidate]:
        """Places whose own or English name starts with what has been typed so far, most populous first.

        Both kinds of match weigh the same (MATCH_WEIGHTS), so population alone orders them.
        """
        prefix = normalize(query[:MAX_QUERY_LENGTH])
        if len(prefix) < SUGGEST_MIN_LENGTH:
            return []
        kind = "postal" if prefix.isdigit() else "city"
        # A half-open range on the key, not LIKE, so every database seeks the index.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        statement = (
            select(Place.id, *_CANDIDATE_COLUMNS)
            .where(Place.search_key >= prefix, Place.search_key < upper, Place.kind == kind)
            .order_by(Place.population.desc(), Place.id)
            .limit(limit)
        )
        # "sa" starts 10,000 names: the population floor is checked in the index, so only
        # big places are read and sorted; small ones are looked at only if too few are big.
        floor = SUGGEST_POPULATION_FLOOR if kind == "city" else 0
        if len(prefix) == SUGGEST_MIN_LENGTH:
            floor *= 4
        rows = self.session.execute(statement.where(Place.population >= floor)).all() if floor else []
        if len(rows) < limit:
            rows = self.session.execute(statement).all()
        english = [entry for key, entries in english_name_keys().items() if key.startswith(prefix) for entry in entries]
        if english and kind == "city":
            # A handful of names, read in memory; their places are one more index seek.
            by_id = {row.id: row for row in [*rows, *self._english_rows(english)]}
            rows = sorted(by_id.values(), key=lambda row: (-row.population, row.id))[:limit]
        return [_candidate(row) for row in rows]

    def _postal(self, code: str) -> GeocodeResult:
        row = self.session.execute(
            select(*_CANDIDATE_COLUMNS).where(Place.search_key == code, Place.kind == "postal").limit(1)
        ).first()
        if row is None:
            return GeocodeResult(best=None)
        best = _candidate(row)
        return GeocodeResult(best=best, alternatives=[best])

    def _named(self, name: str, area: _Area | None) -> GeocodeResult:
        """The places with this name, ranked by match_score; see _ranked for the alternatives."""
        key = normalize(name)
        if not key:
            return GeocodeResult(best=None)
        names: ColumnElement[bool] = PlaceName.search_key == key
        english = english_name_keys().get(key)
        if english:
            # A city known by this English name is found by its own name's row: one more index seek.
            names = or_(names, and_(
                PlaceName.search_key.in_(sorted({normalize(entry.name) for entry in english})),
                PlaceName.is_primary,
                Place.source == "geonames",
                Place.source_id.in_(sorted({str(entry.geonameid) for entry in english})),
            ))
        statement = (
            select(Place.id, *_CANDIDATE_COLUMNS, PlaceName.is_primary, PlaceName.search_key.label("matched"))
            .join(PlaceName, PlaceName.place_id == Place.id)
            .where(names, Place.kind == "city")
            # Within a kind of match the score follows population, so the 10 kept are the best.
            .order_by(PlaceName.is_primary.desc(), Place.population.desc(), Place.id)
            .limit(MAX_ALTERNATIVES)
        )
        # A qualifier we do not know (a county, a misspelling) is ignored rather than fatal.
        if area:
            statement = statement.where(area.condition())
        matches: dict[int, _Match] = {}
        for row in self.session.execute(statement).all():
            kind = ENGLISH_NAME if row.matched != key else OWN_NAME if row.is_primary else ALTERNATE_NAME
            # Own and English names come first: an English name that is also an alternate one counts as English.
            matches.setdefault(row.id, _Match(kind, row))
        return _ranked(list(matches.values()))

    def _english_rows(self, entries: Sequence[EnglishName]) -> list[Row[Any]]:
        """The gazetteer places of entries of app/geo/english_names.py (an index seek on their names)."""
        statement = select(Place.id, *_CANDIDATE_COLUMNS).where(
            Place.search_key.in_(sorted({normalize(entry.name) for entry in entries})),
            Place.source == "geonames",
            Place.source_id.in_(sorted({str(entry.geonameid) for entry in entries})),
            Place.kind == "city",
        )
        return list(self.session.execute(statement).all())

    def _named_with_trailing_area(self, text: str) -> GeocodeResult:
        """Reads "london ontario" or "new york ny" as a name followed by a region or country."""
        words = text.split()
        for tail in (1, 2, 3):
            if len(words) <= tail:
                break
            area = _area(" ".join(words[-tail:]))
            if area:
                result = self._named(" ".join(words[:-tail]), area)
                if result.best is not None:
                    return result
        return GeocodeResult(best=None)


class RequestClock(Base):
    """When any worker last asked Nominatim; one row, so the one-per-second limit is global."""

    __tablename__ = "geo_request_clock"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_request_at: Mapped[float]  # seconds since the epoch, from time.time()


class GeocodeCache(Base):
    """Nominatim's answer to a normalized query, so asking again costs no request."""

    __tablename__ = "geo_cache"

    query_key: Mapped[str] = mapped_column(String(MAX_QUERY_LENGTH), primary_key=True)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


_CLOCK_ID = 1
_SETTLEMENTS = {"city", "town", "village", "hamlet", "municipality", "suburb", "borough", "quarter"}


class NominatimGeocoder:
    """Asks OpenStreetMap's Nominatim, at most once a second across all workers, caching answers.

    Anything that goes wrong (timeout, HTTP error, no free request slot) is answered by the
    fallback geocoder instead. suggest() never calls Nominatim: its policy forbids
    search-as-you-type, so suggestions come from the fallback.
    The clock and the cache are written on their own connection and committed at once;
    on SQLite, call geocode() before the request writes anything, or the write waits for it.
    """

    def __init__(
        self,
        session: Session,
        user_agent: str,
        fallback: Geocoder,
        timeout: float = 5,
        *,
        min_interval: float = 1.0,
        max_wait: float = 2.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session = session
        self.fallback = fallback
        self.timeout = timeout
        self.min_interval = min_interval
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep
        self.client = Nominatim(user_agent=user_agent, timeout=timeout)

    @property
    def engine(self) -> Engine:
        bind = self.session.get_bind()
        return bind if isinstance(bind, Engine) else bind.engine

    def geocode(self, query: str) -> GeocodeResult:
        text = clean_query(query)
        key = normalize(text)
        answer = self.session.scalar(select(GeocodeCache.answer).where(GeocodeCache.query_key == key))
        if answer is None:
            # The slot and the cache are written on their own connections, then the network
            # is asked: the request's transaction (SQLite: its write lock) must end first.
            _end_transaction(self.session)
            if not self._take_request_slot():
                log.info("No Nominatim request slot free; answering %r offline", text)
                return self.fallback.geocode(text)
            try:
                locations = self.client.geocode(
                    text, exactly_one=False, limit=MAX_ALTERNATIVES, addressdetails=True, timeout=self.timeout
                )
            except GeopyError:
                log.warning("Nominatim failed for %r; answering offline", text, exc_info=True)
                return self.fallback.geocode(text)
            answer = _answer([location.raw for location in locations or []])
            self._store(key, answer)
        candidates = [Candidate(**candidate) for candidate in answer["candidates"]]
        if not candidates:
            # The gazetteer knows some postal codes and small towns under names Nominatim misses.
            return self.fallback.geocode(text)
        return GeocodeResult(best=candidates[0], alternatives=candidates, ambiguous=answer["ambiguous"])

    def suggest(self, query: str, limit: int = 10) -> list[Candidate]:
        return self.fallback.suggest(query, limit)

    def _take_request_slot(self) -> bool:
        """Claims the next request slot, waiting up to max_wait for it; False if it stays taken."""
        waited = 0.0
        while True:
            now = self.clock()
            try:
                last = self._claim(now)
            except OperationalError:
                log.warning("Nominatim request clock unavailable", exc_info=True)
                return False
            if last is None:
                return True
            wait = last + self.min_interval - now
            if waited + wait > self.max_wait:
                return False
            self.sleep(wait)
            waited += wait

    def _claim(self, now: float) -> float | None:
        """Moves the clock to now if a second has passed, in its own transaction.

        Returns None when the slot was claimed, else the time of the last request.
        """
        with self.engine.begin() as connection:
            claimed = connection.execute(
                update(RequestClock)
                .where(RequestClock.id == _CLOCK_ID, RequestClock.last_request_at <= now - self.min_interval)
                .values(last_request_at=now)
            ).rowcount
            if claimed:
                return None
            last = connection.scalar(select(RequestClock.last_request_at).where(RequestClock.id == _CLOCK_ID))
            if last is not None:
                return last
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(RequestClock).values(id=_CLOCK_ID, last_request_at=now))
            return None
        except IntegrityError:
            # Another worker made the row first: its request holds this second.
            return now

    def _store(self, key: str, answer: dict[str, Any]) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(GeocodeCache).values(query_key=key, answer=answer, created_at=utcnow()))
        except IntegrityError:
            pass  # another worker cached the same query meanwhile
        except OperationalError:
            log.warning("Could not cache the Nominatim answer for %r", key, exc_info=True)


def _end_transaction(session: Session) -> None:
    """No transaction stays open while Nominatim is asked: on SQLite an open write transaction
    would hold the database's write lock for every other request during the network call."""
    if isinstance(session, scoped_session):
        session = session()
    if session.new or session.dirty or session.deleted:
        log.warning("Geocoding with unsaved changes in the session; its transaction stays open")
        return
    if session.in_transaction():
        session.commit()  # nothing to write: this only ends the transaction


def _answer(raws: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Nominatim's raw results as the JSON we cache: candidates best first and ambiguity."""
    importances = [float(raw.get("importance") or 0) for raw in raws]
    ambiguous = len(raws) > 1 and importances[0] > 0 and importances[1] >= AMBIGUITY_IMPORTANCE_RATIO * importances[0]
    return {"candidates": [asdict(_nominatim_candidate(raw)) for raw in raws], "ambiguous": ambiguous}


def _nominatim_candidate(raw: dict[str, Any]) -> Candidate:
    address = raw.get("address") or {}
    place_type = raw.get("addresstype") or raw.get("type") or ""
    kind = "postal" if place_type == "postcode" else "city" if place_type in _SETTLEMENTS else "address"
    display_name = raw.get("display_name") or ""
    return Candidate(
        name=raw.get("name") or display_name.split(",")[0].strip(),
        region=address.get("state") or address.get("province") or address.get("region"),
        country=address.get("country", ""),
        country_code=address.get("country_code", "").upper(),
        lat=float(raw["lat"]),
        lng=float(raw["lon"]),
        population=0,
        kind=kind,
    )


def make_geocoder(
    name: str, session: Session, *, user_agent: str = "leaders-network", fallback: Geocoder | None = None
) -> Geocoder:
    """The geocoder configured by name: "offline" (the gazetteer) or "nominatim"."""
    if name == "offline":
        return OfflineGeocoder(session)
    if name == "nominatim":
        return NominatimGeocoder(session, user_agent, fallback or OfflineGeocoder(session))
    raise ValueError(f"Unknown geocoder {name!r}; use 'offline' or 'nominatim'")
