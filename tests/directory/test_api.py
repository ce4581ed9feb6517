"""The JSON API: /api/leaders answers the documented shape; bad input is a 400, an unknown place a 404."""
import pytest

from app.directory import search
from tests.directory.search_fixtures import leader  # noqa: F401  (fixture)

RESULT_KEYS = {"slug", "name", "headline", "city", "region", "country", "lat", "lng", "distance_km", "url", "online"}


@pytest.fixture
def nairobi(app, leader):
    with app.test_request_context():
        here = search.find_place("Nairobi").origin
    leader("Wanjiru", here.lat + 0.1, here.lng, precision="exact", headline="Youth organizer", city="Nairobi",
           region="Nairobi", country="Kenya")
    leader("Otieno", here.lat + 0.3, here.lng, precision="exact", city="Nairobi", country="Kenya")
    leader("Far Away", here.lat + 3, here.lng, country="Kenya", works_online=True)
    return here


def test_leaders_near_a_place(client, nairobi):
    response = client.get("/api/leaders", query_string={"near": "Nairobi", "radius_km": "50"})
    assert response.status_code == 200
    assert response.content_type == "application/json"
    body = response.get_json()
    assert set(body) == {"origin", "alternatives", "total", "total_capped", "page", "results"}
    assert body["total_capped"] is False
    assert body["origin"] == {"name": nairobi.name, "lat": nairobi.lat, "lng": nairobi.lng}
    assert body["origin"]["name"].startswith("Nairobi, ") and body["origin"]["name"].endswith("Kenya")
    assert body["alternatives"] == []
    assert body["total"] == 2 and body["page"] == 1
    first, second = body["results"]
    assert set(first) == RESULT_KEYS
    assert first["name"] == "Wanjiru" and second["name"] == "Otieno"
    assert first["headline"] == "Youth organizer" and first["city"] == "Nairobi" and first["country"] == "Kenya"
    assert first["distance_km"] == 10 and second["distance_km"] == 35  # rounded as on the page
    assert first["url"] == f"http://localhost/leaders/{first['slug']}"
    assert first["online"] is False


def test_leaders_near_a_point(client, nairobi):
    body = client.get("/api/leaders", query_string={"lat": nairobi.lat, "lng": nairobi.lng}).get_json()
    assert body["origin"]["name"] == "your location"
    assert [item["name"] for item in body["results"]] == ["Wanjiru", "Otieno"]


def test_filters_and_online(client, nairobi):
    body = client.get("/api/leaders", query_string={"near": "Nairobi", "keyword": "youth"}).get_json()
    assert [item["name"] for item in body["results"]] == ["Wanjiru"]
    body = client.get("/api/leaders", query_string={"near": "Nairobi", "online": "true"}).get_json()
    assert [item["name"] for item in body["results"]] == ["Wanjiru", "Otieno", "Far Away"]
    assert body["results"][2]["online"] is True and body["total"] == 3


def test_nobody_near_answers_the_nearest(client, nairobi):
    body = client.get("/api/leaders", query_string={"near": "Mombasa", "radius_km": "5"}).get_json()
    assert body["total"] == 3
    assert all(item["distance_km"] > 5 for item in body["results"])
    distances = [item["distance_km"] for item in body["results"]]
    assert distances == sorted(distances)


def test_without_a_place_everyone_by_name(client, nairobi):
    response = client.get("/api/leaders")
    assert response.status_code == 200
    body = response.get_json()
    assert body["origin"] is None and body["alternatives"] == []
    assert [item["name"] for item in body["results"]] == ["Far Away", "Otieno", "Wanjiru"]
    assert all(item["distance_km"] is None for item in body["results"])


