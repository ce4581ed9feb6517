"""The /leaders page: one search form, a map and the list of leaders it found."""
from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from app.directory import search as leaders
from app.directory.search_forms import LINK_PARAMS, MAX_PAGE, SearchForm, parse_page
from app.extensions import limiter
from app.geo.geocoder import GeocodeError
from app.params import this_page

bp = Blueprint("search", __name__)


def _rate_limit() -> str:
    return current_app.config["SEARCH_RATE_LIMIT"]


def _too_many_searches() -> str:
    return (f"Searches from one address are limited to {_rate_limit()}. "
            "Wait a minute, then search again.")


@bp.get("/leaders")
@limiter.limit(_rate_limit, error_message=_too_many_searches)  # per client address
def index():
    form = SearchForm(_form_args())
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
                                     form.filters(), page)
    profiles = leaders.load_profiles(results.hits) if results else {}
    unit = form.unit.data if form.unit.data in ("km", "mi") else "km"
    return render_template(
        "directory/search.html", form=form, place=place, results=results, profiles=profiles,
        unit=unit, page_error=page_error, search_link=_search_link, link_params=LINK_PARAMS,
        map_data=_map_data(results, profiles, unit) if results else None,
    )


def _form_args() -> MultiDict:
    """The query string; radius_km (the home page's box and the API's name) reads as a radius in km."""
    args = MultiDict(request.args)
    if "radius" not in args and "radius_km" in args:
        args["radius"], args["unit"] = args.pop("radius_km"), "km"
    return args


def _search_link(**changes) -> str:
    """This search with some parameters changed; empty ones are left out of the link."""
    return this_page(LINK_PARAMS, **changes)


def _place(form: SearchForm) -> leaders.Place | None:
    """Where to measure from: the visitor's own location, else the place they typed, else nowhere."""
    point = form.point()
    if point is not None:
        return leaders.Place(leaders.Origin("your location", *point))
    if form.near.data and form.near.data.strip():
        return leaders.find_place(form.near.data)
    return None


def _map_data(results: leaders.Results, profiles: dict, unit: str) -> dict | None:
    """What map.js draws: public points only, the same leaders as the list below it."""
    markers = []
    for hit in results.hits:
        profile = profiles.get(hit.profile_id)
        if profile is None or profile.public_lat is None or profile.public_lng is None:
            continue
        markers.append({
            "name": profile.display_name,
            "url": url_for("directory.profile", slug=profile.slug),
            "lat": profile.public_lat,
            "lng": profile.public_lng,
            "distance": hit.distance_label(unit),
            "online": profile.works_online,
        })
    if not markers:
        return None
    origin = results.origin
    return {
        "tiles": {"url": current_app.config["MAP_TILE_URL"], "attribution": current_app.config["MAP_TILE_ATTRIBUTION"]},
        "origin": {"name": origin.name, "lat": origin.lat, "lng": origin.lng} if origin else None,
        "radius_km": results.radius_km if origin and not results.nearest else None,
        "leaders": markers,
    }
