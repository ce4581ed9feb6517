"""GET /api/leaders and GET /api/places: read-only JSON, public points only."""
from urllib.parse import quote

from flask import Blueprint, current_app, jsonify, request

from app.directory import search as leaders
from app.directory.cards import public_card
from app.directory.geocoding import get_geocoder
from app.directory.search_forms import BadInput, api_query
from app.extensions import limiter
from app.geo.geocoder import Candidate, GeocodeError, MAX_ALTERNATIVES
from app.urls import site_url

bp = Blueprint("api", __name__, url_prefix="/api")


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


@bp.get("/leaders")
@limiter.limit(_rate_limit)
def leaders_near():
    try:
        query = api_query(request.args)
    except BadInput as error:
        return jsonify(error=str(error)), 400
    place = None
    if query.point is not None:
        place = leaders.your_location(*query.point)
    elif query.near:
        try:
            place = leaders.find_place(query.near)
        except GeocodeError as error:
            return jsonify(error=str(error)), 400
        except leaders.PlaceNotFound as error:
            return jsonify(error=error.message), 404
    full_scan = current_app.config["SEARCH_FULL_SCAN_PARAM"] and request.args.get("_scan") == "1"
    results = leaders.search(place.origin if place else None, query.radius_km, query.filters, query.page,
                             sort=query.sort, full_scan=full_scan)
    return jsonify(
        origin=_origin(place.origin) if place else None,
        alternatives=[_place(candidate) for candidate in place.alternatives] if place else [],
        total=results.total,
        total_capped=results.total_capped,  # true: more match than total (counted no further)
        page=results.page,
        results=_results(results.hits),
    )


@bp.get("/places")
@limiter.limit(_rate_limit)
def places():
    text = request.args.get("q", "").strip()
    if not text:
        return jsonify(error="Add ?q= with the start of a place name or postal code"), 400
    return jsonify(places=[_place(candidate) for candidate in get_geocoder().suggest(text, MAX_ALTERNATIVES)])


def _origin(origin: leaders.Origin) -> dict:
    return {"name": origin.name, "lat": origin.lat, "lng": origin.lng}


def _place(candidate: Candidate) -> dict:
    return {"name": candidate.name, "region": candidate.region, "country": candidate.country,
            "country_code": candidate.country_code, "label": candidate.label,
            "lat": candidate.lat, "lng": candidate.lng}


_SLUG = "__slug__"


def _results(hits: list[leaders.Hit]) -> list[dict]:
    """One page of hits as JSON: each leader's public card and how far they are."""
    summaries = leaders.summaries(hits)
    profile_url = site_url("directory.profile", slug=_SLUG)  # built once, filled per leader
    return [public_card(summary, url=profile_url.replace(_SLUG, quote(summary.slug))) | {
        "distance_km": hit.rounded_km(),
    } for hit in hits if (summary := summaries.get(hit.profile_id)) is not None]
