"""The rhythm: each meeting a private gathering hosted by its convener with every partner going
(calendar file, reminders, the join link), the convener rotating in the order partners joined (also
when someone leaves), and the one-line check-ins on the timeline."""
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.gatherings import reminders
from app.models.base import utcnow
from app.models.gatherings import Gathering, Rsvp
from app.models.mail import OutboxMessage
from app.models.partnerships import Partnership
from app.partnerships import lifecycle, meetings
from tests.conftest import shown
from tests.partnerships.helpers import (
    SECRET_LINK, log_in_as, make_partnership, meeting_ids, set_rhythm,
)


def _over(app, gathering_id) -> None:
    """The meeting took place: it started two hours ago and ended one hour ago."""
    with app.app_context():
        meeting = db.session.get(Gathering, gathering_id)
        meeting.starts_at, meeting.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
        db.session.commit()


def _next(app, partnership_id) -> int | None:
    with app.test_request_context(method="POST"):
        made = meetings.ensure_next(db.session.get(Partnership, partnership_id))
        db.session.commit()
        return made.id if made else None


def _host(app, gathering_id) -> int:
    with app.app_context():
        return db.session.get(Gathering, gathering_id).host_id


def test_each_meeting_is_a_private_gathering_every_partner_goes_to(app, client, make_user):
    ana, ben, cleo = make_user(name="Ana"), make_user(name="Ben"), make_user(name="Cleo")
    partnership_id = make_partnership(app, [ana, ben, cleo], opened=True, rhythm=True)
    [first] = meeting_ids(app, partnership_id)
    with app.app_context():
        meeting = db.session.get(Gathering, first)
        assert meeting.partnership_id == partnership_id and meeting.state == "published"
        assert meeting.host_id == ana.id and meeting.meeting_url == SECRET_LINK
        going = set(db.session.scalars(select(Rsvp.user_id).where(Rsvp.gathering_id == first,
                                                                   Rsvp.status == "going")))
        assert going == {ana.id, ben.id, cleo.id}
    log_in_as(client, ben)
    page = shown(client.get(f"/partnerships/{partnership_id}"), "Your next meeting", "Convened by <strong>Ana</strong>",
                 "Every two weeks on")
    assert SECRET_LINK not in page
    shown(client.get(f"/gatherings/{first}"), "Join the meeting")
    calendar = client.get(f"/gatherings/{first}.ics")
    assert calendar.status_code == 200 and b"/join/" in calendar.data
    # Reminders go to every partner, a day before.
    with app.test_request_context():
        start = db.session.get(Gathering, first).starts_at
        reminders.send_reminders(now=start - timedelta(hours=23))
        told = set(db.session.scalars(select(OutboxMessage.to).where(OutboxMessage.subject.contains("Reminder"))))
    assert {ana.email, ben.email, cleo.email} <= told


def test_the_convener_rotates_in_the_order_partners_joined(app, make_user):
    ana, ben, cleo = make_user(), make_user(), make_user()
    partnership_id = make_partnership(app, [ana, ben, cleo], opened=True, rhythm=True)
    [first] = meeting_ids(app, partnership_id)
    hosts = [_host(app, first)]
    assert _next(app, partnership_id) is None  # one meeting coming at a time
    current = first
    for _ in range(3):
        _over(app, current)
        current = _next(app, partnership_id)
        hosts.append(_host(app, current))
    assert hosts == [ana.id, ben.id, cleo.id, ana.id]
    with app.app_context():
        starts = [db.session.get(Gathering, gid).starts_at for gid in meeting_ids(app, partnership_id)]
        assert all(later > earlier for earlier, later in zip(starts, starts[1:]))


def test_a_cancelled_meeting_does_not_take_a_turn(app, client, make_user):
    ana, ben = make_user(), make_user()
    partnership_id = make_partnership(app, [ana, ben], opened=True, rhythm=True)
    [first] = meeting_ids(app, partnership_id)
    log_in_as(client, ana)
    assert client.post(f"/gatherings/{first}/cancel", data={"reason": "I am ill this week, sorry."}).status_code == 302
    second = _next(app, partnership_id)
    assert second is not None and _host(app, second) == ana.id


