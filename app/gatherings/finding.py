"""Finding gatherings: the upcoming list with its filters, near a place (in person within a radius,
nearest first, online ones after when asked), the archive of past ones, and the few that the home
page and a host's profile show.

Every list reads an index range and then loads only the page's gatherings: the upcoming list the
(state, starts_at, id) index, soonest first; near a place the grid cells of the circle's bounding
box through the (cell_y, cell_x, starts_at) index, with the exact distance measured here; the
archive the (state, ends_at, id) index, latest first. Only published gatherings are listed (a
cancelled one is still reached by its own page); drafts never are.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Boolean, DateTime, Enum, Integer, bindparam, exists, func, select

from app.directory.search import Origin, rounded_km
from app.extensions import db
from app.gatherings.services import LONGEST, hosted_by, hosted_ids
from app.geo.cells import column_of, row_of
from app.geo.distance import KM_PER_MILE, DistanceUnit, bounding_boxes, describe_distance, haversine_km
from app.models.accounts import User
from app.models.base import utcnow
from app.models.directory import FocusArea, LeaderProfile
from app.models.gatherings import Gathering, Mode, State, gathering_focus_areas
from app.prepared import in_list, in_values, prepared

PER_PAGE = 20
HOME_COUNT = 3  # on the home page: the next online ones, and the next near the last search
HOME_RADIUS_KM = 50
HOSTING_COUNT = 5  # on a host's profile: upcoming, and past
# What the mode filter asks for: the modes that match it.
MODES = {
    "": None,
    "online": (Mode.ONLINE, Mode.BOTH),
    "in_person": (Mode.IN_PERSON, Mode.BOTH),
}
MODE_LABELS = {"": "Online or in person", "online": "Online", "in_person": "In person"}


@dataclass(frozen=True)
class Query:
    """What a visitor asked for; every field already checked (finding_forms)."""

    mode: str = ""  # a key of MODES
    focus_area: str = ""  # FocusArea.slug
    language: str = ""
    origin: Origin | None = None
    radius_km: float = 50.0
    include_online: bool = False  # near a place: the online ones after the ones near
    page: int = 1
    unit: DistanceUnit = "km"  # distances as shown: the order near a place follows them

    @property
    def near(self) -> bool:
        """Measured from a place: in person (or both) within the radius. Online only ignores it."""
        return self.origin is not None and self.mode != "online"


@dataclass(frozen=True)
class Found:
    gathering: Card
    distance_km: float | None = None  # from the origin to the venue, when near a place
    online_after: bool = False  # listed after the ones near because it takes place online

    def distance_label(self, unit: DistanceUnit = "km") -> str | None:
        """"about 10 km", "< 5 mi"; None when not measured."""
        return None if self.distance_km is None else describe_distance(self.distance_km, unit)


@dataclass
class Listing:
    """One page of gatherings; works as the `page` of a Previous / Next navigation."""

    items: list[Found]
    page: int
    has_next: bool
    per_page: int = PER_PAGE
    origin: Origin | None = None
    radius_km: float | None = None
    near_total: int | None = None  # near a place: how many are within the radius in all
    host_slugs: dict[int, str] = field(default_factory=dict)  # host id -> public profile slug

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def first_number(self) -> int:
        """The position of the first card on this page, counting from 1 (for <ol start>)."""
        return (self.page - 1) * self.per_page + 1

    @property
    def near_items(self) -> list[Found]:
        return [item for item in self.items if not item.online_after]

    @property
    def online_items(self) -> list[Found]:
        return [item for item in self.items if item.online_after]


# The upcoming list and near a place -------------------------------------------------------
# The hot statements are prepared (app.prepared): compiled once per shape (which filters, how
# many rows of cells), their values bound on each run, their rows read straight from the driver
# (so times and states come as the driver gives them: compared and sorted, never shown).

def _shape(query: Query) -> tuple:
    """What shapes a list's SQL: the mode asked for, and whether a language or focus area is."""
    return query.mode, bool(query.language), bool(query.focus_area)


