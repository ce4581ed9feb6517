"""The outbox: queue a message in the caller's transaction, deliver it later."""
import logging
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from flask import Flask, current_app, g
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy import inspect as inspect_state

from app.extensions import db
from app.models.base import utcnow
from app.models.mail import MessageStatus, OutboxMessage
from app.notifications.unsubscribe import list_unsubscribe_headers

log = logging.getLogger(__name__)


def queue(to: str, subject: str, template: str, *, reply_to: str | None = None,
          kind: str = "general", unsubscribe_url: str | None = None, body: str | None = None,
          **context) -> OutboxMessage:
    """Add a message to the outbox; it is sent only if the caller's transaction commits.

    unsubscribe_url: this mail's own one-click unsubscribe (RFC 8058 headers name it), for
    mail that is not one kind's notification (a forum thread someone follows). body: the text
    already drawn from the template (by a caller that draws many alike)."""
    if body is None:
        body = render(f"mail/{template}.txt", **context)
    message = OutboxMessage(**_fields(to, subject, body, reply_to=reply_to, kind=kind,
                                      unsubscribe_url=unsubscribe_url))
    db.session.add(message)
    g.setdefault("mail_queued", []).append(message)
    return message


def queue_all(letters: list[dict]) -> None:
    """Many messages in one statement (the followers of a thread, when a reply goes out), each
    a dict of queue()'s fields: to, subject, body, and kind, reply_to, unsubscribe_url as
    wanted. Core rows, not objects: the unit of work's cost for each was most of a follower's."""
    if not letters:
        return
    table = OutboxMessage.__table__
    rows = [_fields(**letter) for letter in letters]
    ids = db.session.execute(table.insert().returning(table.c.id), rows).scalars().all()
    g.setdefault("mail_queued_ids", []).extend(ids)


def _fields(to: str, subject: str, body: str, *, reply_to: str | None = None, kind: str = "general",
            unsubscribe_url: str | None = None) -> dict:
    """An outbox row's fields, headers made one line and a Message-ID chosen."""
    return {"to": header_value(to), "subject": header_value(subject)[:200], "body": body,
            "reply_to": header_value(reply_to) if reply_to else None, "kind": kind,
            "message_id": new_message_id(), "unsubscribe_url": unsubscribe_url}


def take_queued() -> list[int]:
    """The ids of the messages this request (or command) queued, once its transaction has
    committed, to be sent now; forgotten here either way. A rolled-back message has no row
    (or its id went to another pending message, which is then sent a little early): only due
    rows are sent, each claimed first."""
    objects = g.pop("mail_queued", None) or []
    ids = [state.identity[0] for state in map(inspect_state, objects) if state.persistent and state.identity]
    return ids + g.pop("mail_queued_ids", [])


def render(name: str, **context) -> str:
    """A mail template, without the pages' context processors (the navigation's counts would
    be counted again for every mail a reply queues); `config` is there as on pages."""
    return current_app.jinja_env.get_template(name).render(config=current_app.config, **context)


def header_value(text: str) -> str:
    """One line: line breaks (from a name or a title people typed) would end the header."""
    return " ".join(text.split())


def new_message_id() -> str:
    """A Message-ID in the sender's own domain (taken from MAIL_FROM)."""
    address = parseaddr(current_app.config["MAIL_FROM"])[1]
    return make_msgid(domain=address.rpartition("@")[2] or "leaders.example")


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes between tries, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclass(frozen=True)
class Envelope:
    """What one attempt sends, read from the outbox before any network I/O starts."""

    id: int
    to: str
    subject: str
    body: str
    reply_to: str | None
    message_id: str
    attempts: int
    claimed_at: datetime
    # Computed when claimed from the row's kind and address (List-Unsubscribe for notifications).
    headers: tuple[tuple[str, str], ...] = ()


def _due(now: datetime, lease: timedelta):
    """Pending and due, or claimed so long ago that the worker must have died."""
    return or_(
        and_(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == MessageStatus.SENDING,
             or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at <= now - lease)),
    )


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_CLAIM_LEASE"])


def deliver_pending(limit: int = 100, ids: list[int] | None = None) -> dict[str, int]:
    """Send what is due (only `ids`, when given). Each message is claimed first, so no two
    runs send it at once, and no database transaction is open while SMTP is talked to."""
    config = current_app.config
    counts = {"sent": 0, "retry": 0, "failed": 0}
    query = select(OutboxMessage.id).where(_due(utcnow(), _lease()))
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    due = db.session.scalars(query.order_by(OutboxMessage.id).limit(limit)).all()
    db.session.commit()
    for message_id in due:
        envelope = _claim(message_id, config)
        if envelope is None:
            continue  # another worker took it, or it was given up
        if isinstance(envelope, str):
            counts["failed"] += 1
            continue
        try:
            _send(envelope, config)
        except (OSError, smtplib.SMTPException) as error:
            counts[_record_failure(envelope, error, config)] += 1
        except Exception as error:  # this message can never be sent: say so, go on with the rest
            log.exception("Mail %s to %s cannot be sent", envelope.id, envelope.to)
            _record(envelope, status=MessageStatus.FAILED,
                    last_error=f"{type(error).__name__}: {error}"[:500])
            counts["failed"] += 1
        else:
            _record(envelope, status=MessageStatus.SENT, sent_at=utcnow(), last_error=None)
            counts["sent"] += 1
    return counts


