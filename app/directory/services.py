"""Directory rules: profiles, their locations, photos, contact messages and leader applications."""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import selectinload

from app import mail
from app.database import get_or_create, insert_unique, lock_row
from app.directory import photos
from app.directory.geocoding import get_geocoder
from app.extensions import db
from app.geo.distance import bounding_boxes, haversine_km
from app.geo.gazetteer import Place
from app.geo.geocoder import Candidate, GeocodeError, GeocodeResult
from app.geo.privacy import PUBLIC_TOWN_MAX_KM, PublicTown, public_point, public_town
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.directory import (ApplicationStatus, ContactMessage, FocusArea, LeaderApplication,
                                  LeaderProfile, Precision, Program, ProfileProgram)
from app.text.markdown import slugify
from app.urls import site_url

CONTACT_LIMIT = 5  # messages per sender per hour, unless CONTACT_RATE_LIMIT says otherwise
CONTACT_WINDOW = timedelta(hours=1)
MAX_FREE_TAGS = 8
NEAREST_TOWN_KM = 30
# Paths under /leaders/ that are pages, not people.
RESERVED_SLUGS = frozenset({"me", "apply", "photos", "search", "map", "new", "edit", "api", "admin"})


class DirectoryError(Exception):
    """A directory rule was broken; the message tells the person what to do."""


class ContactLimitReached(DirectoryError):
    pass


# Looking profiles up ----------------------------------------------------------------------

def profile_by_slug(slug: str) -> LeaderProfile | None:
    return db.session.scalar(select(LeaderProfile).where(LeaderProfile.slug == slug))


def profile_of(user) -> LeaderProfile | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(LeaderProfile).where(LeaderProfile.user_id == user.id))


def profile_url_for(user) -> str | None:
    """The public profile page of a user (for bylines), or None if they have no public profile."""
    profile = profile_of(user) if user is not None else None
    if profile is None or not profile.is_public:
        return None
    return url_for("directory.profile", slug=profile.slug)


def public_slugs(limit: int = 50000) -> list[tuple[str, object]]:
    """(slug, updated_at) of the profiles anyone may see, for the sitemap."""
    return list(db.session.execute(
        select(LeaderProfile.slug, LeaderProfile.updated_at)
        .where(LeaderProfile.is_public)
        .order_by(LeaderProfile.id).limit(limit)).all())


def public_place(profile: LeaderProfile) -> str:
    """City, region, country: what anyone may read about where a leader is ("Nairobi, Kenya",
    not "Nairobi, Nairobi, Kenya" where the region bears the city's name)."""
    parts = [part for part in (profile.city, profile.region, profile.country) if part]
    return ", ".join(dict.fromkeys(parts))


def featured_quotes(limit: int = 6) -> list[LeaderProfile]:
    """Quotes the admins chose for the home page, from profiles anyone may see."""
    return list(db.session.scalars(
        select(LeaderProfile)
        .where(LeaderProfile.featured_quote.is_(True), LeaderProfile.quote != "", LeaderProfile.is_public)
        .order_by(LeaderProfile.updated_at.desc(), LeaderProfile.id)
        .options(selectinload(LeaderProfile.programs))  # each quote names a program
        .limit(limit)))


def main_program(profile: LeaderProfile) -> Program | None:
    """The program to name beside a quote: a verified one first."""
    items = sorted(profile.programs, key=lambda item: (not item.verified, item.program.name))
    return items[0].program if items else None


# Creating and changing profiles -----------------------------------------------------------

def unique_slug(name: str, exclude_id: int | None = None) -> str:
    base = slugify(name, max_length=80)
    base = "leader" if base == "post" else base
    slug, number = base, 1
    while True:
        clash = select(LeaderProfile.id).where(LeaderProfile.slug == slug)
        if exclude_id is not None:
            clash = clash.where(LeaderProfile.id != exclude_id)
        if slug not in RESERVED_SLUGS and db.session.scalar(clash) is None:
            return slug
        number += 1
        slug = f"{base}-{number}"


