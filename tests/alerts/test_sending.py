"""Sending: one mail per person at their hour (daily) or weekday and hour (weekly) in their own zone,
listing each alert's new matches since its last mail, read from the real SMTP server; once per
period even when the sender runs twice in a row or from two threads at once; the in-app
notification; each alert's own one-click unsubscribe (RFC 8058)."""
import re
import threading
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app import mail
from app.alerts import sending
from app.extensions import db
from app.geo.distance import describe_distance, haversine_km
from app.models.alerts import AlertMatch
from app.models.mail import OutboxMessage
from app.models.notifications import Notification
from tests.alerts.helpers import LYON, alert_row, choose, leader, match, save, schedule_row, send
from tests.conftest import shown

ONE_CLICK = re.compile(r"<(http://localhost(/alerts/unsubscribe/[^>]+))>")
# 13 January 2027 is a Wednesday. Auckland is 13 hours ahead of UTC then (daylight time), Los
# Angeles 8 behind.
CHOSEN = datetime(2027, 1, 10, 12, 0)  # when the schedules are chosen (a Sunday)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute)


@pytest.fixture
def dana(make_user):
    return make_user(email="dana@example.com", name="Dana Alerted")


def outbox(app, address) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == address,
                                                              OutboxMessage.kind == "alert_mail")
                                  .order_by(OutboxMessage.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_a_daily_mail_at_the_persons_hour_in_their_zone_read_from_the_smtp_server(app, dana, mailbox):
    alert = save(app, dana, radius="25")
    choose(app, dana, "daily", 8, zone="Pacific/Auckland", now=CHOSEN)
    ada = leader(app, "Ada Organiser", LYON[0] + 0.05, LYON[1], headline="Tenants' union organiser",
                 city="Lyon", country="France", languages="French, English")
    match(app)

    assert send(app, at(12, 18, 59))["mailed"] == 0, "07:59 on the 13th in Auckland"
    assert send(app, at(12, 19, 1))["mailed"] == 1, "08:01 in Auckland"
    message = mailbox.wait_for("dana@example.com", "Your alert")
    assert message["Subject"].strip() == "Your alert: 1 new leader, leaders near Lyon, France"
    body = mailbox.body(message)
    assert "Ada Organiser" in body and "Tenants' union organiser" in body
    kept = alert_row(app, alert)
    with app.app_context():
        from app.models.directory import LeaderProfile
        profile = db.session.get(LeaderProfile, ada)
        distance = describe_distance(haversine_km(kept.lat, kept.lng, profile.public_lat, profile.public_lng))
        slug = profile.slug
    assert f"Lyon, France · {distance}" in body, "the distance to the public point, rounded as the search does"
    assert "Shares only their area: the distance is to its centre" in body
    assert "Speaks French, English" in body
    assert f"http://localhost/leaders/{slug}" in body
    url, path = ONE_CLICK.fullmatch(message["List-Unsubscribe"]).groups()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in body, "one alert: the header's link is the alert's own"
    assert "daily at 08:00, Pacific/Auckland time" in body
    assert schedule_row(app, dana).sent_for == "2027-01-13", "Auckland's date"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AlertMatch)
                                 .where(AlertMatch.sent_at.is_(None))) == 0
        note = db.session.scalar(select(Notification).where(Notification.user_id == dana.id))
        assert note.kind == "alert_found" and note.link == f"/alerts/{alert}"
        assert note.message.startswith("1 new leader: Leaders within 25 km of Lyon")

    assert send(app, at(12, 19, 30))["mailed"] == 0, "the same period: nothing more"
    leader(app, "Bob Later", *LYON)
    match(app)
    assert send(app, at(13, 18, 0))["mailed"] == 0, "07:00 on the 14th in Auckland"
    assert send(app, at(13, 19, 0))["mailed"] == 1
    assert "Bob Later" in outbox(app, "dana@example.com")[-1].body
    assert "Ada Organiser" not in outbox(app, "dana@example.com")[-1].body, "each match told once"


