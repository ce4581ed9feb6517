"""/gatherings and /gatherings/past: the upcoming list soonest first, its filters, near a place
(nearest first, online ones after when asked, km or miles), paging, mistakes shown on the page,
the archive, and the home page's and profiles' partials."""
import re
from datetime import timedelta
from html import unescape

import pytest
from flask import render_template_string
from sqlalchemy import update

from app.extensions import db
from app.gatherings import finding
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.directory import FocusArea, LeaderProfile
from app.models.gatherings import Gathering
from tests.conftest import shown
from tests.gatherings.helpers import SECRET_LINK, make_gathering, rsvp

# Distances from Lyon in the test gazetteer: Villeurbanne 3 km, Vienne 25 km, Bourg-en-Bresse 59 km,
# Grenoble 93 km, Paris 393 km.
VENUES = {"Lyon": "Salle des fêtes", "Villeurbanne": "Maison du livre", "Vienne, France": "Le Manège",
          "Bourg-en-Bresse": "Halle aux grains", "Grenoble": "La Bobine", "Paris": "Le Centquatre"}


@pytest.fixture
def host(app, make_user):
    """A leader with a public profile (slug "camille-host"), who hosts the gatherings."""
    user = make_user(role=Role.LEADER, name="Camille Host")
    with app.app_context():
        db.session.add(LeaderProfile(user_id=user.id, display_name="Camille Host", slug="camille-host",
                                     searchable=True))
        db.session.commit()
    return user


@pytest.fixture
def areas(app):
    with app.app_context():
        for name in ("Gardens", "Youth work"):
            db.session.add(FocusArea(name=name, slug=name.lower().replace(" ", "-"), official=True))
        db.session.commit()


def gathering(app, host, title, days, **fields):
    return make_gathering(app, host, title=title, start=_local(days, fields.get("time_zone", "Europe/Berlin")),
                          **fields)


def _local(days, zone):
    from tests.gatherings.helpers import local_in
    return local_in(days, zone)


def in_person(app, host, title, days, town, **fields):
    return gathering(app, host, title, days, mode="in_person", venue_name=VENUES.get(town, "The hall"),
                     address=town, meeting_url="", **fields)


def to_past(app, gathering_id, days_ago=3):
    """Moves a gathering into the past (the service refuses to make one there)."""
    with app.app_context():
        start = utcnow() - timedelta(days=days_ago)
        db.session.execute(update(Gathering).where(Gathering.id == gathering_id)
                           .values(starts_at=start, ends_at=start + timedelta(hours=2)))
        db.session.commit()


def titles(html):
    """The titles of the cards in the page's order."""
    return [unescape(title) for title in re.findall(r'class="gathering-card__title"><a [^>]*>([^<]+)</a>', html)]


def page(client, **args):
    return shown(client.get("/gatherings", query_string=args))


# The upcoming list ----------------------------------------------------------------------------

def test_upcoming_soonest_first_published_only(app, client, host, make_user):
    gathering(app, host, "Third of the week", 3)
    gathering(app, host, "First of the week", 1)
    gathering(app, host, "Second of the week", 2)
    gathering(app, host, "A draft nobody sees", 1.5, publish=False)
    cancelled = gathering(app, host, "Called off for rain", 2.5)
    over = gathering(app, host, "Already happened", 4)
    to_past(app, over)
    from app.gatherings import services
    with app.test_request_context():
        services.cancel(db.session.get(Gathering, cancelled), db.session.get(User, host.id),
                        "The hall flooded, sorry everyone.")
        db.session.commit()

    html = page(client)
    assert titles(html) == ["First of the week", "Second of the week", "Third of the week"]
    assert "Upcoming gatherings" in html and "Soonest first" in html
    # A cancelled one is still reached by its page; a draft is not.
    assert client.get(f"/gatherings/{cancelled}").status_code == 200