def _claim(message_id: int, config) -> Envelope | str | None:
    """Take the message for one attempt in a short transaction of its own.

    Returns the envelope to send, None when it is not ours to send, or "failed" when an
    expired claim had already used the last attempt.
    """
    now = utcnow()
    lease = _lease()
    try:
        row = db.session.execute(
            select(OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.claimed_at)
            .where(OutboxMessage.id == message_id, _due(now, lease))
        ).one_or_none()
        if row is None:
            db.session.commit()
            return None
        expired = row.status == MessageStatus.SENDING
        if expired and row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            given_up = _compare_and_set(message_id, row.attempts, now, lease,
                                        status=MessageStatus.FAILED,
                                        last_error="The worker sending it stopped mid-send; "
                                                   "it may have been delivered.")
            db.session.commit()
            return "failed" if given_up else None
        # attempts is part of the condition: of two workers racing, only one moves it on.
        if not _compare_and_set(message_id, row.attempts, now, lease,
                                status=MessageStatus.SENDING, claimed_at=now,
                                attempts=row.attempts + 1):
            db.session.commit()
            return None
        message = db.session.get(OutboxMessage, message_id)
        envelope = Envelope(id=message.id, to=message.to, subject=message.subject,
                            body=message.body, reply_to=message.reply_to,
                            message_id=message.message_id or new_message_id(),
                            attempts=message.attempts, claimed_at=now,
                            headers=list_unsubscribe_headers(message.kind, message.to,
                                                            message.unsubscribe_url))
        if message.message_id is None:
            message.message_id = envelope.message_id  # rows queued before Message-IDs were kept
        if expired:
            log.warning("Mail %s: the claim from %s expired; trying again (a duplicate is "
                        "possible if that worker had sent it)", message_id, row.claimed_at)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return envelope


def _compare_and_set(message_id: int, seen_attempts: int, now, lease, **values) -> bool:
    return db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.attempts == seen_attempts,
               _due(now, lease))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def _record(envelope: Envelope, **values) -> bool:
    """Write an attempt's outcome, unless the claim was lost (it expired and another took it)."""
    try:
        done = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == envelope.id,
                   OutboxMessage.status == MessageStatus.SENDING,
                   OutboxMessage.attempts == envelope.attempts)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if not done:
        log.warning("Mail %s: the claim expired before the attempt ended; not recorded", envelope.id)
    return done


def _record_failure(envelope: Envelope, error: Exception, config) -> str:
    last_error = str(error)[:500] or type(error).__name__
    if envelope.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        _record(envelope, status=MessageStatus.FAILED, last_error=last_error)
        log.error("Giving up on mail %s to %s: %s", envelope.id, envelope.to, error)
        return "failed"
    _record(envelope, status=MessageStatus.PENDING, last_error=last_error,
            next_attempt_at=utcnow() + backoff(envelope.attempts))
    log.warning("Mail %s to %s will be retried: %s", envelope.id, envelope.to, error)
    return "retry"


def _send(envelope: Envelope, config) -> None:
    if db.session().in_transaction():
        # Network I/O inside a transaction would hold SQLite's write lock for the whole send.
        raise RuntimeError("mail is sent with no database transaction open")
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = envelope.to
    email["Subject"] = envelope.subject
    email["Message-ID"] = envelope.message_id
    if envelope.reply_to:
        email["Reply-To"] = envelope.reply_to
    for name, value in envelope.headers:
        email[name] = header_value(value)
    email.set_content(envelope.body)
    if not config["MAIL_SERVER"]:
        # Development without a mail server: the log is the mailbox.
        log.info("Mail to %s\nSubject: %s\n\n%s", envelope.to, envelope.subject, envelope.body)
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"],
                    timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def status_report(limit: int = 20) -> dict:
    """Counts by status, and the messages that need a look: pending, sending and failed."""
    now = utcnow()
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    rows = {}
    for status in (MessageStatus.PENDING, MessageStatus.SENDING, MessageStatus.FAILED):
        rows[status] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == status)
            .order_by(OutboxMessage.id.desc()).limit(limit)).all()
    return {"counts": {status: counts.get(status, 0) for status in MessageStatus},
            "rows": rows, "now": now, "lease": _lease()}


def init_app(app: Flask) -> None:
    """After a request that queued mail, send that mail from a background thread right away.

    The outbox rows are already committed, so a thread that dies with its worker loses
    nothing: its claim expires and `flask mail deliver` (cron) sends it.
    """

    @app.after_request
    def deliver_after_response(response):
        ids = take_queued()  # no query is made here
        if ids and app.config["MAIL_DELIVER_AFTER_REQUEST"]:
            thread = threading.Thread(target=_deliver_in_context, args=(app, ids),
                                      daemon=True, name="mail-delivery")
            with _running_lock:
                _running.add(thread)
            thread.start()
        return response


_running: set[threading.Thread] = set()
_running_lock = threading.Lock()


def wait_for_deliveries(timeout: float) -> int:
    """Let the after-request sends still talking to SMTP finish (a worker stopping gracefully
    calls this), at most `timeout` seconds; how many were still running then."""
    deadline = time.monotonic() + timeout
    with _running_lock:
        threads = list(_running)
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0))
    return sum(thread.is_alive() for thread in threads)


def _deliver_in_context(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        try:
            deliver_pending(ids=ids)
        except Exception:  # the cron run (flask mail deliver) picks up whatever is left
            log.exception("Mail delivery after the request failed")
            db.session.rollback()
        finally:
            with _running_lock:
                _running.discard(threading.current_thread())
