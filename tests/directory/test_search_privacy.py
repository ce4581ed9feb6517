"""An attacker searching from many places must learn nothing finer than a city-precision leader's cell.

The attacker queries the API and the search page from a grid of origins with several radii,
reading coordinates, distances, membership and order. Two leaders whose exact points differ
but share a cell must look identical in every answer, every coordinate must be the public
point, distances must be rounded, and the exact coordinates must never appear in any text.
"""
import json
import math
import re

import pytest

from app.directory.search import rounded_km
from app.geo.distance import KM_PER_DEGREE_LAT, haversine_km
from app.geo.privacy import public_point
from tests.conftest import shown
from tests.directory.search_fixtures import add_leader

# Two leaders in the same ~10 km cell in Paris, far apart inside it, and one in Fiji by the 180th meridian.
SECRET_POINTS = {
    "Alix Secret": (48.8612347, 2.3387652),
    "Bea Secret": (48.8241736, 2.3013391),
    "Fiji Secret": (-16.9871234, 179.9612345),
}
ORIGIN_STEP_KM = 4
ORIGIN_SPAN_KM = 22  # -22, -18, ... -2, 2, ... 22 km: never the secret itself, which a query would echo
RADII_KM = (5, 10, 25)


@pytest.fixture
def app_config(app_config):
    app_config["API_RATE_LIMIT"] = "100000 per minute"
    return app_config


@pytest.fixture
def secrets(app):
    with app.app_context():
        slugs = {name: add_leader(name, lat, lng, precision="city", city="Paris", country="France").slug
                 for name, (lat, lng) in SECRET_POINTS.items()}
    public = {name: public_point(lat, lng, "city") for name, (lat, lng) in SECRET_POINTS.items()}
    assert public["Alix Secret"] == public["Bea Secret"], "the two Paris leaders must share a cell"
    for name, (lat, lng) in SECRET_POINTS.items():
        assert haversine_km(lat, lng, *public[name]) > 1, "secrets must lie away from their cell centre"
    return slugs, public


def secret_strings(lat: float, lng: float) -> list[str]:
    """How an exact coordinate could leak into text: every common rendering down to ~100 m."""
    strings = {repr(lat), repr(lng), str(lat), str(lng)}
    for digits in (3, 4, 5, 6, 7):
        strings |= {f"{lat:.{digits}f}", f"{lng:.{digits}f}"}
    return sorted(strings)


def grid(lat: float, lng: float):
    """Origins every few km around a point (never on it), in a square reaching well past its cell."""
    steps = range(-ORIGIN_SPAN_KM, ORIGIN_SPAN_KM + 1, ORIGIN_STEP_KM)
    km_per_degree_lng = KM_PER_DEGREE_LAT * math.cos(math.radians(lat))
    for north in steps:
        for east in steps:
            origin_lng = (lng + east / km_per_degree_lng + 180) % 360 - 180
            yield round(lat + north / KM_PER_DEGREE_LAT, 4), round(origin_lng, 4)


def test_the_api_answers_only_from_the_public_point(client, secrets):
    slugs, public = secrets
    seen = 0
    for name, (lat, lng) in SECRET_POINTS.items():
        for origin in grid(lat, lng):
            for radius in RADII_KM:
                response = client.get("/api/leaders", query_string={"lat": origin[0], "lng": origin[1],
                                                                     "radius_km": radius})
                assert response.status_code == 200
                text = response.get_data(as_text=True)
                assert set(response.get_json()) == {"origin", "alternatives", "total", "total_capped", "page", "results"}
                for leaked in secret_strings(lat, lng):
                    assert leaked not in text, f"exact coordinate {leaked} leaked"
                results = response.get_json()["results"]
                by_name = {item["name"]: item for item in results}
                for item in results:
                    point = public[item["name"]]
                    assert (item["lat"], item["lng"]) == point
                    expected = haversine_km(*origin, *point)
                    # Only the rounded distance to the public point is told.
                    assert item["distance_km"] == rounded_km(expected)
                    assert item["distance_km"] % 5 == 0
                # Membership follows the public point: inside the circle iff the cell centre is.
                inside = {n for n, p in public.items() if haversine_km(*origin, *p) <= radius}
                if inside:
                    assert set(by_name) == inside
                # The two Paris leaders are indistinguishable: both or neither, side by side.
                if "Alix Secret" in by_name or "Bea Secret" in by_name:
                    assert {"Alix Secret", "Bea Secret"} <= set(by_name)
                    alix, bea = by_name["Alix Secret"], by_name["Bea Secret"]
                    assert (alix["lat"], alix["lng"], alix["distance_km"]) == (bea["lat"], bea["lng"],
                                                                               bea["distance_km"])
                    names = [item["name"] for item in results]
                    assert abs(names.index("Alix Secret") - names.index("Bea Secret")) == 1
                    # Ties are broken by name, never by the exact point.
                    assert names.index("Alix Secret") < names.index("Bea Secret")
                    seen += 1
    assert seen > 50  # the attack really did observe the Paris pair many times


