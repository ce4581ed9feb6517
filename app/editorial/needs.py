"""What a proposal may hold and what it must have before the editors read it: one table, which
the service keeps to (services.py), the form shows (forms.py) and the submit guard names
(steps.py). Pure: no Flask, no database."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.text.markdown import slugify

MAX_TAGS = 5
SUMMARY_MAX_WORDS = 300
TAG_MAX_CHARS = 30
# What a proposal may hold: the form shows these limits (forms.py), the service keeps to them.
MAX_CHARS = {"title": 150, "why_it_matters": 3000, "body": 60000, "excerpt": 400, "cover_alt": 300}


@dataclass(frozen=True)
class Need:
    """Something a proposal must have before the editors read it: the field, how the guard's
    message names it ("Before sending it, add ..."), and what the form says beside the field."""
    field: str
    named: str
    ask: str


NEEDS = {need.field: need for need in (
    Need("title", "a title", "Enter a title for your proposal."),
    Need("summary", "a summary", "Write a short summary of your story."),
    Need("why_it_matters", "why it matters to the network", "Say why this story matters to the network."),
    Need("tags", "at least one tag", "Add at least one tag, like “youth” or “food”."),
    Need("body", "the full post", "Write the full post before sending it."),
    Need("cover_alt", "alt text for the cover image",
         "Describe the cover image for people who cannot see it."),
)}


@dataclass
class ProposalInput:
    title: str
    summary: str = ""
    why_it_matters: str = ""
    tags: list[str] = field(default_factory=list)
    body: str = ""
    excerpt: str = ""
    cover_alt: str = ""


def tags_from_text(text: str) -> list[str]:
    """Comma-separated tags, trimmed, without repeats; too many or too long ones are kept for
    tag_problem to name (the form shows it; nothing is cut off quietly)."""
    names = []
    for raw in (text or "").split(","):
        name = " ".join(raw.split())
        if name and slugify(name, 40) not in {slugify(n, 40) for n in names}:
            names.append(name)
    return names


def tag_problem(names: list[str]) -> str | None:
    if len(names) > MAX_TAGS:
        return f"Choose at most {MAX_TAGS} tags."
    if any(len(name) > TAG_MAX_CHARS for name in names):
        return f"Keep each tag to at most {TAG_MAX_CHARS} characters."
    return None


def missing(data: ProposalInput, *, needs_body: bool, has_cover: bool) -> list[Need]:
    """What this proposal still lacks before it can be sent: the full post once it is a post
    (or once the author started writing it), alt text once it has a cover."""
    return [need for need in NEEDS.values()
            if (need.field != "body" or needs_body) and (need.field != "cover_alt" or has_cover)
            and not (data.tags if need.field == "tags" else getattr(data, need.field).strip())]


class InputTooLong(ValueError):
    """The proposal holds more than the form allows (the form says so first)."""


def check_limits(data: ProposalInput) -> None:
    problem = tag_problem(data.tags) or next(
        (f"The {name.replace('_', ' ')} is longer than {limit} characters."
         for name, limit in MAX_CHARS.items() if len(getattr(data, name).strip()) > limit), None)
    if problem:
        raise InputTooLong(problem)
