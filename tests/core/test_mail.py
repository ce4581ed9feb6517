"""The outbox: written with the change, delivered by SMTP, retried, never sent twice."""
from datetime import timedelta

from sqlalchemy import func, select

from app import mail
from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MessageStatus, OutboxMessage
from tests.conftest import free_port


def queue_one(app, to="reader@example.com"):
    with app.test_request_context():
        mail.queue(to, "Hello there", "email_change_notice",
                   user=type("U", (), {"display_name": "Reader"}), new_email="x@example.com")
        db.session.commit()


def outbox(app):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_mail_is_written_in_the_same_transaction_as_the_change(app):
    with app.test_request_context():
        mail.queue("a@example.com", "Subject", "email_change_notice",
                   user=type("U", (), {"display_name": "A"}), new_email="b@example.com")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_deliver_sends_pending_mail_by_smtp_once(app, runner, mailbox):
    queue_one(app)
    result = runner.invoke(args=["mail", "deliver"])
    assert "sent 1" in result.output
    message = mailbox.wait_for("reader@example.com", "Hello there")
    assert "Reader" in mailbox.body(message)
    assert message["From"] == app.config["MAIL_FROM"]

    again = runner.invoke(args=["mail", "deliver"])
    assert "sent 0" in again.output
    assert len(mailbox.for_address("reader@example.com")) == 1
    assert outbox(app)[0].status == MessageStatus.SENT


def test_failures_are_retried_with_backoff_then_given_up(app, runner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=3)
    queue_one(app)
    assert "will retry 1" in runner.invoke(args=["mail", "deliver"]).output
    first = outbox(app)[0]
    assert first.status == MessageStatus.PENDING and first.attempts == 1
    assert first.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert "sent 0, will retry 0" in runner.invoke(args=["mail", "deliver"]).output, \
        "not due again before the backoff has passed"

    for attempt in (2, 3):
        with app.app_context():
            message = db.session.get(OutboxMessage, first.id)
            message.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
        runner.invoke(args=["mail", "deliver"])
    final = outbox(app)[0]
    assert final.status == MessageStatus.FAILED and final.attempts == 3
    assert final.last_error


def test_backoff_grows_and_is_capped():
    assert mail.backoff(1) == timedelta(minutes=1)
    assert mail.backoff(2) == timedelta(minutes=2)
    assert mail.backoff(4) == timedelta(minutes=8)
    assert mail.backoff(20) == timedelta(hours=6)


def test_a_claimed_message_is_not_sent_by_a_second_run(app, runner, mailbox):
    queue_one(app)
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        message.status = MessageStatus.SENDING  # another worker is sending it right now
        db.session.commit()
    assert "sent 0" in runner.invoke(args=["mail", "deliver"]).output
    assert mailbox.for_address("reader@example.com") == []


def test_without_a_mail_server_messages_go_to_the_log(app, runner, caplog):
    queue_one(app)
    with caplog.at_level("INFO", logger="app.mail"):
        runner.invoke(args=["mail", "deliver"])
    assert "Hello there" in caplog.text and "reader@example.com" in caplog.text
    assert outbox(app)[0].status == MessageStatus.SENT


def test_reply_to_is_set_when_given(app, runner, mailbox):
    with app.test_request_context():
        mail.queue("leader@example.com", "A message", "email_change_notice",
                   reply_to="visitor@example.com",
                   user=type("U", (), {"display_name": "L"}), new_email="n@example.com")
        db.session.commit()
    runner.invoke(args=["mail", "deliver"])
    message = mailbox.wait_for("leader@example.com", "A message")
    assert message["Reply-To"] == "visitor@example.com"