def test_card_shows_time_mode_host_going_and_full(app, client, host, make_user, areas):
    full = in_person(app, host, "A small supper club", 2, "Lyon", capacity=1, focus_areas=["gardens"])
    online = gathering(app, host, "Evening call on youth work", 3, focus_areas=["youth-work"])
    rsvp(app, make_user(), full)
    rsvp(app, make_user(), online)
    rsvp(app, make_user(), online)

    html = page(client)
    cards = html.split('<article class="gathering-card')
    supper = next(card for card in cards if "A small supper club" in card)
    assert "In person" in supper and "Salle des fêtes, Lyon" in supper
    assert "1 going" in supper and "Full — waitlist" in supper and "Gardens" in supper
    assert 'href="/leaders/camille-host">Camille Host</a>' in supper
    assert re.search(r'<time class="gathering-time" datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:00Z"', supper)
    call = next(card for card in cards if "Evening call on youth work" in card)
    assert "Online" in call and "2 going" in call and "Full" not in call and "Youth work" in call
    assert "in Berlin (CE" in call  # the gathering's own zone for a visitor, labelled
    assert SECRET_LINK not in html


def test_one_under_way_is_listed_as_happening_now(app, client, host):
    under_way = gathering(app, host, "Started a moment ago", 1)
    gathering(app, host, "Tomorrow's", 1)
    with app.app_context():
        db.session.execute(update(Gathering).where(Gathering.id == under_way).values(
            starts_at=utcnow() - timedelta(minutes=30), ends_at=utcnow() + timedelta(hours=1)))
        db.session.commit()
    html = page(client)
    assert titles(html) == ["Started a moment ago", "Tomorrow's"]
    assert html.count("Happening now") == 1


def test_a_viewer_with_a_zone_sees_their_own_time(app, client, host, login_as):
    gathering(app, host, "Across the ocean", 5, time_zone="America/New_York")
    viewer = login_as()
    with app.app_context():
        db.session.execute(update(User).where(User.id == viewer.id).values(time_zone="Asia/Tokyo"))
        db.session.commit()
    html = page(client)
    assert "in New York (E" in html and "your time (JST)" in html


def test_filters_mode_focus_area_language(app, client, host, areas):
    gathering(app, host, "Online in English", 1, focus_areas=["gardens"])
    gathering(app, host, "En ligne en français", 2, language="French")
    in_person(app, host, "In person in Lyon", 3, "Lyon", focus_areas=["gardens"])
    gathering(app, host, "Both ways at once", 4, mode="both", venue_name="Le Manège", address="Vienne, France",
              language="French")

    assert titles(page(client, mode="online")) == ["Online in English", "En ligne en français", "Both ways at once"]
    assert titles(page(client, mode="in_person")) == ["In person in Lyon", "Both ways at once"]
    assert titles(page(client, focus_area="gardens")) == ["Online in English", "In person in Lyon"]
    assert titles(page(client, language="french")) == ["En ligne en français", "Both ways at once"]
    html = page(client, mode="in_person", language="French")
    assert titles(html) == ["Both ways at once"] and "Filters (2)" in html
    assert titles(page(client, language="Klingon")) == []
    with app.app_context():  # a leader's own tag, not an official focus area: linked from a gathering's page
        db.session.add(FocusArea(name="Beekeeping", slug="beekeeping", official=False))
        db.session.commit()
    gathering(app, host, "Bees on the roof", 5, focus_areas=["beekeeping"])
    html = page(client, focus_area="beekeeping")
    assert titles(html) == ["Bees on the roof"] and '<option selected value="beekeeping">Beekeeping</option>' in html
    assert "No upcoming gatherings match your filters" in page(client, language="Klingon")


def test_paged_twenty_at_a_time(app, client, host):
    for number in range(23):
        gathering(app, host, f"Gathering number {number:02d}", 1 + number / 10)
    first = page(client)
    assert titles(first) == [f"Gathering number {n:02d}" for n in range(20)]
    assert 'rel="next" href="/gatherings?page=2"' in first and 'rel="prev"' not in first
    second = page(client, page="2")
    assert titles(second) == [f"Gathering number {n:02d}" for n in range(20, 23)]
    assert 'rel="prev" href="/gatherings"' in second and 'rel="next"' not in second
    assert '<ol class="gathering-cards" start="21"' in second
    empty = page(client, page="7")
    assert titles(empty) == [] and "There are no more gatherings on this page" in empty


# Near a place ---------------------------------------------------------------------------------

