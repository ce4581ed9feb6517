"""Finding gatherings: /gatherings (upcoming, filters, near a place, a map), /gatherings/past
(the archive) and /api/gatherings (the same as JSON, public fields only); and the pieces the
home page and a host's profile draw (template globals)."""
from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from flask import current_app, g, jsonify, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup

from app import permissions
from app.directory import search as leaders
from app.directory.search_forms import BadInput, parse_page
from app.extensions import limiter
from app.gatherings import finding
from app.gatherings.blueprint import bp
from app.gatherings.cards import card_html, date_block, started, town
from app.gatherings.display import viewer_zone
from app.gatherings.finding_forms import LINK_PARAMS, FindForm, api_query
from app.geo.geocoder import GeocodeError
from app.models.gatherings import Gathering
from app.params import MAX_PAGE, this_page
from app.urls import PLACEHOLDER, fill, site_address_around, site_url
from app.worker_cache import WorkerCache, worker_cache

# The place of the visitor's last search for gatherings (what they typed), for the home page.
LAST_NEAR = "last_near"


def _search_limit() -> str:
    return current_app.config["SEARCH_RATE_LIMIT"]


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _too_many_searches() -> str:
    return (f"Searches from one address are limited to {_search_limit()}. "
            "Wait a minute, then search again.")


@bp.get("/gatherings")
@limiter.limit(_search_limit, error_message=_too_many_searches)  # per client address
def index():
    whole_page = _whole_page()
    key = ("list", _asked(), viewer_zone(), permissions.can_host_gathering(current_user))
    kept = kept_pages().get(key)
    if kept is not None and finding.page_of(kept.query).drawn_as == kept.drawn_as:
        _remember_place(kept.typed)
        return _around(key, kept, "gatherings/index.html", whole_page)

    form = FindForm(request.args)
    form.load_choices()
    # Mistakes are shown on the page itself with a 200, as on /leaders; the API answers 400.
    listing, place, query, found = None, None, None, None
    page, page_error = _page()
    if form.validate() and page_error is None:
        try:
            place = _place(form)
        except GeocodeError as error:
            form.near.errors.append(str(error))
        except leaders.PlaceNotFound as error:
            form.near.errors.append(error.message)
        else:
            query = form.query(place.origin if place else None, page)
            found = finding.page_of(query)
            listing = finding.listing(query, found)
    typed = form.typed_place() if listing is not None and place is not None else ""
    _remember_place(typed)
    unit = form.unit_value
    map_data = _map_data(listing, unit) if listing else None
    title = f"Gatherings near {listing.origin.name}" if listing and listing.origin else "Community gatherings"
    shell = {"title": title, "results": listing is not None, "map": map_data is not None}
    content = _content_block(
        "gatherings/index.html", form=form, listing=listing, place=place if listing else None,
        unit=unit, page_error=page_error, link_params=LINK_PARAMS, search_link=_search_link,
        searched=any(request.args.get(name) for name in LINK_PARAMS if name != "page"),
        map_data=map_data, shell=shell)
    html = render_template("gatherings/index.html", kept_content=content, shell=shell)
    if listing is not None:  # a list, not a page of mistakes
        kept_pages().put(key, KeptPage(found.drawn_as, query, typed, content, shell,
                                       html if whole_page else None))
    return html


def _asked() -> tuple:
    """The search's own parameters as sent: what a kept page is kept by (nothing else in the query
    string changes a page, so a link with more in it finds the same page)."""
    return tuple((name, tuple(request.args.getlist(name))) for name in LINK_PARAMS if name in request.args)


def _whole_page() -> bool:
    """A visitor's page is the same for every visitor: nobody logged in, nothing to flash."""
    return not current_user.is_authenticated and not session.get("_flashes")


def _around(key: tuple, kept: KeptPage, template: str, whole_page: bool) -> str:
    """A kept page: whole for a visitor, else the site's frame drawn around its kept content."""
    if whole_page and kept.page is not None:
        return kept.page
    html = render_template(template, kept_content=kept.content, shell=kept.shell)
    if whole_page:
        kept_pages().put(key, kept._replace(page=html))
    return html


