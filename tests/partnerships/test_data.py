"""The partnerships in "download my data" and in deleting an account: the person's own partnerships,
answers, check-ins and requests; deleting leaves every partnership properly."""
from datetime import timedelta

from sqlalchemy import func, select

from app.account.services import delete_account
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import Gathering
from app.models.notifications import Notification
from app.models.partnerships import (
    CheckIn, OpeningAnswer, PartnerRequest, Partnership, PartnershipMember, RequestMode,
)
from app.partnerships import meetings
from tests.partnerships.helpers import SECRET_WORD, load, log_in_as, make_partnership, meeting_ids


def _past_with_check_in(app, partnership_id, person) -> None:
    [first] = meeting_ids(app, partnership_id)
    with app.test_request_context(method="POST"):
        meeting = db.session.get(Gathering, first)
        meeting.starts_at, meeting.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=2)
        meetings.check_in(db.session.get(Partnership, partnership_id), db.session.get(User, person.id), meeting,
                          True, f"We met about {SECRET_WORD}")
        db.session.add(PartnerRequest(user_id=person.id, about=f"Looking for {SECRET_WORD} partners", languages="English",
                                      time_zone="UTC", mode=RequestMode.ONLINE))
        db.session.commit()


def test_the_download_holds_the_persons_own_part(app, client, make_user):
    ana, ben = make_user(), make_user()
    partnership_id = make_partnership(app, [ana, ben], opened=True, rhythm=True)
    _past_with_check_in(app, partnership_id, ana)
    log_in_as(client, ana)
    data = client.get("/account/export.json").get_json()["partnerships"]
    assert data["partnerships"] == [{"id": partnership_id, "state": "active", "joined_at": data["partnerships"][0]["joined_at"],
                                     "left_at": None}]
    assert len(data["opening_answers"]) == 5 and data["opening_answers"][0]["question"].startswith("What do you hope")
    assert data["check_ins"][0]["note"] == f"We met about {SECRET_WORD}"
    assert data["requests"][0]["about"] == f"Looking for {SECRET_WORD} partners"
    assert data["agreement_versions_accepted"][0]["version"] == 1


def test_deleting_an_account_leaves_every_partnership_properly(app, make_user):
    ana, ben, cleo = make_user(name="Ana"), make_user(name="Ben"), make_user(name="Cleo")
    pair = make_partnership(app, [ana, ben], opened=True, rhythm=True)
    trio = make_partnership(app, [ana, ben, cleo])
    _past_with_check_in(app, pair, ana)
    with app.test_request_context(method="POST"):
        delete_account(db.session.get(User, ana.id))
        db.session.commit()
        for model, column in ((OpeningAnswer, OpeningAnswer.user_id), (CheckIn, CheckIn.user_id),
                              (PartnerRequest, PartnerRequest.user_id), (PartnershipMember, PartnershipMember.user_id)):
            assert db.session.scalar(select(func.count()).select_from(model).where(column == ana.id)) == 0, model
        told = db.session.scalars(select(Notification.kind).where(Notification.user_id == ben.id)).all()
    assert load(app, pair).state == "closed"
    found = load(app, trio)
    assert found.state == "opening" and found.partner_count == 2
    assert "partnership_left" in told
