"""Calendar files of gatherings, parsed back with icalendar: times in the gathering's zone with
its VTIMEZONE, a stable UID and a growing SEQUENCE, cancellations, the feeds, and the meeting link
that never appears in them (the personal join address only in a going attendee's own copy)."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from app.extensions import db
from app.gatherings import services
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import CalendarFeed, Gathering
from tests.conftest import login, shown
from tests.gatherings.helpers import SECRET_LINK, load, local_in, make_gathering, rsvp, rsvp_row

UTC = timezone.utc


def parse(response, method="PUBLISH") -> Calendar:
    where = f"{response.request.method} {response.request.path}"
    assert response.status_code == 200, f"{where} answered {response.status_code}"
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    calendar = Calendar.from_ical(response.data)
    assert calendar["METHOD"] == method
    assert calendar["VERSION"] == "2.0"
    assert calendar.get_missing_tzids() == set()  # every TZID used has its VTIMEZONE
    return calendar


def text_of(response) -> str:
    """The file as text with its folded lines joined, so a long address is found whole."""
    return response.get_data(as_text=True).replace("\r\n ", "").replace("\r\n\t", "")


def only_event(calendar: Calendar):
    assert len(calendar.events) == 1
    return calendar.events[0]


def utc(naive: datetime) -> datetime:
    return naive.replace(tzinfo=UTC)


def check_times(calendar: Calendar, event, gathering: Gathering) -> None:
    """DTSTART and DTEND are the stored UTC moments, written in the gathering's zone, and the
    file's own VTIMEZONE (read without the system's zone data) gives them the same offsets."""
    assert event.start == utc(gathering.starts_at)
    assert event.end == utc(gathering.ends_at)
    assert event["DTSTART"].params["TZID"] == gathering.time_zone
    assert event["DTEND"].params["TZID"] == gathering.time_zone
    [vtimezone] = [tz for tz in calendar.timezones if tz.tz_name == gathering.time_zone]
    own_rules = vtimezone.to_tz(lookup_tzid=False)
    for moment in (event.start, event.end):
        wall_clock = moment.replace(tzinfo=None)
        assert wall_clock.replace(tzinfo=own_rules).utcoffset() == moment.utcoffset()


def edit(app, host, gathering_id, scope="this", **changes) -> None:
    """The host's edit through the service, as the edit form saves it."""
    with app.test_request_context():
        gathering = db.session.get(Gathering, gathering_id)
        details = services.details_of(gathering)
        for name, value in changes.items():
            setattr(details, name, value)
        services.update(gathering, db.session.get(User, host.id), details, version=gathering.version,
                        scope=scope)
        db.session.commit()


def cancel(app, host, gathering_id, reason="The library closes for repairs that week.") -> None:
    with app.test_request_context():
        services.cancel(db.session.get(Gathering, gathering_id), db.session.get(User, host.id), reason)
        db.session.commit()


def move_to_past(app, gathering_id, days_ago: float) -> None:
    """Gatherings cannot be made in the past: move one there (its RSVPs kept)."""
    with app.app_context():
        ends = utcnow() - timedelta(days=days_ago)
        db.session.execute(update(Gathering).where(Gathering.id == gathering_id)
                           .values(starts_at=ends - timedelta(hours=1), ends_at=ends))
        db.session.commit()


def join_address(app, person, gathering_id) -> str:
    token = rsvp_row(app, person, gathering_id).join_token
    return f"http://localhost/gatherings/{gathering_id}/join/{token}"


def anonymous(app):
    return app.test_client()


def feed_secret(app, person) -> str | None:
    with app.app_context():
        return db.session.scalar(select(CalendarFeed.secret).where(CalendarFeed.user_id == person.id))


# One gathering's file ----------------------------------------------------------------------