def _conditions(query: Query) -> list:
    """Published, not over, and the filters; the values are bindparams (see _values). The start
    bounds the index range: nothing lasts longer than LONGEST."""
    conditions = [Gathering.state == State.PUBLISHED, Gathering.partnership_id.is_(None),
                  Gathering.starts_at > bindparam("floor"),
                  Gathering.ends_at > bindparam("now")]
    modes = MODES.get(query.mode)
    if modes:  # one bindparam each (an expanding IN cannot be prepared), their values fixed
        conditions.append(Gathering.mode.in_(
            [bindparam(f"mode{n}", mode, type_=Gathering.mode.type) for n, mode in enumerate(modes)]))
    if query.language:
        conditions.append(func.lower(Gathering.language) == bindparam("language"))
    if query.focus_area:
        # Checked on each gathering the index range reads (a correlated EXISTS): as an IN list
        # SQLite would read every gathering with the focus area, past ones too, and sort them.
        tagged = gathering_focus_areas.c
        conditions.append(exists().where(
            tagged.gathering_id == Gathering.id,
            tagged.focus_area_id == select(FocusArea.id).where(FocusArea.slug == bindparam("focus_area"))
            .scalar_subquery()))
    return conditions


def _values(query: Query, now: datetime) -> dict:
    values = {"floor": now - LONGEST, "now": now}
    if query.language:
        values["language"] = query.language.strip().lower()
    if query.focus_area:
        values["focus_area"] = query.focus_area
    return values


# What a card shows that can change while the list stays the same: part of a page's stamp.
_STAMPED = (Gathering.updated_at, Gathering.going_count, Gathering.waitlist_count, Gathering.state)


class Near(NamedTuple):
    """An in-person gathering within the radius; tuples sort nearest first, then soonest."""

    distance_km: float
    starts_at: datetime  # as the driver gives it (SQLite: ISO text), in time order either way
    id: int
    mode: str  # a Mode's value
    stamp: tuple


@dataclass(frozen=True)
class Page:
    """Which gatherings a page lists, before they are loaded: (id, distance, online after) of each,
    and its stamp, which changes whenever the page would (app.gatherings.finding_routes keeps
    pages by it)."""

    rows: tuple[tuple[int, float | None, bool], ...]
    has_next: bool
    near_total: int | None
    stamp: tuple

    @property
    def drawn_as(self) -> tuple:
        """Everything the page shows of its gatherings: equal for two reads, the page is the same."""
        return self.stamp, self.has_next, self.near_total


def page_of(query: Query, now: datetime | None = None) -> Page:
    """The page's gatherings: upcoming published ones soonest first; or, near a place, the
    in-person ones within the radius nearest first (by the distance shown, then soonest),
    followed by the online ones (soonest first) when asked. Index ranges only: nothing is read
    but ids and the stamp."""
    now = now or utcnow()
    start = (query.page - 1) * PER_PAGE
    if not query.near:
        found = soonest(query, now, start, PER_PAGE + 1)
        shown = found[:PER_PAGE]
        return Page(tuple((row[0], None, False) for row in shown), len(found) > PER_PAGE, None, tuple(shown))

    near = sorted(within(query.origin, query.radius_km, query, now),
                  key=lambda item: (shown_distance(item.distance_km, query.unit), item.starts_at, item.id))
    shown_near = near[start:start + PER_PAGE]
    rows = [(item.id, item.distance_km, False) for item in shown_near]
    stamp = [(item.id, *item.stamp) for item in shown_near]
    has_next = len(near) > start + PER_PAGE
    if query.include_online and query.mode == "":
        wanted = PER_PAGE - len(rows)
        # Online ones on this page start where the ones near ran out; "both" ones near are listed already.
        found = soonest(replace(query, mode="online"), now, max(0, start - len(near)), wanted + 1,
                        leave_out=[item.id for item in near if item.mode == Mode.BOTH])
        rows += [(row[0], None, True) for row in found[:wanted]]
        stamp += found[:wanted]
        has_next = has_next or len(found) > wanted
    return Page(tuple(rows), has_next, len(near), tuple(stamp))


