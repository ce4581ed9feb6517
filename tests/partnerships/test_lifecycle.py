"""No owner: any partner pauses, resumes or leaves; the coming meeting is cancelled while paused; a
partnership closes when fewer than two remain; the others are told."""
from sqlalchemy import func, select

from app.extensions import db
from app.models.gatherings import Gathering
from app.models.notifications import Notification
from app.models.partnerships import OpeningAnswer, PartnershipInvitation
from tests.conftest import shown
from tests.partnerships.helpers import (
    answer_all, invite_row, load, log_in_as, make_partnership, meeting_ids,
)


def _told(app, user, kind) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.kind == kind))


def test_any_partner_pauses_and_any_resumes(app, client, make_user):
    ana, ben, cleo = make_user(name="Ana"), make_user(name="Ben"), make_user(name="Cleo")
    partnership_id = make_partnership(app, [ana, ben, cleo], opened=True, rhythm=True)
    [first] = meeting_ids(app, partnership_id)
    log_in_as(client, cleo)  # not the one who started it: nobody owns it
    shown(client.get(f"/partnerships/{partnership_id}/pause"), "Pause the partnership?")
    assert client.post(f"/partnerships/{partnership_id}/pause").status_code == 302
    assert load(app, partnership_id).state == "paused"
    with app.app_context():
        meeting = db.session.get(Gathering, first)
        assert meeting.state == "cancelled" and "Cleo paused it" in meeting.cancel_reason
    assert _told(app, ana, "partnership_paused") == 1 and _told(app, cleo, "partnership_paused") == 0
    shown(client.get(f"/partnerships/{partnership_id}"), "Paused", "Resume the partnership")
    log_in_as(client, ben)
    assert client.post(f"/partnerships/{partnership_id}/resume").status_code == 302
    assert load(app, partnership_id).state == "active"
    ids = meeting_ids(app, partnership_id)
    assert len(ids) == 2  # a new meeting, convened by Ana again (the cancelled one took no turn)
    with app.app_context():
        assert db.session.get(Gathering, ids[1]).host_id == ana.id


def test_a_partnership_of_two_closes_when_one_leaves(app, client, make_user):
    ana, ben = make_user(name="Ana"), make_user(name="Ben")
    partnership_id = make_partnership(app, [ana, ben], opened=True, rhythm=True)
    [first] = meeting_ids(app, partnership_id)
    pending = invite_row(app, partnership_id, ana, make_user())
    log_in_as(client, ben)
    shown(client.get(f"/partnerships/{partnership_id}/leave"), "the partnership closes")
    assert client.post(f"/partnerships/{partnership_id}/leave").status_code == 302
    found = load(app, partnership_id)
    assert found.state == "closed" and found.partner_count == 1
    assert client.get(f"/partnerships/{partnership_id}").status_code == 404
    with app.app_context():
        assert db.session.get(Gathering, first).state == "cancelled"
        assert db.session.get(PartnershipInvitation, pending).state == "withdrawn"
        assert db.session.scalar(select(func.count()).select_from(OpeningAnswer).where(
            OpeningAnswer.user_id == ben.id)) == 0
    assert _told(app, ana, "partnership_left") == 1
    log_in_as(client, ana)
    shown(client.get(f"/partnerships/{partnership_id}"), "This partnership has closed")
    shown(client.get("/partnerships"), "Closed")


def test_someone_leaving_the_opening_may_open_it_for_the_others(app, client, make_user):
    ana, ben, slow = make_user(), make_user(), make_user()
    partnership_id = make_partnership(app, [ana, ben, slow])
    from tests.partnerships.helpers import accept
    for person in (ana, ben):
        answer_all(app, partnership_id, person)
        accept(app, partnership_id, person)
    assert load(app, partnership_id).state == "opening"
    log_in_as(client, slow)
    assert client.post(f"/partnerships/{partnership_id}/leave").status_code == 302
    assert load(app, partnership_id).state == "active"


def test_the_one_who_started_it_alone_closes_it_by_leaving(app, client, make_user):
    starter = make_user()
    partnership_id = make_partnership(app, [starter])
    invite_row(app, partnership_id, starter, make_user())
    log_in_as(client, starter)
    assert client.post(f"/partnerships/{partnership_id}/leave").status_code == 302
    assert load(app, partnership_id).state == "closed"


def test_only_an_active_partnership_pauses(app, client, make_user):
    ana, ben = make_user(), make_user()
    partnership_id = make_partnership(app, [ana, ben])
    log_in_as(client, ana)
    refused = client.post(f"/partnerships/{partnership_id}/pause", follow_redirects=True)
    shown(refused, "Only an active partnership can be paused")
    assert load(app, partnership_id).state == "opening"
