"""Reminders 24 hours and 1 hour before, read from the real SMTP server: each once per person,
even from two runs at once; the stale day-before one skipped; the cron command and offers'
expiry. Time travels by `now=`, never by sleeping."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import event, select, text

from app.extensions import db
from app.gatherings import joining, notices, reminders, services, times
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import Gathering, Rsvp, RsvpStatus
from app.models.mail import OutboxMessage
from tests.conftest import ON_POSTGRES
from tests.gatherings import helpers
from tests.gatherings.helpers import make_gathering, rsvp
from tests.gatherings.test_notices import (  # noqa: F401 (fixtures)
    assert_no_meeting_link, deliver, host, join_address, mails, notes, page_address,
    set_zone,
)


def starts(app, gathering_id):
    return helpers.load(app, gathering_id).starts_at


def send(app, now) -> dict:
    with app.app_context():
        return reminders.send_reminders(now)


def reminder_rows(app, person) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.subject).where(
            OutboxMessage.to == person.email, OutboxMessage.kind == "gathering_reminders")
            .order_by(OutboxMessage.id)))


def test_the_day_before_reminder_goes_to_each_attendee_once_with_time_and_join_address(
        app, mailbox, host, make_user):
    ann, ken = make_user(name="Ann Attendee"), make_user(name="Ken Attendee")
    wes, cara = make_user(name="Wes Waitlisted"), make_user(name="Cara Cantgo")
    set_zone(app, ken, "Asia/Tokyo")
    gathering_id = make_gathering(app, host, capacity=2)
    assert [rsvp(app, person, gathering_id) for person in (ann, ken, wes)] == [
        "going", "going", "waitlisted"]
    rsvp(app, cara, gathering_id, going=False)
    start = starts(app, gathering_id)

    assert send(app, start - timedelta(hours=25)) == {
        "reminders": 0, "remind_24h": 0, "remind_1h": 0, "offers_expired": 0}, "not yet"
    now = start - timedelta(hours=23, minutes=58)
    assert send(app, now)["remind_24h"] == 2
    assert send(app, now) == {"reminders": 0, "remind_24h": 0, "remind_1h": 0, "offers_expired": 0}
    assert send(app, now + timedelta(minutes=5))["reminders"] == 0, "the next cron run"
    deliver(app)

    [message] = mails(mailbox, ann, "Reminder")
    assert message["Subject"] == "Reminder: “An evening on neighbourhood gardens” starts in 24 hours"
    lines = mailbox.body(message).splitlines()
    assert f"When: {times.label(start, 'Europe/Berlin')}" in lines
    assert "Lasts: 1 hour 30 minutes" in lines
    body = mailbox.body(message)
    assert join_address(app, ann, gathering_id) in body
    assert page_address(app, gathering_id) in body
    [message] = mails(mailbox, ken, "Reminder")
    body = mailbox.body(message)
    assert str(times.label(start, "Europe/Berlin", "Asia/Tokyo")) in body and "(JST)" in body
    assert join_address(app, ken, gathering_id) in body
    for person in (wes, cara, host):
        assert mails(mailbox, person, "Reminder") == []
    assert [kind for kind, _, _ in notes(app, ann)] == ["gathering_reminders"]
    assert_no_meeting_link(app, mailbox)


def test_the_hour_before_reminder_follows_once(app, mailbox, host, make_user):
    ann = make_user(name="Ann Attendee")
    gathering_id = make_gathering(app, host)
    rsvp(app, ann, gathering_id)
    start = starts(app, gathering_id)

    assert send(app, start - timedelta(hours=20))["remind_24h"] == 1
    assert send(app, start - timedelta(minutes=90))["reminders"] == 0, "between the two: nothing"
    assert send(app, start - timedelta(minutes=58)) == {
        "reminders": 1, "remind_24h": 0, "remind_1h": 1, "offers_expired": 0}
    assert send(app, start - timedelta(minutes=55))["reminders"] == 0
    assert send(app, start - timedelta(minutes=1))["reminders"] == 0
    assert send(app, start + timedelta(minutes=1))["reminders"] == 0, "started: none"
    deliver(app)
    assert reminder_rows(app, ann) == [
        "Reminder: “An evening on neighbourhood gardens” starts in 20 hours",
        "Reminder: “An evening on neighbourhood gardens” starts in 1 hour"]
    body = mailbox.body(mails(mailbox, ann, "starts in 1 hour")[0])
    assert join_address(app, ann, gathering_id) in body
    assert_no_meeting_link(app, mailbox)


def test_a_gathering_first_seen_50_minutes_ahead_gets_the_hour_reminder_alone(
        app, mailbox, host, make_user):
    ann, bea = make_user(name="Ann Attendee"), make_user(name="Bea Late")
    gathering_id = make_gathering(app, host)
    rsvp(app, ann, gathering_id)
    start = starts(app, gathering_id)
    assert send(app, start - timedelta(minutes=50)) == {
        "reminders": 1, "remind_24h": 0, "remind_1h": 1, "offers_expired": 0}
    # Someone going since the last run gets the hour's reminder alone too, at the next run.
    rsvp(app, bea, gathering_id)
    assert send(app, start - timedelta(minutes=45)) == {
        "reminders": 1, "remind_24h": 0, "remind_1h": 1, "offers_expired": 0}
    deliver(app)
    assert [message["Subject"] for message in mails(mailbox, ann, "Reminder")] == [
        "Reminder: “An evening on neighbourhood gardens” starts in 50 minutes"]
    assert [message["Subject"] for message in mails(mailbox, bea, "Reminder")] == [
        "Reminder: “An evening on neighbourhood gardens” starts in 45 minutes"]


def test_a_gathering_published_three_hours_ahead_still_gets_both(app, host, make_user):
    ann = make_user()
    gathering_id = make_gathering(app, host)
    rsvp(app, ann, gathering_id)
    start = starts(app, gathering_id)
    assert send(app, start - timedelta(hours=3))["remind_24h"] == 1
    assert send(app, start - timedelta(minutes=30))["remind_1h"] == 1
    assert reminder_rows(app, ann) == [
        "Reminder: “An evening on neighbourhood gardens” starts in 3 hours",
        "Reminder: “An evening on neighbourhood gardens” starts in 30 minutes"]


def test_an_in_person_reminder_names_the_venue_and_address_and_no_join_address(
        app, mailbox, host, make_user):
    ann = make_user(name="Ann Attendee")
    gathering_id = make_gathering(app, host, mode="in_person", venue_name="Maison des Jardins",
                                  address="Lyon, France", meeting_url="")
    rsvp(app, ann, gathering_id)
    assert send(app, starts(app, gathering_id) - timedelta(hours=12))["remind_24h"] == 1
    deliver(app)
    body = mailbox.body(mailbox.wait_for(ann.email, "Reminder"))
    assert "Where: Maison des Jardins, Lyon, France" in body
    assert " in Lyon (" in body
    assert "/join/" not in body


def test_cancelled_and_draft_gatherings_remind_nobody(app, host, make_user):
    ann = make_user()
    cancelled = make_gathering(app, host)
    rsvp(app, ann, cancelled)
    draft = make_gathering(app, host, publish=False)
    with app.test_request_context():
        services.cancel(db.session.get(Gathering, cancelled), db.session.get(User, host.id),
                        "The speaker fell ill, sorry.")
        db.session.commit()
    for gathering_id in (cancelled, draft):
        assert send(app, starts(app, gathering_id) - timedelta(hours=5))["reminders"] == 0
    assert reminder_rows(app, ann) == []


def test_two_runs_at_once_send_each_reminder_exactly_once(app, mailbox, host, make_user):
    people = [make_user(name=f"Attendee {number}") for number in range(6)]
    first = make_gathering(app, host)
    second = make_gathering(app, host, start=helpers.local_in(7, hour=19))
    for person in people:
        rsvp(app, person, first)
    for person in people[:3]:
        rsvp(app, person, second)
    now = starts(app, first) - timedelta(hours=6)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            with app.app_context():  # each thread its own app context, session and connection
                barrier.wait()
                results.append(reminders.send_reminders(now))
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(result["remind_24h"] for result in results) == 9
    deliver(app)
    for person in people:
        assert len(reminder_rows(app, person)) == (2 if person in people[:3] else 1)
        assert len(mails(mailbox, person, "Reminder")) == (2 if person in people[:3] else 1)
    # And a third run later finds nothing left to send.
    assert send(app, now + timedelta(minutes=5))["reminders"] == 0


def test_a_run_meeting_another_runs_claims_before_they_commit_sends_none_of_them(
        app, mailbox, host, make_user):
    """The hard interleaving, forced: one run has claimed everyone's reminder and not yet
    committed when the other reads the attendees. The second waits for the first (PostgreSQL:
    on the unique key, seen here as a lock wait; SQLite: for the write lock), then skips."""
    people = [make_user(name=f"Attendee {number}") for number in range(3)]
    gathering_id = make_gathering(app, host)
    for person in people:
        rsvp(app, person, gathering_id)
    now = starts(app, gathering_id) - timedelta(hours=6)
    claimed, release = threading.Event(), threading.Event()
    second_result, errors = [], []

    def first_run():
        try:
            with app.app_context():
                gathering = db.session.get(Gathering, gathering_id)
                for row, user in notices.people(gathering, (RsvpStatus.GOING,)):
                    assert notices.tell_reminder(gathering, row, user, reminders.REMIND_24H, now)
                claimed.set()
                release.wait(30)
                db.session.commit()
        except Exception as error:  # pragma: no cover
            errors.append(error)
            claimed.set()

    def second_run():
        try:
            with app.app_context():
                second_result.append(reminders.send_reminders(now))
        except Exception as error:  # pragma: no cover
            errors.append(error)

    first = threading.Thread(target=first_run)
    first.start()
    assert claimed.wait(30)
    second = threading.Thread(target=second_run)
    second.start()
    if ON_POSTGRES:  # hold the first run's commit until the second waits on its claims
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not _someone_waits_on_a_lock(app):
            time.sleep(0.02)
        assert _someone_waits_on_a_lock(app), "the second run never met the first's claims"
    release.set()
    first.join(30)
    second.join(30)
    assert not errors, errors
    assert second_result[0]["reminders"] == 0
    deliver(app)
    for person in people:
        assert len(mails(mailbox, person, "Reminder")) == 1


def _someone_waits_on_a_lock(app) -> bool:
    with app.app_context():
        waiting = db.session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"))
        db.session.commit()
        return bool(waiting)


def test_the_cron_command_prints_the_counts_sends_the_mail_and_passes_expired_offers_on(
        app, runner, mailbox, host, make_user):
    ann, olga, tia = (make_user(name=name) for name in ("Ann Attendee", "Olga Offered", "Tia Third"))
    start = (times.to_local(utcnow(), "Asia/Tokyo") + timedelta(hours=5)).replace(
        second=0, microsecond=0, tzinfo=None)
    gathering_id = make_gathering(app, host, time_zone="Asia/Tokyo", start=start, capacity=1)
    assert [rsvp(app, person, gathering_id) for person in (ann, olga, tia)] == [
        "going", "waitlisted", "waitlisted"]
    rsvp(app, ann, gathering_id, going=False)  # Olga is offered the place...
    with app.app_context():  # ... and lets the offer run out
        row = db.session.scalar(select(Rsvp).where(Rsvp.user_id == olga.id))
        assert row.status == RsvpStatus.OFFERED
        row.offer_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    rsvp(app, ann, gathering_id)  # Ann answers again: the waitlist, behind Tia

    result = runner.invoke(args=["gatherings", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert "reminders queued 0 (24 h: 0, 1 h: 0), offers expired 1" in result.output
    assert "mail sent 1, will retry 0, failed 0" in result.output, "Tia's offer, sent at once"
    assert helpers.rsvp_row(app, tia, gathering_id).status == RsvpStatus.OFFERED
    assert mailbox.wait_for(tia.email, "Claim your place")

    with app.app_context():  # Tia claims it
        joining.claim(db.session.get(User, tia.id), db.session.get(Gathering, gathering_id))
        db.session.commit()
    result = runner.invoke(args=["gatherings", "send-reminders"])
    assert "reminders queued 1 (24 h: 1, 1 h: 0), offers expired 0" in result.output
    assert "mail sent 1" in result.output
    body = mailbox.body(mailbox.wait_for(tia.email, "starts in 5 hours"))
    assert join_address(app, tia, gathering_id) in body
    result = runner.invoke(args=["gatherings", "send-reminders"])
    assert result.output.strip() == "reminders queued 0 (24 h: 0, 1 h: 0), offers expired 0"
    assert_no_meeting_link(app, mailbox)


def test_only_the_next_days_gatherings_are_read(app, host, make_user):
    """At 100,000 gatherings a run reads those starting within 24 hours: the statements a run
    makes do not grow with the gatherings further ahead (or behind)."""
    ann = make_user()
    soon = make_gathering(app, host)
    rsvp(app, ann, soon)
    now = starts(app, soon) - timedelta(hours=6)

    def statements(run_at) -> int:
        with app.app_context():
            seen = []
            listener = lambda *args: seen.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                reminders.send_reminders(run_at)
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            return len([sql for sql in seen if sql.lstrip().upper().startswith(("SELECT", "INSERT"))])

    baseline = statements(now - timedelta(days=2))  # nothing due
    make_gathering(app, host, start=helpers.local_in(10), frequency="weekly", count=12)
    assert statements(now - timedelta(days=2)) == baseline, "gatherings further ahead cost nothing"
    with app.app_context():
        loaded = []
        listener = lambda *args: loaded.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert reminders.send_reminders(now)["remind_24h"] == 1
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    listing = [sql for sql in loaded if "FROM gatherings" in sql and "starts_at >" in sql]
    assert listing and all("starts_at <=" in sql for sql in listing), "bounded to the next 24 hours"
