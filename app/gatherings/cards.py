"""A gathering's card, the same wherever a gathering appears: /gatherings, the archive, the home
page, a host's profile, an alert. Public facts only: never the meeting link.

Drawn here in Python rather than by a Jinja macro: a page of /gatherings draws 20 of them, and
a macro took some 0.25 ms a card (its context, its calls, Markup escaping each value), the most
of a page drawn for a new search; this takes a tenth of that. Templates call it through
templates/gatherings/_card.html's `gathering_card` macro, which only passes its arguments on.
Every value that comes from a person is escaped; the addresses are made from a prefix url_for
built once per request (see _links)."""
from __future__ import annotations

from flask import g
from markupsafe import Markup, escape

from app.gatherings import times
from app.gatherings.display import viewer_zone, when
from app.models.base import utcnow
from app.models.gatherings import State
from app.urls import PLACEHOLDER, address_around

def _links() -> tuple[tuple[str, str], tuple[str, str]]:
    """(before, after) the gathering's id in its page's address, and the slug in a profile's."""
    links = g.get("gathering_card_links")
    if links is None:
        links = g.gathering_card_links = (address_around("gatherings.show", gathering_id=PLACEHOLDER),
                                          address_around("directory.profile", slug=str(PLACEHOLDER)))
    return links


def town(gathering) -> str:
    """The venue's town: the first part of the place the geocoder named ("Lyon, France" -> "Lyon")."""
    if not gathering.mode.in_person:
        return ""
    return (gathering.place_name or gathering.address or "").split(",")[0].strip()


def date_block(gathering, zone: str | None = None) -> Markup:
    """The card's date block (weekday, day, month) in the viewer's zone (or `zone`), else the gathering's."""
    local = times.to_local(gathering.starts_at, zone or viewer_zone() or gathering.time_zone)
    return Markup(f'<span class="gathering-date__weekday">{local:%a}</span>'
                  f'<span class="gathering-date__day">{local.day}</span>'
                  f'<span class="gathering-date__month">{local:%b}</span>')


def started(gathering) -> bool:
    """Under way: started and not over (the card says "Happening now")."""
    return gathering.starts_at <= utcnow() < gathering.ends_at


def card_html(gathering, distance_label: str | None = None, number: int | None = None,
              host_slugs: dict | None = None, level: int = 3, compact: bool = False,
              hide_host_id: int | None = None) -> Markup:
    """The card's HTML. distance_label: "about 10 km", near a place; number: the card's number in
    the list, the same as its marker on the map; host_slugs: {host id: public profile slug}, so
    the host's name links to their profile (without one it is not a link); level: the heading
    level of the title; compact: no focus areas (the home page and profiles); hide_host_id: no
    "Hosted by" when this person hosts it (on their own profile)."""
    show, profile = _links()
    zone = viewer_zone()
    mode = gathering.mode
    cancelled = gathering.state == State.CANCELLED
    past = gathering.is_past
    where = ", ".join(part for part in (gathering.venue_name, town(gathering)) if part)
    classes = "gathering-card"
    if compact:
        classes += " gathering-card--compact"
    if cancelled:
        classes += " gathering-card--cancelled"
    out = [f'<article class="{classes}"']
    if number:
        out.append(f' data-number="{int(number)}">\n  <span class="gathering-card__number" aria-hidden="true">'
                   f'{int(number)}</span>\n')
    else:
        out.append(">\n")
    out.append(f'  <p class="gathering-date" aria-hidden="true">{date_block(gathering, zone)}</p>\n')
    level = int(level)
    out.append(f'  <div class="gathering-card__body">\n'
               f'    <h{level} class="gathering-card__title"><a href="{show[0]}{int(gathering.id)}{show[1]}">'
               f'{escape(gathering.title)}</a></h{level}>\n'
               f'    <p class="gathering-card__when">{when(gathering, zone=zone)}</p>\n'
               f'    <ul class="gathering-card__kind" aria-label="How it takes place">')
    if cancelled:
        out.append('<li class="tag tag--bad">Cancelled</li>')
    elif not past and started(gathering):
        out.append('<li class="tag tag--warn">Happening now</li>')
    if mode.online:
        out.append('<li class="tag tag--info">Online</li>')
    if mode.in_person:
        out.append('<li class="tag tag--ok">In person</li>')
    if gathering.language:
        out.append(f'<li class="tag">{escape(gathering.language)}</li>')
    out.append("</ul>\n")
    if mode.in_person and (where or distance_label):
        out.append('    <p class="gathering-card__where">')
        if where:
            out.append(f'<span class="gathering-card__venue">{escape(where)}</span>')
        if distance_label:
            out.append(f'<span class="gathering-card__distance">{" · " if where else ""}{escape(distance_label)}'
                       '<span class="visually-hidden"> away</span></span>')
        out.append("</p>\n")
    if gathering.host_id != hide_host_id:
        name = escape(gathering.host.display_name)
        slug = (host_slugs or {}).get(gathering.host_id)
        host = f'<a href="{profile[0]}{escape(slug)}{profile[1]}">{name}</a>' if slug else name
        out.append(f'    <p class="gathering-card__host">Hosted by {host}</p>\n')
    if not cancelled:
        going = int(gathering.going_count or 0)
        if past:
            line = f"{going} went"
        else:
            line = f"{going} going"
            left = gathering.places_left
            if gathering.is_full:
                line += ' · <strong class="gathering-card__full">Full — waitlist</strong>'
            elif left is not None:
                line += f" · {int(left)} {'place' if left == 1 else 'places'} left"
        out.append(f'    <p class="gathering-card__going">{line}</p>\n')
    if not compact and gathering.focus_areas:
        tags = "".join(f'<li class="tag">{escape(area.name)}</li>' for area in gathering.focus_areas[:3])
        out.append(f'    <ul class="gathering-card__tags" aria-label="Focus areas">{tags}</ul>\n')
    out.append("  </div>\n</article>")
    return Markup("".join(out))
