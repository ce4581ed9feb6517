"""Saving a search as an alert: "Alert me" on /leaders and /gatherings, the page that asks, what is
kept (the search's own point, radius and filters), visitors asked to log in with the search kept,
mistakes refused in words (never a 500), the limits, /alerts, pausing and deleting."""
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from app.directory import search as leaders
from app.extensions import db
from app.models.accounts import Role
from app.models.alerts import Alert, AlertCell, AlertKind, AlertSchedule
from app.models.directory import FocusArea, LeaderProfile, Program
from tests.alerts.helpers import LYON, alert_row, alerts_count, leader, save, save_at
from tests.conftest import PASSWORD, shown

ALERT_ME = re.compile(r'data-alert-me>\s*<a [^>]*href="/alerts/new\?([^"]*)"', re.S)


@pytest.fixture
def tags(app):
    with app.app_context():
        db.session.add_all([FocusArea(name="Youth work", slug="youth-work", official=True),
                            FocusArea(name="Free tag", slug="free-tag", official=False),
                            Program(name="Community Organizing 101", slug="co-101")])
        db.session.commit()


def alert_me(html: str) -> dict:
    """The "Alert me" link's query, as the browser sends it."""
    found = ALERT_ME.search(html)
    assert found, "no Alert me link"
    from urllib.parse import parse_qsl
    return dict(parse_qsl(unescape(found.group(1))))


