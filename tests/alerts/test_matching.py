"""Matching: what newly appears inside an alert's circle, at public points only, told once.

Leaders: a new public profile, one whose public point moved in, one made public again; never a
hidden, deactivated or unlisted one, and a city-level leader only at their area's point.
Gatherings: newly published public ones not over, in person inside the circle or online when
the alert asks; never drafts or a partnership's private meeting."""
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from app.extensions import db
from app.geo.distance import haversine_km
from app.geo.privacy import public_point
from app.models.accounts import Role, User
from app.models.alerts import AlertArrival
from app.models.base import utcnow
from app.models.directory import LeaderProfile
from app.models.gatherings import Gathering, State
from app.models.partnerships import Partnership
from tests.alerts.helpers import LYON, leader, match, matched, save, save_at, set_profile
from tests.gatherings.helpers import local_in, make_gathering

# A city-level leader's exact point and, 5.7 km from it, the centre of their area (the public point).
EXACT = (45.79, 4.90)
AREA = public_point(*EXACT, "city")


@pytest.fixture
def watcher(make_user):
    return make_user(name="Wanda Watcher")


def test_the_area_point_is_where_the_tests_think_it_is():
    assert AREA == (45.765, 4.96418) and 5.6 < haversine_km(*EXACT, *AREA) < 5.8


def test_a_new_leader_inside_the_circle_is_matched_and_told_once(app, watcher):
    alert = save(app, watcher, radius="25")
    inside = leader(app, "Ines Inside", *LYON, precision="exact")
    outside = leader(app, "Otto Outside", 48.8566, 2.3522, precision="exact")  # Paris
    counts = match(app)
    assert (counts.arrivals, counts.items, counts.matches) == (2, 2, 1)
    assert matched(app, alert) == [inside]
    assert outside not in matched(app, alert)
    set_profile(app, inside, public_lat=LYON[0] + 0.01, public_lng=LYON[1])  # moves within the circle
    set_profile(app, inside, listed=False, searchable=False)
    set_profile(app, inside, listed=True, searchable=True)  # and back: still told once
    match(app)
    assert matched(app, alert) == [inside]


def test_only_what_appears_after_the_alert_was_saved(app, watcher):
    before = leader(app, "Bea Before", *LYON, precision="exact")
    alert = save(app, watcher)
    match(app)
    assert matched(app, alert) == [], "already listed when the alert was saved"
    set_profile(app, before, headline="New headline, same place")
    match(app)
    assert matched(app, alert) == []


def test_a_city_level_leader_is_matched_at_their_areas_point_only(app, watcher):
    at_exact = save_at(app, watcher, *EXACT, radius=5)  # holds the exact point, not the area's
    at_area = save_at(app, watcher, *AREA, radius=5)
    city = leader(app, "Cleo City", *EXACT, precision="city")
    exact = leader(app, "Ezra Exact", *EXACT, precision="exact")
    match(app)
    assert matched(app, at_exact) == [exact]
    assert matched(app, at_area) == [city]


def test_hidden_deactivated_or_unlisted_leaders_are_not_matched_until_public_again(app, watcher):
    alert = save(app, watcher)
    hidden = leader(app, "Hana Hidden", *LYON, listed=False)
    inactive = leader(app, "Ivo Inactive", *LYON, active=False)
    no_point = leader(app, "Noa Nowhere")
    match(app)
    assert matched(app, alert) == []
    set_profile(app, hidden, listed=True, searchable=True)  # as set_listed does
    match(app)
    assert matched(app, alert) == [hidden]
    with app.app_context():  # reactivated: the account's services set searchable with a Core update
        db.session.execute(update(LeaderProfile).where(LeaderProfile.id == inactive).values(searchable=True))
        db.session.commit()
    match(app)
    assert matched(app, alert) == [hidden, inactive]
    assert no_point not in matched(app, alert)


def test_hidden_between_queueing_and_matching_is_not_told(app, watcher):
    alert = save(app, watcher)
    shy = leader(app, "Sky Shy", *LYON)
    set_profile(app, shy, listed=False, searchable=False)
    match(app)
    assert matched(app, alert) == []


def test_a_public_point_that_moves_into_the_circle(app, watcher):
    far = leader(app, "Mo Mover", 48.8566, 2.3522, precision="exact")
    alert = save(app, watcher)
    match(app)
    assert matched(app, alert) == []
    set_profile(app, far, lat=LYON[0], lng=LYON[1], public_lat=LYON[0], public_lng=LYON[1])
    match(app)
    assert matched(app, alert) == [far]


def test_a_private_point_that_moves_is_never_seen(app, watcher):
    """Only public columns are watched: a city-level leader moving inside their area queues nothing."""
    city = leader(app, "Cy Still", *LYON)
    save(app, watcher)
    set_profile(app, city, lat=LYON[0] + 0.001, lng=LYON[1] + 0.001)
    with app.app_context():
        assert db.session.scalar(select(AlertArrival.id)) is None


def test_filters_focus_area_language_program_and_online(app, watcher):
    plain = save(app, watcher)
    youth = save(app, watcher, focus_area="youth-work")
    french = save(app, watcher, language="french")
    course = save(app, watcher, program="co-101")
    online = save(app, watcher, online="y")
    ids = {
        "both": leader(app, "Bo Both", *LYON, focus=("Youth work",), languages="English, French",
                       programs=("CO 101",)),
        "plain": leader(app, "Pia Plain", *LYON, languages="Frenchish"),
        "far online": leader(app, "Fay Far", -33.87, 151.21, works_online=True),  # Sydney
    }
    match(app)
    assert matched(app, plain) == [ids["both"], ids["plain"]]
    assert matched(app, youth) == [ids["both"]]
    assert matched(app, french) == [ids["both"]], "one whole language, as the search reads it"
    assert matched(app, course) == [ids["both"]]
    assert matched(app, online) == [ids["both"], ids["plain"], ids["far online"]]


