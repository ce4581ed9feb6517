"""Who the search may show: hidden profiles and deactivated accounts, changed through the site."""
import re

from app.models.accounts import Role
from tests.conftest import login, shown
from tests.directory.profile_helpers import EXACT_LAT, EXACT_LNG, make_leader  # noqa: F401  (fixture)

NEAR_LYON = {"lat": str(EXACT_LAT), "lng": str(EXACT_LNG), "radius_km": "50"}


def api_slugs(client) -> list[str]:
    response = client.get("/api/leaders", query_string=NEAR_LYON)
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == len(body["results"])
    return [item["slug"] for item in body["results"]]


def page_has(client, slug) -> bool:
    """Whether the search near Lyon links to the profile; the results must be there to look in."""
    response = client.get("/leaders", query_string=NEAR_LYON, follow_redirects=True)
    html = shown(response, 'id="results-title"', "within 50 km of")
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
    everyone = shown(visitor.get("/leaders"), "1 leader<", f'href="/leaders/{other}"')
    assert f"/leaders/{slug}\"" not in everyone

    client.post(f"/admin/users/{person.id}/reactivate")
    assert sorted(api_slugs(visitor)) == sorted([slug, other]) and page_has(visitor, slug)


def test_a_hidden_profile_is_never_listed_and_returns_when_shown(client, make_leader):
    owner, slug = make_leader()
    visitor = client.application.test_client()
    login(client, owner.email)
    client.post(f"/leaders/{slug}/hide")
    assert api_slugs(visitor) == [] and not page_has(visitor, slug)
    online = visitor.get("/api/leaders", query_string={**NEAR_LYON, "online": "1"})
    assert online.status_code == 200
    online = online.get_json()
    assert online["total"] == 0
    client.post(f"/leaders/{slug}/unhide")
    assert api_slugs(visitor) == [slug] and page_has(visitor, slug)


def test_a_hidden_leader_stays_hidden_after_reactivation(client, login_as, make_leader):
    person, slug = make_leader(listed=False)
    login_as(Role.ADMIN)
    client.post(f"/admin/users/{person.id}/deactivate")
    client.post(f"/admin/users/{person.id}/reactivate")
    assert api_slugs(client.application.test_client()) == []


def test_one_rule_says_who_is_public_in_python_in_sql_and_in_the_search_column(app):
    """listed x active: LeaderProfile.is_public, its SQL form, permissions, the sitemap's list and
    `searchable` (what the search reads) agree for every combination, after each way they change."""
    from sqlalchemy import select

    from app import permissions
    from app.admin.services import deactivate, reactivate
    from app.directory import services
    from app.extensions import db
    from app.models.accounts import User
    from app.models.directory import LeaderProfile
    from tests.directory.search_fixtures import add_leader

    with app.app_context():
        admin = User(email="rule-admin@example.com", display_name="Admin", password_hash="x", role=Role.ADMIN)
        db.session.add(admin)
        profiles = {(listed, active): add_leader(f"Rule {listed} {active}", listed=listed, active=active)
                    for listed in (True, False) for active in (True, False)}

        def agree() -> None:
            in_sql = set(db.session.scalars(select(LeaderProfile.id).where(LeaderProfile.is_public)))
            in_sitemap = {slug for slug, _ in services.public_slugs()}
            for (listed, active), profile in profiles.items():
                db.session.refresh(profile)
                expected = profile.listed and profile.user.active
                assert profile.is_public is expected
                assert (profile.id in in_sql) is expected
                assert (profile.slug in in_sitemap) is expected
                assert permissions.can_view_profile(None, profile) is expected
                assert profile.searchable is expected, (listed, active)

        agree()
        assert {key for key, profile in profiles.items() if profile.is_public} == {(True, True)}
        for profile in profiles.values():
            services.set_listed(profile, not profile.listed)
        db.session.commit()
        agree()
        for profile in profiles.values():
            (deactivate(admin, profile.user) if profile.user.active else reactivate(profile.user))
        db.session.commit()
        agree()
