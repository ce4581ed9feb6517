"""The meeting link is secret: on a seeded demo site, no public page, feed, calendar file, API
answer or sitemap holds any meeting link or anyone's join token, for visitors or for a member
going nowhere; the demo itself has what the issue asks for."""
import re

from sqlalchemy import func, select

from app import features
from app.extensions import db
from app.models.base import utcnow
from app.models.gatherings import Gathering, GatheringSeries, Mode, Rsvp, State
from tests.conftest import login, shown


def seeded(app) -> dict:
    with app.app_context():
        features.seed_demo()
        gatherings = db.session.scalars(select(Gathering)).all()
        return {
            "public": [g.id for g in gatherings if g.state != State.DRAFT],
            "links": {g.meeting_url for g in gatherings if g.meeting_url},
            "tokens": set(db.session.scalars(select(Rsvp.join_token))),
            "hosts": set(db.session.scalars(select(Gathering.host_id))),
        }


def public_addresses(app, site: dict) -> list[str]:
    """Every GET address without parameters, each public gathering's page and file, the lists
    near a place, the feeds, the API, the sitemap's parts and the hosts' profiles."""
    plain = sorted({rule.rule for rule in app.url_map.iter_rules()
                    if "GET" in rule.methods and not rule.arguments
                    and not rule.rule.startswith(("/static", "/admin", "/account", "/editorial"))})
    addresses = plain + ["/gatherings?near=Lyon&radius=100", "/gatherings?mode=online",
                         "/gatherings?near=Nairobi&radius=50&online=y", "/api/gatherings",
                         "/api/gatherings?near=Lyon&radius=100", "/api/gatherings?mode=online",
                         "/gatherings/past", "/gatherings/feed.ics"]
    for gathering_id in site["public"]:
        addresses += [f"/gatherings/{gathering_id}", f"/gatherings/{gathering_id}.ics"]
    with app.app_context():
        from app.models.directory import LeaderProfile
        addresses += [f"/leaders/{slug}" for slug in db.session.scalars(
            select(LeaderProfile.slug).where(LeaderProfile.user_id.in_(site["hosts"])))]
    return addresses


def scan(client, addresses: list[str], secrets: set[str]) -> int:
    """Fetches each address (and the sitemap parts it names); fails on any secret seen."""
    seen = 0
    queue = list(addresses)
    done = set()
    while queue:
        address = queue.pop(0)
        if address in done:
            continue
        done.add(address)
        answer = client.get(address)
        assert answer.status_code < 500, f"{address} answered {answer.status_code}"
        body = answer.get_data(as_text=True)
        for secret in secrets:
            assert secret not in body, f"{address} shows a secret ({secret[:24]}...)"
        assert "meet.example" not in body, f"{address} shows a meeting link"
        if address.startswith("/sitemap"):
            queue += [re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", body)]
        seen += 1
    return seen


def test_no_public_answer_of_a_seeded_site_holds_a_meeting_link_or_a_join_token(app, client, make_user):
    site = seeded(app)
    assert site["links"] and site["tokens"]
    secrets = site["links"] | site["tokens"]
    addresses = public_addresses(app, site)
    # Visitors.
    assert scan(client, addresses, secrets) > 40
    # A member who goes to nothing sees no more.
    member = make_user(name="Nadia Nobody")
    login(client, member.email)
    assert scan(client, addresses, secrets) > 40
    # The scan would see one: the host's own view of the series shows its link.
    client.post("/logout")
    login(client, "leader@demo.leaders.example", "welcome-to-the-network")
    with app.app_context():
        hosted = db.session.scalar(select(Gathering).where(Gathering.series_id.isnot(None)).limit(1))
        hosted_id, link = hosted.id, hosted.meeting_url
    assert link in shown(client.get(f"/gatherings/{hosted_id}"), "You're hosting")


def test_the_demo_has_a_series_across_the_clock_change_a_full_one_a_cancelled_one_and_past_ones(app, client):
    with app.app_context():
        first = features.seed_demo()
        assert first["gatherings"] >= 20
        assert features.seed_demo()["gatherings"] == 0
        series = db.session.scalar(select(GatheringSeries))
        dates = db.session.scalars(select(Gathering).where(Gathering.series_id == series.id)
                                   .order_by(Gathering.starts_at)).all()
        offsets = {(g.starts_at.hour) for g in dates}
        assert len(offsets) == 2, "the weekly series crosses a change of UTC offset"
        from app.gatherings import times
        assert {times.to_local(g.starts_at, g.time_zone).hour for g in dates} == {19}
        everything = db.session.scalars(select(Gathering)).all()
        assert all(g.meeting_url.startswith("https://meet.example/") for g in everything if g.meeting_url)
        full = [g for g in everything if g.is_full and g.waitlist_count > 0]
        assert full
        assert any(g.state == State.CANCELLED and g.cancel_reason for g in everything)
        past = [g for g in everything if g.ends_at < utcnow() and g.going_count > 0]
        assert len(past) >= 2
        in_person = {g.time_zone.split("/")[0] for g in everything if g.mode in (Mode.IN_PERSON, Mode.BOTH)}
        assert {"Europe", "Africa", "Asia", "America", "Australia"} <= in_person
        assert db.session.scalar(select(func.count()).select_from(Gathering).where(Gathering.state == State.DRAFT)) == 1
        full_id = full[0].id
    shown(client.get(f"/gatherings/{full_id}"), "full", "on the waitlist")
