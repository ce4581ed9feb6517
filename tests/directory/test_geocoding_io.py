"""No database transaction is open while Nominatim is asked, so a slow answer blocks no writer."""
from geopy.geocoders import Nominatim
from geopy.location import Location
from sqlalchemy import create_engine, select

from app.extensions import db
from app.models.directory import LeaderProfile
from tests.conftest import ON_POSTGRES
from tests.directory.profile_helpers import make_leader  # noqa: F401  (fixture)

ACCRA = {"lat": "5.5571", "lon": "-0.2012", "name": "Accra", "display_name": "Accra, Greater Accra, Ghana",
         "addresstype": "city", "importance": 0.7,
         "address": {"city": "Accra", "state": "Greater Accra", "country": "Ghana", "country_code": "gh"}}


def test_saving_a_place_asks_nominatim_with_no_transaction_open(app, client, make_leader, monkeypatch):
    app.config["GEOCODER"] = "nominatim"
    user, slug = make_leader()
    client.post("/login", data={"email": user.email, "password": "quiet river lantern 42"})
    seen = []

    def geocode(self, query, **options):
        seen.append(db.session().in_transaction())
        if not ON_POSTGRES:  # another writer can take SQLite's write lock at once
            other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"],
                                  connect_args={"timeout": 0, "isolation_level": None})
            with other.connect() as connection:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                connection.exec_driver_sql("ROLLBACK")
            other.dispose()
        return [Location(ACCRA["display_name"], (5.5571, -0.2012), ACCRA)]

    monkeypatch.setattr(Nominatim, "geocode", geocode)
    response = client.post(f"/leaders/{slug}/edit", data={
        "display_name": "Efua Mensah", "precision": "city", "place": "Accra Central Market"})
    assert response.status_code == 302
    assert seen == [False]
    with app.app_context():
        profile = db.session.scalar(select(LeaderProfile).where(LeaderProfile.slug == slug))
        assert profile.country == "Ghana"