def test_nothing_new_sends_nothing_but_the_period_is_done(app, dana):
    save(app, dana)
    choose(app, dana, "daily", 9, now=CHOSEN)
    assert send(app, at(11, 9, 0)) == {"mailed": 0, "told_in_app": 0, "nothing_new": 1}
    leader(app, "Late Comer", *LYON)
    match(app)
    assert send(app, at(11, 10, 0))["mailed"] == 0, "told at tomorrow's hour"
    assert send(app, at(12, 9, 0))["mailed"] == 1


def test_weekly_on_the_weekday_and_hour_chosen_in_the_persons_zone(app, dana):
    save(app, dana)
    choose(app, dana, "weekly", 18, weekday=2, zone="America/Los_Angeles", now=CHOSEN)
    leader(app, "Wes Weekly", *LYON)
    match(app)
    assert schedule_row(app, dana).next_due_at == at(14, 2, 0), "Wednesday 18:00 in Los Angeles"
    assert send(app, at(13, 18, 0))["mailed"] == 0, "Wednesday 18:00 UTC is 10:00 there"
    assert send(app, at(14, 1, 59))["mailed"] == 0
    assert send(app, at(14, 2, 0))["mailed"] == 1
    assert schedule_row(app, dana).sent_for == "2027-W02"
    assert schedule_row(app, dana).next_due_at == at(21, 2, 0)
    leader(app, "Another One", *LYON)
    match(app)
    assert send(app, at(17, 2, 0))["mailed"] == 0
    assert send(app, at(21, 2, 0))["mailed"] == 1
    assert "weekly on wednesday at 18:00, america/los_angeles time" in outbox(app, "dana@example.com")[-1].body.lower()


def test_one_mail_for_all_of_a_persons_alerts_each_part_with_its_own_link(app, dana, mailbox):
    lyon = save(app, dana, radius="25")
    online = save(app, dana, kind="gatherings", mode="online", near="")
    choose(app, dana, "daily", 8, now=CHOSEN)
    leader(app, "Lou Lyonnaise", *LYON)
    from tests.alerts.test_matching import gathering
    from tests.gatherings.helpers import local_in
    gathering(app, _host(app), "Online story circle", start=local_in(60))  # after the mail's day
    match(app)
    assert send(app, at(11, 8, 0))["mailed"] == 1
    message = mailbox.wait_for("dana@example.com", "Your alerts")
    assert message["Subject"] == "Your alerts: 1 new leader and 1 new gathering"
    body = mailbox.body(message)
    assert body.index("Leaders within 25 km of Lyon") < body.index("Lou Lyonnaise") < \
        body.index("Online gatherings, wherever they are") < body.index("Online story circle")
    links = re.findall(r"http://localhost/alerts/unsubscribe/\S+", body)
    assert len(set(links)) == 2, "one per alert"
    header, _ = ONE_CLICK.fullmatch(message["List-Unsubscribe"]).groups()
    assert header not in links, "the header stops both alerts of this mail"
    assert "Hosted by" in body and "Online" in body
    assert lyon and online


def _host(app):
    from app.models.accounts import Role, User
    from app.auth.services import create_user
    with app.app_context():
        user = create_user("hal@example.com", "Hal Host", "quiet river lantern 42", Role.LEADER, verified=True)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def test_sent_once_when_the_sender_runs_twice_in_a_row(app, dana):
    save(app, dana)
    choose(app, dana, "daily", 8, now=CHOSEN)
    leader(app, "Twice Told", *LYON)
    match(app)
    assert send(app, at(11, 8, 0))["mailed"] == 1
    assert send(app, at(11, 8, 0))["mailed"] == 0
    assert len(outbox(app, "dana@example.com")) == 1


def test_sent_once_when_two_senders_run_at_once(app, dana, make_user):
    people = [dana] + [make_user() for _ in range(4)]
    for person in people:
        save(app, person)
        choose(app, person, "daily", 8, now=CHOSEN)
    leader(app, "Raced Over", *LYON)
    match(app)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                results.append(sending.send_due(at(11, 8, 0)))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(result["mailed"] for result in results) == len(people)
    with app.app_context():
        per_person = dict(db.session.execute(
            select(OutboxMessage.to, func.count()).where(OutboxMessage.kind == "alert_mail")
            .group_by(OutboxMessage.to)).all())
        notes = db.session.scalar(select(func.count()).select_from(Notification)
                                  .where(Notification.kind == "alert_found"))
    assert per_person == {person.email: 1 for person in people}
    assert notes == len(people)