def _content_block(name: str, **context) -> Markup:
    """A template's content block drawn alone, with everything render_template gives a template."""
    template = current_app.jinja_env.get_or_select_template(name)
    current_app.update_template_context(context)
    return Markup("".join(template.blocks["content"](template.new_context(context))))


class KeptPage(NamedTuple):
    drawn_as: tuple  # finding.Page.drawn_as when it was drawn
    query: finding.Query | None  # /gatherings: what it lists, read again for the stamp
    typed: str  # the place typed, remembered for the home page again
    content: Markup | bytes  # the page's content block (the API: its JSON)
    shell: dict  # what the page's other blocks need: its title, whether it has results and a map
    page: str | None  # the whole page as a visitor gets it, once one asked


class KeptSection(NamedTuple):
    drawn_as: tuple  # finding.HomeRows.drawn_as
    html: Markup


class KeptPages:
    """Gatherings as drawn, kept by each worker and served again while they would be drawn the
    same: the caller reads their stamp again (which gatherings, and what their cards show that
    can change: going counts, edits, state) through the list's index and compares it, and what
    is kept is under MAX_AGE seconds old (a renamed host or focus area is seen within it, and "Happening now"
    on one that has just started).

    /gatherings keeps its content block per search, viewer's time zone and whether they may
    host: a member's page draws only the site's frame around it; a visitor's (nobody logged in,
    nothing to flash) is kept whole. The home page's section is kept per zone and place."""

    MAX_AGE = 60
    SIZE = 128  # a page is some 40 kilobytes, kept twice (its content and, for visitors, whole)


def kept_pages() -> WorkerCache:
    """This app's kept pages (KeptPages)."""
    return worker_cache("gatherings_kept_pages", KeptPages.SIZE, KeptPages.MAX_AGE)


def _page() -> tuple[int, str | None]:
    """(?page=, None), or (1, what is wrong with it)."""
    try:
        return parse_page(request.args.get("page")), None
    except ValueError:
        return 1, f"Page numbers go from 1 to {MAX_PAGE:,}."


def _place(form: FindForm) -> leaders.Place | None:
    """Where to measure from: the place typed, else the visitor's own location, else nowhere."""
    typed, point = form.point_or_place()
    if typed:
        form.lat.data = form.lng.data = ""  # the form shown next must not send them again
        return leaders.find_place(typed)
    if point is not None:
        form.near.data = "Your location"
        return leaders.your_location(*point)
    return None


def _remember_place(typed: str) -> None:
    """The place typed (never a visitor's own coordinates), for "near your last search" at home."""
    if typed and session.get(LAST_NEAR) != typed:
        session[LAST_NEAR] = typed


def _search_link(**changes) -> str:
    return this_page(LINK_PARAMS, **changes)


def _map_data(listing: finding.Listing, unit: str) -> dict | None:
    """What map.js draws: the venues of this page's in-person gatherings (public by
    nature), numbered as their cards are."""
    markers = []
    for number, item in enumerate(listing.items, start=listing.first_number):
        gathering = item.gathering
        if item.online_after or not gathering.mode.in_person or gathering.lat is None or gathering.lng is None:
            continue
        venue, distance = _venue_line(gathering), item.distance_label(unit)
        markers.append({
            "number": number, "label": gathering.title, "url": url_for("gatherings.show", gathering_id=gathering.id),
            "lat": gathering.lat, "lng": gathering.lng, "venue": venue, "distance": distance,
            "detail": " · ".join(part for part in (venue, distance) if part), "beyond": False,
        })
    if not markers:
        return None
    origin = listing.origin
    return {
        "tiles": {"url": current_app.config["MAP_TILE_URL"],
                  "attribution": current_app.config["MAP_TILE_ATTRIBUTION"]},
        "origin": {"name": origin.name, "lat": origin.lat, "lng": origin.lng} if origin else None,
        "radius_km": listing.radius_km if origin else None,
        "cards": "data-gathering", "markers": markers,
    }


