"""The place a visitor typed, looked up in the gazetteer and remembered per worker."""

from flask import current_app

from app.directory.geocoding import get_geocoder
from app.directory.search.results import Origin, Place
from app.worker_cache import worker_cache

# Places typed into the search box, remembered per worker: the offline gazetteer never changes.
PLACE_CACHE_SIZE = 2048


class PlaceNotFound(Exception):
    """Nothing in the gazetteer matches what the visitor typed."""

    def __init__(self, query: str) -> None:
        super().__init__(query)
        self.query = query

    @property
    def message(self) -> str:
        return (f"We could not find “{self.query}”. Check the spelling, or try a nearby town, "
                "“town, country” or a postal code.")


def find_place(query: str) -> Place:
    """The place a visitor typed; raises geo.geocoder.GeocodeError (nothing typed) or PlaceNotFound."""
    if current_app.config["GEOCODER"] != "offline":
        return _geocode(query)
    cache = worker_cache("directory.places", PLACE_CACHE_SIZE)
    key = query.strip()
    place = cache.get(key)
    if place is None:
        place = _geocode(query)
        cache.put(key, place)
    return place


def _geocode(query: str) -> Place:
    result = get_geocoder().geocode(query)
    if result.best is None:
        raise PlaceNotFound(query.strip())
    best = result.best
    alternatives = [c for c in result.alternatives if c != best] if result.ambiguous else []
    return Place(Origin(best.label, best.lat, best.lng), alternatives)
