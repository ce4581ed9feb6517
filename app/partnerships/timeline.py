"""A partnership's timeline, newest first: its events (started, joined, the opening done, the
agreement's versions, the rhythm, pauses, someone leaving) and its meetings with the partners'
check-ins."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.gatherings import Gathering
from app.models.partnerships import CheckIn, Partnership, PartnershipEvent
from app.partnerships import meetings

WORDS = {
    "started": "{name} started the partnership",
    "joined": "{name} joined",
    "active": "The opening is done: the partnership is active",
    "agreement": "{name} wrote a new version of the agreement ({detail})",
    "rhythm": "{name} set the rhythm: {detail}",
    "paused": "{name} paused the partnership",
    "resumed": "{name} resumed the partnership",
    "left": "{name} left",
    "closed": "The partnership closed",
}


@dataclass
class Line:
    at: datetime
    text: str = ""
    meeting: Gathering | None = None
    check_ins: list[CheckIn] = field(default_factory=list)


def lines(partnership: Partnership, limit: int = 60) -> list[Line]:
    events = db.session.scalars(select(PartnershipEvent).where(PartnershipEvent.partnership_id == partnership.id)
                                .options(selectinload(PartnershipEvent.user))
                                .order_by(PartnershipEvent.at.desc(), PartnershipEvent.id.desc()).limit(limit)).all()
    found = [Line(event.at, WORDS.get(event.kind, event.kind).format(
        name=event.user.display_name if event.user else "A former partner", detail=event.detail))
        for event in events]
    said = meetings.check_ins(partnership)
    found += [Line(meeting.starts_at, meeting=meeting, check_ins=said.get(meeting.id, []))
              for meeting in meetings.past_meetings(partnership, limit)]
    found.sort(key=lambda line: line.at, reverse=True)
    return found[:limit]