def _venue_line(gathering: Gathering) -> str:
    return ", ".join(part for part in (gathering.venue_name, town(gathering)) if part)


@bp.get("/gatherings/past")
def past():
    page, page_error = _page()
    if page_error is not None:
        return render_template("gatherings/past.html", listing=None, page_error=page_error)
    whole_page = _whole_page()
    key = ("past", page, viewer_zone())
    found = finding.past_page(page)
    kept = kept_pages().get(key)
    if kept is not None and kept.drawn_as == found.drawn_as:
        return _around(key, kept, "gatherings/past.html", whole_page)
    listing = finding.listing(finding.Query(page=page), found)
    content = _content_block("gatherings/past.html", listing=listing, page_error=None)
    html = render_template("gatherings/past.html", kept_content=content)
    kept_pages().put(key, KeptPage(found.drawn_as, None, "", content, {},
                                   html if whole_page else None))
    return html


# JSON ---------------------------------------------------------------------------------------

@bp.get("/api/gatherings")
@limiter.limit(_api_limit)
def api():
    """Upcoming public gatherings as JSON, with the parameters of /gatherings; public fields only
    (never the meeting link, never anyone's join address). Kept per address as pages are."""
    key = ("api", _asked())
    kept = kept_pages().get(key)
    if kept is not None and finding.page_of(kept.query).drawn_as == kept.drawn_as:
        return current_app.response_class(kept.content, mimetype="application/json")
    try:
        asked = api_query(request.args)
    except BadInput as error:
        return jsonify(error=str(error)), 400
    place = None
    if asked.point is not None:
        place = leaders.your_location(*asked.point)
    elif asked.near:
        try:
            place = leaders.find_place(asked.near)
        except GeocodeError as error:
            return jsonify(error=str(error)), 400
        except leaders.PlaceNotFound as error:
            return jsonify(error=error.message), 404
    query = asked.query
    if place is not None:
        query = replace(query, origin=place.origin)
    found = finding.page_of(query)
    listing = finding.listing(query, found)
    origin = listing.origin
    response = jsonify(
        origin={"name": origin.name, "lat": origin.lat, "lng": origin.lng} if origin else None,
        radius_km=round(listing.radius_km, 3) if origin else None,
        near_total=listing.near_total,
        page=listing.page, per_page=listing.per_page, has_next=listing.has_next,
        results=[public_gathering(item, listing.host_slugs) for item in listing.items],
    )
    kept_pages().put(key, KeptPage(found.drawn_as, query, "", response.get_data(), {}, None))
    return response


def public_gathering(item: finding.Found, slugs: dict[int, str]) -> dict:
    """A gathering's public facts as JSON: never its meeting link nor anyone's join token."""
    gathering = item.gathering
    in_person = gathering.mode.in_person
    slug = slugs.get(gathering.host_id)
    return {
        "id": gathering.id,
        "title": gathering.title,
        "url": fill(_gathering_url(), gathering.id),
        "starts_at": _iso(gathering.starts_at),
        "ends_at": _iso(gathering.ends_at),
        "time_zone": gathering.time_zone,
        "mode": str(gathering.mode),
        "language": gathering.language,
        "focus_areas": [{"slug": area.slug, "name": area.name} for area in gathering.focus_areas],
        "venue_name": gathering.venue_name if in_person else "",
        "place_name": gathering.place_name if in_person else "",
        "lat": gathering.lat if in_person else None,
        "lng": gathering.lng if in_person else None,
        "distance_km": round(item.distance_km, 1) if item.distance_km is not None else None,
        "online_after": item.online_after,
        "capacity": gathering.capacity,
        "going": gathering.going_count,
        "full": gathering.is_full,
        "host": {"name": gathering.host.display_name,
                 "url": site_url("directory.profile", slug=slug) if slug else None},
        "state": str(gathering.state),
    }


