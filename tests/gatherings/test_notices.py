"""What gatherings tell people, read from the real SMTP server: changes in each person's own
zone with their join address, cancellations with the reason, waitlist offers and their expiry,
the host's answers, requests to the hosts; each once, and never the meeting link itself."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import mail
from app.extensions import db
from app.gatherings import joining, notices, reminders, services, times
from app.gatherings.notifications import KINDS
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import Gathering, GatheringNotice, Rsvp, RsvpStatus
from app.models.mail import OutboxMessage
from app.models.notifications import Notification
from app.notifications.unsubscribe import read_token
from app.urls import site_url
from tests.conftest import login, shown
from tests.gatherings import helpers
from tests.gatherings.helpers import SECRET_LINK, make_gathering, rsvp

UNSUBSCRIBE = re.compile(r"<(http://localhost/notifications/unsubscribe/([^>]+))>")


@pytest.fixture
def host(make_user):
    return make_user(role="leader", name="Hana Host")


def deliver(app) -> None:
    with app.app_context():
        mail.deliver_pending(limit=1000)


def set_zone(app, person, zone_name) -> None:
    with app.app_context():
        db.session.get(User, person.id).time_zone = zone_name
        db.session.commit()


def join_address(app, person, gathering_id) -> str:
    row = helpers.rsvp_row(app, person, gathering_id)
    with app.app_context():
        return site_url("gatherings.join", gathering_id=gathering_id, token=row.join_token)


def page_address(app, gathering_id) -> str:
    with app.app_context():
        return site_url("gatherings.show", gathering_id=gathering_id)


def mails(mailbox, person, subject_part) -> list:
    return [message for message in mailbox.for_address(person.email)
            if subject_part.lower() in message["Subject"].lower()]


def notes(app, person) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(note.kind, note.message, note.link) for note in db.session.scalars(
            select(Notification).where(Notification.user_id == person.id).order_by(Notification.id))]


def assert_no_meeting_link(app, mailbox, *links) -> None:
    """No mail queued or received, and no in-app notification, holds a meeting link."""
    links = links or (SECRET_LINK,)
    with app.app_context():
        texts = [text for row in db.session.scalars(select(OutboxMessage))
                 for text in (row.subject, row.body)]
        texts += [text for row in db.session.scalars(select(Notification))
                  for text in (row.message, row.link)]
    texts += [mailbox.body(message) for message in mailbox.messages]
    texts += [message["Subject"] for message in mailbox.messages]
    assert texts, "something was told"
    for link in links:
        assert not [text for text in texts if link in text], "a meeting link was told"
        assert not [text for text in texts if "secret-room" in text]


def edit(app, editor, gathering_id, **changes) -> Gathering:
    """The host saves the form with these changes (services.update), committed."""
    with app.test_request_context():
        gathering = db.session.get(Gathering, gathering_id)
        details = services.details_of(gathering)
        for name, value in changes.items():
            setattr(details, name, value)
        services.update(gathering, db.session.get(User, editor.id), details,
                        version=gathering.version)
        db.session.commit()
    return helpers.load(app, gathering_id)


def test_a_new_time_reaches_each_attendee_once_in_their_own_zone_with_their_join_address(
        app, mailbox, host, make_user):
    ann, ken = make_user(name="Ann Attendee"), make_user(name="Ken Attendee")
    cara = make_user(name="Cara Cantgo")
    set_zone(app, ken, "Asia/Tokyo")
    gathering_id = make_gathering(app, host)
    for person in (ann, ken):
        assert rsvp(app, person, gathering_id) == "going"
    assert rsvp(app, cara, gathering_id, going=False) == "not_going"

    start = helpers.local_in(8, hour=19)
    moved = edit(app, host, gathering_id, start=start, end=start + timedelta(hours=2))
    deliver(app)

    assert moved.starts_at == times.to_utc(start, "Europe/Berlin")
    in_berlin = times.label(moved.starts_at, "Europe/Berlin")
    in_tokyo = times.label(moved.starts_at, "Europe/Berlin", "Asia/Tokyo")
    assert in_tokyo.yours.endswith("your time (JST)")

    to_ann = mailbox.wait_for(ann.email, "New time")
    body = mailbox.body(to_ann)
    assert to_ann["Subject"] == "New time for “An evening on neighbourhood gardens”"
    assert f"it now starts {in_berlin} and lasts 2 hours" in body
    assert "your time" not in body, "no zone of her own: the gathering's"
    assert join_address(app, ann, gathering_id) in body
    assert join_address(app, ken, gathering_id) not in body, "each their own address"
    assert page_address(app, gathering_id) in body
    assert "To stop emails like this one" in body

    body = mailbox.body(mailbox.wait_for(ken.email, "New time"))
    assert str(in_tokyo) in body and "your time (JST)" in body
    assert join_address(app, ken, gathering_id) in body
    assert mails(mailbox, cara, "") == [], "not going: not told"
    assert mails(mailbox, host, "") == [], "the host made the change"

    [(kind, message, link)] = notes(app, ann)
    assert kind == "gathering_change" and link == f"/gatherings/{gathering_id}"
    assert message.startswith("“An evening on neighbourhood gardens” has a new time.")

    # The same change told again (a retried request) reaches nobody twice.
    with app.app_context():
        notices.tell_changed(db.session.get(Gathering, gathering_id), ["time"])
        db.session.commit()
    deliver(app)
    assert len(mails(mailbox, ann, "New time")) == 1 and len(notes(app, ann)) == 1
    with app.app_context():
        keys = db.session.scalars(select(GatheringNotice.key).where(
            GatheringNotice.user_id == ann.id)).all()
    assert keys == [f"changed-{moved.sequence}"]

    # A second change is a second notice.
    later = start + timedelta(hours=1)
    edit(app, host, gathering_id, start=later, end=later + timedelta(hours=1))
    deliver(app)
    assert len(mails(mailbox, ann, "New time")) == 2
    assert_no_meeting_link(app, mailbox)


def test_a_new_meeting_link_is_told_without_the_link_and_the_join_address_still_works(
        app, client, mailbox, host, make_user):
    ann = make_user(name="Ann Attendee")
    gathering_id = make_gathering(app, host)
    rsvp(app, ann, gathering_id)
    new_link = "https://meet.example/other-room-91bd"
    edit(app, host, gathering_id, meeting_url=new_link)
    deliver(app)

    message = mailbox.wait_for(ann.email, "New meeting link")
    body = mailbox.body(message)
    assert "your personal join address below leads to the new one" in body
    address = join_address(app, ann, gathering_id)
    assert address in body
    answer = client.get(address.removeprefix("http://localhost"))
    assert answer.status_code == 303 and answer.location == new_link, "it leads to the new link"
    assert_no_meeting_link(app, mailbox, SECRET_LINK, new_link)


def test_a_new_place_names_the_venue_and_a_description_change_tells_nobody(
        app, mailbox, host, make_user):
    ann = make_user(name="Ann Attendee")
    gathering_id = make_gathering(app, host, mode="in_person", venue_name="Maison des Jardins",
                                  address="Lyon, France", meeting_url="")
    rsvp(app, ann, gathering_id)
    edit(app, host, gathering_id, description="Bring seeds to swap.")
    edit(app, host, gathering_id, venue_name="Salle Paul Bert")
    deliver(app)

    [message] = mails(mailbox, ann, "")
    assert message["Subject"] == "New place for “An evening on neighbourhood gardens”"
    body = mailbox.body(message)
    assert "it now takes place at Salle Paul Bert, Lyon, France" in body
    assert "Where: Salle Paul Bert, Lyon, France" in body
    assert "/join/" not in body, "in person only: no join address"
    assert " in Lyon (" in body, "the clock is named after the venue's town"


def test_cancelling_tells_those_going_offered_waitlisted_and_waiting_with_the_reason(
        app, mailbox, host, make_user):
    going, offered, waiting, pending, left, declined = (
        make_user(name=name) for name in ("Gus Going", "Olga Offered", "Wes Waitlisted",
                                          "Pia Pending", "Lee Left", "Dee Declined"))
    gathering_id = make_gathering(app, host, capacity=2, approval_required=True)
    for person in (going, left, offered, waiting, pending, declined):
        assert rsvp(app, person, gathering_id) == "pending"
    with app.test_request_context():
        hana = db.session.get(User, host.id)
        for person, answer in ((going, joining.approve), (left, joining.approve),
                               (offered, joining.approve), (waiting, joining.approve),
                               (declined, joining.decline)):
            answer(db.session.scalar(select(Rsvp).where(Rsvp.user_id == person.id)), hana)
        db.session.commit()
    assert rsvp(app, left, gathering_id, going=False) == "not_going"  # her place: offered on
    statuses = {person.display_name: str(helpers.rsvp_row(app, person, gathering_id).status)
                for person in (going, offered, waiting, pending, left, declined)}
    assert statuses == {"Gus Going": "going", "Olga Offered": "offered", "Wes Waitlisted": "waitlisted",
                        "Pia Pending": "pending", "Lee Left": "not_going", "Dee Declined": "declined"}
    deliver(app)
    assert mailbox.body(mailbox.wait_for(going.email, "You're going to"))
    assert join_address(app, going, gathering_id) in mailbox.body(
        mailbox.wait_for(going.email, "You're going to"))
    assert "on the waitlist" in mailbox.body(mailbox.wait_for(waiting.email, "waitlist for"))
    assert "declined your request" in mailbox.body(mailbox.wait_for(declined.email, "Your request"))

    reason = "The hall flooded; we will find another date soon."
    with app.test_request_context():
        services.cancel(db.session.get(Gathering, gathering_id), db.session.get(User, host.id), reason)
        db.session.commit()
    deliver(app)

    for person in (going, offered, waiting, pending):
        [message] = mails(mailbox, person, "Cancelled")
        assert message["Subject"] == "Cancelled: “An evening on neighbourhood gardens”"
        body = mailbox.body(message)
        assert reason in body and page_address(app, gathering_id) in body
        assert "/join/" not in body, "nothing to join"
        assert notes(app, person)[-1][1].endswith(f"is cancelled: {reason}")
    for person in (left, declined, host):
        assert mails(mailbox, person, "Cancelled") == []
    assert_no_meeting_link(app, mailbox)


def test_a_freed_place_is_offered_then_passes_on_when_the_offer_expires(
        app, mailbox, host, make_user):
    first, second, third = (make_user(name=name) for name in ("Fay First", "Sam Second", "Tia Third"))
    set_zone(app, second, "America/New_York")
    gathering_id = make_gathering(app, host, capacity=1)
    assert [rsvp(app, person, gathering_id) for person in (first, second, third)] == [
        "going", "waitlisted", "waitlisted"]
    assert rsvp(app, first, gathering_id, going=False) == "not_going"
    deliver(app)

    offer = helpers.rsvp_row(app, second, gathering_id)
    assert offer.status == RsvpStatus.OFFERED
    message = mailbox.wait_for(second.email, "Claim your place")
    body = mailbox.body(message)
    by = times.label(offer.offer_expires_at, "Europe/Berlin", "America/New_York")
    assert by.yours.endswith("your time (EDT)") or by.yours.endswith("your time (EST)")
    assert f"held for you until {by}" in body
    assert page_address(app, gathering_id) in body
    assert "/join/" not in body, "no join address before the place is claimed"
    assert notes(app, second)[0][0] == "gathering_offer"
    assert mails(mailbox, third, "Claim") == []

    with app.app_context():
        assert joining.expire_offers(utcnow() + timedelta(hours=47)) == 0
        assert joining.expire_offers(utcnow() + timedelta(hours=49)) == 1
        db.session.commit()
    deliver(app)
    assert helpers.rsvp_row(app, second, gathering_id).status == RsvpStatus.NOT_GOING
    assert helpers.rsvp_row(app, third, gathering_id).status == RsvpStatus.OFFERED
    assert len(mails(mailbox, third, "Claim your place")) == 1
    assert len(mails(mailbox, second, "Claim your place")) == 1

    # The same offer told again (a retry) is not mailed twice.
    with app.app_context():
        notices.tell_offer(db.session.get(Rsvp, helpers.rsvp_row(app, third, gathering_id).id))
        db.session.commit()
    deliver(app)
    assert len(mails(mailbox, third, "Claim your place")) == 1
    assert_no_meeting_link(app, mailbox)


def test_hosts_hear_in_app_of_a_request_to_come_once(app, mailbox, host, make_user):
    cohost = make_user(role="leader", name="Cole Cohost")
    asking = make_user(name="Ada Asking")
    gathering_id = make_gathering(app, host, approval_required=True)
    with app.app_context():
        db.session.get(Gathering, gathering_id).cohosts = [db.session.get(User, cohost.id)]
        db.session.commit()
    assert rsvp(app, asking, gathering_id) == "pending"
    for _ in range(2):
        with app.app_context():
            notices.tell_hosts_request(db.session.get(Rsvp, helpers.rsvp_row(app, asking, gathering_id).id))
            db.session.commit()
    deliver(app)
    for person in (host, cohost):
        assert notes(app, person) == [("gathering_rsvp",
                                       "Ada Asking asks to come to “An evening on neighbourhood gardens”.",
                                       f"/gatherings/{gathering_id}")]
        assert mails(mailbox, person, "") == [], "in-app only"


def test_the_kinds_are_offered_on_the_settings_page_and_turning_one_off_stops_its_mail(
        app, client, mailbox, host, make_user):
    ann = make_user(name="Ann Attendee")
    login(client, ann.email)
    page = shown(client.get("/notifications/settings"),
                 "Email me when a gathering I&#39;m going to changes its time, place or link")
    for name in ("gathering_change", "gathering_reminders", "gathering_offer", "gathering_answer"):
        assert f'name="{name}"' in page
    assert 'name="gathering_rsvp"' not in page, "in-app only"
    client.post("/notifications/settings", data={"gathering_reminders": "y", "gathering_offer": "y",
                                                 "gathering_answer": "y"})
    gathering_id = make_gathering(app, host)
    rsvp(app, ann, gathering_id)
    start = helpers.local_in(9)
    edit(app, host, gathering_id, start=start, end=start + timedelta(hours=1))
    deliver(app)
    assert mails(mailbox, ann, "") == [], "mail turned off"
    assert [kind for kind, _, _ in notes(app, ann)] == ["gathering_change"], "still listed in-app"


def test_every_gathering_kind_that_mails_carries_its_own_one_click_link(
        app, client, mailbox, host, make_user):
    """(tests/notifications/test_unsubscribe.py walks the other features' kinds.)"""
    ann, cara = make_user(name="Ann Attendee"), make_user(name="Cara Cantgo")
    asked = make_gathering(app, host, approval_required=True)
    assert rsvp(app, ann, asked) == "pending"
    with app.test_request_context():
        joining.approve(db.session.scalar(select(Rsvp).where(Rsvp.gathering_id == asked)),
                        db.session.get(User, host.id))
        db.session.commit()
    start = helpers.local_in(6)
    moved = edit(app, host, asked, start=start, end=start + timedelta(hours=1))
    with app.app_context():
        reminders.send_reminders(moved.starts_at - timedelta(hours=5))
    full = make_gathering(app, host, capacity=1)
    rsvp(app, cara, full)
    assert rsvp(app, ann, full) == "waitlisted"
    rsvp(app, cara, full, going=False)
    deliver(app)

    received = {"gathering_answer": mailbox.wait_for(ann.email, "You're going"),
                "gathering_change": mailbox.wait_for(ann.email, "New time"),
                "gathering_reminders": mailbox.wait_for(ann.email, "Reminder"),
                "gathering_offer": mailbox.wait_for(ann.email, "Claim your place")}
    assert set(received) == {kind.name for kind in KINDS if kind.sends_mail}
    with app.app_context():
        for kind, message in received.items():
            url, token = UNSUBSCRIBE.fullmatch(message["List-Unsubscribe"]).groups()
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert read_token(token) == (ann.id, kind)
            assert url in mailbox.body(message)
    assert_no_meeting_link(app, mailbox)
