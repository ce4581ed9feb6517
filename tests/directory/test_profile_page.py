"""The profile page: "Back to results" to the search a visitor came from, and its canonical address."""
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.conftest import shown
from tests.directory.profile_helpers import make_leader, profile_page  # noqa: F401


def back_link(html: str) -> str | None:
    import html as html_lib
    import re
    match = re.search(r'<a href="([^"]*)" data-back-to-results>Back to results</a>', html)
    return html_lib.unescape(match.group(1)) if match else None


def test_back_to_results_returns_to_the_search_with_its_own_parameters_only(client, make_leader):
    _, slug = make_leader()
    search = urlencode({"near": "Lyon, France", "radius": "25", "unit": "km", "page": "2",
                        "keyword": "garden", "_method": "DELETE", "next": "https://evil.example"})
    response = client.get(f"/leaders/{slug}", query_string={"results": search})
    assert response.status_code == 200
    link = back_link(response.get_data(True))
    assert link is not None
    parts = urlsplit(link)
    assert parts.path == "/leaders" and not parts.netloc
    assert parse_qs(parts.query) == {"near": ["Lyon, France"], "radius": ["25"], "unit": ["km"],
                                     "page": ["2"], "keyword": ["garden"]}
    assert client.get(link).status_code == 200


def test_no_back_link_without_a_search(client, make_leader):
    owner, slug = make_leader()
    for query in ({}, {"results": ""}, {"results": "next=/admin&_method=POST"}, {"results": "near"}):
        html = profile_page(client, slug, owner.display_name, query_string=query)
        assert back_link(html) is None, query
        assert "Back to results" not in html


@pytest.mark.parametrize("results", [
    "near=" + "x" * 5000, "near=%ZZ&radius=%", "near=%00", "near=\u0000lyon", "%" * 300,
    "near=" + "é" * 150 + "&" * 3000, "near=<script>alert(1)</script>", "near=%FF%FE",
    "=&==&&&=x", "near=a&near=b&near=c", "javascript:alert(1)", "near=Lyon\r\nSet-Cookie: x=1",
    "lat=1e999&lng=nan&radius=-5&page=99999999999999999999",
])
def test_hostile_results_values_never_break_the_page(client, make_leader, results):
    owner, slug = make_leader()
    response = client.get(f"/leaders/{slug}", query_string={"results": results})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        html = shown(response, f'<h1 class="profile__name">{owner.display_name}</h1>', "Lyon, France")
        assert "<script>alert(1)" not in html
        link = back_link(html)
        assert link is None or (link.startswith("/leaders?") and "\n" not in link
                                and len(parse_qs(urlsplit(link).query).get("near", [])) <= 1)


def test_bytes_that_are_not_utf8_never_break_the_page(client, make_leader):
    _, slug = make_leader()
    for raw in ("results=near%3D%FF", "results=%FF%FE", "results=near%3D%25FF&results=x"):
        assert client.get(f"/leaders/{slug}?{raw}").status_code in (200, 400), raw


def test_the_canonical_address_has_no_results_parameter(client, make_leader):
    _, slug = make_leader()
    html = client.get(f"/leaders/{slug}?results=near%3DLyon").get_data(True)
    assert f'<link rel="canonical" href="http://localhost/leaders/{slug}">' in html


def test_a_place_whose_region_bears_its_name_is_named_once():
    from types import SimpleNamespace

    from app.directory.services import public_place
    assert public_place(SimpleNamespace(city="Nairobi", region="Nairobi", country="Kenya")) == "Nairobi, Kenya"
    assert public_place(SimpleNamespace(city="Lyon", region="", country="France")) == "Lyon, France"
