"""One-click unsubscribe (RFC 8058): the headers on every kind's mail, the signed link, its pages."""
import re

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from app.editorial.services import DEFAULT_CHECKLIST
from app.editorial.workflow import Stage, State
from app.extensions import db
from app.alerts import notifications as alert_notifications
from app.gatherings import notifications as gathering_notifications
from app.partnerships import notifications as partnership_notifications
from app.models.accounts import User
from app.models.editorial import Proposal
from app.models.mail import OutboxMessage
from app.models.notifications import Notification, NotificationPreference
from app.notifications import services
from app.notifications.kinds import kinds
from app.notifications.unsubscribe import read_token, token_for

LINK = re.compile(r"<(http://localhost/notifications/unsubscribe/([^>]+))>")


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True  # the link works without a form's token; others don't
    return app_config


def _version(app, proposal_id):
    with app.app_context():
        return db.session.get(Proposal, proposal_id).version


def _csrf(client, path):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                     client.get(path).text).group(1)


def _act(app, client, proposal_id, action, **data):
    path = f"/proposals/{proposal_id}/actions/{action}"
    response = client.post(path, data={"version": _version(app, proposal_id),
                                       "csrf_token": _csrf(client, path), **data})
    assert response.status_code == 302, response.text


def _wants(app, user_id):
    with app.app_context():
        return services.email_choices(db.session.get(User, user_id))


def _one_mail_of_every_kind(app, client, people, act_as, make_proposal, mailbox) -> dict:
    """Walk a proposal from draft to published; the mail of each kind, by kind."""
    proposal_id = make_proposal(people.author, state=State.DRAFT, stage=Stage.POST)
    act_as(people.author)
    _act(app, client, proposal_id, "submit")
    act_as(people.editor)
    _act(app, client, proposal_id, "claim")
    _act(app, client, proposal_id, "approve", checklist=DEFAULT_CHECKLIST)
    _act(app, client, proposal_id, "publish")
    return {
        "proposal_submitted": mailbox.wait_for("editor@example.com", "Proposal submitted"),
        "proposal_decision": mailbox.wait_for("author@example.com", "approved your post"),
        "post_published": mailbox.wait_for("author@example.com", "is live"),
    }


def test_every_kind_that_mails_carries_its_own_one_click_link(app, client, people, act_as,
                                                              make_proposal, mailbox):
    received = _one_mail_of_every_kind(app, client, people, act_as, make_proposal, mailbox)
    with app.app_context():
        # A forum thread's mail carries that thread's own one-click link (tests/forum); the
        # gatherings' kinds are walked in tests/gatherings/test_notices.py, the learning
        # partnerships' in tests/partnerships/test_notices.py, the alerts' (each alert's own
        # one-click link) in tests/alerts/test_sending.py.
        assert set(received) == {kind.name for kind in kinds().with_mail()} - {"forum_follow"} - {
            kind.name for kind in gathering_notifications.KINDS + partnership_notifications.KINDS
            + alert_notifications.KINDS}, \
            "every kind that sends mail is walked here"
        recipients = {"proposal_submitted": people.editor, "proposal_decision": people.author,
                      "post_published": people.author}
        for kind, message in received.items():
            url, token = LINK.fullmatch(message["List-Unsubscribe"]).groups()
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert read_token(token) == (recipients[kind], kind)
            assert url in mailbox.body(message), "the link is in the text too"
    # Mail that is not a notification (a password reset) has no such header.
    client.post("/forgot-password", data={"email": "member@example.com",
                                          "csrf_token": _csrf(client, "/forgot-password")})
    reset = mailbox.wait_for("member@example.com", "Reset your password")
    assert reset["List-Unsubscribe"] is None


def test_one_click_post_without_logging_in_turns_off_only_that_kind(app, client, people,
                                                                    act_as, make_proposal):
    with app.app_context():
        url = f"/notifications/unsubscribe/{token_for(people.author, 'proposal_decision')}"
    stranger = app.test_client()  # a mail client: no session, no CSRF token
    response = stranger.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Emails stopped" in response.text
    wanted = _wants(app, people.author)
    assert {kind: wanted[kind] for kind in ("proposal_submitted", "proposal_decision", "post_published")} == {
        "proposal_submitted": True, "proposal_decision": False, "post_published": True}
    assert all(wanted[kind] for kind in wanted if kind != "proposal_decision")

    proposal_id = make_proposal(people.author, state=State.IN_REVIEW, editor_id=people.editor)
    act_as(people.editor)
    _act(app, client, proposal_id, "request_changes", note="Shorter, please.")
    with app.app_context():
        kinds_sent = db.session.scalars(select(OutboxMessage.kind).where(
            OutboxMessage.to == "author@example.com")).all()
        told_on_the_site = db.session.scalars(select(Notification.kind).where(
            Notification.user_id == people.author)).all()
    # The decision was made and told on the site; only its mail stopped.
    assert "proposal_decision" in told_on_the_site
    assert "proposal_decision" not in kinds_sent
    # Other forms still need their token: the exemption is this one page's.
    assert app.test_client().post("/notifications/read").status_code == 400


def test_get_asks_and_changes_nothing(app, people):
    with app.app_context():
        url = f"/notifications/unsubscribe/{token_for(people.author, 'post_published')}"
    page = app.test_client().get(url)
    assert page.status_code == 200
    assert "Email me when my post goes live" in page.text
    assert f'<form method="post" action="{url}">' in page.text
    assert ">Stop these emails</button>" in page.text
    with app.app_context():
        assert db.session.scalar(select(NotificationPreference)) is None
    assert _wants(app, people.author)["post_published"] is True


def _forged(app, people) -> list[str]:
    with app.app_context():
        good = token_for(people.author, "proposal_decision")
        other_key = URLSafeSerializer("another-secret", salt="notifications-unsubscribe")
        own_key = URLSafeSerializer(app.config["SECRET_KEY"], salt="notifications-unsubscribe")
        return [
            good[:-2] + ("AA" if good[-2:] != "AA" else "BB"),  # cut or altered
            other_key.dumps({"user": people.author, "kind": "proposal_decision"}),
            own_key.dumps({"user": people.author, "kind": "no_such_kind"}),
            own_key.dumps({"user": people.author, "kind": "comment"}),  # sends no mail
            own_key.dumps({"user": 999999, "kind": "proposal_decision"}),  # nobody
            own_key.dumps(["not", "a", "token"]),
            URLSafeSerializer(app.config["SECRET_KEY"], salt="verify").dumps(people.author),
            "x" * 300,
        ]


def test_a_bad_or_forged_link_is_a_clear_400_and_changes_nothing(app, people):
    stranger = app.test_client()
    for token in _forged(app, people):
        for method in ("GET", "POST"):
            response = stranger.open(f"/notifications/unsubscribe/{token}", method=method)
            assert response.status_code == 400, (token, method)
            assert "This unsubscribe link does not work" in response.text
            assert "Nothing was changed." in response.text
    with app.app_context():
        assert db.session.scalar(select(NotificationPreference)) is None
