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
        message.claimed_at = utcnow()
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


def claimed_long_ago(app, seconds_ago):
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        message.status = MessageStatus.SENDING  # a worker claimed it, then was killed
        message.attempts = 1
        message.claimed_at = utcnow() - timedelta(seconds=seconds_ago)
        db.session.commit()
        return message.message_id


def test_a_claim_whose_worker_died_expires_and_is_retried_with_the_same_message_id(
        app, runner, mailbox):
    queue_one(app)
    lease = app.config["MAIL_CLAIM_LEASE"]
    message_id = claimed_long_ago(app, lease - 30)
    assert "sent 0" in runner.invoke(args=["mail", "deliver"]).output, "the lease still runs"
    claimed_long_ago(app, lease + 1)
    assert "sent 1" in runner.invoke(args=["mail", "deliver"]).output
    received = mailbox.wait_for("reader@example.com", "Hello there")
    assert received["Message-ID"] == message_id
    final = outbox(app)[0]
    assert final.status == MessageStatus.SENT and final.attempts == 2


def test_an_expired_claim_on_the_last_attempt_is_reported_failed(app, runner, mailbox):
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    queue_one(app)
    claimed_long_ago(app, app.config["MAIL_CLAIM_LEASE"] + 1)
    assert "failed 1" in runner.invoke(args=["mail", "deliver"]).output
    final = outbox(app)[0]
    assert final.status == MessageStatus.FAILED and "may have been delivered" in final.last_error
    assert mailbox.for_address("reader@example.com") == []


def test_every_attempt_carries_one_message_id_and_success_clears_the_error(app, runner, smtp_server):
    queue_one(app)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens
    assert "will retry 1" in runner.invoke(args=["mail", "deliver"]).output
    failed = outbox(app)[0]
    assert failed.last_error and failed.message_id.startswith("<")
    assert failed.message_id.endswith("@leaders.example>")  # the domain of MAIL_FROM

    app.config["MAIL_PORT"] = smtp_server.port
    with app.app_context():
        db.session.get(OutboxMessage, failed.id).next_attempt_at = utcnow()
        db.session.commit()
    assert "sent 1" in runner.invoke(args=["mail", "deliver"]).output
    assert smtp_server.wait_for("reader@example.com")["Message-ID"] == failed.message_id
    sent = outbox(app)[0]
    assert sent.status == MessageStatus.SENT and sent.last_error is None


def test_a_message_put_back_for_retry_is_not_claimed_by_a_run_that_saw_it_due(app):
    """Two after-request threads list the same message; the first tries and fails; the second
    must not try it again at once (it is not due until its backoff has passed)."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    queue_one(app)
    with app.app_context():
        seen_due = outbox(app)[0].id           # the second run listed it as due ...
        mail.deliver_pending(ids=[seen_due])   # ... the first run tries and fails ...
        assert mail._claim(seen_due, app.config) is None  # ... so the second may not take it
    assert outbox(app)[0].attempts == 1


def test_mail_status_shows_pending_sending_and_failed_with_their_errors(app, runner):
    for to in ("a@example.com", "b@example.com", "c@example.com", "d@example.com"):
        queue_one(app, to=to)
    with app.app_context():
        a, b, c, d = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        a.last_error = "Connection refused"
        b.status, b.claimed_at = MessageStatus.SENDING, utcnow() - timedelta(hours=1)
        c.status, c.last_error = MessageStatus.FAILED, "550 No such user"
        d.status, d.sent_at = MessageStatus.SENT, utcnow()
        db.session.commit()
    output = runner.invoke(args=["mail", "status"]).output
    assert "pending 1, sending 1, sent 1, failed 1" in output
    assert "Connection refused" in output and "550 No such user" in output
    assert "a@example.com" in output and "c@example.com" in output
    assert "claim expired: will be retried" in output
    assert "d@example.com" not in output  # sent mail needs no look


def test_no_database_transaction_is_open_while_smtp_is_talked_to(app, runner, smtp_server):
    """While the SMTP server holds the message, another connection can take the write lock
    (SQLite) and the app has no transaction left idle (PostgreSQL)."""
    from sqlalchemy import create_engine, text
    from tests.conftest import ON_POSTGRES

    seen = []
    original = smtp_server.on_data

    def probe():
        with app.app_context():
            url = app.config["SQLALCHEMY_DATABASE_URI"]
        other = create_engine(url, connect_args={} if ON_POSTGRES else {"timeout": 0,
                                                                        "isolation_level": None})
        with other.connect() as connection:
            if ON_POSTGRES:
                seen.append(connection.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()")).scalar())
            else:
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # fails at once if a writer holds it
                connection.exec_driver_sql("ROLLBACK")
                seen.append(0)
        other.dispose()
        original()

    smtp_server.on_data = probe
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    queue_one(app)
    assert "sent 1" in runner.invoke(args=["mail", "deliver"]).output
    assert seen == [0]


def test_a_stopping_worker_waits_for_the_mail_it_is_sending(app, client, mailbox):
    import threading
    arrived, release = threading.Event(), threading.Event()
    mailbox.on_data = lambda: (arrived.set(), release.wait(20))
    client.post("/register", data={"display_name": "Ravi Menon", "email": "ravi@example.com",
                                   "password": "monsoon tea on the verandah"})
    assert arrived.wait(10)
    assert mail.wait_for_deliveries(timeout=0.2) == 1, "still talking to SMTP"
    release.set()
    assert mail.wait_for_deliveries(timeout=10) == 0
    assert [message.status for message in outbox(app)] == [MessageStatus.SENT]


def test_a_line_break_in_a_subject_is_folded_and_cannot_add_headers(app, runner, mailbox):
    with app.test_request_context():
        mail.queue("leader@example.com", "Eve\r\nBcc: everyone@evil.example\r\n sent you a message",
                   "email_change_notice", reply_to="eve@example.com\r\nCc: x@evil.example",
                   user=type("U", (), {"display_name": "L"}), new_email="n@example.com")
        db.session.commit()
    assert "sent 1" in runner.invoke(args=["mail", "deliver"]).output
    message = mailbox.wait_for("leader@example.com")
    assert message["Subject"] == "Eve Bcc: everyone@evil.example sent you a message"
    assert message["Bcc"] is None and message["Cc"] is None


def test_a_message_that_cannot_be_sent_is_failed_and_the_queue_goes_on(app, runner, mailbox, make_user):
    """A subject with a raw line break (a row written before headers were folded) used to
    raise outside the retry handling, leave the row "sending" and stop the run."""
    user = make_user(email="kwame@example.com")
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False  # both wait for the same run
    with app.app_context():
        db.session.add(OutboxMessage(to="leader@example.com", subject="Title\r\nBcc: x@evil.example",
                                     body="Hello", message_id="<broken@leaders.example>"))
        db.session.commit()
    # buffered: read and closed as a server does; the reset mail is queued after the answer.
    response = app.test_client().post("/forgot-password", data={"email": user.email}, buffered=True)
    assert response.status_code in (200, 302)
    output = runner.invoke(args=["mail", "deliver"]).output
    assert "sent 1" in output and "failed 1" in output
    assert mailbox.wait_for("kwame@example.com", "Reset")
    broken = outbox(app)[0]
    assert broken.status == MessageStatus.FAILED and "ValueError" in broken.last_error
