"""GET /api/leaders and GET /api/places: read-only JSON, public points only."""
from urllib.parse import quote

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import bindparam, select

from app.directory import search as leaders
from app.directory.geocoding import get_geocoder
from app.directory.search_forms import BadInput, api_query
from app.extensions import db, limiter
from app.geo.geocoder import Candidate, GeocodeError, MAX_ALTERNATIVES
from app.models.directory import LeaderProfile
from app.prepared import prepared
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
        place = leaders.Place(leaders.Origin("your location", *query.point))
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


_T = LeaderProfile.__table__
# Named one by one: the private lat/lng columns are never read for the API.
_SUMMARY_COLUMNS = (_T.c.slug, _T.c.display_name, _T.c.headline, _T.c.city, _T.c.region, _T.c.country,
                    _T.c.public_lat, _T.c.public_lng)
_SLUG = "__slug__"


def _results(hits: list[leaders.Hit]) -> list[dict]:
    """One page of hits as JSON; the search reads most summaries, the rest are read here."""
    summaries = {hit.profile_id: hit.summary for hit in hits if hit.summary is not None}
    missing = [hit.profile_id for hit in hits if hit.summary is None]
    if missing:
        connection = db.session.connection()
        statement = prepared(connection, ("api summaries", len(missing)), lambda: select(
            _T.c.id, *_SUMMARY_COLUMNS).where(_T.c.id.in_([bindparam(f"id{index}") for index in range(len(missing))])))
        for id_, *columns in statement.rows(connection, {f"id{index}": id_ for index, id_ in enumerate(missing)}):
            summaries[id_] = leaders.Summary(*columns)
    profile_url = site_url("directory.profile", slug=_SLUG)  # built once, filled per leader
    return [{
        "slug": summary.slug,
        "name": summary.name,
        "headline": summary.headline,
        "city": summary.city,
        "region": summary.region,
        "country": summary.country,
        "lat": summary.lat,
        "lng": summary.lng,
        "distance_km": hit.rounded_km(),
        "url": profile_url.replace(_SLUG, quote(summary.slug)),
        "online": hit.online,
    } for hit in hits if (summary := summaries.get(hit.profile_id)) is not None]
