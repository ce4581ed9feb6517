"""Contacting a leader: through the outbox, reply-to the sender, the leader's address hidden, rate-limited."""
import html
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models.accounts import Role
from app.models.directory import ContactMessage
from app.models.mail import OutboxMessage
from tests.conftest import PASSWORD, login, shown
from tests.directory.profile_helpers import make_leader  # noqa: F401

MESSAGE = "Hello! I would like to start a homework club in my street. Could we talk?"


def outbox_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_a_member_sends_a_message_that_arrives_with_reply_to_the_sender(app, client, make_leader, make_user,
                                                                        mailbox):
    leader, slug = make_leader(display_name="Noa Velden")
    sender = make_user(name="Kai Sender")
    login(client, sender.email)
    page = shown(client.get(f"/leaders/{slug}"), '<h1 class="profile__name">Noa Velden</h1>')
    assert "Send Noa Velden a message" in page and leader.email not in page
    form = shown(client.get(f"/leaders/{slug}/contact"), "<h1>Send Noa Velden a message</h1>", 'name="message"')
    assert leader.email not in form
    response = client.post(f"/leaders/{slug}/contact", data={"message": MESSAGE})
    assert response.status_code == 302
    assert "Your message was sent" in client.get(response.headers["Location"]).get_data(True)
    mail = mailbox.wait_for(leader.email, "Kai Sender sent you a message")
    assert mail["Reply-To"] == sender.email
    body = mailbox.body(mail)
    assert MESSAGE in body and "reply to this email" in body
    assert f"/leaders/{slug}/edit" in body


def test_visitors_must_log_in_first(client, make_leader):
    _, slug = make_leader()
    assert client.get(f"/leaders/{slug}/contact").status_code == 302
    assert "Log in</a> to send" in client.get(f"/leaders/{slug}").get_data(True)


def test_an_unconfirmed_email_cannot_send(app, client, make_leader, login_as):
    _, slug = make_leader()
    login_as(Role.MEMBER, verified=False)
    response = client.post(f"/leaders/{slug}/contact", data={"message": MESSAGE})
    assert response.status_code == 403
    assert "Confirm your email address first" in response.get_data(True)
    assert outbox_count(app) == 0


def test_a_leader_who_turned_contact_off_gets_no_messages(app, client, make_leader, login_as):
    _, slug = make_leader(contact_enabled=False, display_name="Quiet Leader")
    login_as(Role.MEMBER)
    assert "is not taking messages" in client.get(f"/leaders/{slug}").get_data(True)
    response = client.post(f"/leaders/{slug}/contact", data={"message": MESSAGE})
    assert response.status_code == 403 and "not taking messages" in response.get_data(True)
    assert outbox_count(app) == 0


def test_leaders_cannot_message_themselves(client, make_leader):
    leader, slug = make_leader()
    login(client, leader.email)
    assert client.post(f"/leaders/{slug}/contact", data={"message": MESSAGE}).status_code == 403


def test_an_empty_or_tiny_message_is_explained(client, make_leader, login_as):
    _, slug = make_leader()
    login_as(Role.MEMBER)
    html = client.post(f"/leaders/{slug}/contact", data={"message": "hi"}).get_data(True)
    assert "Write a message of 10 to 3,000 characters." in html


def test_each_sender_may_send_five_messages_an_hour(app, client, make_leader, login_as):
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False
    slugs = [make_leader()[1] for _ in range(3)]
    sender = login_as(Role.MEMBER)
    for number in range(5):
        slug = slugs[number % 3]
        assert client.post(f"/leaders/{slug}/contact", data={"message": MESSAGE}).status_code == 302
    response = client.post(f"/leaders/{slugs[0]}/contact", data={"message": MESSAGE})
    assert response.status_code == 429
    assert "Wait an hour" in response.get_data(True)
    assert outbox_count(app) == 5
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContactMessage)
                                 .where(ContactMessage.sender_id == sender.id)) == 5
        # An hour later the sender may write again.
        from datetime import timedelta
        for message in db.session.scalars(select(ContactMessage)):
            message.created_at -= timedelta(hours=1, minutes=1)
        db.session.commit()
    assert client.post(f"/leaders/{slugs[0]}/contact", data={"message": MESSAGE}).status_code == 302


def test_the_limit_counts_per_sender_not_per_site(app, client, make_leader, make_user):
    app.config.update(MAIL_DELIVER_AFTER_REQUEST=False, CONTACT_RATE_LIMIT=1)
    _, slug = make_leader()
    first, second = make_user(), make_user()
    login(client, first.email)
    assert client.post(f"/leaders/{slug}/contact", data={"message": MESSAGE}).status_code == 302
    assert client.post(f"/leaders/{slug}/contact", data={"message": MESSAGE}).status_code == 429
    client.post("/logout")
    login(client, second.email)
    assert client.post(f"/leaders/{slug}/contact", data={"message": MESSAGE}).status_code == 302


def test_a_message_sent_with_an_expired_form_comes_back_to_send_again(app, client, make_leader, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    _, slug = make_leader(display_name="Noa Velden")
    sender = make_user()
    token = lambda path: re.search(r'name="csrf_token"[^>]*value="([^"]+)"',  # noqa: E731
                                   client.get(path).get_data(True)).group(1)
    client.post("/login", data={"email": sender.email, "password": PASSWORD, "csrf_token": token("/login")})
    refused = client.post(f"/leaders/{slug}/contact", data={"message": MESSAGE, "csrf_token": "expired"})
    assert refused.status_code == 303, "not the old 400 'go back and reload'"
    page = html.unescape(client.get(refused.headers["Location"]).get_data(True))
    assert MESSAGE in page and "Everything you typed is below" in page
    assert outbox_count(app) == 0
    sent = client.post(f"/leaders/{slug}/contact",
                       data={"message": MESSAGE, "csrf_token": token(refused.headers["Location"])})
    assert sent.status_code == 302 and outbox_count(app) == 1
