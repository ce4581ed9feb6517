"""What admins look after in the forum: its categories, their stewards and new versions of the
community guidelines. Views commit."""
from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from app import permissions
from app.database import insert_unique
from app.extensions import db
from app.forum import members
from app.models.accounts import User
from app.models.forum import ForumCategory, ForumSteward, Guidelines
from app.text.markdown import slugify

NAME_MAX, SLUG_MAX, DESCRIPTION_MAX = 80, 80, 500
POSITION_MAX = 10_000
# The forum's own pages sit beside the categories at /forum/<name> (and any page added later
# is found in the URL map: _is_forum_page).
RESERVED_SLUGS = frozenset({"search", "moderation", "threads", "guidelines", "categories",
                            "people", "posts", "members", "new", "feed.atom"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
INTRO_MAX, ITEM_TITLE_MAX, ITEM_TEXT_MAX, ITEMS_MAX = 5000, 120, 2000, 50


class Problems(Exception):
    """What is wrong with what was typed, by field name, for the form to show."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


# Categories ------------------------------------------------------------------------------

def categories() -> list[ForumCategory]:
    """The categories admins manage (a private one belongs to its feature: app/partnerships)."""
    return list(db.session.scalars(select(ForumCategory).options(selectinload(ForumCategory.stewards))
                                   .where(ForumCategory.private.is_(False))
                                   .order_by(ForumCategory.position, ForumCategory.name)))


def _slug_problem(slug: str, category: ForumCategory | None) -> str | None:
    if slug in RESERVED_SLUGS:
        return f"“{slug}” is the address of one of the forum's own pages; choose another."
    if not SLUG.match(slug) or len(slug) > SLUG_MAX:
        return (f"Use lowercase letters, digits and single hyphens for the address, at most "
                f"{SLUG_MAX} characters, like community-care.")
    if _is_forum_page(slug):
        return f"“{slug}” is the address of one of the forum's own pages; choose another."
    taken = db.session.scalar(select(ForumCategory.id).where(ForumCategory.slug == slug))
    if taken is not None and (category is None or taken != category.id):
        return f"Another category already has the address “{slug}”; choose another."
    return None


def _is_forum_page(slug: str) -> bool:
    """/forum/<slug> answers with another of the forum's pages (settings, bookmarks, ...)."""
    adapter = current_app.url_map.bind(current_app.config.get("SERVER_NAME") or "localhost")
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(f"/forum/{slug}", method=method)
        except HTTPException:  # no page, another method, or a redirect to one
            continue
        if endpoint != "forum.category":
            return True
    return False


def _checked(name: str, slug: str, description: str, position: int | None,
             category: ForumCategory | None) -> dict:
    name = " ".join((name or "").split())
    slug = (slug or "").strip().lower() or slugify(name, SLUG_MAX)
    description = (description or "").strip()
    problems = {}
    if not name or len(name) > NAME_MAX:
        problems["name"] = f"Enter the category's name, at most {NAME_MAX} characters."
    if (slug_problem := _slug_problem(slug, category)) is not None:
        problems["slug"] = slug_problem
    if len(description) > DESCRIPTION_MAX:
        problems["description"] = f"Keep the description to {DESCRIPTION_MAX} characters."
    if position is None or not 0 <= position <= POSITION_MAX:
        problems["position"] = f"Enter a position from 0 to {POSITION_MAX:,}: lower comes first."
    if problems:
        raise Problems(problems)
    return {"name": name, "slug": slug, "description": description, "position": position}


def create_category(name: str, slug: str, description: str, position: int | None,
                    members_only: bool) -> ForumCategory:
    category = ForumCategory(**_checked(name, slug, description, position, None),
                             members_only=bool(members_only))
    if not insert_unique(category):  # the same address taken a moment ago
        raise Problems({"slug": "Another category already has this address; choose another."})
    return category


def update_category(category: ForumCategory, name: str, slug: str, description: str,
                    position: int | None, members_only: bool) -> None:
    for key, value in _checked(name, slug, description, position, category).items():
        setattr(category, key, value)
    category.members_only = bool(members_only)


# Stewards --------------------------------------------------------------------------------

def add_steward(category: ForumCategory, email: str) -> User:
    """The person with this email (an active account) becomes a steward of the category."""
    email = (email or "").strip().lower()
    person = db.session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    if person is None or not person.active:
        raise Problems({"email": "No active account has this email address. Check it, or ask "
                                 "the person to join first."})
    if any(steward.id == person.id for steward in category.stewards):
        raise Problems({"email": f"{person.display_name} is already a steward of this category."})
    insert_unique(ForumSteward(category_id=category.id, user_id=person.id))
    _forget_stewards(category)
    return person


def remove_steward(category: ForumCategory, person: User) -> bool:
    """False when they were not a steward of it (removed meanwhile, perhaps)."""
    row = db.session.get(ForumSteward, (category.id, person.id))
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    _forget_stewards(category)
    return True


def _forget_stewards(category: ForumCategory) -> None:
    db.session.expire(category, ["stewards"])
    permissions.forget_stewards(category)


# The community guidelines ----------------------------------------------------------------

def publish_guidelines(intro: str, entries: list[dict], by: User) -> Guidelines:
    """A new version from the edit form: rows without a title or text are dropped; a row with
    text needs a title. Everyone is asked to accept it before their next message."""
    intro = (intro or "").strip()
    problems = {}
    if len(intro) > INTRO_MAX:
        problems["intro"] = f"Keep the introduction to {INTRO_MAX:,} characters."
    kept = []
    for row, entry in enumerate(entries):
        title, text = (entry.get("title") or "").strip(), (entry.get("text") or "").strip()
        if not title and not text:
            continue
        if not title or len(title) > ITEM_TITLE_MAX or len(text) > ITEM_TEXT_MAX:
            problems[f"items-{row}"] = (
                f"Give item {len(kept) + 1} a title of at most {ITEM_TITLE_MAX} characters and a "
                f"text of at most {ITEM_TEXT_MAX:,} (or clear both to drop it).")
        kept.append({"title": title, "text": text})
    if not kept:
        problems["items"] = "Write at least one item of the guidelines."
    elif len(kept) > ITEMS_MAX:
        problems["items"] = f"Keep the guidelines to {ITEMS_MAX} items."
    if problems:
        raise Problems(problems)
    return members.publish_guidelines(intro, kept, by)
