"""The request board: "looking for learning partners" requests (what a person hopes to learn, their
focus areas, languages, time zone, online or a place), posted and closed by their writer, and
the people each request's page suggests. A place is stored as a public point only: the centre
of the ~10 km cell the typed place falls in, or the person's leader profile's public point;
never the place as typed, never an exact point. Views commit."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import permissions
from app.directory.geocoding import get_geocoder
from app.directory.location import places_around
from app.directory.services import public_place
from app.extensions import db
from app.gatherings import times
from app.geo.geocoder import GeocodeError
from app.geo.privacy import PUBLIC_TOWN_MAX_KM, public_point, public_town
from app.models.accounts import User
from app.models.base import utcnow
from app.models.directory import FocusArea, LeaderProfile
from app.models.partnerships import PartnerRequest, RequestMode, RequestState
from app.partnerships import suggestions
from app.partnerships.members import Refused

ABOUT_MIN, ABOUT_MAX = 20, 800
LANGUAGES_MAX = 200
PLACE_MAX = 200
MAX_FOCUS_AREAS = 5
OPEN_MAX = 3  # open requests per person
PER_PAGE = 20
SUGGESTIONS = 8
COMPARED = 1000  # the newest open requests a page compares with (the board stays small)


@dataclass
class Wanted:
    """What a person types for a request (the service checks it)."""

    about: str = ""
    focus_areas: list[str] = field(default_factory=list)  # FocusArea slugs
    languages: str = ""
    time_zone: str = ""
    mode: str = "online"
    place_from: str = "typed"  # "profile": the leader profile's public point; "typed": `place`
    place: str = ""


def profile_point(user: User) -> LeaderProfile | None:
    """The person's leader profile, when it has a public point a request can use."""
    profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.user_id == user.id))
    if profile is None or profile.public_lat is None or profile.public_lng is None:
        return None
    return profile


def _typed_place(text: str) -> tuple[float, float, str]:
    """A typed place as the public point of its cell, named from that point alone."""
    try:
        found = get_geocoder().geocode(text)
    except GeocodeError as error:
        raise Refused(str(error)) from None
    if found.best is None:
        raise Refused(f"We could not find “{text}”. Try the town, “town, country” or a postal code.")
    lat, lng = public_point(found.best.lat, found.best.lng, "city")
    town = public_town(lat, lng, places_around(lat, lng, PUBLIC_TOWN_MAX_KM))
    name = ", ".join(dict.fromkeys(part for part in (town.city, town.region, town.country) if part)) if town else ""
    return lat, lng, name or "an area of about 10 km"


