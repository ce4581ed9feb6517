"""Reading requests: numbers the database can hold, no NUL bytes, links with a page's filters."""
from collections.abc import Iterable

from flask import Flask, abort, request, url_for
from werkzeug.routing import IntegerConverter

from app.urls import PLACEHOLDER, address_around, fill

# The largest value an Integer column holds on PostgreSQL (SQLite's go to 2**63 - 1): a
# larger id could name no row, and asking the database for it is an error, not "not found".
MAX_ID = 2**31 - 1
MAX_PAGE = 10_000


def whole_number(text: str | int | None, low: int = 1, high: int = MAX_ID) -> int | None:
    """ASCII digits for a number from low to high, else None.

    Text that str.isdigit() accepts but int() does not ('²'), other scripts' digits ('٣'),
    signs, spaces inside and thousands of digits are all not numbers here.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        return text if low <= text <= high else None
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def record_id(value: str | int) -> int:
    """coerce= for form fields of ids: an id the database can hold, or ValueError."""
    number = whole_number(value)
    if number is None:
        raise ValueError(f"{str(value)[:20]!r} is not an id")
    return number


def page_number() -> int:
    """?page= of a list: 1 unless it is a number from 1 to MAX_PAGE."""
    return whole_number(request.args.get("page"), high=MAX_PAGE) or 1


def this_page(keep: Iterable[str], **changes) -> str:
    """A link to this page with only the query parameters named in keep, then changes
    (None drops one). The query string never reaches url_for's own arguments (_method,
    _external, endpoint), so a link cannot be made to fail by what a visitor typed."""
    values = {name: request.args[name] for name in keep if request.args.get(name)}
    values.update(changes)
    values = {name: value for name, value in values.items() if value not in ("", None)}
    return url_for(request.endpoint, **{**values, **(request.view_args or {})})


def page_links(keep: Iterable[str]):
    """this_page(keep, page=n) for every n of a list's pagination, from one url_for: the address
    split around its page number (app.urls.address_around), each link joined to it."""
    around = address_around(request.endpoint, **{
        **{name: request.args[name] for name in keep if request.args.get(name)}, "page": PLACEHOLDER,
        **(request.view_args or {})})
    return lambda number: fill(around, number)


class BoundedIntegerConverter(IntegerConverter):
    """<int:...> in routes: ASCII digits for 1 to MAX_ID; anything else is a 404."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def carries_nul(path: str, *fields) -> bool:
    """True when the path or a name or value of the given MultiDicts holds a NUL byte."""
    return "\x00" in path or any("\x00" in name or "\x00" in value
                                 for field in fields for name, value in field.items(multi=True))


def init_app(app: Flask) -> None:
    """Before any blueprint, so every <int:...> route gets the bounded converter; and before
    every other hook, a 400 for a NUL byte."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.jinja_env.globals["this_page"] = this_page
    app.jinja_env.globals["page_links"] = page_links

    @app.before_request
    def refuse_nul_bytes():
        # PostgreSQL text cannot hold one: refused here rather than failing in the database.
        if carries_nul(request.path, request.args, request.form):
            abort(400, "Something you sent contains a character that cannot be stored (a NUL "
                       "byte). Remove it and try again.")