def test_the_nearest_fallback_reveals_nothing_more(client, secrets):
    """Radius 5 from far away forces the nearest-leaders answer; its order and distances are public too."""
    slugs, public = secrets
    for lat in range(40, 58, 3):
        for lng in range(-5, 10, 3):
            body = client.get("/api/leaders", query_string={"lat": lat, "lng": lng, "radius_km": 5}).get_json()
            names = [item["name"] for item in body["results"]]
            assert names == ["Alix Secret", "Bea Secret", "Fiji Secret"]
            for item in body["results"]:
                assert (item["lat"], item["lng"]) == public[item["name"]]
                assert item["distance_km"] == rounded_km(haversine_km(lat, lng, *public[item["name"]]))


def test_the_search_page_and_its_map_data_carry_only_public_points(client, secrets):
    slugs, public = secrets
    labels = re.compile(r"(?:&lt;|<) 5 (?:km|mi)|about [\d,]+ (?:km|mi)")
    cards = 0
    for name, (lat, lng) in SECRET_POINTS.items():
        for index, origin in enumerate(grid(lat, lng)):
            if index % 3:
                continue  # a third of the grid is plenty for the HTML
            for radius, unit in ((5, "km"), (25, "km"), (10, "mi")):
                response = client.get("/leaders", query_string={"lat": origin[0], "lng": origin[1],
                                                                "radius": radius, "unit": unit})
                assert response.status_code == 200
                html = shown(response, 'id="results-title"', "your location</h2>")
                for leaked in secret_strings(lat, lng):
                    assert leaked not in html, f"exact coordinate {leaked} leaked into the page"
                found = re.search(r"data-map='([^']*)'", html)
                if found:
                    data = json.loads(found.group(1).replace("&#39;", "'").replace("&amp;", "&"))
                    for marker in data["markers"]:
                        point = public[marker["name"]]
                        assert (marker["lat"], marker["lng"]) == point
                        assert labels.fullmatch(marker["distance"].replace("<", "&lt;"))
                for told in re.findall(r'leader-card__distance">[^<]*?([^<·]+)<span', html):
                    assert labels.fullmatch(told.strip())
                    cards += 1
    assert cards > 50


def test_the_api_never_reads_the_private_point(client, secrets, app):
    """Belt and braces: the SQL behind the API never names the private lat/lng columns."""
    from sqlalchemy import event

    from app.extensions import db

    statements = []
    with app.app_context():
        engine = db.engine

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        lat, lng = SECRET_POINTS["Alix Secret"]
        assert client.get("/api/leaders", query_string={"lat": lat, "lng": lng, "radius_km": 25}).status_code == 200
        assert client.get("/api/leaders", query_string={"lat": 0, "lng": 0, "radius_km": 5}).status_code == 200
        assert client.get("/api/leaders", query_string={"near": "Paris", "online": "1"}).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    # leader_points holds public points only (its lat/lng are copies of public_lat/public_lng).
    searched = [statement for statement in statements if "leader_profiles" in statement or "leader_points" in statement]
    assert len(searched) >= 6
    private = re.compile(r"leader_profiles\.(lat|lng)\b")
    assert not [statement for statement in searched if private.search(statement)]