def test_the_alerts_own_unsubscribe_link_stops_that_alert_alone(app, client, dana, mailbox):
    lyon = save(app, dana, radius="25")
    other = save(app, dana, radius="100", near="Grenoble")
    choose(app, dana, "daily", 8, now=CHOSEN)
    leader(app, "First Find", *LYON)
    match(app)
    send(app, at(11, 8, 0))
    body = mailbox.body(mailbox.wait_for("dana@example.com", "Your alert"))
    part = body[body.index("Leaders within 25 km of Lyon"):body.index("Leaders within 100 km of Grenoble")]
    link = re.search(r"http://localhost(/alerts/unsubscribe/\S+)", part).group(1)
    page = shown(client.get(link), "Stop emails for this alert", "Leaders within 25 km of Lyon")
    assert "Grenoble" not in page
    assert alert_row(app, lyon).emails, "opening the link changes nothing"
    # What a mail client sends for RFC 8058: a POST with no cookie and no CSRF token.
    response = client.post(link, data={"List-Unsubscribe": "One-Click"})
    shown(response, "Emails stopped")
    assert not alert_row(app, lyon).emails and alert_row(app, other).emails

    leader(app, "Second Find", *LYON)
    match(app)
    counts = send(app, at(12, 8, 0))
    assert counts["mailed"] == 1, "Grenoble's alert still mails"
    last = outbox(app, "dana@example.com")[-1].body
    assert "Second Find" in last and "Leaders within 25 km of Lyon" not in last
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.link == f"/alerts/{lyon}")) == 2, "still told in the app"


def test_the_header_link_stops_every_alert_of_its_mail(app, client, dana, mailbox):
    first, second = save(app, dana, radius="25"), save(app, dana, radius="100", near="Grenoble")
    choose(app, dana, "daily", 8, now=CHOSEN)
    leader(app, "Found By Both", *LYON)
    match(app)
    send(app, at(11, 8, 0))
    message = mailbox.wait_for("dana@example.com", "Your alert")
    _, path = ONE_CLICK.fullmatch(message["List-Unsubscribe"]).groups()
    shown(client.post(path, data={"List-Unsubscribe": "One-Click"}), "Emails stopped")
    assert not alert_row(app, first).emails and not alert_row(app, second).emails


def test_a_link_we_did_not_sign_changes_nothing(app, client, dana):
    alert = save(app, dana)
    for token in ("nonsense", "eyJ1c2VyIjoxLCJhbGVydHMiOlsxXX0.forged"):
        response = client.post(f"/alerts/unsubscribe/{token}")
        assert response.status_code == 400
    assert alert_row(app, alert).emails


def test_turning_alert_mail_off_in_the_settings_keeps_the_app_notification(app, dana):
    save(app, dana)
    choose(app, dana, "daily", 8, now=CHOSEN)
    with app.app_context():
        from app.models.accounts import User
        from app.notifications.services import set_email_choice
        set_email_choice(db.session.get(User, dana.id), "alert_mail", False)
        db.session.commit()
    leader(app, "Quiet Find", *LYON)
    match(app)
    assert send(app, at(11, 8, 0)) == {"mailed": 0, "told_in_app": 1, "nothing_new": 0}
    assert outbox(app, "dana@example.com") == []


def test_the_mail_never_holds_a_private_point(app, dana):
    save(app, dana, radius="25")
    choose(app, dana, "daily", 8, now=CHOSEN)
    exact = (45.79123, 4.90456)
    leader(app, "Cleo City", *exact, precision="city", city="Lyon", country="France")
    match(app)
    send(app, at(11, 8, 0))
    body = outbox(app, "dana@example.com")[-1].body
    assert "Cleo City" in body and "Shares only their area" in body
    for digits in ("45.79", "4.904", "4.90456", "45.7912"):
        assert digits not in body
    with app.app_context():
        mail.deliver_pending()
    assert urlsplit("http://localhost/alerts").path == "/alerts"
