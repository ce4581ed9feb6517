"""Leader profiles: starting, editing, locations, tags, hiding, deleting and who may do what."""
import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.accounts import Role
from app.models.directory import FocusArea, LeaderProfile, Program, ProfileProgram
from tests.conftest import login, shown
from tests.directory.profile_helpers import load_profile, make_leader, profile_form, profile_page  # noqa: F401


def test_a_leader_starts_a_profile_and_sets_a_place(app, client, login_as):
    login_as(Role.LEADER, name="Noa Velden")
    assert client.get("/leaders/me").status_code == 200
    response = client.post("/leaders/me")
    assert response.status_code == 302
    slug = response.headers["Location"].split("/")[-2]
    response = client.post(f"/leaders/{slug}/edit", data=profile_form(
        place="Lyon, France", bio="I *run* a club <script>alert(1)</script>"))
    assert response.status_code == 302, response.get_data(True)
    profile = load_profile(app, slug)
    assert (profile.city, profile.country, profile.precision.value) == ("Lyon", "France", "city")
    assert profile.lat == pytest.approx(45.75, abs=0.05)
    html = profile_page(client, slug, "Noa Velden", "Lyon")
    assert "Noa Velden" in html and "Lyon, Auvergne" in html or "Lyon" in html
    assert "<em>run</em>" in html and "<script>alert" not in html


def test_members_are_sent_to_apply_and_visitors_to_log_in(client, login_as):
    assert client.get("/leaders/me").status_code == 302
    login_as(Role.MEMBER)
    response = client.get("/leaders/me")
    assert response.headers["Location"].endswith("/leaders/apply")


def test_a_leader_cannot_edit_another_leaders_profile(client, make_leader, login_as):
    owner, slug = make_leader()
    login_as(Role.LEADER)
    for path in ("edit", "photo", "preview", "delete"):
        assert client.get(f"/leaders/{slug}/{path}").status_code == 403, path
    assert client.post(f"/leaders/{slug}/edit", data=profile_form(display_name="Hijacked")).status_code == 403
    assert client.post(f"/leaders/{slug}/hide").status_code == 403
    assert client.post(f"/leaders/{slug}/delete").status_code == 403
    assert "Hijacked" not in profile_page(client, slug, owner.display_name)


def test_an_admin_may_edit_any_profile(app, client, make_leader, login_as):
    _, slug = make_leader()
    login_as(Role.ADMIN)
    response = client.post(f"/leaders/{slug}/edit", data=profile_form(display_name="Renamed by admin",
                                                                     place="Lyon"))
    assert response.status_code == 302
    assert load_profile(app, slug).display_name == "Renamed by admin"


def test_hidden_profiles_are_404_to_others_and_visible_to_the_owner_with_a_note(app, client, make_leader,
                                                                                make_user):
    owner, slug = make_leader()
    login(client, owner.email)
    assert client.post(f"/leaders/{slug}/hide").status_code == 302
    assert load_profile(app, slug).listed is False
    html = client.get(f"/leaders/{slug}").get_data(True)
    assert "This profile is hidden" in html
    client.post("/logout")
    assert client.get(f"/leaders/{slug}").status_code == 404
    other = make_user()
    login(client, other.email)
    assert client.get(f"/leaders/{slug}").status_code == 404
    assert client.get(f"/leaders/{slug}/contact").status_code == 404
    client.post("/logout")
    login(client, owner.email)
    client.post(f"/leaders/{slug}/unhide")
    client.post("/logout")
    assert client.get(f"/leaders/{slug}").status_code == 200


def test_profiles_of_deactivated_accounts_are_not_shown(app, client, make_leader):
    owner, slug = make_leader()
    with app.app_context():
        from app.models.accounts import User
        db.session.get(User, owner.id).active = False
        db.session.commit()
    assert client.get(f"/leaders/{slug}").status_code == 404


def test_preview_shows_the_public_page_without_private_parts(client, make_leader):
    owner, slug = make_leader()
    login(client, owner.email)
    own_view = client.get(f"/leaders/{slug}").get_data(True)
    assert "Only you and administrators see this" in own_view
    preview = shown(client.get(f"/leaders/{slug}/preview"), f'<h1 class="profile__name">{owner.display_name}</h1>')
    assert "how other people see your profile" in preview
    assert "Only you and administrators see this" not in preview
    assert "Edit your profile" not in preview


