"""A leader's card, the same wherever a leader appears: search results, the home page, blog
bylines, author pages, alerts. Shows only public fields: never the exact point, never the email.

Drawn here in Python rather than by a Jinja macro (as gatherings.cards and forum.drawing are): a
page of /leaders draws 20 of them and the macro took some 0.2 ms a card, the most of the page
after the search itself. Templates call it through templates/directory/_leader_card.html's
`leader_card` macro, which only passes its arguments on. Every value that comes from a person is
escaped; the profile addresses are joined to a prefix url_for built once per request."""
from __future__ import annotations

from typing import NamedTuple

from flask import g
from flask_login import current_user
from markupsafe import Markup, escape

from app import permissions
from app.models.directory import Precision
from app.urls import PLACEHOLDER, address_around, fill


class _Links(NamedTuple):
    """Addresses split around their one value (app.urls.address_around), built once a request."""
    profile: tuple[str, str]
    contact: tuple[str, str]
    photo: tuple[str, str]


def _links() -> _Links:
    links = g.get("leader_card_links")
    if links is None:
        links = g.leader_card_links = _Links(
            *(address_around(endpoint, **{name: str(PLACEHOLDER)}) for endpoint, name in
              (("directory.profile", "slug"), ("directory.contact", "slug"), ("directory.photo", "name"))))
    return links


def _results_link(results_query: str) -> tuple[str, str]:
    """A profile's address with "Back to results" for this search, around its slug."""
    kept = g.setdefault("leader_card_results", {})
    if results_query not in kept:
        kept[results_query] = address_around("directory.profile", slug=str(PLACEHOLDER),
                                             results=results_query)
    return kept[results_query]


def _unique(values) -> list[str]:
    """The non-empty values, each once, compared without case (as Jinja's `unique` filter)."""
    seen, kept = set(), []
    for value in values:
        if value and value.lower() not in seen:
            seen.add(value.lower())
            kept.append(value)
    return kept


def initials(name: str) -> str:
    """Up to two letters for a leader without a photo: the first and last word's first letters."""
    words = [word for word in (name or "").split() if word[:1].isalpha()]
    letters = (words[0][0] + (words[-1][0] if len(words) > 1 else "")) if words else "?"
    return letters.upper()


def leader_card_html(profile, distance_label: str | None = None, number: int | None = None,
                     results_query: str | None = None, compact: bool = False,
                     level: int | None = 3) -> Markup:
    """The card of a leader: a LeaderProfile (its focus areas, programs and user loaded up front)
    or the search's CardProfile, which have the same fields.

    distance_label: "about 10 km", on search results; number: the card's number in the results,
    the same as its marker on the map; results_query: the search's own query string, so the
    profile can offer "Back to results"; compact: photo, name, headline and place only (bylines,
    quotes): no tags, languages or Message; level: the heading level of the name (None: a
    paragraph, for bylines)."""
    links = _links()
    name = escape(profile.display_name)
    link = fill(_results_link(results_query) if results_query else links.profile, profile.slug)
    classes = "leader-card leader-card--compact" if compact else "leader-card"
    if number:
        parts = [f'<article class="{classes}" data-number="{number}">'
                 f'<span class="leader-card__number" aria-hidden="true">{number}</span>']
    else:
        parts = [f'<article class="{classes}">']
    if profile.photo:
        size = 48 if compact else 80
        src = escape(fill(links.photo, profile.photo + "-160.jpg"))
        parts.append(f'<img class="leader-card__photo" src="{src}" alt="" width="{size}" '
                     f'height="{size}" loading="lazy">')
    else:
        parts.append('<span class="leader-card__photo leader-card__initials" aria-hidden="true">'
                     f'{escape(initials(profile.display_name))}</span>')
    parts.append('<div class="leader-card__body">')
    anchor = f'<a href="{escape(link)}">{name}</a>'
    if level:
        parts.append(f'<h{level} class="leader-card__name">{anchor}</h{level}>')
    else:
        parts.append(f'<p class="leader-card__name">{anchor}</p>')
    if profile.headline:
        parts.append(f'<p class="leader-card__headline">{escape(profile.headline)}</p>')
    place = ", ".join(_unique([profile.city, profile.region, profile.country]))
    if place or distance_label:
        parts.append('<p class="leader-card__where">')
        if place:
            parts.append(f'<span class="leader-card__city">{escape(place)}</span>')
        if distance_label:
            parts.append(f'<span class="leader-card__distance">{" · " if place else ""}'
                         f'{escape(distance_label)}<span class="visually-hidden"> away</span></span>')
        parts.append("</p>")
    if not compact:
        parts.append(_full_parts(profile, name, distance_label))
    parts.append("</div></article>")
    return Markup("".join(parts))


def _full_parts(profile, name: Markup, distance_label: str | None) -> str:
    """What a full card adds to a compact one: the area note, tags, languages and Message."""
    parts = []
    if profile.precision == Precision.CITY and profile.public_lat is not None:
        where = "distance is to its centre" if distance_label else "the map shows its centre"
        parts.append('<details class="leader-card__area"><summary>Area shown<span class="visually-hidden">'
                     f": what this means</span></summary><p>This leader shares only their area; {where}.</p>"
                     "</details>")
    verified = profile.verified_program_names
    areas = profile.focus_area_names[:3]
    if profile.works_online or verified or areas:
        parts.append(f'<ul class="leader-card__tags" aria-label="About {name}">')
        if profile.works_online:
            parts.append('<li class="tag tag--info">Online</li>')
        for program in verified:
            parts.append(f'<li class="tag tag--ok"><span aria-hidden="true">✓</span> '
                         f'{escape(program)}<span class="visually-hidden"> (verified)</span></li>')
        for area in areas:
            parts.append(f'<li class="tag">{escape(area)}</li>')
        parts.append("</ul>")
    languages = _unique(part.strip() for part in (profile.languages or "").split(","))
    if languages:
        parts.append('<p class="leader-card__languages"><span class="leader-card__label">Speaks</span> '
                     f'{escape(", ".join(languages))}</p>')
    if permissions.can_offer_contact(current_user, profile):
        contact = escape(fill(_links().contact, profile.slug))
        parts.append('<p class="leader-card__actions"><a class="button button--secondary button--small" '
                     f'href="{contact}">Message<span class="visually-hidden"> {name}</span></a></p>')
    return "".join(parts)
