"""Alerts in "download my data" and account deletion, the demo member's alerts, `flask alerts send`,
the notification kinds, and the grid cells an alert is filed under (pure code)."""
import json
import math
import random

from sqlalchemy import select

from app.alerts import cells, schedule
from app.extensions import db
from app.geo.distance import haversine_km
from app.models.accounts import User
from app.models.alerts import Alert, AlertCell, AlertMatch, AlertSchedule
from tests.alerts.helpers import LYON, leader, match, save
from tests.conftest import PASSWORD, login, shown


def test_the_download_holds_the_persons_alerts_and_deleting_the_account_removes_them(app, client, make_user):
    member, other = make_user(), make_user()
    save(app, member, radius="30", language="French")
    kept = save(app, other)
    leader(app, "Found For Both", *LYON, languages="French")
    match(app)
    login(client, member.email)
    data = json.loads(client.get("/account/export.json").data)["alerts"]
    [saved] = data["saved"]
    assert saved["search"].startswith("Leaders within 30 km of Lyon") and saved["language"] == "French"
    assert saved["feed"].startswith("http://localhost/alerts/") and len(saved["found"]) == 1
    assert data["schedule"] == {"frequency": "daily", "hour": 8, "weekday": 0, "time_zone": "UTC"}
    client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    with app.app_context():
        assert db.session.get(User, member.id) is None
        assert db.session.scalars(select(Alert.id)).all() == [kept]
        assert db.session.scalars(select(AlertCell.alert_id).distinct()).all() == [kept]
        assert db.session.scalars(select(AlertMatch.alert_id)).all() == [kept]
        assert db.session.scalars(select(AlertSchedule.user_id)).all() == [other.id]


def test_nobody_without_alerts_has_a_section(app, client, make_user):
    member = make_user()
    login(client, member.email)
    assert "alerts" not in json.loads(client.get("/account/export.json").data)


def test_the_demo_member_has_two_alerts(app, runner, client):
    result = runner.invoke(args=["seed-demo", "--seed", "7", "--no-banner"])
    assert result.exit_code == 0, result.output
    assert "alerts 2" in result.output
    again = runner.invoke(args=["seed-demo", "--seed", "7", "--no-banner"])
    assert "alerts 0" in again.output
    login(client, "member@demo.leaders.example", password="welcome-to-the-network")
    page = shown(client.get("/alerts"), "Leaders within 50 km of Osaka, Japan",
                 "Gatherings within 30 km of Osaka, Japan, or online")
    assert "weekly on monday at 08:00" in page.lower()


def test_flask_alerts_send(app, runner, make_user):
    member = make_user()
    save(app, member)
    leader(app, "Cron Found", *LYON)
    result = runner.invoke(args=["alerts", "send"])
    assert result.exit_code == 0, result.output
    assert "1 new matches" in result.output and "mails queued" in result.output
    again = runner.invoke(args=["alerts", "send"])
    assert "0 new matches" in again.output


def test_the_kinds_are_on_the_settings_page(app, client, make_user):
    member = make_user()
    login(client, member.email)
    shown(client.get("/notifications/settings"), "Email me what my alerts find, daily or weekly")


# The grid cells (pure) ---------------------------------------------------------------------------

def test_every_point_inside_an_alert_meets_it_by_its_own_cells():
    rng = random.Random(15)
    for _ in range(300):
        lat, lng = rng.uniform(-80, 80), rng.uniform(-180, 180)
        radius = math.exp(rng.uniform(math.log(5), math.log(500)))
        filed = set(cells.alert_keys(lat, lng, radius))
        for _ in range(20):
            # A point inside the circle, up to its edge.
            bearing, reach = rng.uniform(0, 2 * math.pi), radius * math.sqrt(rng.random()) * 0.999
            point_lat = lat + reach / 111.2 * math.cos(bearing)
            point_lng = lng + reach / (111.2 * max(math.cos(math.radians(point_lat)), 0.01)) * math.sin(bearing)
            point_lng = (point_lng + 180) % 360 - 180
            if not -90 < point_lat < 90 or haversine_km(lat, lng, point_lat, point_lng) > radius:
                continue
            assert filed & set(cells.item_keys(point_lat, point_lng)), (lat, lng, radius, point_lat, point_lng)


def test_an_alert_is_filed_under_few_cells():
    assert len(cells.alert_keys(*LYON, 5)) <= cells.MAX_CELLS
    assert len(cells.alert_keys(*LYON, 50)) <= cells.MAX_CELLS
    assert len(cells.alert_keys(*LYON, 500)) < 300, "1° cells for the widest circles"
    assert len(cells.alert_keys(0.0, 179.99, 20)) <= cells.MAX_CELLS, "across the 180th meridian"
    assert all(0 <= key < 2**31 for key in cells.alert_keys(89.9, 0, 100))


def test_periods_and_their_moments_in_a_zone():
    from datetime import date, datetime
    zone = schedule.zone_of("Europe/Paris")
    assert schedule.period_of(date(2027, 3, 28), "daily", 8, 0, zone).due == datetime(2027, 3, 28, 6, 0), "summer time"
    assert schedule.period_of(date(2027, 3, 27), "daily", 8, 0, zone).due == datetime(2027, 3, 27, 7, 0)
    weekly = schedule.period_of(date(2027, 1, 14), "weekly", 18, 4, zone)
    assert (weekly.key, weekly.due) == ("2027-W02", datetime(2027, 1, 15, 17, 0))
    assert schedule.zone_of("Not/AZone").key == "UTC" and schedule.zone_of("").key == "UTC"