@pytest.fixture
def around_lyon(app, host):
    ids = {
        "lyon-late": in_person(app, host, "Lyon, later on", 6, "Lyon"),
        "lyon-soon": in_person(app, host, "Lyon, soon", 2, "Lyon"),
        "vienne": in_person(app, host, "Vienne by the river", 1, "Vienne, France"),
        "villeurbanne": in_person(app, host, "Villeurbanne reading", 3, "Villeurbanne"),
        "bourg": in_person(app, host, "Bourg-en-Bresse market walk", 4, "Bourg-en-Bresse"),
        "grenoble": in_person(app, host, "Grenoble mountain day", 1.5, "Grenoble"),
        "online": gathering(app, host, "A call for everyone", 5),
        "paris-both": gathering(app, host, "Paris, and online too", 2.5, mode="both",
                                venue_name="Le Centquatre", address="Paris"),
    }
    return ids


def test_near_a_place_nearest_first_then_soonest(client, around_lyon):
    # Lyon (twice) and Villeurbanne are all "< 5 km": shown alike, they come soonest first.
    html = page(client, near="Lyon", radius="60")
    assert titles(html) == ["Lyon, soon", "Villeurbanne reading", "Lyon, later on", "Vienne by the river",
                            "Bourg-en-Bresse market walk"]
    assert "5 in-person gatherings within 60 km of Lyon, France" in html
    assert "Nearest first, then soonest" in html
    assert "about 25 km" in html and "&lt; 5 km" in html
    # The map: the venues of the listed ones, numbered as their cards, the circle framed.
    found = re.search(r"data-map='([^']+)'", html)
    assert found is not None
    import json
    data = json.loads(unescape(found[1]))
    assert [marker["number"] for marker in data["markers"]] == [1, 2, 3, 4, 5]
    assert data["radius_km"] == 60 and data["origin"]["name"] == "Lyon, France"
    assert data["markers"][3]["venue"] == "Le Manège, Vienne" and data["markers"][3]["distance"] == "about 25 km"


def test_near_with_online_ones_after(client, around_lyon):
    html = page(client, near="Lyon", radius="60", online="y")
    assert titles(html) == ["Lyon, soon", "Villeurbanne reading", "Lyon, later on", "Vienne by the river",
                            "Bourg-en-Bresse market walk",
                            # then online, soonest first: a far-away "both" is joinable online
                            "Paris, and online too", "A call for everyone"]
    assert "5 in-person gatherings within 60 km of Lyon, France, then online ones" in html
    assert "Online gatherings</h2>" in html
    near_part, online_part = html.split("Online gatherings</h2>")
    assert "about 390 km" not in online_part  # online ones are not measured


def test_near_in_miles(client, around_lyon):
    html = page(client, near="Lyon", radius="30", unit="mi")  # 48 km: Vienne in, Bourg out
    assert titles(html) == ["Lyon, soon", "Villeurbanne reading", "Lyon, later on", "Vienne by the river"]
    assert "within 30 mi of Lyon, France" in html and "about 15 mi" in html and "&lt; 5 mi" in html
    assert "about 25 km" not in html and "&lt; 5 km" not in html


def test_near_in_person_only_and_online_only(client, around_lyon):
    assert titles(page(client, near="Lyon", radius="60", mode="in_person", online="y")) == [
        "Lyon, soon", "Villeurbanne reading", "Lyon, later on", "Vienne by the river", "Bourg-en-Bresse market walk"]
    html = page(client, near="Lyon", mode="online")
    assert titles(html) == ["Paris, and online too", "A call for everyone"]
    assert "listed by date, not by distance" in html


def test_near_nothing_within_the_radius(client, around_lyon):
    html = page(client, near="Geneva", radius="10")
    assert titles(html) == []
    assert "No in-person gatherings within 10 km of Geneva" in html and "None are planned there yet" in html
    assert "include online gatherings" in html
    online = page(client, near="Geneva", radius="10", online="y")
    assert "No in-person gatherings within 10 km of Geneva, Switzerland: online ones instead" in online
    assert titles(online) == ["Paris, and online too", "A call for everyone"]