def soonest(query: Query, now: datetime, offset: int, limit: int, leave_out: list[int] = ()) -> list[tuple]:
    """(id, *stamp) of upcoming gatherings meeting the query's filters (not its place), soonest
    first, from the (state, starts_at, id) index."""
    leave_out = list(leave_out)

    def build():
        statement = select(Gathering.id, *_STAMPED).where(*_conditions(query))
        if leave_out:
            statement = statement.where(Gathering.id.not_in([bindparam(f"out{n}") for n in range(len(leave_out))]))
        return (statement.order_by(Gathering.starts_at, Gathering.id)
                .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)))

    connection = db.session.connection()
    values = {**_values(query, now), "limit": limit, "offset": offset,
              **{f"out{n}": gathering_id for n, gathering_id in enumerate(leave_out)}}
    return prepared(connection, ("gatherings, soonest", _shape(query), len(leave_out)), build).rows(connection, values)


def within(origin: Origin, radius_km: float, query: Query, now: datetime) -> list[Near]:
    """Every in-person gathering meeting the query's filters within the radius, nearest first
    (then soonest): the rows of grid cells of the circle's bounding boxes read through the
    (cell_y, cell_x, starts_at) index, then the exact distance of each."""
    found: dict[int, Near] = {}
    connection = db.session.connection()
    in_person = replace(query, mode="in_person") if query.mode != "in_person" else query
    for box in bounding_boxes(origin.lat, origin.lng, radius_km):
        first, last = row_of(box.min_lat), row_of(box.max_lat)
        rows = last - first + 1

        def build(rows=rows):
            return (select(Gathering.id, Gathering.lat, Gathering.lng, Gathering.starts_at, Gathering.mode, *_STAMPED)
                    .where(in_list(Gathering.cell_y, rows, "y"),
                           Gathering.cell_x.between(bindparam("x_min", type_=Integer),
                                                    bindparam("x_max", type_=Integer)),
                           *_conditions(in_person)))

        values = {**_values(in_person, now), "x_min": column_of(box.min_lng), "x_max": column_of(box.max_lng),
                  **in_values(range(first, last + 1), "y")}
        statement = prepared(connection, ("gatherings, near", _shape(in_person), rows), build)
        for gathering_id, lat, lng, starts_at, mode, *stamp in statement.rows(connection, values):
            if lat is None or lng is None:
                continue
            distance = haversine_km(origin.lat, origin.lng, lat, lng)
            if distance <= radius_km:
                found[gathering_id] = Near(distance, starts_at, gathering_id, mode, tuple(stamp))
    return sorted(found.values())


def shown_distance(km: float, unit: DistanceUnit) -> int:
    """The figure a card shows ("< 5 km" is 0, "about 15 mi" is 15): gatherings it shows alike
    are listed soonest first, so the list reads nearest first and then by date."""
    return rounded_km(km / KM_PER_MILE if unit == "mi" else km)


def upcoming(query: Query, now: datetime | None = None) -> Listing:
    """One page of upcoming gatherings, loaded (see page_of)."""
    return listing(query, page_of(query, now))


def listing(query: Query, page: Page) -> Listing:
    """The page's gatherings loaded, in its order, with their hosts' profile slugs."""
    loaded = load([gathering_id for gathering_id, _d, _o in page.rows])
    items = [Found(loaded[gathering_id], distance, online_after)
             for gathering_id, distance, online_after in page.rows if gathering_id in loaded]
    return Listing(items, query.page, page.has_next, origin=query.origin if query.near else None,
                   radius_km=query.radius_km if query.near else None, near_total=page.near_total,
                   host_slugs=card_slugs([item.gathering for item in items]))


class Host(NamedTuple):
    id: int
    display_name: str


class Area(NamedTuple):
    slug: str
    name: str


# What a card (and the API) shows of a gathering: never its description or its meeting link.
_CARD_COLUMNS = ("id", "title", "state", "mode", "language", "starts_at", "ends_at", "time_zone",
                 "venue_name", "address", "place_name", "lat", "lng", "capacity", "going_count",
                 "waitlist_count", "host_id")


