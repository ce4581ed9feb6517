"""One reading of "a place or a point" for the /leaders page and /api/leaders, each keeping its own answers."""
import pytest
from werkzeug.datastructures import MultiDict

from app.directory.search_forms import BadInput, PointOrPlaceError, SearchForm, api_query, point_or_place


def test_a_place_or_a_point_or_neither():
    assert point_or_place(" Lyon ", None, None) == ("Lyon", None)
    assert point_or_place("", "45.5", "4.8") == ("", (45.5, 4.8))
    assert point_or_place("", "", "") == ("", None)


@pytest.mark.parametrize(("near", "lat", "lng", "field", "message"), [
    ("x" * 201, None, None, "near", "near must be at most 200 characters"),
    ("", "north", "4", "lat/lng", "lat must be a number from -90 to 90, like 51.5"),
    ("", "1", "181", "lat/lng", "lng must be a number from -180 to 180, like -0.12"),
    ("", "1", "", "lat/lng", "Give both lat and lng, or neither"),
    ("Lyon", "1", "2", "lat/lng", "Give either near or lat and lng, not both"),
])
def test_what_to_fix_is_named(near, lat, lng, field, message):
    with pytest.raises(PointOrPlaceError, match=message) as raised:
        point_or_place(near, lat, lng)
    assert raised.value.field == field


def test_the_page_lets_a_typed_place_win_where_the_api_refuses_both(app):
    stale = {"near": "Lyon", "lat": "not a number", "lng": "2"}
    with pytest.raises(BadInput, match="lat must be a number"):
        api_query(MultiDict(stale))
    with app.test_request_context():
        form = SearchForm(MultiDict(stale))
        form.load_choices()
        assert form.validate() and form.point_or_place() == ("Lyon", None)
        unreadable = SearchForm(MultiDict({"lat": "not a number", "lng": "2"}))
        unreadable.load_choices()
        assert not unreadable.validate()
        assert unreadable.form_errors == ["We could not read your location. Type a place in “Near” instead."]
