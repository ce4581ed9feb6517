"""The outbox: every message the site sends, written in the sender's transaction."""
import enum
from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow, value_enum


class MessageStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    reply_to: Mapped[str | None] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(40), default="general")
    # A mail's own one-click unsubscribe address (a forum thread's follow), when it is not the
    # kind's: List-Unsubscribe names it.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # Chosen when queued and sent on every attempt, so a retry after a crash mid-send
    # can be recognised as the same message by the receiving side.
    message_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[MessageStatus] = mapped_column(
        value_enum(MessageStatus),
        default=MessageStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # When a worker claimed it for sending; a claim older than MAIL_CLAIM_LEASE has expired
    # (the worker died) and the message is tried again.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