def test_near_pages_through_the_ones_near_then_online(app, client, host):
    for number in range(15):
        in_person(app, host, f"Near number {number:02d}", 1 + number / 10, "Lyon")
    for number in range(10):
        gathering(app, host, f"Online number {number:02d}", 1 + number / 10)
    first = page(client, near="Lyon", online="y")
    assert titles(first) == [f"Near number {n:02d}" for n in range(15)] + [f"Online number {n:02d}" for n in range(5)]
    second = page(client, near="Lyon", online="y", page="2")
    assert titles(second) == [f"Online number {n:02d}" for n in range(5, 10)]
    assert 'rel="next"' not in second


def test_near_across_the_180th_meridian(app, client, host):
    east = in_person(app, host, "Suva harbour", 2, "Suva")
    west = in_person(app, host, "Across the date line", 3, "Suva")
    with app.app_context():
        moved = db.session.get(Gathering, west)
        moved.lat, moved.lng = -17.0, -179.9  # the cells follow the point
        db.session.commit()
        assert moved.cell_x is not None and moved.cell_x < 10
    assert east
    assert titles(page(client, near="Suva", radius="300")) == ["Suva harbour", "Across the date line"]
    assert titles(page(client, near="Suva", radius="100")) == ["Suva harbour"]


def test_near_your_location(client, around_lyon):
    html = page(client, near="Your location", lat="45.76", lng="4.84", radius="10")
    assert titles(html) == ["Lyon, soon", "Villeurbanne reading", "Lyon, later on"]
    assert "within 10 km of your location" in html


# Mistakes: a message on the page, never a 500 ------------------------------------------------

@pytest.mark.parametrize("args, message", [
    ({"near": "Zzyzxqwv Upon Nowhere"}, "We could not find “Zzyzxqwv Upon Nowhere”"),
    ({"near": "Lyon", "radius": "0"}, "Enter a distance from 5 to 500, like 50"),
    ({"near": "Lyon", "radius": "9999"}, "Enter a distance from 5 to 500, like 50"),
    ({"near": "Lyon", "radius": "abc"}, "Enter a distance from 5 to 500, like 50"),
    ({"near": "Lyon", "radius": "nan"}, "Enter a distance from 5 to 500, like 50"),
    ({"near": "Lyon", "unit": "furlongs"}, "Choose kilometres or miles"),
    ({"mode": "by-pigeon"}, "Choose online, in person or either"),
    ({"focus_area": "no-such-area"}, "Choose a focus area from the list"),
    ({"page": "-1"}, "Page numbers go from 1 to 10,000."),
    ({"page": "99999999"}, "Page numbers go from 1 to 10,000."),
    ({"page": "abc"}, "Page numbers go from 1 to 10,000."),
    ({"near": "x" * 201}, "Enter a shorter place name"),
    ({"lat": "45.7"}, "We could not read your location"),
    ({"lat": "north", "lng": "4.8"}, "We could not read your location"),
])
def test_bad_input_is_explained_on_the_page(client, around_lyon, args, message):
    html = page(client, **args)
    assert "There is a problem" in html and message in html
    assert titles(html) == []


def test_drafts_never_listed_anywhere(app, client, host):
    draft = in_person(app, host, "Secret draft meeting", 1, "Lyon", publish=False)
    online_draft = gathering(app, host, "Another draft", 2, publish=False)
    assert draft and online_draft
    for args in ({}, {"near": "Lyon"}, {"near": "Lyon", "online": "y"}, {"mode": "online"}):
        assert "draft" not in " ".join(titles(page(client, **args))).lower()
    to_past(app, draft)
    assert titles(shown(client.get("/gatherings/past"))) == []


def test_the_meeting_link_is_never_listed(app, client, host, make_user):
    online = gathering(app, host, "Online with a secret room", 1)
    gathering(app, host, "Both with a secret room", 2, mode="both", venue_name="Le Manège", address="Lyon")
    rsvp(app, make_user(), online)
    for args in ({}, {"near": "Lyon", "online": "y"}, {"mode": "online"}):
        html = page(client, **args)
        assert titles(html) and SECRET_LINK not in html and "meet.example" not in html


# The archive ----------------------------------------------------------------------------------

