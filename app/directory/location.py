"""Where a leader is: the place typed or the pin dropped, the point others see, the town it names.

The private point (lat/lng) is the owner's; everything others read (public_lat/public_lng, city,
region) is worked out from the public point alone, so a name never says more than the point does.
"""
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from app.directory.geocoding import get_geocoder
from app.directory.services import DirectoryError, public_place
from app.extensions import db
from app.geo.distance import bounding_boxes, haversine_km
from app.geo.gazetteer import Place
from app.geo.geocoder import Candidate, GeocodeError, GeocodeResult
from app.geo.privacy import PUBLIC_TOWN_MAX_KM, PublicTown, public_point, public_town
from app.models.directory import LeaderProfile, Precision

NEAREST_TOWN_KM = 30


@dataclass
class PlaceAnswer:
    """What a place typed on the profile form means: one place, a choice to make, or nothing."""

    chosen: Candidate | None
    choices: list[Candidate]
    message: str | None = None


def look_up_place(text: str, choice: str | None = None) -> PlaceAnswer:
    """Geocode what the leader typed; call before writing anything in the request.

    choice is the label of one of the alternatives offered last time ("Did you mean ...?").
    """
    try:
        result: GeocodeResult = get_geocoder().geocode(text)
    except GeocodeError as error:
        return PlaceAnswer(None, [], str(error))
    if result.best is None:
        return PlaceAnswer(None, [], "We could not find that place. Check the spelling, or add the "
                                     "country, like “Springfield, Illinois” or “Lyon, France”.")
    if choice:
        for candidate in result.alternatives:
            if candidate.label == choice:
                return PlaceAnswer(candidate, [])
    if result.ambiguous:
        return PlaceAnswer(None, result.alternatives,
                           "There is more than one place with that name. Choose the one you mean.")
    return PlaceAnswer(result.best, [])


# A pin's place_name (kept for "Download my data"); pages describe a pin in words instead.
PIN_PREFIX = "Pin at "
LAST_USED = ("place", "pin")  # what the profile editor's location_from may say
PIN_WORDS = "Pin on the map"  # how the place box starts while it describes a pin (also in profile.js)


def is_pinned(profile: LeaderProfile) -> bool:
    """True when the saved location is a point given on the map (or typed coordinates)."""
    return profile.lat is not None and (profile.place_name or "").startswith(PIN_PREFIX)


def place_box_text(profile: LeaderProfile) -> str:
    """What the editor's place box shows for the saved location: the place as typed, or for
    a pin the town near it, never the pin's coordinates."""
    if not is_pinned(profile):
        return profile.place_name or ""
    where = public_place(profile)
    return f"{PIN_WORDS} near {where}" if where else PIN_WORDS


def location_summary(profile: LeaderProfile) -> str:
    """The saved location in words, for "Will be saved: ..." on the profile editor."""
    if profile.lat is None or profile.lng is None:
        return "no location (the place box is empty)"
    where = public_place(profile)
    if is_pinned(profile):
        return f"the pin on the map, near {where}" if where else "the pin on the map"
    typed = profile.place_name or where
    if profile.country and profile.country.casefold() not in typed.casefold():
        typed = f"{typed}, {profile.country}"
    return f"{typed} (the place you typed)"


def choose_location(typed: str, shown: str, pin_given: bool, last_used: str | None) -> str:
    """Which location a saved profile form means: "pin", "place" (typed, or emptied) or "kept".

    Whatever the leader did last wins. With JavaScript the editor records it in last_used
    ("place" when they typed in the place box, "pin" when they set a pin). Without it, a
    place box changed from the text it was drawn with (shown) and not empty wins over a
    point, since typing a place is the plainer act (words describing a pin, "Pin on the
    map ...", are no place); else a point given wins; else the place box decides
    (emptied: no location; unchanged: the saved location is kept).
    """
    typed, shown = typed.strip(), shown.strip()
    if last_used == "pin" and pin_given:
        return "pin"
    if last_used != "place":
        if typed and typed != shown and not (pin_given and typed.startswith(PIN_WORDS)):
            return "place"
        if pin_given:
            return "pin"
    return "kept" if typed and typed == shown else "place"


def set_location_from_place(profile: LeaderProfile, place_text: str, candidate: Candidate,
                            precision: Precision) -> None:
    """A place typed (town, postal code, address; offline or from Nominatim) and chosen.

    City level: the town named comes from the public point alone (see _name_public_place),
    never from the candidate, whose point is the stored private one.
    """
    profile.place_name = place_text.strip()[:200]
    _set_point(profile, candidate.lat, candidate.lng, precision)
    if profile.precision == Precision.EXACT and candidate.kind == "city":
        # Others see this very point, so naming the town typed tells them nothing more.
        _name(profile, PublicTown(candidate.name, candidate.region or "", candidate.country,
                                  candidate.country_code))
    else:
        _name_public_place(profile, PublicTown("", candidate.region or "", candidate.country,
                                               candidate.country_code))


