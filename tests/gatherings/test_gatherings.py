"""A gathering's life through its pages: hosting one (online, in person, a series), the rules'
messages with the typed text kept, RSVPs, the waitlist and its offers, approval, the personal
join address, editing (two tabs), cancelling, and who may do what."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.gatherings import joining
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import Gathering, Rsvp
from tests.conftest import login, shown
from tests.gatherings.helpers import SECRET_LINK, load, local_in, make_gathering, rsvp, rsvp_row

FORMAT = "%Y-%m-%dT%H:%M"


def form_of(**fields) -> dict:
    start = fields.pop("start", None) or local_in(10)
    data = {"title": "Seed swap and soup", "description": "Bring seeds, take seeds.",
            "mode": "online", "language": "English", "time_zone": "Europe/Berlin",
            "starts": start.strftime(FORMAT), "ends": (start + timedelta(hours=2)).strftime(FORMAT),
            "meeting_url": SECRET_LINK, "repeat": "", "count": "8", "publish": "1"}
    data.update(fields)
    return data


def count_gatherings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Gathering))


def test_a_leader_hosts_an_online_gathering_and_its_page_shows_it_in_its_zone(app, client, login_as):
    login_as("leader")
    page = shown(client.get("/gatherings/new"), "Host a gathering", "Meeting link")
    assert 'data-propose-zone' in page
    answer = client.post("/gatherings/new", data=form_of())
    assert answer.status_code == 302
    page = shown(client.get(answer.headers["Location"]), "Seed swap and soup", "is published",
                 "in Berlin (CET)", "You're hosting")
    # The host sees the link; the page labels the time in the gathering's zone.
    assert SECRET_LINK in page


def test_visitors_and_members_never_see_the_meeting_link(app, client, make_user, login_as):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host)
    page = shown(client.get(f"/gatherings/{gathering_id}"), "An evening on neighbourhood gardens",
                 "Log in to answer", "The meeting link is given to the people going")
    assert SECRET_LINK not in page
    login_as()
    page = shown(client.get(f"/gatherings/{gathering_id}"), "Are you going?")
    assert SECRET_LINK not in page


def test_a_nonexistent_local_time_is_refused_and_the_typed_text_stays(app, client, login_as):
    login_as("leader")
    data = form_of(title="Spring forward circle", time_zone="America/New_York",
                   starts="2027-03-14T02:30", ends="2027-03-14T04:00",
                   description="Everything I typed here stays.")
    page = shown(client.post("/gatherings/new", data=data), "There is a problem",
                 "does not exist in New York", "Everything I typed here stays.", "Spring forward circle")
    assert count_gatherings(app) == 0
    data.update(starts="2027-11-07T01:30", ends="2027-11-07T03:00")  # fall back: twice
    shown(client.post("/gatherings/new", data=data), "happens twice in New York")
    assert count_gatherings(app) == 0


@pytest.mark.parametrize("changes, message", [
    ({"title": "Hi"}, "title of at least 5"),
    ({"time_zone": "Mars/Base"}, "Choose the time zone"),
    ({"starts": "not a time"}, "Give the date and time like 2027-01-14 18:00"),
    ({"meeting_url": "http://insecure.example/room"}, "starting with https://"),
    ({"meeting_url": "javascript:alert(1)"}, "starting with https://"),
    ({"mode": "in_person", "venue_name": "", "address": ""}, "Give the venue"),
    ({"mode": "in_person", "venue_name": "Hall", "address": "Nowhere-at-all-xyz"}, "could not find"),
    ({"capacity": "0"}, "Capacity is a number from 1"),
    ({"cohosts": "nobody-here"}, "profile is at /leaders/nobody-here"),
    ({"repeat": "weekly", "count": "99"}, "A series has 2 to 26"),
    ({"mode": "sideways"}, "Choose online, in person, or both"),
])
def test_each_rule_has_a_clear_message_and_changes_nothing(app, client, login_as, changes, message):
    login_as("leader")
    shown(client.post("/gatherings/new", data=form_of(**changes)), "There is a problem", message)
    assert count_gatherings(app) == 0


def test_a_start_in_the_past_and_an_end_before_the_start_are_refused(app, client, login_as):
    login_as("leader")
    past = local_in(-2)
    shown(client.post("/gatherings/new", data=form_of(start=past)), "The start is in the past")
    start = local_in(5)
    shown(client.post("/gatherings/new", data=form_of(start=start, ends=(start - timedelta(hours=1)).strftime(FORMAT))),
          "The end must come after the start")
    assert count_gatherings(app) == 0


def test_an_in_person_gathering_is_geocoded_and_shown_on_a_map(app, client, login_as):
    login_as("leader")
    answer = client.post("/gatherings/new", data=form_of(mode="in_person", venue_name="Maison des Canuts",
                                                        address="Lyon", meeting_url=""))
    assert answer.status_code == 302
    page = shown(client.get(answer.headers["Location"]), "Maison des Canuts", "data-profile-map", "in Lyon")
    with app.app_context():
        gathering = db.session.scalar(select(Gathering))
        assert gathering.lat == pytest.approx(45.75, abs=0.2) and gathering.cell_y is not None
        assert gathering.meeting_url == ""
    assert "Join the meeting" not in page


def test_a_weekly_series_makes_one_gathering_per_date_each_with_its_own_rsvps(app, client, login_as, make_user):
    host = login_as("leader")
    answer = client.post("/gatherings/new", data=form_of(
        title="Tuesday listening circle", time_zone="America/New_York",
        start=local_in(3, "America/New_York"), repeat="weekly", count="5"))
    assert answer.status_code == 302
    with app.app_context():
        made = db.session.scalars(select(Gathering).order_by(Gathering.starts_at)).all()
        assert len(made) == 5 and len({g.series_id for g in made}) == 1
        assert all(g.host_id == host.id for g in made)
        ids = [g.id for g in made]
    member = make_user()
    assert rsvp(app, member, ids[1]) == "going"
    assert rsvp_row(app, member, ids[0]) is None
    page = shown(client.get(f"/gatherings/{ids[0]}"), "Other dates in this series", "Every week")
    assert f"/gatherings/{ids[1]}" in page


def test_going_shows_the_personal_join_address_which_leads_to_the_current_link(app, client, make_user):
    host, member = make_user(role="leader"), make_user(name="Mira Member")
    gathering_id = make_gathering(app, host)
    login(client, member.email)
    answer = client.post(f"/gatherings/{gathering_id}/rsvp", data={"going": "1", "show_name": "y"})
    assert answer.status_code == 302
    page = shown(client.get(f"/gatherings/{gathering_id}"), "You're going", "Join the meeting")
    assert SECRET_LINK not in page
    token = rsvp_row(app, member, gathering_id).join_token
    assert f"/gatherings/{gathering_id}/join/{token}" in page
    # The address works without logging in (it is in mail and calendars) and follows changes.
    client.post("/logout")
    jump = client.get(f"/gatherings/{gathering_id}/join/{token}")
    assert jump.status_code == 303 and jump.headers["Location"] == SECRET_LINK
    with app.app_context():
        db.session.get(Gathering, gathering_id).meeting_url = "https://meet.example/new-room"
        db.session.commit()
    assert client.get(f"/gatherings/{gathering_id}/join/{token}").headers["Location"] == "https://meet.example/new-room"
    # A wrong token, or a token for another gathering, opens nothing.
    assert client.get(f"/gatherings/{gathering_id}/join/not-a-token").status_code == 404
    other = make_gathering(app, host, title="Another evening entirely")
    assert client.get(f"/gatherings/{other}/join/{token}").status_code == 404


def test_a_person_who_cancels_loses_the_join_address(app, client, make_user):
    host, member = make_user(role="leader"), make_user()
    gathering_id = make_gathering(app, host)
    rsvp(app, member, gathering_id)
    token = rsvp_row(app, member, gathering_id).join_token
    assert client.get(f"/gatherings/{gathering_id}/join/{token}").status_code == 303
    login(client, member.email)
    client.post(f"/gatherings/{gathering_id}/rsvp", data={"going": "0"})
    answer = client.get(f"/gatherings/{gathering_id}/join/{token}")
    body = shown(answer, "does not open the meeting now", status=410)
    assert SECRET_LINK not in body


def test_a_full_gathering_takes_a_waitlist_and_offers_a_freed_place_for_48_hours(app, client, make_user):
    host = make_user(role="leader")
    first, second, third = make_user(name="First Person"), make_user(name="Second Person"), make_user(name="Third Person")
    gathering_id = make_gathering(app, host, capacity=1)
    assert rsvp(app, first, gathering_id) == "going"
    assert rsvp(app, second, gathering_id) == "waitlisted"
    assert rsvp(app, third, gathering_id) == "waitlisted"
    login(client, second.email)
    shown(client.get(f"/gatherings/{gathering_id}"), "on the waitlist: number 1", "1 going · 1 places, full")
    # The first cannot go: the second is offered the place (held for them), the third waits.
    assert rsvp(app, first, gathering_id, going=False) == "not_going"
    offered = rsvp_row(app, second, gathering_id)
    assert offered.status == "offered"
    assert timedelta(hours=47) < offered.offer_expires_at - utcnow() <= timedelta(hours=48)
    assert load(app, gathering_id).going_count == 1
    page = shown(client.get(f"/gatherings/{gathering_id}"), "A place is free for you", "Claim your place")
    assert "Join the meeting" not in page
    client.post(f"/gatherings/{gathering_id}/claim")
    shown(client.get(f"/gatherings/{gathering_id}"), "You're going", "Join the meeting")
    assert rsvp_row(app, third, gathering_id).status == "waitlisted"


def test_an_offer_not_claimed_in_48_hours_passes_to_the_next_person(app, make_user):
    host = make_user(role="leader")
    first, second, third = make_user(), make_user(), make_user()
    gathering_id = make_gathering(app, host, capacity=1, start=local_in(9))
    rsvp(app, first, gathering_id)
    rsvp(app, second, gathering_id)
    rsvp(app, third, gathering_id)
    rsvp(app, first, gathering_id, going=False)
    with app.test_request_context():
        assert joining.expire_offers(utcnow() + timedelta(hours=47)) == 0
        assert joining.expire_offers(utcnow() + timedelta(hours=49)) == 1
        db.session.commit()
    assert rsvp_row(app, second, gathering_id).status == "not_going"
    assert rsvp_row(app, third, gathering_id).status == "offered"
    gathering = load(app, gathering_id)
    assert gathering.going_count == 1 and gathering.waitlist_count == 0


def test_a_host_who_approves_each_person_decides_who_comes(app, client, make_user):
    host, member = make_user(role="leader"), make_user()
    gathering_id = make_gathering(app, host, approval_required=True)
    login(client, member.email)
    shown(client.get(f"/gatherings/{gathering_id}"), "Ask to come")
    client.post(f"/gatherings/{gathering_id}/rsvp", data={"going": "1"})
    page = shown(client.get(f"/gatherings/{gathering_id}"), "Your request is with the host")
    assert "Join the meeting" not in page
    with app.test_request_context():
        row = db.session.scalar(select(Rsvp).where(Rsvp.user_id == member.id))
        joining.approve(row, db.session.get(User, host.id))
        db.session.commit()
    shown(client.get(f"/gatherings/{gathering_id}"), "You're going", "Join the meeting")


def test_answering_twice_changes_nothing(app, make_user):
    host, member = make_user(role="leader"), make_user()
    gathering_id = make_gathering(app, host, capacity=5)
    for _ in range(3):
        assert rsvp(app, member, gathering_id) == "going"
    assert load(app, gathering_id).going_count == 1


def test_who_may_answer(app, client, make_user, login_as):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host)
    draft_id = make_gathering(app, host, publish=False, title="Not ready to show yet")
    # Visitors are sent to log in; the draft does not exist for them.
    answer = client.post(f"/gatherings/{gathering_id}/rsvp", data={"going": "1"})
    assert answer.status_code == 303  # kept for after logging in (app.kept), not counted
    assert load(app, gathering_id).going_count == 0
    assert client.get(f"/gatherings/{draft_id}").status_code == 404
    login_as(verified=False)
    client.post(f"/gatherings/{gathering_id}/rsvp", data={"going": "1"})
    shown(client.get(f"/gatherings/{gathering_id}"), "Confirm your email address first")
    assert load(app, gathering_id).going_count == 0
    client.post("/logout")
    login(client, host.email)
    client.post(f"/gatherings/{gathering_id}/rsvp", data={"going": "1"})
    assert load(app, gathering_id).going_count == 0
    shown(client.get(f"/gatherings/{draft_id}"), "Draft: only the hosts see it")


@pytest.mark.parametrize("role, status", [("member", 403), ("leader", 403), ("admin", 200)])
def test_only_hosts_and_admins_edit_or_cancel(app, client, make_user, login_as, role, status):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host)
    login_as(role)
    assert client.get(f"/gatherings/{gathering_id}/edit").status_code == status
    assert client.get(f"/gatherings/{gathering_id}/cancel").status_code == status


def test_members_cannot_host_and_are_told_why(app, client, login_as):
    login_as("member")
    shown(client.get("/gatherings/new"), "hosted by the network's leaders", status=403)
    assert client.post("/gatherings/new", data=form_of()).status_code == 403
    assert count_gatherings(app) == 0


def test_a_co_host_manages_the_gathering_and_sees_the_link(app, client, make_user):
    from app.models.directory import LeaderProfile
    host, cohost = make_user(role="leader"), make_user(role="leader", name="Cora Cohost")
    with app.app_context():
        db.session.add(LeaderProfile(user_id=cohost.id, display_name="Cora Cohost", slug="cora-cohost"))
        db.session.commit()
    gathering_id = make_gathering(app, host, cohosts=["cora-cohost"])
    login(client, cohost.email)
    page = shown(client.get(f"/gatherings/{gathering_id}"), "You're hosting", "Cora Cohost")
    assert SECRET_LINK in page
    assert client.get(f"/gatherings/{gathering_id}/edit").status_code == 200


def test_two_tabs_editing_the_second_save_is_refused_with_its_text_kept(app, client, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host)
    login(client, host.email)
    shown(client.get(f"/gatherings/{gathering_id}/edit"), "Edit the gathering")
    version = str(load(app, gathering_id).version)
    start = local_in(7)
    common = form_of(start=start, version=version)
    common.pop("publish")
    first = client.post(f"/gatherings/{gathering_id}/edit", data={**common, "title": "First tabs title"})
    assert first.status_code == 302
    page = shown(client.post(f"/gatherings/{gathering_id}/edit",
                             data={**common, "title": "Second tabs title", "description": "Typed in tab two."}),
                 "Someone changed this gathering", "Second tabs title", "Typed in tab two.")
    assert load(app, gathering_id).title == "First tabs title"
    assert 'name="version"' in page


def test_changing_the_time_moves_the_gathering_and_grows_its_sequence(app, client, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host)
    before = load(app, gathering_id)
    login(client, host.email)
    new_start = local_in(8, hour=19)
    data = form_of(start=new_start, version=str(before.version))
    data.pop("publish")
    assert client.post(f"/gatherings/{gathering_id}/edit", data=data).status_code == 302
    after = load(app, gathering_id)
    assert after.starts_at != before.starts_at and after.sequence > before.sequence
    assert after.uid == before.uid


def test_editing_this_and_following_keeps_each_date_at_the_new_time(app, client, make_user):
    host = make_user(role="leader")
    first_id = make_gathering(app, host, frequency="weekly", count=4, start=local_in(3, hour=18))
    with app.app_context():
        ids = db.session.scalars(select(Gathering.id).order_by(Gathering.starts_at)).all()
    second = load(app, ids[1])
    login(client, host.email)
    start = second.starts_at.replace()  # naive UTC
    from app.gatherings import times
    local = times.to_local(start, "Europe/Berlin").replace(tzinfo=None, hour=20)
    data = form_of(start=local, version=str(second.version), scope="following", title="Now at eight")
    data.pop("publish")
    assert client.post(f"/gatherings/{ids[1]}/edit", data=data).status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Gathering).order_by(Gathering.starts_at)).all()
        assert rows[0].title != "Now at eight" and rows[0].id == first_id
        for row in rows[1:]:
            assert row.title == "Now at eight"
            assert times.to_local(row.starts_at, "Europe/Berlin").hour == 20


def test_cancelling_needs_a_reason_which_the_page_then_shows(app, client, make_user):
    host, member = make_user(role="leader"), make_user()
    gathering_id = make_gathering(app, host)
    rsvp(app, member, gathering_id)
    token = rsvp_row(app, member, gathering_id).join_token
    login(client, host.email)
    shown(client.post(f"/gatherings/{gathering_id}/cancel", data={"reason": "ill"}),
          "Tell the attendees why")
    assert load(app, gathering_id).state == "published"
    answer = client.post(f"/gatherings/{gathering_id}/cancel",
                         data={"reason": "The hall flooded; we will find a new date soon."})
    assert answer.status_code == 302
    page = shown(client.get(f"/gatherings/{gathering_id}"), "This gathering is cancelled",
                 "The hall flooded")
    assert SECRET_LINK not in page
    assert client.get(f"/gatherings/{gathering_id}/join/{token}").status_code == 410


def test_a_draft_is_deleted_rather_than_cancelled(app, client, make_user):
    host = make_user(role="leader")
    draft_id = make_gathering(app, host, publish=False)
    login(client, host.email)
    client.post(f"/gatherings/{draft_id}/publish")
    assert load(app, draft_id).state == "published"
    other = make_gathering(app, host, publish=False, title="A draft to throw away")
    assert client.post(f"/gatherings/{other}/cancel", data={"reason": ""}).status_code == 302
    assert client.get(f"/gatherings/{other}").status_code == 404


def test_an_rsvp_deadline_closes_answers(app, client, make_user):
    host, member = make_user(role="leader"), make_user()
    gathering_id = make_gathering(app, host)
    with app.app_context():
        db.session.get(Gathering, gathering_id).rsvp_deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    login(client, member.email)
    shown(client.get(f"/gatherings/{gathering_id}"), "Answers for this gathering have closed")
    client.post(f"/gatherings/{gathering_id}/rsvp", data={"going": "1"})
    assert load(app, gathering_id).going_count == 0


def test_a_viewer_with_a_time_zone_sees_their_own_time_beside_the_gatherings(app, client, make_user, login_as):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host, time_zone="America/New_York",
                                  start=local_in(6, "America/New_York", hour=18))
    viewer = login_as()
    answer = client.post("/account/time-zone", data={"time_zone": "Asia/Tokyo"})
    assert answer.status_code == 302
    page = shown(client.get(f"/gatherings/{gathering_id}"), "18:00 in New York (EST)", "your time (JST)",
                 "08:00 your time")
    assert "data-local-time" not in page  # the server did it: no script needed
    client.post("/logout")
    page = shown(client.get(f"/gatherings/{gathering_id}"), "18:00 in New York (EST)")
    assert "data-local-time" in page and "your time" not in page
    assert viewer.id


def test_the_time_zone_setting_refuses_a_zone_that_is_none(app, client, login_as):
    login_as()
    shown(client.post("/account/time-zone", data={"time_zone": "Atlantis/Capital"}),
          "Choose a time zone from the list")
