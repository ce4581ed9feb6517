"""Leaders who can log in, with profiles set through the services, for the profile tests."""
import io

import pytest
from PIL import Image

from app.extensions import db
from app.geo.privacy import public_point
from app.models.accounts import Role
from app.models.directory import LeaderProfile, Precision
from tests.conftest import shown

# A point in Lyon with digits that would stand out in any page that leaked it.
EXACT_LAT, EXACT_LNG = 45.761237, 4.835671


def leak_strings(lat: float, lng: float) -> list[str]:
    """Ways a page could spell a point: full, rounded to 5, 4 and 3 places, and the raw float."""
    strings = [repr(lat), repr(lng)]
    for places in (5, 4, 3):
        strings += [f"{lat:.{places}f}", f"{lng:.{places}f}"]
    return strings


@pytest.fixture
def make_leader(app, make_user):
    """make_leader(precision="city", lat=..., lng=..., **fields) -> (user, slug): a leader with a profile."""

    def make(*, precision="city", lat=EXACT_LAT, lng=EXACT_LNG, role=Role.LEADER, **fields):
        user = make_user(role=role, name=fields.pop("user_name", None))
        with app.app_context():
            name = fields.pop("display_name", user.display_name)
            fields.setdefault("searchable", fields.get("listed", True))
            profile = LeaderProfile(user_id=user.id, display_name=name,
                                    slug=fields.pop("slug", f"leader-{user.id}"),
                                    precision=Precision(precision), **fields)
            if lat is not None:
                profile.lat, profile.lng = lat, lng
                profile.public_lat, profile.public_lng = public_point(lat, lng, precision)
                profile.city, profile.country = fields.get("city", "Lyon"), fields.get("country", "France")
            db.session.add(profile)
            db.session.commit()
            return user, profile.slug

    return make


def profile_page(client, slug, name, place="Lyon, France", **get) -> str:
    """The profile page as `client` sees it, once it answered 200 with the leader's name and place."""
    expected = [f'<h1 class="profile__name">{name}</h1>'] + ([place] if place else [])
    return shown(client.get(f"/leaders/{slug}", **get), *expected)


def load_profile(app, slug) -> LeaderProfile:
    """The profile as stored now, detached with its lists loaded."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload
    with app.app_context():
        profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.slug == slug).options(
            selectinload(LeaderProfile.focus_areas), selectinload(LeaderProfile.programs)))
        if profile is not None:
            for item in profile.programs:
                item.program  # noqa: B018  (load before detaching)
            db.session.expunge_all()
        return profile


def image_bytes(fmt="JPEG", size=(1200, 900), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 120, 40) if mode == "RGB" else (200, 120, 40, 128)).save(buffer, fmt, **save)
    return buffer.getvalue()


def profile_form(**overrides) -> dict:
    """A complete, valid profile form, overridden per test."""
    data = {"display_name": "Noa Velden", "headline": "Educator", "bio": "", "quote": "",
            "free_tags": "", "languages": "", "website": "", "links": "", "contact_enabled": "y",
            "place": "", "precision": "city"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