def set_location_from_pin(profile: LeaderProfile, lat: float, lng: float,
                          precision: Precision) -> None:
    """A dropped pin, typed coordinates or the browser's location: the exact point as given;
    the place named follows what others see (see _name_public_place)."""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise DirectoryError("Drop the pin on a point on the map (latitude -90 to 90, "
                             "longitude -180 to 180).")
    profile.place_name = f"{PIN_PREFIX}{lat:.5f}, {lng:.5f}"
    _set_point(profile, lat, lng, precision)
    _name_public_place(profile, PublicTown("", "", "", ""))


def set_precision(profile: LeaderProfile, precision: Precision) -> None:
    """Show the exact point or only its cell; a city-level name is worked out again either way."""
    if profile.lat is None or profile.lng is None:
        profile.precision = precision
        return
    was = profile.precision
    _set_point(profile, profile.lat, profile.lng, precision)
    if profile.precision == Precision.CITY or was != profile.precision:
        # Kept from before: only the country (what typed places fall back to).
        _name_public_place(profile, PublicTown("", "", profile.country, profile.country_code))


def clear_location(profile: LeaderProfile) -> None:
    profile.place_name = profile.city = profile.region = profile.country = profile.country_code = ""
    profile.lat = profile.lng = profile.public_lat = profile.public_lng = None


def _set_point(profile: LeaderProfile, lat: float, lng: float, precision: Precision) -> None:
    profile.precision = Precision(precision)
    profile.lat, profile.lng = lat, lng
    profile.public_lat, profile.public_lng = public_point(lat, lng, profile.precision.value)


def _name_public_place(profile: LeaderProfile, fallback: PublicTown) -> None:
    """Name the place from the public point, so the name says no more than the point does.

    City level: public_town's rule (a town of PUBLIC_TOWN_MIN_POPULATION or more near the
    cell's centre, else the region and country), whatever was typed; with no gazetteer place
    near, only the fallback's country. Exact: the nearest town of any size to the point.
    """
    if profile.precision == Precision.CITY:
        town = public_town(profile.public_lat, profile.public_lng,
                           places_around(profile.public_lat, profile.public_lng, PUBLIC_TOWN_MAX_KM))
        fallback = PublicTown("", "", fallback.country, fallback.country_code)
    else:
        nearest = nearest_town(profile.public_lat, profile.public_lng)
        town = None if nearest is None else PublicTown(nearest.name, nearest.region_name or "",
                                                       nearest.country_name, nearest.country_code)
    _name(profile, town or fallback)


def _name(profile: LeaderProfile, town: PublicTown) -> None:
    profile.city, profile.region = town.city, town.region
    profile.country, profile.country_code = town.country, town.country_code


def places_around(lat: float, lng: float, within_km: float) -> list[Place]:
    """Gazetteer places (towns and postal codes) in the boxes around a point; some lie a bit farther."""
    boxes = bounding_boxes(lat, lng, within_km)
    return list(db.session.scalars(select(Place).where(or_(*(
        and_(Place.lat.between(box.min_lat, box.max_lat), Place.lng.between(box.min_lng, box.max_lng))
        for box in boxes)))))


def nearest_town(lat: float, lng: float, within_km: float = NEAREST_TOWN_KM) -> Place | None:
    """The gazetteer town of any size nearest the point, within within_km."""
    towns = [(haversine_km(lat, lng, place.lat, place.lng), -place.population, place.id, place)
             for place in places_around(lat, lng, within_km) if place.kind == "city"]
    nearest = min(towns, default=None, key=lambda town: town[:3])
    return nearest[3] if nearest is not None and nearest[0] <= within_km else None


def rename_public_towns() -> int:
    """Name every city-level profile's town again from its public point; returns how many changed.

    For profiles saved before the town was chosen this way (they named what was typed), and
    after loading another gazetteer. Each distinct public point is looked up once.
    """
    changed = 0
    towns: dict[tuple[float, float], PublicTown | None] = {}
    profiles = db.session.scalars(select(LeaderProfile).where(
        LeaderProfile.precision == Precision.CITY, LeaderProfile.public_lat.is_not(None),
        LeaderProfile.public_lng.is_not(None)).order_by(LeaderProfile.id)).all()
    for profile in profiles:
        point = (profile.public_lat, profile.public_lng)
        if point not in towns:
            towns[point] = public_town(*point, places_around(*point, PUBLIC_TOWN_MAX_KM))
        town = towns[point] or PublicTown("", "", profile.country, profile.country_code)
        if (profile.city, profile.region, profile.country, profile.country_code) != (
                town.city, town.region, town.country, town.country_code):
            _name(profile, town)
            changed += 1
    db.session.flush()
    return changed
