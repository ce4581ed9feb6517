"""The request board: posting a request (a public point only), the list, closing it, and a request's
page suggesting people whose requests fit: shared focus areas and languages, waking hours in common,
the distance between public points (never an exact one), online."""
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.geo.distance import haversine_km
from app.models.directory import FocusArea, LeaderProfile
from app.models.partnerships import PartnerRequest
from app.partnerships import suggestions
from tests.conftest import shown
from tests.partnerships.helpers import leader_profile, log_in_as

# West Hartford: the leader's exact (private) point, inside the cell whose centre others see.
EXACT = (41.76204, -72.74204)


def _areas(app) -> None:
    with app.app_context():
        db.session.add_all([FocusArea(name="Food security", slug="food-security", official=True),
                            FocusArea(name="Youth mentoring", slug="youth-mentoring", official=True),
                            FocusArea(name="Housing", slug="housing", official=True)])
        db.session.commit()


def _post(client, **fields):
    data = {"about": "I want to learn how to keep volunteers for years, not weeks.", "languages": "English",
            "time_zone": "America/New_York", "mode": "online", "place_from": "typed", "place": ""}
    data.update(fields)
    return client.post("/partnerships/requests/new", data=data)


def _request_of(app, user) -> PartnerRequest:
    with app.app_context():
        found = db.session.scalar(select(PartnerRequest).where(PartnerRequest.user_id == user.id))
        db.session.expunge(found)
        return found


def test_posting_listing_and_closing_a_request(app, client, make_user):
    _areas(app)
    writer = make_user(name="Rosa Request")
    log_in_as(client, writer)
    shown(client.get("/partnerships/requests/new"), "Post that you are looking", "Food security")
    refused = _post(client, about="Too short", languages="", time_zone="Mars/Olympus")
    shown(refused, "Say in 20 to 800 characters", "Name the languages", "Choose your time zone", status=422)
    response = _post(client, focus_areas=["food-security"], languages="English, Spanish")
    assert response.status_code == 302
    mine = _request_of(app, writer)
    assert response.headers["Location"].endswith(f"/partnerships/requests/{mine.id}")
    reader = make_user()
    log_in_as(client, reader)
    board = shown(client.get("/partnerships/requests"), "Rosa Request", "keep volunteers for years")
    assert "Food security" in board
    shown(client.get("/partnerships/requests?focus_area=housing"), "No open requests like these")
    shown(client.get(f"/partnerships/requests/{mine.id}"), f"Invite Rosa Request to a learning partnership")
    assert client.post(f"/partnerships/requests/{mine.id}/close").status_code == 404  # not theirs
    log_in_as(client, writer)
    assert client.post(f"/partnerships/requests/{mine.id}/close").status_code == 302
    log_in_as(client, reader)
    assert "Rosa Request" not in shown(client.get("/partnerships/requests"), "Looking for learning partners")
    assert client.get(f"/partnerships/requests/{mine.id}").status_code == 404


def test_visitors_are_asked_to_log_in_for_the_board(client):
    assert "/login" in client.get("/partnerships/requests").headers["Location"]
    assert client.get("/partnerships/requests/1").status_code == 404


def test_a_typed_place_is_kept_as_its_cells_centre_and_named_from_it(app, client, make_user):
    writer = make_user()
    log_in_as(client, writer)
    assert _post(client, mode="in_person", place="Hartford").status_code == 302
    found = _request_of(app, writer)
    from app.geo.privacy import public_point
    assert (found.public_lat, found.public_lng) == public_point(found.public_lat, found.public_lng, "city")
    assert "Hartford" in found.place_name
    refused = _post(client, mode="in_person", place="")
    shown(refused, "Say where you would meet", status=422)


def test_suggestions_use_the_public_points_never_the_exact_one(app, client, make_user):
    _areas(app)
    leader, seeker, far = make_user(role="leader", name="Lena Leader"), make_user(name="Sam Seeker"), make_user(name="Far Away")
    leader_profile(app, leader, *EXACT)
    log_in_as(client, leader)
    assert _post(client, mode="in_person", place_from="profile", focus_areas=["food-security"]).status_code == 302
    log_in_as(client, far)
    assert _post(client, mode="in_person", place="Chicago", focus_areas=["food-security"]).status_code == 302
    log_in_as(client, seeker)
    assert _post(client, mode="either", place="Hartford", focus_areas=["food-security", "housing"],
                 languages="english").status_code == 302
    theirs, mine = _request_of(app, leader), _request_of(app, seeker)
    with app.app_context():
        profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.user_id == leader.id))
        public, exact = (profile.public_lat, profile.public_lng), (profile.lat, profile.lng)
    assert (theirs.public_lat, theirs.public_lng) == public != exact
    page = shown(client.get(f"/partnerships/requests/{mine.id}"), "People whose requests fit yours", "Lena Leader",
                 "Both: Food security", "You both speak english", "14 waking hours in common")
    used = haversine_km(mine.public_lat, mine.public_lng, *public)
    from_exact = haversine_km(mine.public_lat, mine.public_lng, *exact)
    assert suggestions.distance_words(used) != suggestions.distance_words(from_exact)
    assert f"In person: {suggestions.distance_words(used)} apart" in page
    assert "Far Away" not in page  # in person only, 1,200 km away: no way to meet
    for number in (exact[0], exact[1]):
        assert f"{number:.3f}" not in page and f"{number:.4f}" not in page
    # Invite from there.
    assert client.get(f"/partnerships/invite/{leader.id}").status_code == 200


def test_waking_hours_in_common_by_time_zone():
    day = date(2027, 1, 13)
    assert suggestions.waking_overlap_hours("Europe/Berlin", "Europe/Berlin", day) == 14
    assert suggestions.waking_overlap_hours("Europe/Berlin", "America/New_York", day) == 8
    assert suggestions.waking_overlap_hours("Asia/Kolkata", "Europe/London", day) == 8.5
    assert suggestions.waking_overlap_hours("Asia/Tokyo", "America/Chicago", day) == suggestions.waking_overlap_hours(
        "America/Chicago", "Asia/Tokyo", day)
    assert suggestions.waking_overlap_hours("Pacific/Kiritimati", "Pacific/Honolulu", day) == 14  # a whole day apart
    assert suggestions.waking_overlap_hours("Asia/Tokyo", "America/Sao_Paulo", day) == 4  # their mornings, our evenings


def test_no_language_in_common_is_no_suggestion(app, client, make_user):
    one, two = make_user(), make_user(name="Otra Persona")
    log_in_as(client, one)
    assert _post(client, languages="Japanese").status_code == 302
    log_in_as(client, two)
    assert _post(client, languages="Spanish").status_code == 302
    page = shown(client.get(f"/partnerships/requests/{_request_of(app, two).id}"), "No open request fits yours yet")
    assert "Otra Persona" not in page.split("People whose requests fit yours")[1]


def test_at_most_three_open_requests(app, client, make_user):
    writer = make_user()
    log_in_as(client, writer)
    for n in range(3):
        assert _post(client, about=f"Request number {n}, about learning together.").status_code == 302
    shown(_post(client), "You have 3 open requests", status=422)
