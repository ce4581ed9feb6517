"""Directory rules: profiles, their photos and tags, contact messages, and the directory's part
in the feature list. Where a leader is: location.py; becoming one: applications.py; what admins
look after (lists, badges, quotes): curation.py."""
from datetime import timedelta
from typing import NamedTuple

from flask import current_app, url_for
from sqlalchemy import delete, func, select, true
from sqlalchemy.orm import joinedload

from app import mail, sitemap
from app.database import get_or_create, insert_unique, lock_row
from app.directory import photos
from app.directory.search import CardProfile, card_profiles
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.directory import (ContactMessage, FocusArea, LeaderApplication, LeaderProfile,
                                  Precision, Program, ProfileProgram)
from app.sitemap import SitemapPart
from app.text.markdown import slugify
from app.urls import site_url

CONTACT_LIMIT = 5  # messages per sender per hour, unless CONTACT_RATE_LIMIT says otherwise
CONTACT_WINDOW = timedelta(hours=1)
MAX_FREE_TAGS = 8
# Paths under /leaders/ that are pages, not people.
RESERVED_SLUGS = frozenset({"me", "apply", "photos", "search", "map", "new", "edit", "api", "admin"})


class DirectoryError(Exception):
    """A directory rule was broken; the message tells the person what to do."""


class ContactLimitReached(DirectoryError):
    pass


# Looking profiles up ----------------------------------------------------------------------

def profile_by_slug(slug: str) -> LeaderProfile | None:
    # With its account, which whether anyone may see it depends on: one statement, not two.
    return db.session.scalar(select(LeaderProfile).where(LeaderProfile.slug == slug)
                             .options(joinedload(LeaderProfile.user)))


def profile_of(user) -> LeaderProfile | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(LeaderProfile).where(LeaderProfile.user_id == user.id))


def public_card_of(user) -> CardProfile | None:
    """The leader card of a person's profile when anyone may see it (bylines), else None."""
    if user is None:
        return None
    profile_id = db.session.scalar(select(LeaderProfile.id).where(LeaderProfile.user_id == user.id,
                                                                  LeaderProfile.is_public))
    return card_profiles([profile_id]).get(profile_id) if profile_id is not None else None


def profile_url_for(user) -> str | None:
    """The public profile page of a user (for bylines), or None if they have no public profile."""
    card = public_card_of(user)
    return url_for("directory.profile", slug=card.slug) if card is not None else None


def public_slugs(start: int = 1, stop: int | None = None) -> list[tuple[str, object]]:
    """(slug, updated_at) of the profiles anyone may see with start <= id < stop, for the sitemap.

    The range of ids is read by the primary key alone and `searchable` (LeaderProfile.is_public
    kept as a column, as the search reads it) checked on the rows: given "searchable = 1" the
    databases would rather walk that index, which holds nearly every profile."""
    query = select(LeaderProfile.slug, LeaderProfile.updated_at, LeaderProfile.searchable).where(
        LeaderProfile.id >= start)
    if stop is not None:
        query = query.where(LeaderProfile.id < stop)
    return [(slug, updated_at) for slug, updated_at, searchable
            in db.session.execute(query.order_by(LeaderProfile.id)) if searchable]


def public_place(profile: LeaderProfile) -> str:
    """City, region, country: what anyone may read about where a leader is ("Nairobi, Kenya",
    not "Nairobi, Nairobi, Kenya" where the region bears the city's name)."""
    parts = [part for part in (profile.city, profile.region, profile.country) if part]
    return ", ".join(dict.fromkeys(parts))


class Quote(NamedTuple):
    """A quote on the home page: the leader's card, their words, and the program named beside it."""
    profile: CardProfile
    quote: str
    program: str | None  # a verified one first, then by name


def featured_quotes(limit: int = 6) -> list[Quote]:
    """Quotes the admins chose for the home page, from profiles anyone may see."""
    rows = db.session.execute(
        select(LeaderProfile.id, LeaderProfile.quote)
        # "= true" and this order: ix_leader_profiles_featured read backwards, no sort
        .where(LeaderProfile.featured_quote == true(), LeaderProfile.quote != "", LeaderProfile.is_public)
        .order_by(LeaderProfile.updated_at.desc(), LeaderProfile.id.desc()).limit(limit)).all()
    cards = card_profiles([profile_id for profile_id, _ in rows])
    return [Quote(cards[profile_id], quote, cards[profile_id].main_program)
            for profile_id, quote in rows if profile_id in cards]


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


def sitemap_parts() -> list[SitemapPart]:
    """The profiles anyone may see, in parts of up to 50,000 ids (bounded by the highest id,
    one index lookup, so the sitemap index never counts the directory)."""
    highest = db.session.scalar(select(func.max(LeaderProfile.id)))
    return sitemap.id_ranges("leaders", highest, lambda start, stop: (
        (site_url("directory.profile", slug=slug), updated_at)
        for slug, updated_at in public_slugs(start, stop)))
