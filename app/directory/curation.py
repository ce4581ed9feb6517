"""What administrators look after in the directory: the focus-area and program lists, verified
program badges and the quotes featured on the home page. Who may: permissions.can_manage_directory
(the admin views check it once, for all of them)."""
from sqlalchemy import select

from app.database import insert_unique
from app.directory.services import DirectoryError, focus_area_named
from app.extensions import db
from app.models.base import utcnow
from app.models.directory import FocusArea, LeaderProfile, ProfileProgram, Program
from app.text.markdown import slugify

FOCUS_AREA_NAME_MAX = 60
PROGRAM_NAME_MAX = 100


# Focus areas and programs -----------------------------------------------------------------
# Both lists have the same four steps; a focus area has no description (it is ignored).

def list_items(model: type[FocusArea] | type[Program]) -> list:
    """Official focus areas first, then the leaders' own tags; programs by name."""
    order = (FocusArea.official.desc(), FocusArea.name) if model is FocusArea else (Program.name,)
    return list(db.session.scalars(select(model).order_by(*order)))


def add_focus_area(name: str, description: str = "") -> FocusArea:
    area = focus_area_named(name, official=True)
    area.official = True  # an admin adding a leader's own tag makes it official
    return area


def rename_focus_area(area: FocusArea, name: str, description: str = "") -> None:
    name = " ".join(name.split())[:FOCUS_AREA_NAME_MAX]
    slug = slugify(name, max_length=FOCUS_AREA_NAME_MAX)
    clash = db.session.scalar(select(FocusArea).where(FocusArea.slug == slug, FocusArea.id != area.id))
    if clash is not None:
        raise DirectoryError(f"There is already a focus area called “{clash.name}”.")
    area.name, area.slug = name, slug
    area.official = True  # an admin naming a leader's own tag makes it official


def add_program(name: str, description: str = "") -> Program:
    name = " ".join(name.split())[:PROGRAM_NAME_MAX]
    slug = slugify(name, max_length=PROGRAM_NAME_MAX)
    if db.session.scalar(select(Program).where((Program.slug == slug) | (Program.name == name))):
        raise DirectoryError(f"There is already a program called “{name}”.")
    program = Program(name=name, slug=slug, description=description.strip())
    if not insert_unique(program):  # another admin added it a moment ago
        raise DirectoryError(f"There is already a program called “{name}”.")
    return program


def rename_program(program: Program, name: str, description: str = "") -> None:
    name = " ".join(name.split())[:PROGRAM_NAME_MAX]
    slug = slugify(name, max_length=PROGRAM_NAME_MAX)
    clash = db.session.scalar(select(Program).where((Program.slug == slug) | (Program.name == name),
                                                    Program.id != program.id))
    if clash is not None:
        raise DirectoryError(f"There is already a program called “{clash.name}”.")
    program.name, program.slug = name, slug
    program.description = (description or "").strip()


def remove_item(item: FocusArea | Program) -> None:
    """Remove a focus area or program; every profile loses it (the link rows cascade)."""
    db.session.delete(item)
    db.session.flush()


# Verified programs and featured quotes ----------------------------------------------------

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


def feature_quote(profile: LeaderProfile, featured: bool) -> None:
    """Show the profile's quote on the home page, or stop; a profile without a quote has none to
    show (and a new quote stops being featured: services.update_profile)."""
    profile.featured_quote = featured and bool(profile.quote)
