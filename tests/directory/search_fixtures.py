"""Leaders placed at known points, for the search, API and privacy tests."""
from itertools import count

import pytest

from app.extensions import db
from app.geo.privacy import public_point
from app.models.accounts import Role, User
from app.models.directory import FocusArea, LeaderProfile, Precision, Program, ProfileProgram

_numbers = count(1)


def add_leader(name: str, lat: float | None = None, lng: float | None = None, *, precision: str = "city",
               city: str = "", region: str = "", country: str = "", headline: str = "", bio: str = "",
               languages: str = "", focus: tuple[str, ...] = (), programs: tuple[str, ...] = (),
               works_online: bool = False, listed: bool = True, active: bool = True) -> LeaderProfile:
    """A leader with a profile, committed; call inside an app context."""
    number = next(_numbers)
    user = User(email=f"leader{number}@example.com", display_name=name, password_hash="x",
                role=Role.LEADER, active=active)
    profile = LeaderProfile(user=user, slug=f"{name.lower().replace(' ', '-')}-{number}", display_name=name,
                            headline=headline, bio=bio, languages=languages, city=city, region=region,
                            country=country, works_online=works_online, listed=listed,
                            searchable=listed and active,
                            precision=Precision(precision))
    if lat is not None:
        profile.lat, profile.lng = lat, lng
        profile.public_lat, profile.public_lng = public_point(lat, lng, precision)
    for tag in focus:
        slug = tag.lower().replace(" ", "-")
        area = db.session.query(FocusArea).filter_by(slug=slug).one_or_none() or FocusArea(
            name=tag, slug=slug, official=True)
        profile.focus_areas.append(area)
    for title in programs:
        slug = title.lower().replace(" ", "-")
        program = db.session.query(Program).filter_by(slug=slug).one_or_none() or Program(name=title, slug=slug)
        profile.programs.append(ProfileProgram(program=program, verified=True))
    db.session.add(profile)
    db.session.commit()
    return profile


@pytest.fixture
def leader(app):
    """leader(name, lat, lng, **details) -> slug of a new leader."""
    def make(*args, **kwargs) -> str:
        with app.app_context():
            return add_leader(*args, **kwargs).slug
    return make