@pytest.fixture(autouse=True)
def _tags(app):
    from app.models.directory import FocusArea, Program
    with app.app_context():
        db.session.add_all([FocusArea(name="Youth work", slug="youth-work", official=True),
                            Program(name="CO 101", slug="co-101")])
        db.session.commit()


def test_nobody_is_told_about_themselves(app, make_user):
    person = make_user(role=Role.LEADER)
    alert = save(app, person)
    with app.app_context():
        profile = LeaderProfile(user_id=person.id, slug="me-myself", display_name="Me Myself",
                                public_lat=LYON[0], public_lng=LYON[1], searchable=True)
        db.session.add(profile)
        db.session.commit()
    match(app)
    assert matched(app, alert) == []


def test_a_paused_alert_matches_nothing_while_paused(app, watcher):
    from app.alerts import services
    from app.models.alerts import Alert
    alert = save(app, watcher)
    with app.app_context():
        services.pause(db.session.get(Alert, alert))
        db.session.commit()
    leader(app, "Pat Paused", *LYON)
    match(app)
    with app.app_context():
        services.resume(db.session.get(Alert, alert))
        db.session.commit()
    match(app)
    assert matched(app, alert) == []


# Gatherings ---------------------------------------------------------------------------------

@pytest.fixture
def host(app, make_user):
    return make_user(role=Role.LEADER, name="Hal Host")


def gathering(app, host, title, **fields) -> int:
    fields.setdefault("start", local_in(3))
    return make_gathering(app, host, title=title, **fields)


def in_lyon(app, host, title, **fields) -> int:
    return gathering(app, host, title, mode="in_person", venue_name="Salle des fêtes", address="Lyon",
                     meeting_url="", **fields)


def test_a_newly_published_public_gathering_inside_is_matched(app, watcher, host):
    alert = save(app, watcher, kind="gatherings")
    online_too = save(app, watcher, kind="gatherings", online="y")
    online_only = save(app, watcher, kind="gatherings", mode="online", near="")
    in_person_only = save(app, watcher, kind="gatherings", mode="in_person")
    french = save(app, watcher, kind="gatherings", language="French")
    lyon = in_lyon(app, host, "Supper in Lyon")
    paris = gathering(app, host, "Paris picnic", mode="in_person", venue_name="Parc", address="Paris",
                      meeting_url="")
    online = gathering(app, host, "Online circle")
    both = gathering(app, host, "Both ways", mode="both", venue_name="Le Manège", address="Lyon",
                     language="French")
    draft = in_lyon(app, host, "A draft", publish=False)
    match(app)
    assert matched(app, alert) == [lyon, both]
    assert matched(app, online_too) == [lyon, online, both]
    assert matched(app, online_only) == [online, both]
    assert matched(app, in_person_only) == [lyon, both]
    assert matched(app, french) == [both]
    assert paris not in matched(app, alert) and draft not in matched(app, alert)

    from app.gatherings import services
    with app.test_request_context(method="POST"):
        services.publish(db.session.get(Gathering, draft), db.session.get(User, host.id))
        db.session.commit()
    match(app)
    assert matched(app, alert) == [lyon, both, draft], "published later: new then"


def test_private_over_and_draft_gatherings_are_not_matched(app, watcher, host):
    alert = save(app, watcher, kind="gatherings", online="y")
    private = in_lyon(app, host, "Our partnership meets", publish=False)
    private_online = gathering(app, host, "Our partnership online", publish=False)
    over = in_lyon(app, host, "Over already", publish=False)
    in_lyon(app, host, "Still a draft", publish=False)
    with app.app_context():
        # A partnership's meeting is published with its partnership set (as app/partnerships does).
        partnership = Partnership()
        db.session.add(partnership)
        db.session.flush()
        db.session.execute(update(Gathering).where(Gathering.id.in_([private, private_online]))
                           .values(state=State.PUBLISHED, partnership_id=partnership.id))
        start = utcnow() - timedelta(days=2)
        db.session.execute(update(Gathering).where(Gathering.id == over)
                           .values(state=State.PUBLISHED, starts_at=start, ends_at=start + timedelta(hours=1)))
        db.session.commit()
    counts = match(app)
    assert counts.arrivals == 1, "the one that is over was queued; the private ones never were"
    assert matched(app, alert) == []


def test_one_occurrence_of_a_series_is_told(app, watcher, host):
    alert = save(app, watcher, kind="gatherings")
    first = in_lyon(app, host, "Weekly walk", frequency="weekly", count=4)
    match(app)
    assert matched(app, alert) == [first]


def test_the_matching_reads_only_the_alerts_filed_under_the_items_cells(app, make_user):
    """The statements matching runs do not grow with alerts far away, and it measures only the
    alerts around the new leaders."""
    near_person, far_people = make_user(), [make_user() for _ in range(3)]
    save(app, near_person)

    def run() -> tuple[int, int]:
        for number in range(5):
            leader(app, f"New {number}", LYON[0] + number / 100, LYON[1])
        statements = []
        with app.app_context():
            engine = db.engine
            listener = lambda *args, **kwargs: statements.append(1)  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                from app.alerts import matching
                counts = matching.match_arrivals()
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        return len(statements), counts.candidates

    alone = run()
    for number in range(60):  # sixty alerts far from Lyon, across another continent
        save_at(app, far_people[number % 3], -30 + number / 2, 140 + number / 3, radius=50)
    crowded = run()
    assert crowded == alone, "the same statements and the same candidates measured"
    assert alone[1] == 5
