"""Who the search may show: hidden profiles and deactivated accounts, changed through the site."""
import re

from app.models.accounts import Role
from tests.conftest import login
from tests.directory.profile_helpers import EXACT_LAT, EXACT_LNG, make_leader  # noqa: F401  (fixture)

NEAR_LYON = {"lat": str(EXACT_LAT), "lng": str(EXACT_LNG), "radius_km": "50"}


def api_slugs(client) -> list[str]:
    body = client.get("/api/leaders", query_string=NEAR_LYON).get_json()
    assert body["total"] == len(body["results"])
    return [item["slug"] for item in body["results"]]


def page_has(client, slug) -> bool:
    html = client.get("/leaders", query_string=NEAR_LYON, follow_redirects=True).get_data(True)
    return re.search(rf'href="/leaders/{re.escape(slug)}[?"]', html) is not None


def test_a_deactivated_leader_leaves_the_search_at_once_and_returns_on_reactivation(client, login_as,
                                                                                        make_leader):
    person, slug = make_leader()
    _, other = make_leader()
    visitor = client.application.test_client()
    assert sorted(api_slugs(visitor)) == sorted([slug, other]) and page_has(visitor, slug)

    login_as(Role.ADMIN)
    client.post(f"/admin/users/{person.id}/deactivate")
    assert api_slugs(visitor) == [other]
    assert not page_has(visitor, slug) and page_has(visitor, other)
    # Nearest-leaders fallback and the name-ordered list (no place) leave them out too.
    far = visitor.get("/api/leaders", query_string={"lat": "0", "lng": "0", "radius_km": "5"}).get_json()
    assert [item["slug"] for item in far["results"]] == [other]
    assert f"/leaders/{slug}\"" not in visitor.get("/leaders").get_data(True)

    client.post(f"/admin/users/{person.id}/reactivate")
    assert sorted(api_slugs(visitor)) == sorted([slug, other]) and page_has(visitor, slug)


def test_a_hidden_profile_is_never_listed_and_returns_when_shown(client, make_leader):
    owner, slug = make_leader()
    visitor = client.application.test_client()
    login(client, owner.email)
    client.post(f"/leaders/{slug}/hide")
    assert api_slugs(visitor) == [] and not page_has(visitor, slug)
    online = visitor.get("/api/leaders", query_string={**NEAR_LYON, "online": "1"}).get_json()
    assert online["total"] == 0
    client.post(f"/leaders/{slug}/unhide")
    assert api_slugs(visitor) == [slug] and page_has(visitor, slug)


def test_a_hidden_leader_stays_hidden_after_reactivation(client, login_as, make_leader):
    person, slug = make_leader(listed=False)
    login_as(Role.ADMIN)
    client.post(f"/admin/users/{person.id}/deactivate")
    client.post(f"/admin/users/{person.id}/reactivate")
    assert api_slugs(client.application.test_client()) == []