def test_past_archive_latest_first(app, client, host):
    older = gathering(app, host, "Older and done", 1)
    newer = gathering(app, host, "Newer and done", 2)
    gathering(app, host, "Still to come", 3)
    called_off = gathering(app, host, "Cancelled then past", 4)
    to_past(app, older, days_ago=10)
    to_past(app, newer, days_ago=2)
    with app.app_context():
        db.session.execute(update(Gathering).where(Gathering.id == called_off).values(state="cancelled"))
        db.session.commit()
    to_past(app, called_off, days_ago=1)

    html = shown(client.get("/gatherings/past"), "Past gatherings", "Latest first")
    assert titles(html) == ["Newer and done", "Older and done"]
    assert "0 went" in html
    assert titles(page(client)) == ["Still to come"]


@pytest.mark.parametrize("bad", ["-1", "99999999", "abc", "1.5"])
def test_past_archive_bad_page(client, bad):
    html = shown(client.get("/gatherings/past", query_string={"page": bad}))
    assert "Page numbers go from 1 to 10,000." in html


def test_past_archive_paged(app, client, host):
    ids = [gathering(app, host, f"Done number {number:02d}", 1) for number in range(22)]
    for number, gathering_id in enumerate(ids):
        to_past(app, gathering_id, days_ago=30 - number)  # the last made is the latest
    first = shown(client.get("/gatherings/past"))
    assert titles(first) == [f"Done number {n:02d}" for n in range(21, 1, -1)]
    assert 'rel="next" href="/gatherings/past?page=2"' in first
    assert titles(shown(client.get("/gatherings/past?page=2"))) == ["Done number 01", "Done number 00"]


# The home page's and profiles' partials -------------------------------------------------------

def test_home_partial_next_online_and_near_the_last_search(app, client, host):
    for number in range(4):
        gathering(app, host, f"Online evening {number}", 1 + number)
    in_person(app, host, "Lyon picnic", 2, "Lyon")
    in_person(app, host, "Grenoble hike", 1, "Grenoble")

    def home_part():
        with client.session_transaction() as stored:
            remembered = dict(stored)
        with app.test_request_context():
            from flask import session
            session.update(remembered)
            return render_template_string('{% include "gatherings/_home.html" %}')

    before = home_part()
    assert titles(before) == ["Online evening 0", "Online evening 1", "Online evening 2"]
    assert "Next online gatherings" in before and "Near " not in before

    page(client, near="Lyon")  # the visitor searches for gatherings near Lyon
    after = home_part()
    assert titles(after) == ["Online evening 0", "Online evening 1", "Online evening 2", "Lyon picnic"]
    assert "Near Lyon, France" in after and 'href="/gatherings?near=Lyon"' in after


def test_home_partial_is_empty_without_gatherings(app):
    with app.test_request_context():
        assert render_template_string('{% include "gatherings/_home.html" %}').strip() == ""
        assert not finding.for_home()


def test_hosting_partial_upcoming_and_past(app, host, make_user):
    soon = gathering(app, host, "Hosting soon", 2)
    later = gathering(app, host, "Hosting later", 5)
    done = gathering(app, host, "Hosted before", 1)
    gathering(app, host, "A draft of theirs", 3, publish=False)
    to_past(app, done)
    assert soon and later
    other = make_user(role=Role.LEADER)
    with app.app_context():
        db.session.add(LeaderProfile(user_id=other.id, display_name="Nobody Hosting", slug="nobody"))
        db.session.commit()
    with app.test_request_context():
        profile = db.session.query(LeaderProfile).filter_by(slug="camille-host").one()
        html = render_template_string('{% include "gatherings/_hosting.html" %}', profile=profile)
        assert titles(html) == ["Hosting soon", "Hosting later", "Hosted before"]
        assert "<h2 id=\"hosting-title\">Hosting</h2>" in html and "Past gatherings" in html
        assert "Hosted by" not in html  # their own profile says so already
        nobody = db.session.query(LeaderProfile).filter_by(slug="nobody").one()
        assert render_template_string('{% include "gatherings/_hosting.html" %}', profile=nobody).strip() == ""


# Pages kept by each worker: never stale for what the list shows --------------------------------

