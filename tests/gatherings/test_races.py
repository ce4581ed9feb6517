"""RSVPs that race, sent in parallel to a live server (SQLite and PostgreSQL): twenty people for
the last places, one person's double submit, two places freed at once, two tabs claiming."""
from sqlalchemy import func, select

from app.extensions import db
from app.models.gatherings import Gathering, Rsvp
from tests.conftest import PASSWORD
from tests.gatherings.helpers import load, make_gathering, rsvp
from tests.live import Visitor, at_once


def visitor(live, user) -> Visitor:
    person = Visitor(live.url)
    person.log_in(user.email, PASSWORD)
    return person


def statuses(app, gathering_id) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(
            select(Rsvp.status, func.count()).where(Rsvp.gathering_id == gathering_id)
            .group_by(Rsvp.status)).all())


def test_twenty_people_at_once_never_exceed_the_capacity(app, live, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"  # twenty logins from one address
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host, capacity=5)
    people = [visitor(live, make_user(name=f"Person {n}")) for n in range(20)]
    answers = at_once([lambda p=p: p.post(f"/gatherings/{gathering_id}/rsvp", {"going": "1"})
                       for p in people])
    assert [answer.status for answer in answers] == [302] * 20
    assert statuses(app, gathering_id) == {"going": 5, "waitlisted": 15}
    gathering = load(app, gathering_id)
    assert gathering.going_count == 5 and gathering.waitlist_count == 15
    with app.app_context():
        order = db.session.scalars(select(Rsvp.queued_at).where(
            Rsvp.gathering_id == gathering_id, Rsvp.status == "waitlisted")).all()
        assert all(moment is not None for moment in order)


def test_one_persons_double_submit_makes_one_rsvp_and_takes_one_place(app, live, make_user):
    host, member = make_user(role="leader"), make_user()
    gathering_id = make_gathering(app, host, capacity=3)
    person = visitor(live, member)
    answers = at_once([lambda: person.post(f"/gatherings/{gathering_id}/rsvp", {"going": "1"})
                       for _ in range(5)])
    assert [answer.status for answer in answers] == [302] * 5
    assert statuses(app, gathering_id) == {"going": 1}
    assert load(app, gathering_id).going_count == 1


def test_two_places_freed_at_once_go_to_the_first_two_on_the_waitlist(app, live, make_user):
    host = make_user(role="leader")
    gathering_id = make_gathering(app, host, capacity=2)
    going = [make_user(name=f"Going {n}") for n in range(2)]
    waiting = [make_user(name=f"Waiting {n}") for n in range(4)]
    for person in going + waiting:
        rsvp(app, person, gathering_id)
    leavers = [visitor(live, person) for person in going]
    answers = at_once([lambda p=p: p.post(f"/gatherings/{gathering_id}/rsvp", {"going": "0"})
                       for p in leavers])
    assert [answer.status for answer in answers] == [302, 302]
    with app.app_context():
        offered = set(db.session.scalars(select(Rsvp.user_id).where(
            Rsvp.gathering_id == gathering_id, Rsvp.status == "offered")))
        assert offered == {waiting[0].id, waiting[1].id}
    gathering = load(app, gathering_id)
    assert gathering.going_count == 2 and gathering.waitlist_count == 2


def test_claiming_an_offer_from_two_tabs_makes_the_person_going_once(app, live, make_user):
    host, first, second = make_user(role="leader"), make_user(), make_user()
    gathering_id = make_gathering(app, host, capacity=1)
    rsvp(app, first, gathering_id)
    rsvp(app, second, gathering_id)
    rsvp(app, first, gathering_id, going=False)
    person = visitor(live, second)
    answers = at_once([lambda: person.post(f"/gatherings/{gathering_id}/claim", {}) for _ in range(3)])
    assert [answer.status for answer in answers] == [302] * 3
    assert statuses(app, gathering_id) == {"going": 1, "not_going": 1}
    with app.app_context():
        assert db.session.get(Gathering, gathering_id).going_count == 1