def create_profile(user: User, display_name: str | None = None) -> LeaderProfile:
    """Start the user's profile; a second start (a double click, another tab) gets the same one."""
    name = (display_name or user.display_name).strip()
    for _ in range(5):
        existing = profile_of(user)
        if existing is not None:
            return existing
        profile = LeaderProfile(user_id=user.id, display_name=name, slug=unique_slug(name),
                                precision=Precision.CITY, listed=True, searchable=bool(user.active))
        if insert_unique(profile):
            return profile
        # Someone took that slug (or this user's profile was made) a moment ago: look again.
    raise DirectoryError("We could not start your profile just now. Try again.")


def is_outdated(profile: LeaderProfile, version: str | None) -> bool:
    """True when the form was opened on an older version of the profile than the one saved."""
    return bool(version) and str(version) != str(profile.version)


def update_profile(profile: LeaderProfile, *, display_name: str, headline: str, bio: str,
                   quote: str, languages: str, website: str, links: str, works_online: bool,
                   contact_enabled: bool, focus_area_ids: list[int], free_tags: str,
                   program_ids: list[int]) -> None:
    if profile.quote != quote.strip():
        profile.featured_quote = False  # admins chose the old words, not the new ones
    profile.display_name = display_name.strip()
    profile.headline = headline.strip()
    profile.bio = bio.strip()
    profile.quote = quote.strip()
    profile.languages = ", ".join(split_list(languages))
    profile.website = website.strip()
    profile.links = "\n".join(line.strip() for line in links.splitlines() if line.strip())
    profile.works_online = works_online
    profile.contact_enabled = contact_enabled
    profile.updated_at = utcnow()  # always an UPDATE, so the version moves and is checked
    set_focus_areas(profile, focus_area_ids, free_tags)
    set_programs(profile, program_ids)


def split_list(text: str) -> list[str]:
    """Comma-separated words, trimmed, without empties or repeats (first spelling wins)."""
    seen, items = set(), []
    for item in (text or "").split(","):
        item = " ".join(item.split())
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    return items


def official_focus_areas() -> list[FocusArea]:
    return list(db.session.scalars(select(FocusArea).where(FocusArea.official.is_(True))
                                   .order_by(FocusArea.name)))


def all_programs() -> list[Program]:
    return list(db.session.scalars(select(Program).order_by(Program.name)))


def set_focus_areas(profile: LeaderProfile, official_ids: list[int], free_tags: str) -> None:
    """Official areas by id plus free tags by name; a free tag reuses an area with its slug."""
    areas = list(db.session.scalars(select(FocusArea).where(
        FocusArea.id.in_(official_ids), FocusArea.official.is_(True)))) if official_ids else []
    names = split_list(free_tags)
    if len(names) > MAX_FREE_TAGS:
        raise DirectoryError(f"Add at most {MAX_FREE_TAGS} of your own focus areas.")
    for name in names:
        area = focus_area_named(name)
        if area not in areas:
            areas.append(area)
    profile.focus_areas = areas


def focus_area_named(name: str, official: bool = False) -> FocusArea:
    name = " ".join(name.split())[:60]
    slug = slugify(name, max_length=60)
    return get_or_create(FocusArea, lambda: FocusArea(name=name, slug=slug, official=official),
                         slug=slug)


def set_programs(profile: LeaderProfile, program_ids: list[int]) -> None:
    """The programs a leader says they completed; ones kept keep their verified badge."""
    wanted = set(program_ids)
    known = set(db.session.scalars(select(Program.id).where(Program.id.in_(wanted)))) if wanted else set()
    profile.programs = [item for item in profile.programs if item.program_id in known]
    have = {item.program_id for item in profile.programs}
    for program_id in sorted(known - have):
        profile.programs.append(ProfileProgram(program_id=program_id))


def set_listed(profile: LeaderProfile, listed: bool) -> None:
    profile.listed = listed
    profile.searchable = profile.is_public


def delete_profile(profile: LeaderProfile) -> None:
    """Remove the profile and its photo; the account (and its leader role) stays."""
    photos.delete_photo(profile.photo)
    db.session.delete(profile)
    db.session.flush()


# Photos -----------------------------------------------------------------------------------

