"""GET /api/gatherings: the parameters of /gatherings, public fields only (never the meeting link
nor a join token), and 400 with {"error": ...} for what it cannot read."""
import json
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.gatherings import Rsvp
from tests.gatherings.helpers import SECRET_LINK, make_gathering, rsvp
from tests.gatherings.test_finding import around_lyon, areas, gathering, host, in_person, to_past  # noqa: F401

FIELDS = {"id", "title", "url", "starts_at", "ends_at", "time_zone", "mode", "language", "focus_areas",
          "venue_name", "place_name", "lat", "lng", "distance_km", "online_after", "capacity", "going",
          "full", "host", "state"}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def api(client, status=200, **args):
    response = client.get("/api/gatherings", query_string=args)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def titles(answer):
    return [item["title"] for item in answer["results"]]


def test_shape_of_an_answer(app, client, host, make_user, areas):  # noqa: F811
    supper = in_person(app, host, "A small supper club", 2, "Lyon", capacity=1, focus_areas=["gardens"])
    online = gathering(app, host, "Evening call on youth work", 1, focus_areas=["youth-work", "gardens"],
                       time_zone="America/New_York")
    rsvp(app, make_user(), supper)

    answer = api(client)
    assert set(answer) == {"origin", "radius_km", "near_total", "page", "per_page", "has_next", "results"}
    assert answer["origin"] is None and answer["page"] == 1 and answer["per_page"] == 20
    assert answer["has_next"] is False
    call, club = answer["results"]
    assert set(call) == FIELDS and set(club) == FIELDS
    assert call["id"] == online and call["url"] == f"http://localhost/gatherings/{online}"
    assert ISO_UTC.match(call["starts_at"]) and ISO_UTC.match(call["ends_at"])
    assert call["starts_at"] < call["ends_at"]
    assert call["time_zone"] == "America/New_York" and call["mode"] == "online" and call["language"] == "English"
    assert call["focus_areas"] == [{"slug": "gardens", "name": "Gardens"}, {"slug": "youth-work", "name": "Youth work"}]
    assert call["lat"] is None and call["lng"] is None and call["venue_name"] == "" and call["place_name"] == ""
    assert call["distance_km"] is None and call["capacity"] is None and call["going"] == 0 and call["full"] is False
    assert call["host"] == {"name": "Camille Host", "url": "http://localhost/leaders/camille-host"}
    assert call["state"] == "published"
    assert club["mode"] == "in_person" and club["venue_name"] == "Salle des fêtes"
    assert club["place_name"] == "Lyon, France" and club["lat"] == pytest.approx(45.749, abs=0.01)
    assert club["capacity"] == 1 and club["going"] == 1 and club["full"] is True


def test_near_with_distances_and_online_after(client, around_lyon):  # noqa: F811
    answer = api(client, near="Lyon", radius="60", online="true")
    assert titles(answer) == ["Lyon, soon", "Villeurbanne reading", "Lyon, later on", "Vienne by the river",
                              "Bourg-en-Bresse market walk", "Paris, and online too", "A call for everyone"]
    assert answer["origin"]["name"] == "Lyon, France" and answer["radius_km"] == 60 and answer["near_total"] == 5
    distances = [item["distance_km"] for item in answer["results"]]
    assert distances[5:] == [None, None] and 24 < distances[3] < 26 and 58 < distances[4] < 60
    assert max(distances[:3]) < 5  # shown alike ("< 5 km"): soonest first
    assert [item["online_after"] for item in answer["results"]] == [False] * 5 + [True, True]


def test_near_in_miles_and_by_point(client, around_lyon):  # noqa: F811
    assert titles(api(client, near="Lyon", radius="30", unit="mi")) == [
        "Lyon, soon", "Villeurbanne reading", "Lyon, later on", "Vienne by the river"]
    answer = api(client, lat="45.76", lng="4.84", radius="10")
    assert titles(answer) == ["Lyon, soon", "Villeurbanne reading", "Lyon, later on"]
    assert answer["origin"]["name"] == "your location"


def test_filters(client, around_lyon):  # noqa: F811
    assert titles(api(client, mode="online")) == ["Paris, and online too", "A call for everyone"]
    assert titles(api(client, mode="any", language="ENGLISH"))[0] == "Vienne by the river"
    assert titles(api(client, mode="in_person", near="Paris", radius="20")) == ["Paris, and online too"]


