"""search(): one page of the listed leaders matching the filters, near a place or by name."""
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import false, literal_column, select, union_all

from app.directory.search import statements
from app.directory.search.nearest import NEAREST_COUNT, nearest
from app.directory.search.results import DEFAULT_RADIUS, PER_PAGE, Filters, Hit, Origin, Results, Summary
from app.directory.search.strategies import ByCells, ByName, ByPoints, Found, Listed, crowded, within
from app.extensions import db
from app.geo.distance import haversine_km
from app.models.accounts import User
from app.models.directory import FocusArea, LeaderProfile, Precision, ProfileProgram, Program, profile_focus_areas
from app.prepared import in_list, in_values, prepared


def search(origin: Origin | None, radius_km: float = DEFAULT_RADIUS, filters: Filters = Filters(),
           page: int = 1, per_page: int = PER_PAGE, *, sort: str = "distance", full_scan: bool = False) -> Results:
    """Listed leaders matching the filters: near `origin` by distance (or by name), else everyone
    by name, or with a keyword best match first (sort="name": by name).

    Near a place, by points or, where leaders are crowded, by cells (see strategies). When
    nobody is inside the circle, the nearest leaders are returned instead (Results.nearest).
    Leaders who work online follow when filters.online is on. full_scan skips the index (for
    the benchmark's comparison only).

    sort="name" orders the leaders inside the circle (and the nearest ones) by name_key, then
    id, as Python orders casefolded names; leaders who work online still follow, by name.
    """
    page = max(1, page)
    start, stop = (page - 1) * per_page, page * per_page
    if origin is None:
        order = "relevance" if filters.keyword and sort != "name" else "name"  # best match first
        listed = statements.listed_by_relevance if order == "relevance" else statements.listed_by_name
        total, capped, rows = listed(filters, page, per_page)
        return Results([Hit(id_, None, online) for id_, online in rows], total, page, per_page,
                       order=order, total_capped=capped)

    by_name = sort == "name"
    found: Found
    if full_scan:
        found = Listed(within(origin, radius_km, statements.full_scan(filters)), by_name=by_name)
    elif by_name:  # every point inside the circle is needed to order by name: no counting by cells
        found = ByName(ByPoints.around(origin, radius_km, filters))
    elif filters.countable and crowded(origin, radius_km):
        found = ByCells(origin, radius_km, filters)
    else:
        found = ByPoints.around(origin, radius_km, filters)
    is_nearest = not found.total
    if is_nearest:
        found = Listed(nearest(origin, filters, NEAREST_COUNT, radius_km, full_scan=full_scan), by_name=by_name)
    total = found.total
    hits = [Hit(match.profile_id, match.distance_km, bool(match.online), summary=match.summary)
            for match in found.page(start, stop)]

    if filters.online:
        online_total = statements.online_count(filters) - found.online
        wanted = stop - total  # how many online leaders this page still needs
        if wanted > 0:
            skip = max(0, start - total)
            hits += _online_beyond(origin, filters, found, skip, min(per_page, wanted))
        total += online_total
    return Results(hits, total, page, per_page, origin, radius_km, is_nearest,
                   order="name" if by_name else "distance")


def _online_beyond(origin: Origin, filters: Filters, found: Found, skip: int, limit: int) -> list[Hit]:
    """Online leaders not already listed, by name: skip `skip` of them and take `limit`."""
    hits = []
    for id_, point_lat, point_lng in statements.online_by_name(filters, skip + limit + found.online):
        if found.holds(id_, point_lat, point_lng):
            continue
        if skip:
            skip -= 1
            continue
        distance = None
        if point_lat is not None and point_lng is not None:
            distance = haversine_km(origin.lat, origin.lng, point_lat, point_lng)
        hits.append(Hit(id_, distance, True, beyond_radius=True))
        if len(hits) == limit:
            break
    return hits


def summaries(hits: Sequence[Hit]) -> dict[int, Summary]:
    """The public fields of each hit by profile id: most were read with the page, the rest are read now."""
    found = {hit.profile_id: hit.summary for hit in hits if hit.summary is not None}
    return found | statements.summaries([hit.profile_id for hit in hits if hit.summary is None])


