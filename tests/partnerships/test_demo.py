"""The partnerships' demo: the demo leader in an active partnership with two other demo people, the
demo member in none, a dozen requests on the board; seeded once."""
from sqlalchemy import func, select

from app import features
from app.auth import services as accounts
from app.extensions import db
from app.models.gatherings import Gathering
from app.models.partnerships import PartnerRequest, Partnership, PartnershipState, RequestState
from app.partnerships import members
from app.demo import DEMO_PASSWORD
from tests.conftest import login, shown

DEMO = "demo.leaders.example"


def test_the_demo_seeds_an_active_partnership_and_a_request_board_once(app, client):
    with app.app_context():
        first = features.seed_demo()
        again = features.seed_demo()
        assert first["partnerships"] == 2 and again["partnerships"] == 0 and again["partner requests"] == 0
        leader = accounts.find_by_email(f"leader@{DEMO}")
        member = accounts.find_by_email(f"member@{DEMO}")
        mine = members.partnerships_of(leader)
        active = [item for item in mine if item.state == PartnershipState.ACTIVE]
        assert len(active) == 1
        emails = {person.email for person in members.current_people(active[0])}
        assert emails == {f"leader@{DEMO}", f"editor@{DEMO}", f"leader-002@{DEMO}"}
        assert members.partnerships_of(member) == []
        assert db.session.scalar(select(func.count()).select_from(PartnerRequest).where(
            PartnerRequest.state == RequestState.OPEN)) == 12
        assert db.session.scalar(select(func.count()).select_from(Partnership)) == 2
        upcoming = db.session.scalar(select(Gathering).where(Gathering.partnership_id == active[0].id,
                                                             Gathering.state == "published")
                                     .order_by(Gathering.starts_at.desc()).limit(1))
        kwabena = accounts.find_by_email(f"leader-002@{DEMO}")
        assert upcoming.host_id == kwabena.id  # after Amara and Tomas, his turn
        active_id = active[0].id
        member_id = member.id
    assert login(client, f"leader@{DEMO}", DEMO_PASSWORD).status_code == 302
    page = shown(client.get(f"/partnerships/{active_id}"), "Active", "Your next meeting", "We met",
                 "Your conversation", "Tomas Lindqvist")
    assert "the power was out" in page
    assert member_id
