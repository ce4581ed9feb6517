"""The search form on /gatherings and the same rules for /api/gatherings' query string: the place
box, radius and unit of the leader search, and the gatherings' own filters."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, ValidationError

from app.directory.search import DEFAULT_RADIUS, MAX_RADIUS, MIN_RADIUS, Origin, to_km
from app.directory.search_forms import (
    ONLINE_WORDS, UNITS, BadInput, KeptOptionsSelect, NearForm, parse_number, parse_page, point_or_place,
)
from app.extensions import db
from app.gatherings.finding import MODE_LABELS, MODES, Query
from app.models.directory import FocusArea
from app.params import MAX_PAGE
from app.prepared import prepared

# What links to another page of a search carry: the form's fields, never the rest of the query string.
LINK_PARAMS = ("near", "lat", "lng", "radius", "unit", "mode", "focus_area", "language", "online", "page")
# The fields inside the "Filters (n)" disclosure; n counts those set.
FILTER_FIELDS = ("mode", "focus_area", "language", "online")
LANGUAGE_MAX = 40
FOCUS_AREA_MAX = 60


class FindForm(NearForm):
    """/gatherings' search: the leader search's place box, radius and unit, and its own filters."""

    mode = SelectField("Online or in person", default="", validate_choice=False,
                       choices=[SelectChoice(value, label) for value, label in
                                (("", "Either"), ("online", MODE_LABELS["online"]),
                                 ("in_person", MODE_LABELS["in_person"]))])
    focus_area = SelectField("Focus area", default="", validate_choice=False, widget=KeptOptionsSelect())
    language = StringField("Language", validators=[
        Length(max=LANGUAGE_MAX, message="Enter one language, like Spanish")])
    online = BooleanField("Include online gatherings")

    def load_choices(self) -> None:
        """The official focus areas; and the one asked for when it is another (hosts tag gatherings
        with any focus area, and a gathering's page links each of its tags to this list)."""
        connection = db.session.connection()
        areas = prepared(connection, ("gatherings, official focus areas",), lambda: (
            select(FocusArea.slug, FocusArea.name).where(FocusArea.official).order_by(FocusArea.name))
        ).rows(connection)
        asked = self.focus_area.data
        if isinstance(asked, str) and asked and len(asked) <= FOCUS_AREA_MAX and asked not in {row[0] for row in areas}:
            areas += db.session.execute(select(FocusArea.slug, FocusArea.name).where(FocusArea.slug == asked)).all()
        self.focus_area.choices = [SelectChoice("", "Any focus area")] + [SelectChoice(*row) for row in areas]

    def validate_mode(self, field) -> None:
        if field.data not in MODES:
            raise ValidationError("Choose online, in person or either")

    @property
    def filters_set(self) -> int:
        """How many of the fields inside "Filters (n)" are set."""
        return sum(1 for name in FILTER_FIELDS if self[name].data not in (None, "", False))

    def query(self, origin: Origin | None, page: int) -> Query:
        return Query(mode=self.mode.data or "", focus_area=self.focus_area.data or "",
                     language=(self.language.data or "").strip(), origin=origin,
                     radius_km=to_km(self.radius_value, self.unit_value),
                     include_online=bool(self.online.data), page=page, unit=self.unit_value)


@dataclass(frozen=True)
class ApiQuery:
    near: str
    point: tuple[float, float] | None
    unit: str
    query: Query  # without its origin: the place is looked up by the route


def api_query(args: MultiDict) -> ApiQuery:
    """The /api/gatherings query string, or BadInput saying what to change."""
    near, point = point_or_place(args.get("near", ""), args.get("lat"), args.get("lng"))
    try:
        radius = parse_number(args.get("radius"), MIN_RADIUS, MAX_RADIUS)
    except ValueError:
        raise BadInput(f"radius must be a number from {MIN_RADIUS} to {MAX_RADIUS}, like {DEFAULT_RADIUS}") from None
    unit = args.get("unit", "").strip() or "km"
    if unit not in UNITS:
        raise BadInput("unit must be km or mi")
    mode = args.get("mode", "").strip()
    mode = "" if mode == "any" else mode
    if mode not in MODES:
        raise BadInput("mode must be online, in_person or any")
    try:
        page = parse_page(args.get("page"))
    except ValueError:
        raise BadInput(f"page must be a whole number from 1 to {MAX_PAGE}") from None
    online = ONLINE_WORDS.get(args.get("online", "").strip().lower())
    if online is None:
        raise BadInput("online must be true or false")
    for name, limit in (("focus_area", FOCUS_AREA_MAX), ("language", LANGUAGE_MAX)):
        if len(args.get(name, "")) > limit:
            raise BadInput(f"{name} must be at most {limit} characters")
    radius = DEFAULT_RADIUS if radius is None else radius
    return ApiQuery(near, point, unit, Query(
        mode=mode, focus_area=args.get("focus_area", "").strip(), language=args.get("language", "").strip(),
        radius_km=to_km(radius, unit), include_online=online, page=page, unit=unit))
