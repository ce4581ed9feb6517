"""The gatherings' part of "download my data" and of deleting an account: the gatherings a
person hosts go with them (those coming are told it is cancelled), their RSVPs go (a place they
held is offered to the next person), and so do their calendar feed and notices."""
from __future__ import annotations

from sqlalchemy import delete, select

from app.extensions import db
from app.gatherings import covers, joining, notices
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import (
    CalendarFeed, Gathering, GatheringCohost, GatheringNotice, HostMessage, Rsvp, RsvpStatus, State,
)

LEFT_REASON = "The host has left the network, so this gathering will not take place."


def _when(moment) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def export_data(user: User) -> dict:
    hosted = db.session.scalars(select(Gathering).where(Gathering.host_id == user.id)
                                .order_by(Gathering.starts_at))
    answers = db.session.scalars(select(Rsvp).where(Rsvp.user_id == user.id).order_by(Rsvp.created_at))
    sent = db.session.scalars(select(HostMessage).where(HostMessage.sender_id == user.id)
                              .order_by(HostMessage.sent_at))
    return {"gatherings": {
        "time_zone": user.time_zone,
        "hosted": [{"id": g.id, "title": g.title, "description": g.description, "state": str(g.state),
                    "mode": str(g.mode), "starts_at": _when(g.starts_at), "ends_at": _when(g.ends_at),
                    "time_zone": g.time_zone, "venue_name": g.venue_name, "address": g.address,
                    "meeting_url": g.meeting_url, "capacity": g.capacity,
                    "cancel_reason": g.cancel_reason} for g in hosted],
        "rsvps": [{"gathering_id": r.gathering_id, "status": str(r.status), "show_name": r.show_name,
                   "answered_at": _when(r.answered_at)} for r in answers],
        "messages_to_attendees": [{"gathering_id": m.gathering_id, "subject": m.subject, "body": m.body,
                                   "sent_at": _when(m.sent_at)} for m in sent],
    }}


def forget_user(user: User) -> None:
    now = utcnow()
    for gathering in db.session.scalars(select(Gathering).where(Gathering.host_id == user.id)):
        if gathering.state == State.PUBLISHED and gathering.ends_at > now:
            gathering.state = State.CANCELLED
            gathering.cancel_reason = LEFT_REASON
            notices.tell_cancelled(gathering)
        if gathering.cover:
            covers.set_cover([gathering], None)
        db.session.delete(gathering)
    for answer in db.session.scalars(select(Rsvp).where(Rsvp.user_id == user.id,
                                                        Rsvp.status.in_([RsvpStatus.GOING, RsvpStatus.OFFERED,
                                                                         RsvpStatus.WAITLISTED]))):
        joining.leave(answer.gathering, answer)
    db.session.flush()
    for model in (Rsvp, GatheringCohost, GatheringNotice, CalendarFeed):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(HostMessage.__table__.update().where(HostMessage.sender_id == user.id)
                       .values(sender_id=None))
