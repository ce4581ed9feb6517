"""The sitemap: one file for a small site; past 50,000 addresses an index of parts, each within
the limit, listing together exactly what the one file would (and never a hidden profile)."""
import xml.etree.ElementTree as ET

import pytest

from app import sitemap
from tests.directory.profile_helpers import make_leader  # noqa: F401

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _locs(response, tag: str) -> list[str]:
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return [loc.text for loc in ET.fromstring(response.data).findall(f"sm:{tag}/sm:loc", NS)]


@pytest.fixture
def leaders(make_leader):
    shown = [make_leader()[1] for _ in range(5)]
    hidden = make_leader(listed=False)[1]
    return shown, hidden


def test_a_small_site_has_one_file(client, leaders):
    shown, hidden = leaders
    urls = _locs(client.get("/sitemap.xml"), "url")
    assert "http://localhost/" in urls and "http://localhost/blog" in urls
    assert {f"http://localhost/leaders/{slug}" for slug in shown} <= set(urls)
    assert f"http://localhost/leaders/{hidden}" not in urls


def test_past_the_limit_the_sitemap_is_an_index_of_parts_within_it(client, leaders, monkeypatch):
    shown, hidden = leaders
    whole = set(_locs(client.get("/sitemap.xml"), "url"))
    monkeypatch.setattr(sitemap, "PART_SIZE", 3)
    parts = _locs(client.get("/sitemap.xml"), "sitemap")
    assert parts[:2] == ["http://localhost/sitemap/pages.xml", "http://localhost/sitemap/blog.xml"]
    assert parts[2:] == ["http://localhost/sitemap/leaders-1.xml", "http://localhost/sitemap/leaders-2.xml",
                         "http://localhost/sitemap/forum.xml",
                         "http://localhost/sitemap/gatherings.xml"]
    listed = []
    for part in parts:
        urls = _locs(client.get(part.removeprefix("http://localhost")), "url")
        if "leaders-" in part:
            assert 1 <= len(urls) <= 3
        listed += urls
    assert sorted(listed) == sorted(whole)  # the same addresses, each once
    assert f"http://localhost/leaders/{hidden}" not in listed
    assert {f"http://localhost/leaders/{slug}" for slug in shown} <= set(listed)


@pytest.mark.parametrize("name", ["leaders-3", "leaders-0", "nothing", "leaders-99999999999999"])
def test_a_part_that_does_not_exist_is_not_found(client, leaders, name):
    assert client.get(f"/sitemap/{name}.xml").status_code == 404