def test_a_kept_page_follows_every_change_it_shows(app, client, host, make_user):
    first = gathering(app, host, "The first one", 1, capacity=1)
    assert "0 going" in page(client) and "1 place left" in page(client)
    rsvp(app, make_user(), first)
    html = page(client)
    assert "1 going" in html and "Full — waitlist" in html
    later = gathering(app, host, "A later one", 2)
    assert titles(page(client)) == ["The first one", "A later one"]
    from app.gatherings import services
    with app.test_request_context():
        services.cancel(db.session.get(Gathering, first), db.session.get(User, host.id),
                        "Nobody could make it after all.")
        db.session.commit()
    assert titles(page(client)) == ["A later one"]
    assert titles(shown(client.get("/gatherings/past"))) == []
    to_past(app, later)
    assert titles(page(client)) == [] and "No upcoming gatherings" in page(client)
    assert titles(shown(client.get("/gatherings/past"))) == ["A later one"]


def test_members_and_visitors_each_get_their_own_page(app, client, host, login_as):
    gathering(app, host, "Across the ocean", 5, time_zone="America/New_York")
    visitor = app.test_client()
    assert "your time (JST)" not in shown(visitor.get("/gatherings"), "Across the ocean", "Log in")
    member = login_as()
    with app.app_context():
        db.session.execute(update(User).where(User.id == member.id).values(time_zone="Asia/Tokyo"))
        db.session.commit()
    html = page(client)
    assert "your time (JST)" in html and "Log out" in html and "Host a gathering" not in html
    again = shown(visitor.get("/gatherings"), "Across the ocean", "Log in")
    assert "your time (JST)" not in again and "Log out" not in again
    leader = app.test_client()
    from tests.conftest import login
    assert login(leader, host.email).status_code == 302
    assert "Host a gathering" in shown(leader.get("/gatherings"))


HOSTILE = (str(2**63), "-1", "0", "²", "٣", "9" * 5000, "x" * 5000, "' OR 1=1 --", "<script>alert(1)</script>",
           "NaN", "inf", "1e309", "\r\nX-Injected: 1", "", "Your location", " ", "🙂" * 50)
NAMES = ("near", "lat", "lng", "radius", "unit", "mode", "focus_area", "language", "online", "page")


@pytest.mark.parametrize("path", ["/gatherings", "/api/gatherings", "/gatherings/past"])
def test_hostile_input_never_answers_5xx(app, client, host, path):
    in_person(app, host, "Lyon, soon", 2, "Lyon")
    for name in NAMES:
        for value in HOSTILE:
            for extra in ({}, {"near": "Lyon"}):
                response = client.get(path, query_string={**extra, name: value})
                assert response.status_code < 500, (path, name, value[:20], response.status_code)
                if path != "/api/gatherings":
                    assert response.status_code == 200, (path, name, value[:20])
                    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_a_place_that_may_mean_another_offers_the_others(app, client, host):
    html = page(client, near="Portland")
    assert "Did you mean another place?" in html and "Portland, Maine" in html


def test_every_field_a_card_shows_is_escaped(app, client, host):
    """Cards are drawn in Python (app/gatherings/cards.py): a title, venue, language, host name and
    focus area made of markup read as text on the list, near a place, in the archive and at home."""
    payload = '<img src=x onerror="alert(1)">'
    with app.app_context():
        db.session.add(FocusArea(name=f"Areas {payload}", slug="hostile-area", official=False))
        db.session.execute(update(User).where(User.id == host.id).values(display_name=f"Camille {payload}"))
        db.session.commit()
    made = in_person(app, host, f"Supper {payload}", 2, "Lyon", language=f"French {payload}",
                     focus_areas=["hostile-area"])
    past = in_person(app, host, f"Old supper {payload}", 3, "Lyon")
    to_past(app, past)
    with app.app_context():
        db.session.execute(update(Gathering).where(Gathering.id.in_([made, past])).values(venue_name=f"Hall {payload}"))
        db.session.commit()
    for html in (page(client), page(client, near="Lyon"), shown(client.get("/gatherings/past"))):
        assert "<img src=x" not in html  # the map's JSON has it as \\u003cimg
        assert "&lt;img src=x onerror=" in html
    home = shown(client.get("/"))  # near Lyon, the place of the last search
    assert "<img src=x" not in home and "Supper &lt;img src=x" in home
