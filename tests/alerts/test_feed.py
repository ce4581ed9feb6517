"""Each alert's Atom feed at a secret address: what the alert found, as its search would list it
now (public cards only), parsed with feedparser; a wrong or replaced address finds nothing."""
import re

import feedparser
import pytest

from app.extensions import db
from app.models.accounts import Role, User
from tests.alerts.helpers import LYON, alert_row, leader, match, save
from tests.conftest import shown
from tests.gatherings.helpers import local_in, make_gathering


@pytest.fixture
def owner(make_user):
    return make_user(name="Fern Feed")


def feed_path(app, alert_id) -> str:
    return f"/alerts/{alert_id}/{alert_row(app, alert_id).feed_token}.atom"


def test_the_feed_lists_what_the_alert_found(app, client, owner):
    alert = save(app, owner, radius="25")
    first = leader(app, "Flo First", *LYON, headline="Food bank organiser", city="Lyon", country="France")
    match(app)
    second = leader(app, "Sam Second", LYON[0] + 0.02, LYON[1], precision="exact", city="Lyon", country="France")
    leader(app, "Far Away", 48.8566, 2.3522)  # Paris: not in it
    match(app)
    response = client.get(feed_path(app, alert))
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.title.startswith("Leaders Network alert: Leaders within 25 km of Lyon")
    assert [entry.title for entry in parsed.entries] == ["Sam Second", "Flo First"], "newest first"
    entry = parsed.entries[1]
    assert entry.link.startswith("http://localhost/leaders/flo-first")
    assert "Food bank organiser" in entry.summary and "Lyon, France" in entry.summary
    assert re.search(r"(< 5 km|about \d+ km)", entry.summary)
    assert len({entry.id for entry in parsed.entries}) == 2
    assert first != second


def test_a_leader_who_hid_since_leaves_the_feed(app, client, owner):
    from tests.alerts.helpers import set_profile
    alert = save(app, owner)
    shy = leader(app, "Shy Now", *LYON)
    match(app)
    set_profile(app, shy, listed=False, searchable=False)
    parsed = feedparser.parse(shown(client.get(feed_path(app, alert))))
    assert parsed.entries == []


def test_gatherings_in_the_feed(app, client, owner, make_user):
    alert = save(app, owner, kind="gatherings", online="y")
    host = make_user(role=Role.LEADER, name="Hal Host")
    make_gathering(app, host, title="Online story circle", start=local_in(5))
    make_gathering(app, host, title="Supper in Lyon", mode="in_person", venue_name="Salle des fêtes",
                   address="Lyon", meeting_url="", start=local_in(6))
    match(app)
    parsed = feedparser.parse(shown(client.get(feed_path(app, alert))))
    assert [entry.title for entry in parsed.entries] == ["Supper in Lyon", "Online story circle"]
    assert "Salle des fêtes" in parsed.entries[0].summary and "Hosted by Hal Host" in parsed.entries[0].summary
    assert "secret-room" not in shown(client.get(feed_path(app, alert))), "never the meeting link"


def test_a_wrong_or_replaced_address_finds_nothing(app, client, owner, login_as):
    alert = save(app, owner)
    good = feed_path(app, alert)
    assert client.get(good).status_code == 200
    for path in (f"/alerts/{alert}/wrong.atom", f"/alerts/{alert + 1}/{good.rsplit('/', 1)[1]}",
                 f"/alerts/{alert}/{'x' * 5000}.atom"):
        assert client.get(path).status_code == 404
    # Its owner asks for a new address: the old one stops working.
    from tests.conftest import login
    login(client, owner.email)
    assert client.post(f"/alerts/{alert}/feed", data={"back": "alert"}).status_code == 302
    assert client.get(good).status_code == 404
    assert client.get(feed_path(app, alert)).status_code == 200
    page = shown(client.get(f"/alerts/{alert}"), "Its feed")
    assert feed_path(app, alert) in page


def test_an_owner_who_left_has_no_feed(app, client, owner):
    alert = save(app, owner)
    path = feed_path(app, alert)
    with app.app_context():
        db.session.get(User, owner.id).active = False
        db.session.commit()
    assert client.get(path).status_code == 404
