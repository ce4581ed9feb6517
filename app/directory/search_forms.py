"""The search form on /leaders and the same rules for the JSON API's query string."""
import math
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup
from sqlalchemy import literal_column, select, union_all
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Field, Form, HiddenField, SelectChoice, SelectField, StringField
from wtforms.fields.choices import Choice
from wtforms.validators import Length, ValidationError
from wtforms.widgets import NumberInput, Select

from app.directory.search import DEFAULT_RADIUS, MAX_RADIUS, MIN_RADIUS, SORTS, Filters
from app.extensions import db
from app.prepared import prepared
from app.geo.geocoder import MAX_QUERY_LENGTH
from app.models.directory import FocusArea, Program
from app.params import MAX_PAGE, whole_number

UNITS = {"km": "kilometres", "mi": "miles"}
SORT_LABELS = {"distance": "Nearest first", "name": "Name, A to Z"}
# What the Near box reads after "Use my location": the hidden lat/lng are searched, not this text.
YOUR_LOCATION = "Your location"
# What links to another page of a search carry: the form's fields (radius_km is the API's name
# for a radius in km; /leaders redirects it to radius and unit); never the rest of the query string.
LINK_PARAMS = ("near", "lat", "lng", "radius", "radius_km", "unit", "keyword", "focus_area",
               "language", "program", "online", "sort", "page")
# The fields inside the "Filters (n)" disclosure; n counts those set.
FILTER_FIELDS = ("keyword", "focus_area", "language", "program", "online", "sort")
ONLINE_WORDS = {"1": True, "true": True, "yes": True, "on": True, "y": True,
                "0": False, "false": False, "no": False, "off": False, "n": False, "": False}


class BadInput(ValueError):
    """A query string the API cannot answer; the message says how to fix it."""


def parse_number(text: str | None, low: float, high: float) -> float | None:
    """A finite number from low to high, None when blank; ValueError otherwise."""
    if text is None or not text.strip():
        return None
    value = float(text.strip())  # ValueError for text
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{value} is out of range")
    return value


def _number(name: str, text: str | None, low: float, high: float, example: str) -> float | None:
    try:
        return parse_number(text, low, high)
    except ValueError:
        raise BadInput(f"{name} must be a number from {low:g} to {high:g}, like {example}") from None


class PointOrPlaceError(BadInput):
    """Near, lat and lng do not say one place; `field` names the one to fix ("near" or "lat/lng")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def point_or_place(near: str | None, lat: str | None, lng: str | None,
                   *, typed_place_wins: bool = False) -> tuple[str, tuple[float, float] | None]:
    """(the place typed, the point given) from the Near box and the lat/lng pair; at most one is set.

    PointOrPlaceError says what to fix: a place name too long, a coordinate that is not one,
    one coordinate without the other, or both a place and a point. typed_place_wins (the
    page): coordinates left in the hidden fields by "Use my location" are stale once a place is
    typed (without JavaScript nothing clears them), so they are not read at all.
    """
    near = (near or "").strip()
    if len(near) > MAX_QUERY_LENGTH:
        raise PointOrPlaceError("near", f"near must be at most {MAX_QUERY_LENGTH} characters")
    if near and typed_place_wins:
        return near, None

    try:
        lat_value, lng_value = _number("lat", lat, -90, 90, "51.5"), _number("lng", lng, -180, 180, "-0.12")
    except BadInput as error:
        raise PointOrPlaceError("lat/lng", str(error)) from None
    if (lat_value is None) != (lng_value is None):
        raise PointOrPlaceError("lat/lng", "Give both lat and lng, or neither")
    if near and lat_value is not None:
        raise PointOrPlaceError("lat/lng", "Give either near or lat and lng, not both")
    return near, None if lat_value is None else (lat_value, lng_value)


def parse_page(text: str | None) -> int:
    """1 when blank, a page number from 1 to MAX_PAGE, else ValueError."""
    if text is None or not text.strip():
        return 1
    page = whole_number(text, high=MAX_PAGE)
    if page is None:
        raise ValueError("not a page number")
    return page


class NumberField(Field):
    """A number box that reports text and out-of-range values in words people understand."""

    widget = NumberInput(step="any")

    def __init__(self, label=None, validators=None, *, low: float, high: float, message: str, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.low, self.high, self.message = low, high, message

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data:g}"

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            parsed = parse_number(valuelist[0], self.low, self.high)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None
        self.data = self.default if parsed is None else parsed


class KeptOptionsSelect(Select):
    """WTForms' <select>, each <option>'s HTML kept per worker: the search bar draws every focus
    area and program on every search, and they are the same few dozen options each time."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        return _option_html(choice.value, choice.label, bool(choice.selected))


@lru_cache(maxsize=2048)
def _option_html(value, label, selected: bool) -> Markup:
    return Select.render_option(Choice(value=value, label=label, selected=selected, render_kw={}))