def test_a_gatherings_file_holds_its_times_in_its_zone_with_the_vtimezone(app, client, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host, time_zone="America/New_York",
                                  start=local_in(10, "America/New_York", hour=18),
                                  description="We talk about **gardens** and [seeds](https://seeds.example).")
    gathering = load(app, gathering_id)

    response = client.get(f"/gatherings/{gathering_id}.ics")
    calendar = parse(response)
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="an-evening-on-neighbourhood-gardens.ics"'
    event = only_event(calendar)
    check_times(calendar, event, gathering)
    assert event.start.hour == 18 and str(event.start.tzinfo) == "America/New_York"
    assert [tz.tz_name for tz in calendar.timezones] == ["America/New_York"]
    assert event.uid == gathering.uid
    assert event.sequence == gathering.sequence
    assert event.stamp.tzinfo is not None and event.stamp <= datetime.now(UTC)
    assert event.summary == "An evening on neighbourhood gardens"
    page = f"http://localhost/gatherings/{gathering_id}"
    assert str(event["URL"]) == page
    # Plain text, no Markdown, and the page to find the rest.
    assert "We talk about gardens and seeds." in event.description
    assert "**" not in event.description
    assert page in event.description
    assert event.location == "Online"
    assert event["STATUS"] == "CONFIRMED"
    assert SECRET_LINK not in text_of(response)


def test_an_in_person_gathering_names_its_venue(app, client, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host, mode="in_person", venue_name="Old Library",
                                  address="Hartford", meeting_url="", time_zone="America/New_York",
                                  start=local_in(5, "America/New_York"))
    event = only_event(parse(client.get(f"/gatherings/{gathering_id}.ics")))
    assert event.location == "Old Library, Hartford"
    gathering = load(app, gathering_id)
    latitude, longitude = event["GEO"].latitude, event["GEO"].longitude
    assert (latitude, longitude) == pytest.approx((gathering.lat, gathering.lng))
    assert "Online" not in event.description


def test_the_uid_stays_and_the_sequence_grows_with_each_change(app, client, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host)
    before = only_event(parse(client.get(f"/gatherings/{gathering_id}.ics")))

    old = load(app, gathering_id)
    new_start = local_in(8, hour=19)
    edit(app, host, gathering_id, start=new_start, end=new_start + timedelta(hours=2),
         title="An evening on community gardens")
    after_calendar = parse(client.get(f"/gatherings/{gathering_id}.ics"))
    after = only_event(after_calendar)
    moved = load(app, gathering_id)

    assert after.uid == before.uid == old.uid
    assert after.sequence > before.sequence
    assert after.sequence == moved.sequence
    assert after.summary == "An evening on community gardens"
    check_times(after_calendar, after, moved)
    assert after.start != before.start and after.start.hour == 19

    edit(app, host, gathering_id, description="Bring seeds to swap.")
    again = only_event(parse(client.get(f"/gatherings/{gathering_id}.ics")))
    assert again.uid == before.uid and again.sequence > after.sequence


def test_a_cancelled_gathering_is_a_cancel_with_its_reason(app, client, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host)
    before = only_event(parse(client.get(f"/gatherings/{gathering_id}.ics")))
    cancel(app, host, gathering_id)

    response = client.get(f"/gatherings/{gathering_id}.ics")
    event = only_event(parse(response, method="CANCEL"))
    assert event["STATUS"] == "CANCELLED"
    assert event.uid == before.uid and event.sequence > before.sequence
    assert "Cancelled: The library closes for repairs that week." in event.description
    assert SECRET_LINK not in text_of(response)


def test_a_draft_file_is_only_for_its_hosts(app, client, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host, publish=False)
    assert anonymous(app).get(f"/gatherings/{gathering_id}.ics").status_code == 404
    assert client.get("/gatherings/999999.ics").status_code == 404
    assert client.get(f"/gatherings/{gathering_id}.ics").status_code == 404  # nobody logged in
    member = anonymous(app)
    login(member, make_user().email)
    assert member.get(f"/gatherings/{gathering_id}.ics").status_code == 404

    login(client, host.email)
    response = client.get(f"/gatherings/{gathering_id}.ics")
    event = only_event(parse(response))
    assert event["STATUS"] == "TENTATIVE"
    # Hosts see the link on the page; their file holds nothing secret.
    assert SECRET_LINK not in text_of(response)
    assert "/join/" not in text_of(response)