class Card:
    """A gathering as its card shows it, with its host's name, the host's profile slug when
    anyone may see the profile, and its focus areas (by name): a page of them is read in two
    statements straight on the driver, no ORM objects. It answers what a card asks as the
    Gathering does, by the model's own rules."""

    __slots__ = (*_CARD_COLUMNS, "host", "host_slug", "focus_areas")

    is_past = Gathering.is_past
    is_full = Gathering.is_full
    places_left = Gathering.places_left

    def __init__(self, values, host_name: str, host_slug: str | None) -> None:
        for name, value in zip(_CARD_COLUMNS, values):
            setattr(self, name, value)
        self.host = Host(self.host_id, host_name)
        self.host_slug = host_slug
        self.focus_areas: list[Area] = []

    @property
    def drawn_as(self) -> tuple:
        """Everything the card holds: equal for two reads, their cards are drawn the same."""
        return (*(getattr(self, name) for name in _CARD_COLUMNS), self.host.display_name, self.host_slug,
                *self.focus_areas)


def _card_statement(count: int):
    columns = Gathering.__table__.c
    return (select(*(columns[name] for name in _CARD_COLUMNS), User.display_name, LeaderProfile.slug)
            .join(User, User.id == Gathering.host_id)
            .outerjoin(LeaderProfile, (LeaderProfile.user_id == Gathering.host_id) & LeaderProfile.is_public)
            .where(in_list(Gathering.id, count)))


def _card_areas_statement(count: int):
    tagged = gathering_focus_areas.c
    return (select(tagged.gathering_id, FocusArea.slug, FocusArea.name)
            .join(FocusArea, FocusArea.id == tagged.focus_area_id)
            .where(in_list(tagged.gathering_id, count))
            .order_by(FocusArea.name))


def _processor(type_, dialect):
    """What turns the driver's value of a column into SQLAlchemy's: times (SQLite gives text),
    enums and booleans; numbers and text come as they are."""
    if isinstance(type_, (DateTime, Enum, Boolean)):
        return type_.dialect_impl(dialect).result_processor(dialect, None)
    return None


# How the card's columns come from the driver as Python values (SQLite gives times as text), per dialect.
_card_types: dict[tuple, list] = {}


def _card_processors(dialect) -> list:
    key = (dialect.name, dialect.driver)
    found = _card_types.get(key)
    if found is None:
        columns = Gathering.__table__.c
        found = _card_types[key] = [_processor(columns[name].type, dialect) for name in _CARD_COLUMNS]
    return found


def load(ids: list[int]) -> dict[int, Card]:
    """The cards of a page's gatherings, by id (those not found left out)."""
    if not ids:
        return {}
    ids = list(dict.fromkeys(ids))
    connection = db.session.connection()
    values = in_values(ids)
    processors = _card_processors(connection.dialect)
    cards = {}
    for *row, host_name, slug in prepared(connection, ("gatherings, cards", len(ids)),
                                          lambda: _card_statement(len(ids))).rows(connection, values):
        card = Card([value if process is None or value is None else process(value)
                     for process, value in zip(processors, row)], host_name, slug)
        cards[card.id] = card
    for gathering_id, slug, name in prepared(connection, ("gatherings, card areas", len(ids)),
                                             lambda: _card_areas_statement(len(ids))).rows(connection, values):
        if gathering_id in cards:
            cards[gathering_id].focus_areas.append(Area(slug, name))
    return cards


def card_slugs(cards: list[Card]) -> dict[int, str]:
    """{host id: profile slug} of the cards' hosts whose leader profile anyone may see."""
    return {card.host_id: card.host_slug for card in cards if card.host_slug}


def host_slugs(gatherings: list[Gathering]) -> dict[int, str]:
    """{host id: profile slug} for the hosts whose leader profile anyone may see."""
    ids = {gathering.host_id for gathering in gatherings}
    if not ids:
        return {}
    return dict(db.session.execute(
        select(LeaderProfile.user_id, LeaderProfile.slug)
        .where(LeaderProfile.user_id.in_(ids), LeaderProfile.is_public)).all())


