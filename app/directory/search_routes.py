"""The /leaders page: one search form, a map and the list of leaders it found."""
from urllib.parse import urlencode

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from markupsafe import Markup

from app.directory import search as leaders
from app.directory.cards import public_card
from app.directory.search_forms import LINK_PARAMS, MAX_PAGE, YOUR_LOCATION, SearchForm, parse_page
from app.extensions import limiter
from app.geo.geocoder import GeocodeError
from app.params import this_page
from app.worker_cache import worker_cache

bp = Blueprint("search", __name__)


def _rate_limit() -> str:
    return current_app.config["SEARCH_RATE_LIMIT"]


def _too_many_searches() -> str:
    return (f"Searches from one address are limited to {_rate_limit()}. "
            "Wait a minute, then search again.")


@bp.get("/leaders")
@limiter.limit(_rate_limit, error_message=_too_many_searches)  # per client address
def index():
    if "radius_km" in request.args:
        return redirect(_without_radius_km(), code=301)
    form = SearchForm(request.args)
    form.load_choices()
    # Mistakes are shown on the page itself with a 200, like every form on the site;
    # the JSON API answers them with 400 and 404.
    place, results, page_error = None, None, None
    try:
        page = parse_page(request.args.get("page"))
    except ValueError:
        page, page_error = 1, f"Page numbers go from 1 to {MAX_PAGE}."
    if form.validate() and page_error is None:
        try:
            place = _place(form)
        except GeocodeError as error:
            form.near.errors.append(str(error))
        except leaders.PlaceNotFound as error:
            form.near.errors.append(error.message)
        else:
            origin = place.origin if place else None
            results = leaders.search(origin, leaders.to_km(form.radius_value, form.unit.data),
                                     form.filters(), page, sort=form.sort_value)
    profiles = leaders.load_profiles(results.hits) if results else {}
    unit = form.unit.data if form.unit.data in ("km", "mi") else "km"
    return render_template(
        "directory/search.html", form=form, place=place, results=results, profiles=profiles,
        unit=unit, page_error=page_error, search_link=_search_link, link_params=LINK_PARAMS,
        results_query=_results_query() if results else None,
        searched=any(request.args.get(name) for name in LINK_PARAMS),
        map_data=_map_data(results, profiles, unit) if results else None,
    )


def _without_radius_km() -> str:
    """The same search with the old radius_km (links to the home page's old box) as radius and unit."""
    values = {name: request.args[name] for name in LINK_PARAMS if request.args.get(name)}
    radius_km = values.pop("radius_km", None)
    if radius_km is not None and "radius" not in values:
        values["radius"], values["unit"] = radius_km, "km"
    return url_for("search.index", **values)


def _results_query() -> str:
    """This search as a query string (its own parameters only), for the profile's "Back to results"."""
    return urlencode([(name, request.args[name]) for name in LINK_PARAMS if request.args.get(name)])


def _search_link(**changes) -> str:
    """This search with some parameters changed; empty ones are left out of the link."""
    return this_page(LINK_PARAMS, **changes)


def _place(form: SearchForm) -> leaders.Place | None:
    """Where to measure from: the place typed, else the visitor's own location, else nowhere.

    A place typed after "Use my location" replaces the "Your location" text; the coordinates
    still in the hidden fields are then stale, so the typed place wins (with or without JavaScript).
    """
    typed, point = form.point_or_place()
    if typed:
        form.lat.data = form.lng.data = ""  # the form shown next must not send them again
        place = leaders.find_place(typed)
        # The home page's "near your last search" (gatherings): the typed words, in the session
        # cookie alone, never a point and never sent anywhere.
        if session.get("last_near") != typed:
            session["last_near"] = typed
        return place
    if point is not None:
        form.near.data = YOUR_LOCATION
        return leaders.your_location(*point)
    return None


def _map_data(results: leaders.Results, profiles: dict, unit: str) -> dict | None:
    """What map.js draws: public points only, the same leaders as the list below it."""
    markers = []
    for number, hit in enumerate(results.hits, start=results.first_number):
        profile = profiles.get(hit.profile_id)
        if profile is None or profile.public_lat is None or profile.public_lng is None:
            continue
        card = public_card(leaders.Summary.of(profile))
        distance = hit.distance_label(unit)
        markers.append(card | {
            "number": number,  # the card's number in the list (<ol start>)
            "label": card["name"], "distance": distance,
            "detail": " · ".join(part for part in (distance, "Online" if card["online"] else "") if part),
            "beyond": hit.beyond_radius,  # listed for working online: not part of the map's frame
        })
    if not markers:
        return None
    origin = results.origin
    return {
        "tiles": {"url": current_app.config["MAP_TILE_URL"], "attribution": current_app.config["MAP_TILE_ATTRIBUTION"]},
        "origin": {"name": origin.name, "lat": origin.lat, "lng": origin.lng} if origin else None,
        "radius_km": results.radius_km if origin and not results.nearest else None,
        "cards": "data-leader", "markers": markers,
    }


@bp.app_template_global("search_bar_html")
def search_bar_html(form: SearchForm, filters: bool = True) -> Markup:
    """The search bar (templates/directory/_search_bar.html), kept by each worker by everything
    that shapes it: each field's value as sent and as read, its errors and its choices. The home
    page draws the same empty bar every time, and a search's next page the same bar again;
    WTForms drawing its eleven fields was a quarter of a /leaders page."""
    key = (type(form), filters, tuple(
        (field.name, repr(field.data), repr(field.raw_data), tuple(field.errors),
         repr(getattr(field, "choices", None))) for field in form))
    kept = worker_cache("search bars", 256)
    html = kept.get(key)
    if html is None:
        html = current_app.jinja_env.get_template("directory/_search_bar.html").module.drawn_search_bar(
            form, filters=filters)
        kept.put(key, html)
    return html


@bp.app_template_global("search_form")
def search_form() -> SearchForm:
    """An empty search form, for the home page's search bar (the same component as /leaders)."""
    return SearchForm()