def test_ambiguous_place_lists_the_alternatives(client):
    response = client.get("/api/leaders", query_string={"near": "Springfield"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["origin"]["name"].startswith("Springfield, ")
    labels = [place["label"] for place in body["alternatives"]]
    assert len(labels) >= 3 and body["origin"]["name"] not in labels
    assert any("Illinois" in label for label in labels)
    assert set(body["alternatives"][0]) == {"name", "region", "country", "country_code", "label", "lat", "lng"}


def test_pages(client, app, leader):
    for number in range(23):
        leader(f"N{number:02d}", 1.0 + number * 0.001, 1.0, precision="exact")
    first = client.get("/api/leaders", query_string={"lat": 1, "lng": 1}).get_json()
    second = client.get("/api/leaders", query_string={"lat": 1, "lng": 1, "page": 2}).get_json()
    assert first["total"] == second["total"] == 23
    assert len(first["results"]) == 20 and len(second["results"]) == 3 and second["page"] == 2
    names = [item["name"] for item in first["results"] + second["results"]]
    assert names == [f"N{number:02d}" for number in range(23)]


@pytest.mark.parametrize("query, message", [
    ({"near": "Nairobi", "radius_km": "0"}, "radius_km must be a number from 5 to 500"),
    ({"near": "Nairobi", "radius_km": "9999"}, "radius_km must be a number from 5 to 500"),
    ({"near": "Nairobi", "radius_km": "fifty"}, "radius_km must be a number from 5 to 500"),
    ({"near": "Nairobi", "radius_km": "inf"}, "radius_km must be a number from 5 to 500"),
    ({"lat": "200", "lng": "0"}, "lat must be a number from -90 to 90"),
    ({"lat": "0", "lng": "-181"}, "lng must be a number from -180 to 180"),
    ({"lat": "nan", "lng": "0"}, "lat must be a number from -90 to 90"),
    ({"lat": "10"}, "Give both lat and lng, or neither"),
    ({"near": "Nairobi", "lat": "1", "lng": "1"}, "Give either near or lat and lng, not both"),
    ({"near": "Nairobi", "page": "0"}, "page must be a whole number"),
    ({"near": "Nairobi", "page": "-1"}, "page must be a whole number"),
    ({"near": "Nairobi", "page": "x"}, "page must be a whole number"),
    ({"near": "Nairobi", "online": "maybe"}, "online must be true or false"),
    ({"near": "#?!"}, "Enter a city, address or postal code"),
    ({"near": "x" * 201}, "near must be at most 200 characters"),
    ({"keyword": "x" * 101}, "keyword must be at most 100 characters"),
])
def test_bad_input_is_a_400_with_a_message(client, query, message):
    response = client.get("/api/leaders", query_string=query)
    assert response.status_code == 400
    assert response.get_json() == {"error": response.get_json()["error"]}
    assert message in response.get_json()["error"]


def test_unknown_place_is_a_404(client):
    response = client.get("/api/leaders", query_string={"near": "Qwxzzyville"})
    assert response.status_code == 404
    assert "We could not find “Qwxzzyville”" in response.get_json()["error"]


def test_other_methods_and_paths_answer_json(client):
    response = client.post("/api/leaders")
    assert response.status_code == 405 and "error" in response.get_json()
    assert client.get("/api/nothing-here").get_json()["error"]


def test_places_suggests_up_to_ten(client):
    response = client.get("/api/places", query_string={"q": "Port"})
    assert response.status_code == 200
    places = response.get_json()["places"]
    assert 1 <= len(places) <= 10
    assert all(place["name"].lower().startswith("port") for place in places)
    assert set(places[0]) == {"name", "region", "country", "country_code", "label", "lat", "lng"}
    postal = client.get("/api/places", query_string={"q": "9720"}).get_json()["places"]
    assert postal and all(place["name"].startswith("9720") for place in postal)
    assert client.get("/api/places", query_string={"q": "z"}).get_json() == {"places": []}


def test_places_needs_a_query(client):
    response = client.get("/api/places")
    assert response.status_code == 400
    assert "?q=" in response.get_json()["error"]


def test_the_api_is_rate_limited(client, app):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    codes = [client.get("/api/places", query_string={"q": "Lon"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "error" in client.get("/api/places", query_string={"q": "Lon"}).get_json()


def test_the_full_scan_switch_is_off_unless_configured(client, nairobi):
    body = client.get("/api/leaders", query_string={"near": "Nairobi", "_scan": "1"}).get_json()
    assert body["total"] == 2  # answered normally; the switch only exists for the benchmark
