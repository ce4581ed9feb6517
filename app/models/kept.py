"""Forms kept when they could not be sent: an expired session or form token must never lose typed text."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class KeptForm(db.Model):
    """What someone typed into a form that was refused for its session or token, so the same
    form can be shown filled again (after logging in, if need be). Found only by its random
    token, which is only ever in that person's own address bar; passwords are never kept."""
    __tablename__ = "kept_forms"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Nobody until the person is known: the first logged-in person to open it becomes its owner.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    data: Mapped[str] = mapped_column(Text)  # JSON: [[name, value], ...]
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