# The meeting link and the personal join address ---------------------------------------------

def test_only_a_going_attendee_gets_their_join_address_and_nobody_the_link(app, client, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host, capacity=1)
    going, waiting, declined = make_user(), make_user(), make_user()
    assert rsvp(app, going, gathering_id) == "going"
    assert rsvp(app, waiting, gathering_id) == "waitlisted"
    assert rsvp(app, declined, gathering_id, going=False) == "not_going"
    path = f"/gatherings/{gathering_id}.ics"

    def body_for(person=None) -> str:
        browser = app.test_client()
        if person is not None:
            assert login(browser, person.email).status_code == 302
        response = browser.get(path)
        parse(response)
        return text_of(response)

    for person in (None, make_user(), waiting, declined, host):
        text = body_for(person)
        assert SECRET_LINK not in text
        assert "/join/" not in text

    mine = join_address(app, going, gathering_id)
    login(client, going.email)
    response = client.get(path)
    text = text_of(response)
    assert SECRET_LINK not in text
    event = only_event(parse(response))
    assert f"Join online: {mine}" in event.description
    assert event.location == mine
    assert [str(conference.uri) for conference in event.conferences] == [mine]
    # Their own copy stays out of every cache.
    assert "no-store" in response.headers["Cache-Control"]
    # Nobody else's address is in it, and the others' files hold none.
    assert join_address(app, waiting, gathering_id) not in text

    # Having said "can't go", they lose it.
    assert rsvp(app, going, gathering_id, going=False) == "not_going"
    text = text_of(client.get(path))
    assert "/join/" not in text and SECRET_LINK not in text


def test_no_join_address_in_a_cancelled_gathering_even_for_attendees(app, client, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host)
    member = make_user()
    rsvp(app, member, gathering_id)
    cancel(app, host, gathering_id)
    login(client, member.email)
    response = client.get(f"/gatherings/{gathering_id}.ics")
    only_event(parse(response, method="CANCEL"))
    assert "/join/" not in text_of(response)
    assert SECRET_LINK not in text_of(response)


# The public feed -------------------------------------------------------------------------------