# The archive ------------------------------------------------------------------------------

def past_page(page: int = 1, now: datetime | None = None) -> Page:
    """Published gatherings that are over, latest first (cancelled ones did not take place), from
    the (state, ends_at, id) index: ids and stamps only, as page_of."""
    now = now or utcnow()
    connection = db.session.connection()
    statement = prepared(connection, ("gatherings, past",), lambda: (
        select(Gathering.id, *_STAMPED).where(Gathering.state == State.PUBLISHED, Gathering.partnership_id.is_(None),
                                              Gathering.ends_at <= bindparam("now"))
        .order_by(Gathering.ends_at.desc(), Gathering.id.desc())
        .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))))
    found = statement.rows(connection, {"now": now, "limit": PER_PAGE + 1, "offset": (page - 1) * PER_PAGE})
    shown = found[:PER_PAGE]
    return Page(tuple((row[0], None, False) for row in shown), len(found) > PER_PAGE, None, tuple(shown))


def past(page: int = 1, now: datetime | None = None) -> Listing:
    """One page of the archive, loaded."""
    return listing(Query(page=page), past_page(page, now))


# The home page and a host's profile -------------------------------------------------------

@dataclass
class Home:
    """The home page's gatherings: the next online ones, and the next ones near the place the
    visitor last searched (None when there is no such place)."""

    online: list[Card]
    near: list[Found] | None = None
    place: Origin | None = None
    searched: str = ""  # what the visitor typed for that place
    host_slugs: dict[int, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.online or self.near)


@dataclass(frozen=True)
class HomeRows:
    """Which gatherings the home page shows, before they are loaded, and what their cards show
    that can change (equal for two reads: the section is the same)."""

    online: tuple[tuple, ...]  # (id, *stamp), soonest first
    near: tuple[Near, ...] | None  # soonest first; None without a place

    @property
    def drawn_as(self) -> tuple:
        return self.online, self.near


def home_rows(place: Origin | None = None, now: datetime | None = None) -> HomeRows:
    """The next HOME_COUNT online gatherings, and, given the visitor's last searched place, the next
    HOME_COUNT in person within HOME_RADIUS_KM of it (soonest first)."""
    now = now or utcnow()
    online = soonest(Query(mode="online"), now, 0, HOME_COUNT)
    near = None
    if place is not None:
        near = sorted(within(place, HOME_RADIUS_KM, Query(), now),
                      key=lambda item: (item.starts_at, item.id))[:HOME_COUNT]
    return HomeRows(tuple(online), None if near is None else tuple(near))


def for_home(place: Origin | None = None, *, searched: str = "", rows: HomeRows | None = None,
             now: datetime | None = None) -> Home:
    """The home page's gatherings loaded (see home_rows)."""
    rows = rows or home_rows(place, now)
    ids = [row[0] for row in rows.online]
    loaded = load(ids + [item.id for item in rows.near or ()])
    online = [loaded[gathering_id] for gathering_id in ids if gathering_id in loaded]
    near = None if rows.near is None else [
        Found(loaded[item.id], item.distance_km) for item in rows.near if item.id in loaded]
    shown = online + [item.gathering for item in near or []]
    return Home(online, near, place, searched, card_slugs(shown))


@dataclass
class Hosting:
    """What a leader's profile shows: the public gatherings they host or co-host."""

    upcoming: list[Gathering]
    past: list[Gathering]
    host_slugs: dict[int, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.upcoming or self.past)


def hosting(user: User) -> Hosting:
    """The next HOSTING_COUNT gatherings a person hosts (soonest first) and their latest HOSTING_COUNT
    past ones (latest first); cancelled ones are kept, marked, so a profile tells the truth."""
    ids = hosted_ids(user)
    upcoming_ones = hosted_by(user, past=False, limit=HOSTING_COUNT, ids=ids)
    past_ones = hosted_by(user, past=True, limit=HOSTING_COUNT, ids=ids)
    return Hosting(upcoming_ones, past_ones, host_slugs(upcoming_ones + past_ones))