class CardProfile(NamedTuple):
    """What a leader's card (app.directory.drawing) and the results' map show of a profile, read
    without the ORM: public fields, plus whether the leader takes messages (and from whom)."""

    id: int
    user_id: int
    slug: str
    display_name: str
    headline: str
    photo: str | None
    city: str
    region: str
    country: str
    precision: Precision
    public_lat: float | None
    public_lng: float | None
    works_online: bool
    languages: str
    contact_enabled: bool
    is_public: bool
    focus_area_names: list[str]  # by name, as LeaderProfile.focus_areas
    verified_program_names: list[str]
    main_program: str | None  # the one to name beside a quote: a verified one first, then by name


_CARD_COLUMNS = ("id", "user_id", "slug", "display_name", "headline", "photo", "city", "region", "country",
                 "precision", "public_lat", "public_lng", "works_online", "languages", "contact_enabled",
                 "listed")


def _card_lists(count: int):
    """The focus areas (kind 0, by name, as LeaderProfile.focus_areas) and the programs (kind 1,
    in the order they were added) of `count` profiles, in one statement."""
    areas = (select(profile_focus_areas.c.profile_id.label("profile_id"), literal_column("0").label("kind"),
                    FocusArea.name.label("name"), false().label("verified"), FocusArea.name.label("sort_name"),
                    literal_column("0").label("sort_id"))
             .join(FocusArea, FocusArea.id == profile_focus_areas.c.focus_area_id)
             .where(in_list(profile_focus_areas.c.profile_id, count)))
    programs = (select(ProfileProgram.profile_id, literal_column("1"), Program.name, ProfileProgram.verified,
                       literal_column("''"), ProfileProgram.program_id)
                .join(Program, Program.id == ProfileProgram.program_id)
                .where(in_list(ProfileProgram.profile_id, count)))
    lists = union_all(areas, programs).subquery()
    return (select(lists.c.profile_id, lists.c.kind, lists.c.name, lists.c.verified)
            .order_by(lists.c.profile_id, lists.c.kind, lists.c.sort_name, lists.c.sort_id))


def load_profiles(hits: Sequence[Hit]) -> dict[int, CardProfile]:
    """What the cards of one page of hits show, by profile id."""
    return card_profiles([hit.profile_id for hit in hits])


def card_profiles(ids: Sequence[int]) -> dict[int, CardProfile]:
    """What the cards of these profiles show, by profile id, in two prepared statements."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    connection = db.session.connection()
    values = in_values(ids)
    columns = LeaderProfile.__table__.c
    rows = prepared(connection, ("leader cards", len(ids)), lambda: (
        select(*(columns[name] for name in _CARD_COLUMNS), User.active)
        .join(User, User.id == LeaderProfile.user_id).where(in_list(LeaderProfile.id, len(ids))))
    ).rows(connection, values)
    areas: dict[int, list[str]] = {}
    programs: dict[int, list[tuple[str, bool]]] = {}
    for profile_id, kind, name, verified in prepared(connection, ("leader card lists", len(ids)),
                                                     lambda: _card_lists(len(ids))).rows(connection, values):
        if kind == 0:
            areas.setdefault(profile_id, []).append(name)
        else:
            programs.setdefault(profile_id, []).append((name, bool(verified)))
    cards = {}
    for (id_, user_id, slug, name, headline, photo, city, region, country, precision, lat, lng,
         online, languages, contact, listed, active) in rows:
        completed = programs.get(id_, [])
        ranked = sorted(completed, key=lambda item: (not item[1], item[0]))
        cards[id_] = CardProfile(id_, user_id, slug, name, headline, photo, city, region, country,
                                 Precision(precision), lat, lng, bool(online), languages, bool(contact),
                                 bool(listed and active), areas.get(id_, []),
                                 [program for program, verified in completed if verified],
                                 ranked[0][0] if ranked else None)
    return cards
