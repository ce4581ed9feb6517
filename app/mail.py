"""The outbox: queue a message in the caller's transaction, deliver it later."""
import logging
import smtplib
import threading
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import Flask, current_app, g, render_template
from sqlalchemy import select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MessageStatus, OutboxMessage

log = logging.getLogger(__name__)


def queue(to: str, subject: str, template: str, *, reply_to: str | None = None,
          kind: str = "general", **context) -> OutboxMessage:
    """Add a message to the outbox; it is sent only if the caller's transaction commits."""
    body = render_template(f"mail/{template}.txt", **context)
    message = OutboxMessage(to=to, subject=subject, body=body, reply_to=reply_to, kind=kind)
    db.session.add(message)
    g.setdefault("mail_queued", True)
    return message


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes between tries, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def deliver_pending(limit: int = 100) -> dict[str, int]:
    """Send what is due. Each message is claimed first, so no two runs send it twice."""
    config = current_app.config
    counts = {"sent": 0, "retry": 0, "failed": 0}
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == MessageStatus.PENDING,
               OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    for message_id in due:
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == MessageStatus.PENDING)
            .values(status=MessageStatus.SENDING, attempts=OutboxMessage.attempts + 1)
        ).rowcount
        db.session.commit()
        if not claimed:
            continue  # another worker took it
        message = db.session.get(OutboxMessage, message_id)
        try:
            _send(message, config)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = str(error)[:500]
            if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
                message.status = MessageStatus.FAILED
                counts["failed"] += 1
                log.error("Giving up on mail %s to %s: %s", message.id, message.to, error)
            else:
                message.status = MessageStatus.PENDING
                message.next_attempt_at = utcnow() + backoff(message.attempts)
                counts["retry"] += 1
                log.warning("Mail %s to %s will be retried: %s", message.id, message.to, error)
        else:
            message.status = MessageStatus.SENT
            message.sent_at = utcnow()
            counts["sent"] += 1
        db.session.commit()
    return counts


def _send(message: OutboxMessage, config) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="leaders.network")
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email.set_content(message.body)
    if not config["MAIL_SERVER"]:
        # Development without a mail server: the log is the mailbox.
        log.info("Mail to %s\nSubject: %s\n\n%s", message.to, message.subject, message.body)
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"],
                    timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def init_app(app: Flask) -> None:
    """After a request that queued mail, send it from a background thread right away.

    The outbox row is already committed, so a thread that dies with its worker loses
    nothing: `flask mail deliver` (cron) sends whatever is still pending.
    """

    @app.after_request
    def deliver_after_response(response):
        if g.get("mail_queued") and app.config["MAIL_DELIVER_AFTER_REQUEST"]:
            threading.Thread(target=_deliver_in_context, args=(app,), daemon=True,
                             name="mail-delivery").start()
        return response


def _deliver_in_context(app: Flask) -> None:
    with app.app_context():
        try:
            deliver_pending()
        except Exception:  # the cron run (flask mail deliver) picks up whatever is left
            log.exception("Mail delivery after the request failed")
            db.session.rollback()