def test_the_public_feed_lists_upcoming_public_gatherings_soonest_first(app, client, make_user):
    host = make_user(role="leader")
    later = make_gathering(app, host, title="Later in Berlin", start=local_in(20))
    sooner = make_gathering(app, host, title="Sooner in New York", time_zone="America/New_York",
                            start=local_in(3, "America/New_York"))
    draft = make_gathering(app, host, title="A draft not yet out", publish=False, start=local_in(4))
    past = make_gathering(app, host, title="Over and done with", start=local_in(2))
    move_to_past(app, past, days_ago=1)
    called_off = make_gathering(app, host, title="Called off this time", start=local_in(6))
    cancel(app, host, called_off)
    # A going attendee asking for the public feed still gets nothing personal.
    member = make_user()
    rsvp(app, member, sooner)
    login(client, member.email)

    response = client.get("/gatherings/feed.ics")
    text = text_of(response)
    calendar = parse(response)
    assert calendar.calendar_name == "Leaders Network gatherings"
    # How often subscribed calendars look again (RFC 7986, and Outlook's own name for it).
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text and "X-PUBLISHED-TTL:PT1H" in text
    titles = [str(event.summary) for event in calendar.events]
    assert titles == ["Sooner in New York", "Called off this time", "Later in Berlin"]
    assert "A draft not yet out" not in text and "Over and done with" not in text
    assert sorted(tz.tz_name for tz in calendar.timezones) == ["America/New_York", "Europe/Berlin"]
    by_uid = {str(event.uid): event for event in calendar.events}
    for gathering_id in (later, sooner, called_off):
        gathering = load(app, gathering_id)
        check_times(calendar, by_uid[gathering.uid], gathering)
    assert by_uid[load(app, called_off).uid]["STATUS"] == "CANCELLED"
    assert SECRET_LINK not in text
    assert "/join/" not in text
    assert response.headers["Cache-Control"] == "public, max-age=300"

    # Cache-friendly: the same feed again is a 304 for a client that has it.
    again = anonymous(app).get("/gatherings/feed.ics",
                               headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_public_feed_has_a_limit(app, client, make_user, monkeypatch):
    from app.gatherings import calendar
    assert calendar.FEED_LIMIT == 500
    host = make_user(role="leader")
    make_gathering(app, host, frequency="weekly", count=4)
    monkeypatch.setattr(calendar, "FEED_LIMIT", 3)
    events = parse(client.get("/gatherings/feed.ics")).events
    assert len(events) == 3 and events[0].start < events[1].start < events[2].start


@pytest.mark.parametrize("zone_name, first_day, change_day, utc_hours", [
    # US clocks go forward on 14 March 2027: 18:00 EST is 23:00 UTC, 18:00 EDT is 22:00 UTC.
    ("America/New_York", datetime(2027, 3, 3, 18), datetime(2027, 3, 14), [23, 23, 22, 22]),
    # EU clocks on 28 March 2027: 18:00 CET is 17:00 UTC, 18:00 CEST is 16:00 UTC.
    ("Europe/Berlin", datetime(2027, 3, 17, 18), datetime(2027, 3, 28), [17, 17, 16, 16]),
])
def test_a_weekly_series_keeps_its_local_time_across_the_dst_change(
        app, client, make_user, zone_name, first_day, change_day, utc_hours):
    host = make_user(role="leader")
    first_id = make_gathering(app, host, title="Weekly gardeners' hour", time_zone=zone_name,
                              start=first_day, end=first_day + timedelta(hours=1),
                              frequency="weekly", count=4)
    calendar = parse(client.get("/gatherings/feed.ics"))
    events = sorted(calendar.events, key=lambda event: event.start)
    assert len(events) == 4
    zone = ZoneInfo(zone_name)
    assert events[0].start < change_day.replace(tzinfo=zone) < events[-1].start
    for week, event in enumerate(events):
        assert event["DTSTART"].params["TZID"] == zone_name
        assert event.start.replace(tzinfo=None) == first_day + timedelta(weeks=week)  # 18:00 there
        assert event.end - event.start == timedelta(hours=1)
    assert [event.start.astimezone(UTC).hour for event in events] == utc_hours
    # Each occurrence's own file, its times checked against the file's own VTIMEZONE rules.
    with app.app_context():
        series_id = db.session.get(Gathering, first_id).series_id
        ids = list(db.session.scalars(select(Gathering.id).where(Gathering.series_id == series_id)))
    assert len(ids) == 4
    for gathering_id in ids:
        own = parse(client.get(f"/gatherings/{gathering_id}.ics"))
        event = only_event(own)
        check_times(own, event, load(app, gathering_id))
        assert (event.start.hour, event.start.minute) == (18, 0)


# A person's own feed -------------------------------------------------------------------------

def test_the_calendar_page_asks_to_log_in(app, client):
    response = client.get("/gatherings/calendar")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.post("/gatherings/calendar").status_code == 302


def test_the_personal_feed_lists_what_the_person_goes_to_with_their_join_addresses(
        app, client, login_as, make_user):
    host = make_user(role="leader")
    online = make_gathering(app, host, title="Online gardeners' hour", start=local_in(5))
    in_person = make_gathering(app, host, title="Gardens walk in Hartford", mode="in_person",
                               venue_name="Old Library", address="Hartford", meeting_url="",
                               time_zone="America/New_York", start=local_in(9, "America/New_York"))
    make_gathering(app, host, title="One I do not go to", start=local_in(6))
    last_week = make_gathering(app, host, title="Last week's circle", start=local_in(4))
    long_ago = make_gathering(app, host, title="Two months back", start=local_in(4, hour=17))
    called_off = make_gathering(app, host, title="A cancelled circle", start=local_in(7))
    member = login_as()
    for gathering_id in (online, in_person, last_week, long_ago, called_off):
        assert rsvp(app, member, gathering_id) == "going"
    move_to_past(app, last_week, days_ago=7)
    move_to_past(app, long_ago, days_ago=60)
    cancel(app, host, called_off)

    page = shown(client.get("/gatherings/calendar"), "Your calendar address", "Reset the address",
                 "Google Calendar", "Apple Calendar", "Outlook")
    secret = feed_secret(app, member)
    address = f"http://localhost/gatherings/calendar/{secret}.ics"
    assert secret and len(secret) >= 40
    assert address in page
    assert f"webcal://localhost/gatherings/calendar/{secret}.ics" in page
    assert "Online gardeners&#39; hour" in page  # the upcoming ones it holds, listed
    assert "Two months back" not in page
    # The same address on every visit.
    client.get("/gatherings/calendar")
    assert feed_secret(app, member) == secret

    # A calendar app fetches it without any session.
    response = anonymous(app).get(f"/gatherings/calendar/{secret}.ics")
    text = text_of(response)
    calendar = parse(response)
    assert "private" in response.headers["Cache-Control"]
    events = {str(event.summary): event for event in calendar.events}
    assert sorted(events) == sorted(["Online gardeners' hour", "Gardens walk in Hartford",
                                     "Last week's circle", "A cancelled circle"])
    assert list(events) == [str(event.summary) for event in
                            sorted(calendar.events, key=lambda event: event.start)]
    assert f"Join online: {join_address(app, member, online)}" in events["Online gardeners' hour"].description
    assert "/join/" not in events["Gardens walk in Hartford"].description
    assert events["A cancelled circle"]["STATUS"] == "CANCELLED"
    assert "/join/" not in events["A cancelled circle"].description
    assert "/join/" not in events["Last week's circle"].description  # over: nothing to join
    # One address only, the online one's (in its DESCRIPTION, LOCATION and CONFERENCE).
    assert text.count("/join/") == text.count(join_address(app, member, online)) == 3
    assert SECRET_LINK not in text
    for gathering_id in (online, in_person):
        gathering = load(app, gathering_id)
        event = [item for item in calendar.events if item.uid == gathering.uid][0]
        check_times(calendar, event, gathering)
    assert sorted(tz.tz_name for tz in calendar.timezones) == ["America/New_York", "Europe/Berlin"]
    assert "One I do not go to" not in text and "Two months back" not in text

    assert anonymous(app).get("/gatherings/calendar/not-a-secret-at-all.ics").status_code == 404


def test_resetting_the_address_ends_the_old_one(app, client, login_as, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host)
    member = login_as()
    rsvp(app, member, gathering_id)
    shown(client.get("/gatherings/calendar"))
    old = feed_secret(app, member)
    assert anonymous(app).get(f"/gatherings/calendar/{old}.ics").status_code == 200

    response = client.post("/gatherings/calendar")
    assert response.status_code == 302
    page = shown(client.get(response.headers["Location"]), "the old one no longer works")
    new = feed_secret(app, member)
    assert new != old
    assert f"/gatherings/calendar/{new}.ics" in page and old not in page
    assert anonymous(app).get(f"/gatherings/calendar/{old}.ics").status_code == 404
    assert len(parse(anonymous(app).get(f"/gatherings/calendar/{new}.ics")).events) == 1


def test_the_reset_needs_the_forms_token(app, client, login_as):
    member = login_as()
    page = shown(client.get("/gatherings/calendar"))
    secret = feed_secret(app, member)
    app.config["WTF_CSRF_ENABLED"] = True
    assert 'name="csrf_token"' in shown(client.get("/gatherings/calendar"))
    response = client.post("/gatherings/calendar", data={})
    assert response.status_code < 500
    assert feed_secret(app, member) == secret
    assert secret in page


def test_a_closed_accounts_feed_is_gone(app, client, login_as):
    member = login_as()
    shown(client.get("/gatherings/calendar"))
    secret = feed_secret(app, member)
    with app.app_context():
        db.session.get(User, member.id).active = False
        db.session.commit()
    assert anonymous(app).get(f"/gatherings/calendar/{secret}.ics").status_code == 404