def test_paged(app, client, host):  # noqa: F811
    for number in range(21):
        gathering(app, host, f"Gathering number {number:02d}", 1 + number / 10)
    first = api(client)
    assert len(first["results"]) == 20 and first["has_next"] is True
    second = api(client, page="2")
    assert titles(second) == ["Gathering number 20"] and second["has_next"] is False
    assert api(client, page="3")["results"] == []


def test_never_the_meeting_link_nor_a_join_token(app, client, host, make_user):  # noqa: F811
    online = gathering(app, host, "Online with a secret room", 1)
    both = make_gathering(app, host, title="Both with a secret room", mode="both", venue_name="Le Manège",
                          address="Lyon")
    for gathering_id in (online, both):
        rsvp(app, make_user(), gathering_id)
    with app.app_context():
        tokens = list(db.session.scalars(select(Rsvp.join_token)))
    assert len(tokens) == 2
    for args in ({}, {"near": "Lyon", "online": "yes"}, {"mode": "online"}, {"mode": "in_person", "near": "Lyon"}):
        response = client.get("/api/gatherings", query_string=args)
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and json.loads(body)["results"]
        assert SECRET_LINK not in body and "meet.example" not in body and "meeting" not in body
        assert not any(token in body for token in tokens)


def test_drafts_and_past_ones_never_listed(app, client, host):  # noqa: F811
    gathering(app, host, "Draft online", 1, publish=False)
    in_person(app, host, "Draft in Lyon", 1, "Lyon", publish=False)
    done = gathering(app, host, "Over already", 2)
    to_past(app, done)
    gathering(app, host, "The one that counts", 3)
    for args in ({}, {"near": "Lyon", "online": "1"}, {"mode": "in_person"}):
        assert titles(api(client, **args)) in (["The one that counts"], [])


@pytest.mark.parametrize("args, message", [
    ({"radius": "0"}, "radius must be a number from 5 to 500, like 50"),
    ({"radius": "9999"}, "radius must be a number from 5 to 500, like 50"),
    ({"radius": "abc"}, "radius must be a number from 5 to 500, like 50"),
    ({"radius": "inf"}, "radius must be a number from 5 to 500, like 50"),
    ({"unit": "furlongs"}, "unit must be km or mi"),
    ({"mode": "by-pigeon"}, "mode must be online, in_person or any"),
    ({"page": "-1"}, "page must be a whole number from 1 to 10000"),
    ({"page": "99999999"}, "page must be a whole number from 1 to 10000"),
    ({"page": "abc"}, "page must be a whole number from 1 to 10000"),
    ({"online": "perhaps"}, "online must be true or false"),
    ({"lat": "45.7"}, "Give both lat and lng, or neither"),
    ({"lat": "north", "lng": "4"}, "lat must be a number from -90 to 90, like 51.5"),
    ({"near": "Lyon", "lat": "45", "lng": "4"}, "Give either near or lat and lng, not both"),
    ({"near": "x" * 201}, "near must be at most 200 characters"),
    ({"language": "x" * 41}, "language must be at most 40 characters"),
    ({"focus_area": "x" * 61}, "focus_area must be at most 60 characters"),
])
def test_bad_input_is_a_400_saying_what_to_change(client, args, message):
    assert api(client, status=400, **args) == {"error": message}


def test_unknown_place_is_a_404_as_for_leaders(client):
    answer = api(client, status=404, near="Zzyzxqwv Upon Nowhere")
    assert answer["error"].startswith("We could not find “Zzyzxqwv Upon Nowhere”")


def test_rate_limited_like_the_leader_api(app, client):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    assert client.get("/api/gatherings").status_code == 200
    assert client.get("/api/gatherings").status_code == 200
    response = client.get("/api/gatherings")
    assert response.status_code == 429 and response.mimetype == "application/json"


def test_a_kept_answer_follows_changes(app, client, host, make_user):  # noqa: F811
    counted = gathering(app, host, "Counting heads", 1)
    assert api(client)["results"][0]["going"] == 0
    rsvp(app, make_user(), counted)
    assert api(client)["results"][0]["going"] == 1
    gathering(app, host, "Sooner still", 0.5)
    assert titles(api(client)) == ["Sooner still", "Counting heads"]