def test_deleting_asks_on_a_page_of_its_own_then_removes_the_profile(app, client, make_leader):
    owner, slug = make_leader()
    login(client, owner.email)
    page = client.get(f"/leaders/{slug}/delete").get_data(True)
    assert "Delete your profile?" in page and "No, keep it" in page
    response = client.post(f"/leaders/{slug}/delete")
    assert response.status_code == 302
    assert load_profile(app, slug) is None
    assert client.get(f"/leaders/{slug}").status_code == 404
    # The account stays a leader and can start again.
    assert client.get("/leaders/me").status_code == 200


def test_an_ambiguous_place_asks_which_one_is_meant(app, client, make_leader):
    owner, slug = make_leader(lat=None)
    login(client, owner.email)
    html = client.post(f"/leaders/{slug}/edit", data=profile_form(place="Springfield")).get_data(True)
    assert "more than one place with that name" in html
    assert "Springfield, Illinois, United States" in html
    assert load_profile(app, slug).lat is None  # nothing saved yet
    response = client.post(f"/leaders/{slug}/edit", data=profile_form(
        place="Springfield", place_choice="Springfield, Illinois, United States"))
    assert response.status_code == 302
    profile = load_profile(app, slug)
    assert (profile.city, profile.region) == ("Springfield", "Illinois")


def test_an_unknown_place_says_how_to_fix_it(client, make_leader):
    owner, slug = make_leader()
    login(client, owner.email)
    html = client.post(f"/leaders/{slug}/edit", data=profile_form(place="Qwzxxy Flarb")).get_data(True)
    assert "We could not find that place" in html and "There is a problem" in html


def test_a_postal_code_sets_the_post_town(app, client, make_leader):
    owner, slug = make_leader(lat=None)
    login(client, owner.email)
    client.post(f"/leaders/{slug}/edit", data=profile_form(place="97201"))
    profile = load_profile(app, slug)
    assert profile.city == "Portland" and profile.region == "Oregon"


def test_a_dropped_pin_keeps_the_point_and_names_the_nearest_town(app, client, make_leader):
    owner, slug = make_leader(lat=None)
    login(client, owner.email)
    response = client.post(f"/leaders/{slug}/edit", data=profile_form(
        pin_lat="48.85661", pin_lng="2.35222", precision="exact"))
    assert response.status_code == 302
    profile = load_profile(app, slug)
    assert (profile.lat, profile.lng) == (48.85661, 2.35222)
    assert (profile.public_lat, profile.public_lng) == (48.85661, 2.35222)
    assert profile.country == "France" and profile.city


def test_half_a_pin_is_an_error(client, make_leader):
    owner, slug = make_leader()
    login(client, owner.email)
    html = client.post(f"/leaders/{slug}/edit", data=profile_form(pin_lat="48.8")).get_data(True)
    assert "Enter both latitude and longitude" in html


def test_focus_areas_free_tags_and_programs(app, client, make_leader):
    owner, slug = make_leader()
    with app.app_context():
        official = FocusArea(name="Food security", slug="food-security", official=True)
        program = Program(name="Mentor Training", slug="mentor-training")
        db.session.add_all([official, program])
        db.session.commit()
        official_id, program_id = official.id, program.id
    login(client, owner.email)
    form = client.get(f"/leaders/{slug}/edit").get_data(True)
    assert "Food security" in form and "Mentor Training" in form
    client.post(f"/leaders/{slug}/edit", data=profile_form(
        place="Lyon", focus_areas=[str(official_id)], programs=[str(program_id)],
        free_tags="Seed libraries, seed libraries,  Repair cafés ", languages="French, English, french"))
    profile = load_profile(app, slug)
    assert [area.name for area in profile.focus_areas] == ["Food security", "Repair cafés", "Seed libraries"]
    assert profile.languages == "French, English"
    assert [item.program.name for item in profile.programs] == ["Mentor Training"]
    # An admin verifies the program; saving the profile again keeps the badge.
    with app.app_context():
        db.session.get(ProfileProgram, (profile.id, program_id)).verified = True
        db.session.commit()
    client.post(f"/leaders/{slug}/edit", data=profile_form(place="Lyon", programs=[str(program_id)]))
    assert load_profile(app, slug).programs[0].verified is True
    card = client.get(f"/leaders/{slug}").get_data(True)
    assert "Mentor Training" in card and "(verified)" in card