def replace_photo(profile: LeaderProfile, stream) -> None:
    """Store the new photo (raises photos.PhotoError), then drop the old files."""
    old = profile.photo
    profile.photo = photos.save_photo(stream)
    photos.delete_photo(old)


def remove_photo(profile: LeaderProfile) -> None:
    photos.delete_photo(profile.photo)
    profile.photo = None


# Location ---------------------------------------------------------------------------------

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


# Contacting a leader ----------------------------------------------------------------------

def messages_sent_recently(sender: User) -> int:
    since = utcnow() - CONTACT_WINDOW
    return db.session.scalar(select(func.count()).select_from(ContactMessage).where(
        ContactMessage.sender_id == sender.id, ContactMessage.created_at > since))


def contact_limit() -> int:
    return int(current_app.config.get("CONTACT_RATE_LIMIT", CONTACT_LIMIT))


def send_message(sender: User, profile: LeaderProfile, message: str) -> None:
    """Queue the message to the leader with reply-to set to the sender; the leader's address stays hidden."""
    lock_row(User, sender.id)  # count and insert as one step, so parallel sends can't overshoot
    if messages_sent_recently(sender) >= contact_limit():
        raise ContactLimitReached(
            f"You have sent {contact_limit()} messages in the last hour. Wait an hour, then try again.")
    db.session.add(ContactMessage(sender_id=sender.id, profile_id=profile.id))
    mail.queue(profile.user.email, f"{sender.display_name} sent you a message on "
               f"{current_app.config['SITE_NAME']}", "leader_contact",
               reply_to=sender.email, kind="contact", sender=sender, profile=profile,
               message=message.strip(),
               settings_link=site_url("directory.edit_profile", slug=profile.slug))


# Becoming a leader ------------------------------------------------------------------------

def pending_application(user: User) -> LeaderApplication | None:
    return db.session.scalar(select(LeaderApplication).where(
        LeaderApplication.user_id == user.id, LeaderApplication.status == ApplicationStatus.PENDING))


def apply_to_lead(user: User, motivation: str) -> LeaderApplication:
    if user.role != Role.MEMBER:
        raise DirectoryError("Your account can already keep a leader profile.")
    lock_row(User, user.id)  # a double submit makes one application, not two
    if pending_application(user) is not None:
        raise DirectoryError("You have already applied. You will get an email when an "
                             "administrator decides.")
    application = LeaderApplication(user_id=user.id, motivation=motivation.strip())
    db.session.add(application)
    db.session.flush()
    return application


def applications(status: ApplicationStatus = ApplicationStatus.PENDING) -> list[LeaderApplication]:
    return list(db.session.scalars(select(LeaderApplication)
                                   .where(LeaderApplication.status == status)
                                   .order_by(LeaderApplication.created_at, LeaderApplication.id)))


def _decide(admin: User, application: LeaderApplication, status: ApplicationStatus) -> None:
    lock_row(LeaderApplication, application.id)  # two admins deciding at once: one decision
    db.session.refresh(application)
    if application.status != ApplicationStatus.PENDING:
        raise DirectoryError("This application was already decided.")
    application.status = status
    application.decided_by_id = admin.id
    application.decided_at = utcnow()


def approve_application(admin: User, application: LeaderApplication) -> None:
    """Make the applicant a leader (members only: no one is demoted by an approval)."""
    _decide(admin, application, ApplicationStatus.APPROVED)
    user = application.user
    if user.role == Role.MEMBER:
        user.role = Role.LEADER
    mail.queue(user.email, "You are now a leader on " + current_app.config["SITE_NAME"],
               "leader_application_approved", kind="application", user=user,
               link=site_url("directory.my_profile"))


def decline_application(admin: User, application: LeaderApplication, reason: str = "") -> None:
    """Decline, keeping the administrator's reason, which the applicant receives by email."""
    _decide(admin, application, ApplicationStatus.DECLINED)
    application.decline_reason = (reason or "").strip()
    user = application.user
    mail.queue(user.email, "About your application to become a leader",
               "leader_application_declined", kind="application", user=user,
               reason=application.decline_reason, link=site_url("directory.apply"))