def _gathering_url() -> tuple[str, str]:
    """The gathering page's full address around its id, built once per request."""
    around = g.get("gathering_url_around")
    if around is None:
        around = g.gathering_url_around = site_address_around("gatherings.show", gathering_id=PLACEHOLDER)
    return around


def _iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# For the cards, the home page and a host's profile --------------------------------------------

class KeptDrawings:
    """HTML drawn by a template's macro, kept by each worker under everything the macro reads
    (see kept_card, kept_search_field): it is then the same for as long as it is kept, however
    old. The least used go first."""

    SIZE = 2048  # a card is some 1.5 kilobytes, a field less


def _kept_drawings() -> WorkerCache:
    return worker_cache("gatherings_kept_drawings", KeptDrawings.SIZE)


def _macro(template: str, name: str):
    return getattr(current_app.jinja_env.get_template(template).module, name)


def kept_card(card: finding.Card, **options) -> Markup:
    """A gathering's card (templates/gatherings/_card.html, `options` as its macro takes them but
    host_slugs, which the card brings), drawn once per worker for everything it shows: the
    gathering as read now, its host, their profile and its focus areas, whether it is under way
    or over, and the viewer's zone. A new search mostly lists gatherings another one drew."""
    key = ("card", card.drawn_as, card.is_past, started(card), viewer_zone(), *sorted(options.items()))
    kept = _kept_drawings()
    html = kept.get(key)
    if html is None:
        html = card_html(card, host_slugs={card.host_id: card.host_slug} if card.host_slug else None, **options)
        kept.put(key, html)
    return html


def kept_search_field(field, **options) -> Markup:
    """A field of the search form drawn by render_field (templates/_macros/forms.html, `options`
    as it takes them), once per worker for everything it and the field's widget read: the
    field, what it holds, its options and its errors. WTForms' widgets take some 0.1 ms a field,
    and a new search changes one or two of them."""
    if hasattr(field, "iter_choices"):  # a <select>: its options, and which is chosen
        holds = tuple((choice.value, choice.label, choice.selected, repr(choice.render_kw))
                      for choice in field.iter_choices())
    else:  # an <input>: the text it shows
        holds = field._value()
    key = ("field", type(field), field.name, holds, repr(field.data), tuple(field.errors), *sorted(options.items()))
    kept = _kept_drawings()
    html = kept.get(key)
    if html is None:
        html = Markup(_macro("_macros/forms.html", "render_field")(field, **options))
        kept.put(key, html)
    return html


def home_section() -> Markup:
    """The home page's gatherings (templates/gatherings/_home.html): the next online ones, and
    those near the place of the visitor's last search (an unknown place left out). Kept per
    worker while they stay the same, per viewer's zone and place (see KeptPages)."""
    place, typed = None, session.get(LAST_NEAR)
    if isinstance(typed, str) and typed.strip():
        try:
            place = leaders.find_place(typed).origin
        except (GeocodeError, leaders.PlaceNotFound):
            place = None
    searched = typed if place is not None else ""
    rows = finding.home_rows(place)
    key = ("home", viewer_zone(), searched)
    kept = kept_pages().get(key)
    if kept is not None and kept.drawn_as == rows.drawn_as:
        return kept.html
    found = finding.for_home(place, searched=searched, rows=rows)
    # Drawn without the page's context processors: the section needs only the template globals.
    html = Markup(current_app.jinja_env.get_template("gatherings/_home.html").render(home_found=found))
    kept_pages().put(key, KeptSection(rows.drawn_as, html))
    return html


bp.add_app_template_global(town, "gathering_town")
bp.add_app_template_global(date_block, "gathering_date")
bp.add_app_template_global(started, "gathering_started")
bp.add_app_template_global(kept_card, "gathering_kept_card")
bp.add_app_template_global(card_html, "gathering_card_html")
bp.add_app_template_global(kept_search_field, "gatherings_kept_search_field")
bp.add_app_template_global(home_section, "gatherings_home_section")
bp.add_app_template_global(finding.hosting, "gatherings_hosted_by")
