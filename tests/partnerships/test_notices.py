"""What partnerships tell people, read from the real SMTP server: an invitation, its answer, the
opening done, a new version of the agreement, a partner leaving, a pause; each mail with its
kind's one-click unsubscribe link, and nobody outside the partnership told anything."""
import re

from sqlalchemy import select

from app import mail
from app.extensions import db
from app.models.notifications import Notification
from app.notifications.unsubscribe import read_token
from app.partnerships.notifications import KINDS
from tests.partnerships.helpers import accept, answer_all, invite_row, leader_profile, log_in_as

UNSUBSCRIBE = re.compile(r"<(http://localhost/notifications/unsubscribe/([^>]+))>")


def deliver(app) -> None:
    with app.app_context():
        mail.deliver_pending(limit=1000)


def test_every_partnership_kind_mails_with_its_own_one_click_link(app, client, make_user, mailbox):
    ana = make_user(name="Ana Alves")
    ben = make_user(role="leader", name="Ben Boateng")
    cleo = make_user(name="Cleo Chen")
    leader_profile(app, ben)
    bystander = make_user(name="Not Involved")
    # An invitation (to Ben) and its answer (to Ana).
    log_in_as(client, ana)
    response = client.post(f"/partnerships/invite/{ben.id}", data={"into": "new", "message": "Learn with me?"})
    partnership_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    log_in_as(client, ben)
    with app.app_context():
        from app.models.partnerships import PartnershipInvitation
        invitation_id = db.session.scalar(select(PartnershipInvitation.id))
    assert client.post(f"/partnerships/invitations/{invitation_id}/accept").status_code == 302
    # Cleo joins too; the opening is done by all three: the partnership is active.
    log_in_as(client, cleo)
    assert client.post(f"/partnerships/invitations/{invite_row(app, partnership_id, ana, cleo)}/accept").status_code == 302
    for person in (ana, ben, cleo):
        answer_all(app, partnership_id, person)
        accept(app, partnership_id, person)
    # Ben changes the agreement; Cleo pauses; Ben leaves.
    log_in_as(client, ben)
    with app.app_context():
        from app.models.partnerships import Partnership
        from app.partnerships import opening
        text = opening.current_agreement(db.session.get(Partnership, partnership_id)).text
    assert client.post(f"/partnerships/{partnership_id}/agreement",
                       data={"text": text + "\n- One more line.", "note": "One more line", "base": "1"}).status_code == 302
    log_in_as(client, cleo)
    assert client.post(f"/partnerships/{partnership_id}/pause").status_code == 302
    log_in_as(client, ben)
    assert client.post(f"/partnerships/{partnership_id}/leave").status_code == 302
    deliver(app)
    received = {
        "partnership_invitation": (ben, mailbox.wait_for(ben.email, "invites you to a learning partnership")),
        "partnership_answer": (ana, mailbox.wait_for(ana.email, "Ben Boateng joined")),
        "partnership_opened": (ana, mailbox.wait_for(ana.email, "is active")),
        "partnership_agreement": (ana, mailbox.wait_for(ana.email, "changed your partnership's agreement")),
        "partnership_paused": (ana, mailbox.wait_for(ana.email, "paused your learning partnership")),
        "partnership_left": (cleo, mailbox.wait_for(cleo.email, "Ben Boateng left")),
    }
    assert set(received) == {kind.name for kind in KINDS if kind.sends_mail}
    with app.app_context():
        for kind, (person, message) in received.items():
            url, token = UNSUBSCRIBE.fullmatch(message["List-Unsubscribe"]).groups()
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert read_token(token) == (person.id, kind)
            body = mailbox.body(message)
            assert url in body and "http://localhost/partnerships" in body
    assert "Learn with me?" in mailbox.body(received["partnership_invitation"][1])
    assert mailbox.for_address(bystander.email) == []
    with app.app_context():
        assert db.session.scalars(select(Notification).where(Notification.user_id == bystander.id)).all() == []
        # Those who did a step are not told of their own step.
        assert not db.session.scalars(select(Notification).where(
            Notification.user_id == cleo.id, Notification.kind == "partnership_paused")).all()