def post(user: User, wanted: Wanted) -> PartnerRequest:
    if not permissions.can_use_partnerships(user):
        raise Refused("Confirm your email address first: the link is in the mail we sent you.")
    problems = []
    about = (wanted.about or "").strip()
    if not ABOUT_MIN <= len(about) <= ABOUT_MAX:
        problems.append(f"Say in {ABOUT_MIN} to {ABOUT_MAX} characters what you hope to learn.")
    languages = ", ".join(dict.fromkeys(" ".join(part.split()) for part in (wanted.languages or "").split(",")
                                        if part.strip()))
    if not languages or len(languages) > LANGUAGES_MAX:
        problems.append("Name the languages you could meet in, separated by commas (like English, Swahili).")
    if not times.is_zone(wanted.time_zone):
        problems.append("Choose your time zone, like Africa/Accra.")
    try:
        mode = RequestMode(wanted.mode)
    except ValueError:
        mode = RequestMode.ONLINE
        problems.append("Choose online, in person, or either.")
    slugs = list(dict.fromkeys(wanted.focus_areas))
    areas = list(db.session.scalars(select(FocusArea).where(FocusArea.slug.in_(slugs)))) if slugs else []
    if len(slugs) > MAX_FOCUS_AREAS:
        problems.append(f"Choose at most {MAX_FOCUS_AREAS} focus areas.")
    elif len(areas) != len(slugs):
        problems.append("Choose focus areas from the list.")
    lat = lng = None
    name = ""
    place = " ".join((wanted.place or "").split())
    if mode.in_person and not problems:
        if wanted.place_from == "profile":
            profile = profile_point(user)
            if profile is None:
                problems.append("Your leader profile has no place yet: type a town instead.")
            else:
                lat, lng, name = profile.public_lat, profile.public_lng, public_place(profile)
        elif place:
            if len(place) > PLACE_MAX:
                problems.append(f"Keep the place to {PLACE_MAX} characters.")
            else:
                try:
                    lat, lng, name = _typed_place(place)
                except Refused as refused:
                    problems.append(str(refused))
        elif mode == RequestMode.IN_PERSON:
            problems.append("Say where you would meet: a town, or your leader profile's place.")
    open_now = db.session.scalars(select(PartnerRequest.id).where(
        PartnerRequest.user_id == user.id, PartnerRequest.state == RequestState.OPEN)).all()
    if len(open_now) >= OPEN_MAX:
        problems.append(f"You have {len(open_now)} open requests, as many as anyone may: close one first.")
    if problems:
        raise Refused(" ".join(problems))
    made = PartnerRequest(user_id=user.id, about=about, languages=languages, time_zone=wanted.time_zone,
                          mode=mode, place_name=name, public_lat=lat, public_lng=lng, focus_areas=areas)
    db.session.add(made)
    db.session.flush()
    return made


def close(user: User, request: PartnerRequest) -> bool:
    """The writer closes their request; False when it was closed already."""
    if request.user_id != user.id:
        raise Refused("Only its writer closes a request.")
    if request.state == RequestState.CLOSED:
        return False
    request.state, request.closed_at = RequestState.CLOSED, utcnow()
    return True


def board_query(focus_area: FocusArea | None = None, online: bool | None = None):
    query = (select(PartnerRequest).where(PartnerRequest.state == RequestState.OPEN)
             .options(selectinload(PartnerRequest.user)))
    if focus_area is not None:
        query = query.where(PartnerRequest.focus_areas.any(FocusArea.id == focus_area.id))
    if online:
        query = query.where(PartnerRequest.mode != RequestMode.IN_PERSON)
    return query.order_by(PartnerRequest.created_at.desc(), PartnerRequest.id.desc())


def requests_of(user: User) -> list[PartnerRequest]:
    return list(db.session.scalars(select(PartnerRequest).where(PartnerRequest.user_id == user.id)
                                   .order_by(PartnerRequest.state, PartnerRequest.created_at.desc())))


@dataclass(frozen=True)
class Suggestion:
    request: PartnerRequest
    fit: suggestions.Fit


def _modes(request: PartnerRequest) -> tuple[bool, bool]:
    return request.mode.online, request.mode.in_person and request.public_lat is not None


def suggest(request: PartnerRequest, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Other people's open requests that fit this one, best first."""
    others = db.session.scalars(
        select(PartnerRequest).where(PartnerRequest.state == RequestState.OPEN,
                                     PartnerRequest.user_id != request.user_id)
        .join(User, User.id == PartnerRequest.user_id).where(User.active.is_(True))
        .options(selectinload(PartnerRequest.user))
        .order_by(PartnerRequest.created_at.desc()).limit(COMPARED)).all()
    today = utcnow().date()
    mine = [area.name for area in request.focus_areas]
    found, seen = [], set()
    for other in others:
        fitting = suggestions.fit(request, other, mine, [area.name for area in other.focus_areas],
                                  _modes(request), _modes(other), today)
        if fitting is not None:
            found.append(Suggestion(other, fitting))
    found.sort(key=lambda item: (-item.fit.score, -item.request.id))
    best = []
    for item in found:  # one suggestion per person: their best-fitting request
        if item.request.user_id not in seen:
            seen.add(item.request.user_id)
            best.append(item)
    return best[:limit]
