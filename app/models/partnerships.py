"""Learning partnerships: small groups of two to seven people who learn together, with no owner.

A partnership has seats 1..7: each current partner holds one (UNIQUE per partnership, CHECK
1..7) and partner_count, changed only by one conditional UPDATE (`... WHERE partner_count < 7`),
counts them (CHECK 0..7); so seven is the most however many accept at once, on either database.
Someone who left keeps their row (their turn in the convener order, the history) without a seat.

Around it: invitations, "looking for learning partners" requests (a public point only, never an
exact one), the opening questions (versioned, admin-edited) and each partner's answers, the
agreement (every edit a new version everyone accepts again), check-ins after meetings (each a
private gathering, app/gatherings), the timeline's events, and whether a person shows on their
profile how many partnerships they are in.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, DateTime, Float, ForeignKey, Index, Integer, String,
    Table, Text, UniqueConstraint, exists, select, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow, value_enum
from app.models.directory import FocusArea
from app.models.gatherings import Frequency, Mode

MAX_PARTNERS = 7


class PartnershipState(enum.StrEnum):
    FORMING = "forming"  # invitations out; fewer than two partners yet
    OPENING = "opening"  # two or more partners, the opening (answers, agreement) not done
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"  # fewer than two remained

    @property
    def label(self) -> str:
        return {"forming": "Forming", "opening": "In its opening", "active": "Active",
                "paused": "Paused", "closed": "Closed"}[self.value]

    @property
    def takes_partners(self) -> bool:
        return self in (PartnershipState.FORMING, PartnershipState.OPENING)


class InvitationState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # the partnership's opening was done, or it closed, before an answer


class RequestState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RequestMode(enum.StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    EITHER = "either"

    @property
    def label(self) -> str:
        return {"online": "Online", "in_person": "In person", "either": "Online or in person"}[self.value]

    @property
    def online(self) -> bool:
        return self != RequestMode.IN_PERSON

    @property
    def in_person(self) -> bool:
        return self != RequestMode.ONLINE


class Partnership(db.Model):
    __tablename__ = "partnerships"
    __table_args__ = (
        CheckConstraint(f"partner_count BETWEEN 0 AND {MAX_PARTNERS}", name="partner_count_range"),
        Index("ix_partnerships_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[PartnershipState] = mapped_column(value_enum(PartnershipState),
                                                    default=PartnershipState.FORMING)
    # Seats held: changed only by one conditional UPDATE (app.partnerships.forming).
    partner_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # How many times someone took a seat: each new partner's turn in the convener order.
    turns_given: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The opening questions in force when it was started (later versions are for new ones).
    question_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership_question_sets.id", ondelete="SET NULL"))
    # The agreement's current version number (its rows: AgreementVersion).
    agreement_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The private discussion: a forum thread in the hidden, private category.
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_threads.id", ondelete="SET NULL"),
                                                  unique=True)

    # The rhythm: how often, from which first date, at what local time in which zone, where.
    frequency: Mapped[Frequency | None] = mapped_column(value_enum(Frequency))
    first_date: Mapped[date | None] = mapped_column(Date)
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 Monday .. 6 Sunday (of first_date)
    start_minute: Mapped[int | None] = mapped_column(Integer)  # minutes after local midnight
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    language: Mapped[str] = mapped_column(String(40), default="English")
    mode: Mapped[Mode] = mapped_column(value_enum(Mode), default=Mode.ONLINE)
    meeting_url: Mapped[str] = mapped_column(String(500), default="")  # secret, like a gathering's
    venue_name: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(200), default="")

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"<Partnership {self.id} {self.state} {self.partner_count}>"

    @property
    def is_full(self) -> bool:
        return self.partner_count >= MAX_PARTNERS

    @property
    def has_rhythm(self) -> bool:
        return self.frequency is not None and self.first_date is not None and bool(self.time_zone)

    def has_partner(self, user_id: int) -> bool:
        """A current partner (holding a seat); someone who left is not."""
        return bool(db.session.scalar(select(exists().where(
            PartnershipMember.partnership_id == self.id, PartnershipMember.user_id == user_id,
            PartnershipMember.seat.is_not(None)))))


def partner_in_thread(user_id: int, thread_id: int) -> bool:
    """Whether the person is a current partner of the partnership whose discussion the forum
    thread is (app.permissions.can_read_thread asks it for a private category's thread)."""
    return bool(db.session.scalar(select(exists().where(
        Partnership.thread_id == thread_id, PartnershipMember.partnership_id == Partnership.id,
        PartnershipMember.user_id == user_id, PartnershipMember.seat.is_not(None)))))


class PartnershipMember(db.Model):
    """One person in one partnership, now (a seat) or before (left_at, no seat)."""

    __tablename__ = "partnership_members"
    __table_args__ = (
        UniqueConstraint("partnership_id", "user_id", name="uq_partnership_members_person"),
        # At most seven: seven seats, each held once.
        UniqueConstraint("partnership_id", "seat", name="uq_partnership_members_seat"),
        CheckConstraint(f"seat BETWEEN 1 AND {MAX_PARTNERS}", name="seat_range"),
        CheckConstraint("(seat IS NULL AND left_at IS NOT NULL) OR (seat IS NOT NULL AND left_at IS NULL)",
                        name="seat_or_left"),
        Index("ix_partnership_members_user", "user_id", "seat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    seat: Mapped[int | None] = mapped_column(Integer)
    # The convener order: conveners rotate in the order people took their seats.
    turn: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
    partnership: Mapped[Partnership] = relationship()

    @property
    def is_current(self) -> bool:
        return self.seat is not None


class PartnershipInvitation(db.Model):
    __tablename__ = "partnership_invitations"
    __table_args__ = (
        # One invitation waiting per person and partnership (two clicks, two tabs: one row).
        Index("uq_partnership_invitations_pending", "partnership_id", "to_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
        Index("ix_partnership_invitations_to", "to_id", "state"),
        Index("ix_partnership_invitations_from", "from_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    from_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[InvitationState] = mapped_column(value_enum(InvitationState),
                                                   default=InvitationState.PENDING)
    message: Mapped[str] = mapped_column(String(600), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    partnership: Mapped[Partnership] = relationship()
    sender: Mapped[User | None] = relationship(foreign_keys=[from_id])
    invitee: Mapped[User] = relationship(foreign_keys=[to_id])


partner_request_focus_areas = Table(
    "partner_request_focus_areas",
    db.metadata,
    Column("request_id", ForeignKey("partner_requests.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_areas.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class PartnerRequest(db.Model):
    """"Looking for learning partners": what a person hopes to learn, how and where. Its point is
    a public one (a ~10 km cell's centre, or the person's leader profile's public point), never
    an exact one."""

    __tablename__ = "partner_requests"
    __table_args__ = (
        Index("ix_partner_requests_state_created", "state", "created_at", "id"),
        Index("ix_partner_requests_user", "user_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    about: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    time_zone: Mapped[str] = mapped_column(String(64))
    mode: Mapped[RequestMode] = mapped_column(value_enum(RequestMode), default=RequestMode.ONLINE)
    # The public point and the town it names ("" and None when online only).
    place_name: Mapped[str] = mapped_column(String(200), default="")
    public_lat: Mapped[float | None] = mapped_column(Float)
    public_lng: Mapped[float | None] = mapped_column(Float)
    state: Mapped[RequestState] = mapped_column(value_enum(RequestState), default=RequestState.OPEN)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
    focus_areas: Mapped[list[FocusArea]] = relationship(
        secondary=partner_request_focus_areas, order_by="FocusArea.name", lazy="selectin")

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]


class OpeningQuestionSet(db.Model):
    """One version of the opening questions (admins write new ones; a partnership keeps the
    version in force when it started)."""

    __tablename__ = "partnership_question_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)  # the version people read
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    questions: Mapped[list[OpeningQuestion]] = relationship(
        order_by="OpeningQuestion.position", lazy="selectin", cascade="all, delete-orphan")


class OpeningQuestion(db.Model):
    __tablename__ = "partnership_questions"
    __table_args__ = (UniqueConstraint("set_id", "position", name="uq_partnership_questions_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("partnership_question_sets.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300))
    hint: Mapped[str] = mapped_column(String(300), default="")


class OpeningAnswer(db.Model):
    """One partner's answer to one opening question, in one partnership."""

    __tablename__ = "partnership_answers"
    __table_args__ = (
        UniqueConstraint("partnership_id", "user_id", "question_id", name="uq_partnership_answers_one"),
        Index("ix_partnership_answers_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("partnership_questions.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AgreementVersion(db.Model):
    """One version of a partnership's agreement; every edit makes the next."""

    __tablename__ = "partnership_agreements"
    __table_args__ = (UniqueConstraint("partnership_id", "number", name="uq_partnership_agreements_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(200), default="")  # what changed, in the writer's words
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    written_by: Mapped[User | None] = relationship()


class AgreementAcceptance(db.Model):
    __tablename__ = "partnership_agreement_acceptances"

    version_id: Mapped[int] = mapped_column(ForeignKey("partnership_agreements.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    accepted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CheckIn(db.Model):
    """After a meeting, one partner's line: "we met", or "we didn't, because ..."."""

    __tablename__ = "partnership_check_ins"
    __table_args__ = (
        UniqueConstraint("gathering_id", "user_id", name="uq_partnership_check_ins_one"),
        Index("ix_partnership_check_ins_partnership", "partnership_id", "created_at"),
        Index("ix_partnership_check_ins_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gatherings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    met: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class PartnershipEvent(db.Model):
    """A line of the partnership's timeline: started, joined, the opening done, paused, ..."""

    __tablename__ = "partnership_events"
    __table_args__ = (Index("ix_partnership_events_partnership", "partnership_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User | None] = relationship()


class PartnershipChoice(db.Model):
    """What a person chose about partnerships: "in N learning partnerships" on their profile."""

    __tablename__ = "partnership_choices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    show_count: Mapped[bool] = mapped_column(Boolean, default=False)