@pytest.mark.parametrize("website", ["javascript:alert(1)", "example.org", "data:text/html,hi"])
def test_only_web_addresses_are_accepted_as_links(client, make_leader, website):
    owner, slug = make_leader()
    login(client, owner.email)
    html = client.post(f"/leaders/{slug}/edit", data=profile_form(website=website)).get_data(True)
    assert "Enter web addresses that start with https://" in html


def test_links_on_the_profile_are_nofollow(client, make_leader):
    owner, slug = make_leader()
    login(client, owner.email)
    client.post(f"/leaders/{slug}/edit", data=profile_form(place="Lyon", website="https://noa.example.org",
                                                           links="https://social.example/@noa\n"))
    html = client.get(f"/leaders/{slug}").get_data(True)
    assert 'href="https://noa.example.org" rel="nofollow noopener ugc"' in html
    assert 'href="https://social.example/@noa"' in html


def test_changing_the_quote_takes_it_off_the_home_page(app, client, make_leader):
    owner, slug = make_leader(quote="Bring chairs.", featured_quote=True)
    assert "Bring chairs." in client.get("/").get_data(True)
    login(client, owner.email)
    client.post(f"/leaders/{slug}/edit", data=profile_form(place="Lyon", quote="Bring tables."))
    assert load_profile(app, slug).featured_quote is False
    assert "Bring tables." not in shown(client.get("/"), 'action="/leaders"')


def test_the_home_page_has_the_near_me_search_and_featured_quotes(app, client, make_leader):
    _, slug = make_leader(display_name="Ama Okan", headline="Youth worker", quote="Listen first.",
                          featured_quote=True, city="Accra", country="Ghana")
    _, hidden = make_leader(quote="Hidden words.", featured_quote=True, listed=False)
    _, unfeatured = make_leader(quote="Not chosen.")
    html = shown(client.get("/"), "Listen first.")
    assert 'action="/leaders"' in html and 'name="near"' in html and 'name="radius"' in html
    assert "Our leaders are saying" in html
    assert "Listen first." in html and f'href="/leaders/{slug}"' in html and "Youth worker" in html
    assert "Accra, Ghana" in html
    assert "Hidden words." not in html and "Not chosen." not in html


def test_the_navigation_links_to_search_and_to_the_leaders_own_profile(client, login_as):
    html = shown(client.get("/"), 'href="/leaders">Find leaders')
    assert 'href="/leaders">Find leaders' in html and "Your profile" not in html
    login_as(Role.LEADER)
    assert 'href="/leaders/me">Your profile' in client.get("/").get_data(True)


def test_profile_url_for_is_the_public_page_or_none(app, make_leader, make_user):
    from app.directory.services import profile_url_for
    owner, slug = make_leader()
    nobody = make_user()
    with app.test_request_context():
        from app.models.accounts import User
        assert profile_url_for(db.session.get(User, owner.id)) == f"/leaders/{slug}"
        assert profile_url_for(db.session.get(User, nobody.id)) is None
        db.session.scalar(select(LeaderProfile).where(LeaderProfile.slug == slug)).listed = False
        assert profile_url_for(db.session.get(User, owner.id)) is None


def test_download_my_data_includes_the_profile_with_its_exact_point(client, make_leader):
    owner, slug = make_leader()
    login(client, owner.email)
    data = json.loads(client.get("/account/export.json").get_data(True))
    assert data["leader_profile"]["slug"] == slug
    assert data["leader_profile"]["location"]["lat"] == pytest.approx(45.761237)


def test_slugs_are_unique_and_never_a_page_name(app, make_user):
    from app.directory import services
    from app.models.accounts import User
    one, two = make_user(name="Me"), make_user(name="Me")
    with app.app_context():
        first = services.create_profile(db.session.get(User, one.id))
        second = services.create_profile(db.session.get(User, two.id))
        assert first.slug == "me-2" and second.slug == "me-3"
        # Starting again (a double click, another tab) gives the profile already there.
        assert services.create_profile(db.session.get(User, first.user_id)).id == first.id
