"""The learning partnership the fuzz walk (tests/core/test_fuzz.py) goes through with real ids."""
import secrets
from datetime import timedelta

from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import Gathering
from app.models.partnerships import PartnerRequest, Partnership, RequestMode
from app.partnerships import space
from tests.partnerships.helpers import invite_row, make_partnership, meeting_ids


def partnership_world(app, member, leader, editor) -> dict:
    partnership_id = make_partnership(app, [member, leader], opened=True, rhythm=True)
    [meeting] = meeting_ids(app, partnership_id)
    with app.test_request_context(method="POST"):
        partnership = db.session.get(Partnership, partnership_id)
        message = space.write(partnership, db.session.get(User, member.id), "Hello partner, shall we start?",
                              accepted_guidelines=True, form_token=secrets.token_hex(8))
        found = db.session.get(Gathering, meeting)
        found.starts_at, found.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
        request = PartnerRequest(user_id=leader.id, about="Looking for partners to learn about repair cafés.",
                                 languages="English", time_zone="Europe/Berlin", mode=RequestMode.ONLINE)
        db.session.add(request)
        db.session.commit()
        ids = {"partnership_id": partnership_id, "gathering_id": meeting, "thread_id": partnership.thread_id,
               "post_id": message.id, "request_id": request.id}
    ids["invitation_id"] = invite_row(app, make_partnership(app, [member]), member, editor)
    return ids