def test_when_someone_leaves_the_rotation_goes_on_without_them(app, make_user):
    ana, ben, cleo, dan = make_user(), make_user(), make_user(), make_user()
    partnership_id = make_partnership(app, [ana, ben, cleo, dan], opened=True, rhythm=True)
    [first] = meeting_ids(app, partnership_id)
    assert _host(app, first) == ana.id
    _over(app, first)
    # Ben, whose turn it would be next, leaves: Cleo convenes.
    with app.test_request_context(method="POST"):
        lifecycle.leave(db.session.get(Partnership, partnership_id), db.session.get(type(ben), ben.id))
        db.session.commit()
    second = _next(app, partnership_id)
    assert _host(app, second) == cleo.id
    # Cleo leaves while convening the coming meeting: it passes to Dan, the next in the order.
    with app.test_request_context(method="POST"):
        lifecycle.leave(db.session.get(Partnership, partnership_id), db.session.get(type(cleo), cleo.id))
        db.session.commit()
    assert _host(app, second) == dan.id
    with app.app_context():
        going = set(db.session.scalars(select(Rsvp.user_id).where(Rsvp.gathering_id == second)))
        assert going == {ana.id, dan.id}
        assert db.session.get(Gathering, second).going_count == 2
    _over(app, second)
    third = _next(app, partnership_id)
    assert _host(app, third) == ana.id  # after Dan, round again


def test_check_ins_after_a_meeting_show_on_the_timeline(app, client, make_user):
    ana, ben = make_user(name="Ana"), make_user(name="Ben")
    partnership_id = make_partnership(app, [ana, ben], opened=True, rhythm=True)
    [first] = meeting_ids(app, partnership_id)
    log_in_as(client, ana)
    early = client.post(f"/partnerships/{partnership_id}/meetings/{first}/check-in", data={"met": "yes"})
    shown(early, "has not started yet", status=422)
    _over(app, first)
    shown(client.get(f"/partnerships/{partnership_id}"), "How did")
    assert client.post(f"/partnerships/{partnership_id}/meetings/{first}/check-in",
                       data={"met": "yes", "note": "We talked about listening"}).status_code == 302
    log_in_as(client, ben)
    no_reason = client.post(f"/partnerships/{partnership_id}/meetings/{first}/check-in", data={"met": "no"})
    shown(no_reason, "Say in a few words why", status=422)
    assert client.post(f"/partnerships/{partnership_id}/meetings/{first}/check-in",
                       data={"met": "no", "note": "my train was cancelled"}).status_code == 302
    page = shown(client.get(f"/partnerships/{partnership_id}"), "We talked about listening",
                 "because my train was cancelled", "We didn&#39;t")
    assert "How did" not in page
    # The check-in arranged the next meeting, convened by Ben.
    ids = meeting_ids(app, partnership_id)
    assert len(ids) == 2 and _host(app, ids[1]) == ben.id


def test_a_new_rhythm_moves_the_coming_meeting(app, make_user):
    ana, ben = make_user(), make_user()
    partnership_id = make_partnership(app, [ana, ben], opened=True, rhythm=True)
    [first] = meeting_ids(app, partnership_id)
    set_rhythm(app, partnership_id, ben, days=5, frequency="weekly", duration=90)
    assert meeting_ids(app, partnership_id) == [first]
    with app.app_context():
        meeting = db.session.get(Gathering, first)
        assert meeting.ends_at - meeting.starts_at == timedelta(minutes=90)
        assert meeting.starts_at > utcnow() + timedelta(days=4)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "gathering_change")) == 2  # both partners told of the new time


def test_the_rhythm_form_refuses_what_a_gathering_would(app, client, make_user):
    ana, ben = make_user(), make_user()
    partnership_id = make_partnership(app, [ana, ben])
    log_in_as(client, ana)
    shown(client.get(f"/partnerships/{partnership_id}/rhythm"), "Save our rhythm")
    refused = client.post(f"/partnerships/{partnership_id}/rhythm", data={
        "frequency": "weekly", "first": "2020-01-01T18:00", "time_zone": "Europe/Berlin", "duration": "60",
        "language": "English", "mode": "online", "meeting_url": "http://insecure.example"})
    page = shown(refused, "The start is in the past", "https://", status=422)
    assert page
    assert not load_has_rhythm(app, partnership_id)


def load_has_rhythm(app, partnership_id) -> bool:
    with app.app_context():
        return db.session.get(Partnership, partnership_id).has_rhythm


def test_the_cron_arranges_the_next_meeting_once(app, runner, make_user):
    ana, ben = make_user(), make_user()
    partnership_id = make_partnership(app, [ana, ben], opened=True, rhythm=True)
    [first] = meeting_ids(app, partnership_id)
    _over(app, first)
    assert "meetings arranged 1" in runner.invoke(args=["partnerships", "arrange-meetings"]).output
    assert "meetings arranged 0" in runner.invoke(args=["partnerships", "arrange-meetings"]).output
    assert len(meeting_ids(app, partnership_id)) == 2