# Admin lists ------------------------------------------------------------------------------

def add_focus_area(name: str) -> FocusArea:
    area = focus_area_named(name, official=True)
    area.official = True
    return area


def rename_focus_area(area: FocusArea, name: str) -> None:
    name = " ".join(name.split())[:60]
    slug = slugify(name, max_length=60)
    clash = db.session.scalar(select(FocusArea).where(FocusArea.slug == slug, FocusArea.id != area.id))
    if clash is not None:
        raise DirectoryError(f"There is already a focus area called “{clash.name}”.")
    area.name, area.slug = name, slug


def add_program(name: str, description: str = "") -> Program:
    name = " ".join(name.split())[:100]
    slug = slugify(name, max_length=100)
    if db.session.scalar(select(Program).where((Program.slug == slug) | (Program.name == name))):
        raise DirectoryError(f"There is already a program called “{name}”.")
    program = Program(name=name, slug=slug, description=description.strip())
    if not insert_unique(program):  # another admin added it a moment ago
        raise DirectoryError(f"There is already a program called “{name}”.")
    return program


def rename_program(program: Program, name: str) -> None:
    name = " ".join(name.split())[:100]
    slug = slugify(name, max_length=100)
    clash = db.session.scalar(select(Program).where((Program.slug == slug) | (Program.name == name),
                                                    Program.id != program.id))
    if clash is not None:
        raise DirectoryError(f"There is already a program called “{clash.name}”.")
    program.name, program.slug = name, slug


def set_program_verified(item: ProfileProgram, verified: bool) -> None:
    item.verified = verified
    item.verified_at = utcnow() if verified else None


def unverified_programs() -> list[tuple[LeaderProfile, ProfileProgram]]:
    """(profile, program claim) pairs waiting for an admin to verify them."""
    return list(db.session.execute(
        select(LeaderProfile, ProfileProgram)
        .join(ProfileProgram, ProfileProgram.profile_id == LeaderProfile.id)
        .where(ProfileProgram.verified.is_(False))
        .order_by(LeaderProfile.display_name, LeaderProfile.id)).all())


def profiles_with_quotes() -> list[LeaderProfile]:
    return list(db.session.scalars(select(LeaderProfile).where(LeaderProfile.quote != "")
                                   .order_by(LeaderProfile.featured_quote.desc(),
                                             LeaderProfile.display_name)))


# The directory in the feature list (app/features.py) ----------------------------------------

def export_data(user: User) -> dict:
    """The person's part of "download my data": their profile, as they entered it."""
    profile = profile_of(user)
    if profile is None:
        return {"leader_profile": None}
    return {"leader_profile": {
        "slug": profile.slug,
        "display_name": profile.display_name,
        "headline": profile.headline,
        "bio": profile.bio,
        "quote": profile.quote,
        "languages": profile.languages,
        "website": profile.website,
        "links": profile.links.splitlines(),
        "works_online": profile.works_online,
        "listed": profile.listed,
        "contact_enabled": profile.contact_enabled,
        "focus_areas": [area.name for area in profile.focus_areas],
        "programs": [{"name": item.program.name, "verified": item.verified}
                     for item in profile.programs],
        "location": {
            "place_as_typed": profile.place_name, "city": profile.city, "region": profile.region,
            "country": profile.country, "lat": profile.lat, "lng": profile.lng,
            "precision": profile.precision.value, "public_lat": profile.public_lat,
            "public_lng": profile.public_lng,
        },
        "has_photo": bool(profile.photo),
    }}


def forget_user(user: User) -> None:
    """Before the account goes: the profile and its photo files (once the deletion commits),
    applications to lead and the contact messages the person sent."""
    profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.user_id == user.id))
    if profile is not None:
        delete_profile(profile)
    db.session.execute(delete(LeaderApplication).where(LeaderApplication.user_id == user.id))
    db.session.execute(delete(ContactMessage).where(ContactMessage.sender_id == user.id))


def sitemap_entries():
    """(address, last change) of every profile anyone may see."""
    for slug, updated_at in public_slugs(limit=50000):
        yield site_url("directory.profile", slug=slug), updated_at