def saved(app, user) -> list[Alert]:
    with app.app_context():
        rows = db.session.scalars(select(Alert).where(Alert.user_id == user.id).order_by(Alert.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_alert_me_on_a_leader_search_saves_it_with_the_searchs_point_and_filters(app, client, login_as, tags):
    leader(app, "Ada Near", *LYON, focus=("Youth work",))
    member = login_as()
    html = shown(client.get("/leaders", query_string={
        "near": "Lyon", "radius": "30", "unit": "km", "focus_area": "youth-work", "language": "French",
        "program": "co-101", "online": "y", "keyword": "garden"}), "Alert me")
    asked = alert_me(html)
    assert asked == {"kind": "leaders", "near": "Lyon", "radius": "30", "unit": "km", "keyword": "garden",
                     "language": "French", "focus_area": "youth-work", "program": "co-101", "online": "y"}
    page = shown(client.get("/alerts/new", query_string=asked), "Save this alert")
    assert "Leaders within 30 km of Lyon" in page and "or online" in page and "Focus area: Youth work" in page
    assert "Alerts do not keep a keyword" in page and "“garden”" in page

    response = client.post("/alerts/new", data=asked)
    assert response.status_code == 302 and response.headers["Location"].endswith("/alerts")
    [alert] = saved(app, member)
    with app.app_context():
        origin = leaders.find_place("Lyon").origin
    assert (alert.kind, alert.place_name, alert.lat, alert.lng) == (AlertKind.LEADERS, origin.name,
                                                                    round(origin.lat, 5), round(origin.lng, 5))
    assert (alert.radius, alert.unit, alert.radius_km) == (30, "km", 30)
    assert (alert.focus_area, alert.language, alert.program, alert.online) == ("youth-work", "French", "co-101", True)
    listing = shown(client.get("/alerts"), "Your alerts", "Leaders within 30 km of Lyon")
    assert "Daily at 08:00" in listing or "daily at 08:00" in listing
    assert "UTC: you have not chosen a time zone" in listing


def test_your_location_is_kept_to_the_three_decimals_use_my_location_sends(app, client, login_as):
    member = login_as()
    html = shown(client.get("/leaders", query_string={"near": "Your location", "lat": "45.7654321",
                                                      "lng": "4.8123456", "radius": "10", "unit": "mi"}))
    asked = alert_me(html)
    assert asked["near"] == "Your location" and asked["lat"] == "45.7654321"
    assert client.post("/alerts/new", data=asked).status_code == 302
    [alert] = saved(app, member)
    assert (alert.place_name, alert.lat, alert.lng) == ("your location", 45.765, 4.812)
    assert alert.unit == "mi" and alert.radius == 10 and alert.radius_km == pytest.approx(16.09344)


def test_alert_me_on_a_gatherings_search(app, client, login_as, make_user):
    member = login_as()
    html = shown(client.get("/gatherings", query_string={"near": "Lyon", "radius": "40", "online": "y",
                                                         "language": "French"}))
    asked = alert_me(html)
    assert asked == {"kind": "gatherings", "near": "Lyon", "radius": "40", "unit": "km", "language": "French",
                     "online": "y"}
    assert client.post("/alerts/new", data=asked).status_code == 302
    html = shown(client.get("/gatherings", query_string={"mode": "online"}))
    assert client.post("/alerts/new", data=alert_me(html)).status_code == 302
    near, online = saved(app, member)
    assert (near.kind, near.mode, near.online, near.radius_km, near.language) == (
        AlertKind.GATHERINGS, "", True, 40, "French")
    assert (online.mode, online.lat, online.place_name) == ("online", None, "")
    with app.app_context():
        cells = dict(db.session.execute(select(AlertCell.alert_id, AlertCell.cell)
                                        .where(AlertCell.alert_id == online.id)).all())
    assert cells == {online.id: -1}, "online anywhere: filed under the online cell alone"
    assert "Online gatherings, wherever they are" in shown(client.get("/alerts"))


def test_no_alert_me_without_a_place(app, client, login_as):
    login_as()
    assert "data-alert-me" not in shown(client.get("/leaders", query_string={"keyword": "garden"}))
    assert "data-alert-me" not in shown(client.get("/gatherings"))


def test_a_visitor_is_asked_to_log_in_and_comes_back_to_the_same_search(app, client, make_user):
    asked = {"kind": "leaders", "near": "Lyon", "radius": "25", "unit": "km"}
    page = shown(client.get("/alerts/new", query_string=asked), "Log in to save this alert",
                 "Leaders within 25 km of Lyon")
    link = unescape(re.search(r'href="(/login\?next=[^"]+)"', page).group(1))
    back = dict(parse_qsl(urlsplit(link).query))["next"]
    assert dict(parse_qsl(urlsplit(back).query)) == asked
    assert client.post("/alerts/new", data=asked).status_code == 302, "a visitor's post saves nothing"
    assert alerts_count(app) == 0

    member = make_user()
    response = client.post(link, data={"email": member.email, "password": PASSWORD})
    assert response.headers["Location"] == back
    shown(client.get(back), "Save this alert")


def test_an_unconfirmed_person_is_asked_to_confirm_first(app, client, login_as):
    login_as(verified=False)
    asked = {"kind": "leaders", "near": "Lyon", "radius": "25"}
    shown(client.get("/alerts/new", query_string=asked), "Confirm your email address first", status=403)
    client.post("/alerts/new", data=asked)
    assert alerts_count(app) == 0


@pytest.mark.parametrize("args, message", [
    ({"radius": "2"}, "Enter a distance from 5 to 500"),
    ({"radius": "4", "unit": "mi"}, "Enter a distance from 5 to 500"),
    ({"radius": "501"}, "Enter a distance from 5 to 500"),
    ({"radius": "NaN"}, "Enter a distance from 5 to 500"),
    ({"radius": "9" * 5000}, "Enter a distance from 5 to 500"),
    ({"unit": "furlongs"}, "Choose kilometres or miles"),
    ({"near": "Xqzzyville Nowhere"}, "We could not find “Xqzzyville Nowhere”"),
    ({"near": "x" * 300}, "Enter a shorter place name"),
    ({"near": ""}, "Enter a place in “Near” first"),
    ({"near": "", "lat": "45.7"}, "We could not read your location"),
    ({"near": "", "lat": "95", "lng": "4"}, "We could not read your location"),
    ({"kind": "spaceships"}, "Start from a search for leaders or for gatherings"),
    ({"kind": ""}, "Start from a search for leaders or for gatherings"),
    ({"focus_area": "not-a-tag"}, "Choose a focus area from the list"),
    ({"focus_area": "free-tag"}, "Choose a focus area from the list"),
    ({"program": "nope"}, "Choose a program from the list"),
    ({"language": "l" * 41}, "Enter one language"),
    ({"kind": "gatherings", "mode": "by-pigeon"}, "Choose online, in person or either"),
    ({"kind": "gatherings", "near": ""}, "or choose online gatherings"),
])
def test_a_search_that_cannot_be_an_alert_is_refused_in_words(app, client, login_as, tags, args, message):
    login_as()
    values = {"kind": "leaders", "near": "Lyon", "radius": "25", "unit": "km", **args}
    for response in (client.get("/alerts/new", query_string=values), client.post("/alerts/new", data=values)):
        page = shown(response, "This search cannot be saved as an alert")
        assert message in unescape(page)
        assert "Back to the search" in page
    assert alerts_count(app) == 0


def test_one_person_keeps_at_most_twenty_alerts_and_never_the_same_twice(app, client, login_as):
    member = login_as()
    for number in range(20):
        save_at(app, member, 45 + number / 10, 4.8, radius=5)
    values = {"kind": "leaders", "near": "Lyon", "radius": "25"}
    page = unescape(shown(client.post("/alerts/new", data=values)))
    assert "You have 20 alerts, the most one person can keep" in page
    assert alerts_count(app) == 20
    assert client.post(f"/alerts/{saved(app, member)[0].id}/delete").status_code == 302
    assert client.post("/alerts/new", data=values).status_code == 302
    page = unescape(shown(client.post("/alerts/new", data=values)))
    assert "You have this alert already" in page


def test_pause_resume_delete_and_nobody_elses(app, client, login_as, make_user):
    other = make_user()
    theirs = save(app, other)
    member = login_as()
    mine = save(app, member)
    assert client.post(f"/alerts/{mine}/pause").status_code == 302
    assert alert_row(app, mine).paused_at is not None
    assert "Paused" in shown(client.get("/alerts"))
    client.post(f"/alerts/{mine}/resume")
    assert alert_row(app, mine).paused_at is None
    shown(client.get(f"/alerts/{mine}/delete"), "Delete this alert?")
    assert alert_row(app, mine) is not None, "asking deletes nothing"
    assert client.post(f"/alerts/{mine}/delete").status_code == 302
    assert alert_row(app, mine) is None
    with app.app_context():
        assert db.session.scalar(select(AlertCell.alert_id).where(AlertCell.alert_id == mine)) is None
    for path in (f"/alerts/{theirs}", f"/alerts/{theirs}/delete"):
        assert client.get(path).status_code == 404
    for action in ("pause", "resume", "delete", "feed", "emails/off", "emails/on"):
        assert client.post(f"/alerts/{theirs}/{action}").status_code == 404
    assert alert_row(app, theirs).paused_at is None


def test_alerts_pages_need_an_account(client):
    for path in ("/alerts", "/alerts/1", "/alerts/1/delete"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_schedule_is_chosen_on_alerts_in_the_persons_zone(app, client, login_as):
    member = login_as()
    save(app, member)
    with app.app_context():
        from app.models.accounts import User
        db.session.get(User, member.id).time_zone = "Asia/Tokyo"
        db.session.commit()
    page = shown(client.get("/alerts"), "your time zone, Asia/Tokyo")
    assert "In Asia/Tokyo time." in page
    response = client.post("/alerts/schedule", data={"frequency": "weekly", "hour": "19", "weekday": "2"})
    assert response.status_code == 302
    with app.app_context():
        chosen = db.session.get(AlertSchedule, member.id)
        assert (chosen.frequency, chosen.hour, chosen.weekday) == ("weekly", 19, 2)
        # Wednesday 19:00 in Tokyo is 10:00 UTC.
        assert chosen.next_due_at.weekday() == 2 and chosen.next_due_at.hour == 10
    assert "weekly on wednesday at 19:00" in shown(client.get("/alerts")).lower()