class NearForm(Form):
    """The place box, radius and unit a search shares with others (/leaders, /gatherings), and a
    focus area from the official list. Sent with GET: no CSRF token, every search is a link
    people can share."""

    near_max_length = MAX_QUERY_LENGTH  # stated in the hint

    near = StringField("Near", validators=[Length(max=MAX_QUERY_LENGTH, message="Enter a shorter place name")])
    lat = HiddenField()
    lng = HiddenField()
    radius = NumberField("Within", default=DEFAULT_RADIUS, low=MIN_RADIUS, high=MAX_RADIUS,
                         message=f"Enter a distance from {MIN_RADIUS} to {MAX_RADIUS}, like 50")
    unit = SelectField("Unit", default="km", validate_choice=False,
                       choices=[SelectChoice(value, label) for value, label in UNITS.items()])

    def validate_unit(self, field) -> None:
        if field.data not in UNITS:
            raise ValidationError("Choose kilometres or miles")

    def validate_focus_area(self, field) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a focus area from the list")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        try:
            self.point_or_place()
        except PointOrPlaceError as error:
            if error.field == "near":  # the Length validator has said so on the field
                return False
            self.form_errors.append("We could not read your location. Type a place in “Near” instead.")
            return False
        return valid

    def typed_place(self) -> str:
        """The place typed in Near; "" when empty or when it reads "Your location"."""
        text = (self.near.data or "").strip()
        return "" if text.casefold() == YOUR_LOCATION.casefold() else text

    def point_or_place(self) -> tuple[str, tuple[float, float] | None]:
        """(the place typed, the visitor's own location from "Use my location"); PointOrPlaceError if
        unreadable. A place typed after it wins: the coordinates left in the hidden fields are stale."""
        return point_or_place(self.typed_place(), self.lat.data, self.lng.data, typed_place_wins=True)

    @property
    def radius_value(self) -> float:
        return DEFAULT_RADIUS if self.radius.data is None else self.radius.data

    @property
    def unit_value(self) -> str:
        return self.unit.data if self.unit.data in UNITS else "km"


def _choices_statement():
    """The official focus areas (kind 0) and the programs (kind 1), each by name."""
    choices = union_all(
        select(literal_column("0").label("kind"), FocusArea.slug.label("slug"), FocusArea.name.label("name"))
        .where(FocusArea.official),
        select(literal_column("1"), Program.slug, Program.name)).subquery()
    return select(choices).order_by(choices.c.kind, choices.c.name)


class SearchForm(NearForm):
    """/leaders' search."""

    keyword = StringField("Keyword", validators=[Length(max=100, message="Enter at most 100 characters")])
    focus_area = SelectField("Focus area", default="", validate_choice=False, widget=KeptOptionsSelect())
    language = StringField("Language", validators=[Length(max=40, message="Enter one language, like Spanish")])
    program = SelectField("Program", default="", validate_choice=False, widget=KeptOptionsSelect())
    online = BooleanField("Include leaders who work online")
    sort = SelectField("Sort by", default="distance", validate_choice=False,
                       choices=[SelectChoice(value, SORT_LABELS[value]) for value in SORTS])

    def load_choices(self) -> None:
        # Both lists in one prepared statement (a statement is a round trip on PostgreSQL).
        connection = db.session.connection()
        rows = prepared(connection, "search choices", _choices_statement).rows(connection)
        areas = [(slug, name) for kind, slug, name in rows if kind == 0]
        programs = [(slug, name) for kind, slug, name in rows if kind == 1]
        self.focus_area.choices = [SelectChoice("", "Any focus area")] + [SelectChoice(*row) for row in areas]
        self.program.choices = [SelectChoice("", "Any program")] + [SelectChoice(*row) for row in programs]

    def validate_program(self, field) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a program from the list")

    @property
    def sort_value(self) -> str:
        """The order asked for; anything else (a hand-edited link) is the default, not an error."""
        return self.sort.data if self.sort.data in SORTS else "distance"

    @property
    def filters_set(self) -> int:
        """How many of the fields inside "Filters (n)" differ from their defaults."""
        values = {name: self[name].data for name in FILTER_FIELDS} | {"sort": self.sort_value}
        return sum(1 for name, value in values.items() if value not in (None, "", False, self[name].default))

    def filters(self) -> Filters:
        return Filters(keyword=(self.keyword.data or "").strip(), focus_area=self.focus_area.data or "",
                       language=(self.language.data or "").strip(), program=self.program.data or "",
                       online=bool(self.online.data))


@dataclass(frozen=True, slots=True)
class ApiQuery:
    near: str
    point: tuple[float, float] | None
    radius_km: float
    page: int
    filters: Filters
    sort: str = "distance"


def api_query(args: MultiDict) -> ApiQuery:
    """The /api/leaders query string, or BadInput saying what to change."""
    near, point = point_or_place(args.get("near", ""), args.get("lat"), args.get("lng"))
    radius = _number("radius_km", args.get("radius_km"), MIN_RADIUS, MAX_RADIUS, str(DEFAULT_RADIUS))
    try:
        page = parse_page(args.get("page"))
    except ValueError:
        raise BadInput(f"page must be a whole number from 1 to {MAX_PAGE}") from None
    sort = args.get("sort", "").strip() or "distance"
    if sort not in SORTS:
        raise BadInput("sort must be distance or name")
    online = ONLINE_WORDS.get(args.get("online", "").strip().lower())
    if online is None:
        raise BadInput("online must be true or false")
    for name, limit in (("keyword", 100), ("focus_area", 60), ("language", 40), ("program", 100)):
        if len(args.get(name, "")) > limit:
            raise BadInput(f"{name} must be at most {limit} characters")
    filters = Filters(keyword=args.get("keyword", "").strip(), focus_area=args.get("focus_area", "").strip(),
                      language=args.get("language", "").strip(), program=args.get("program", "").strip(),
                      online=online)
    return ApiQuery(near, point, DEFAULT_RADIUS if radius is None else radius, page, filters, sort)
