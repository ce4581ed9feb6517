"""Gatherings: online and local meetings that leaders host and members join. A series (weekly,
every two weeks, monthly) is a row of gathering_series and one Gathering per occurrence, each
with its own RSVPs; times are stored in UTC with the IANA zone they were entered in."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, String, Table, Text,
    UniqueConstraint, event, exists, select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.geo.cells import cell_of
from app.models.accounts import User
from app.models.base import utcnow, value_enum
from app.models.directory import FocusArea


class Mode(enum.StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {"online": "Online", "in_person": "In person", "both": "Online and in person"}[self.value]

    @property
    def online(self) -> bool:
        return self in (Mode.ONLINE, Mode.BOTH)

    @property
    def in_person(self) -> bool:
        return self in (Mode.IN_PERSON, Mode.BOTH)


class State(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    # "Past" is no stored state: a published gathering whose end is behind us.


class Frequency(enum.StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"  # every two weeks
    MONTHLY = "monthly"  # the same weekday of the month ("second Tuesday")


class RsvpStatus(enum.StrEnum):
    GOING = "going"
    NOT_GOING = "not_going"  # "Can't go", or cancelled after going
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # a freed place held for them until offer_expires_at
    PENDING = "pending"  # waiting for the host's approval
    DECLINED = "declined"  # the host said no

    @property
    def label(self) -> str:
        return {"going": "Going", "not_going": "Can't go", "waitlisted": "On the waitlist",
                "offered": "Offered a place", "pending": "Waiting for the host",
                "declined": "Declined by the host"}[self.value]


# The places that hold a seat: capacity counts these (going_count).
HOLDS_A_PLACE = (RsvpStatus.GOING, RsvpStatus.OFFERED)


gathering_focus_areas = Table(
    "gathering_focus_areas",
    db.metadata,
    Column("gathering_id", ForeignKey("gatherings.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_areas.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class GatheringSeries(db.Model):
    """What a repeating gathering's occurrences share: the rule their dates follow."""

    __tablename__ = "gathering_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    frequency: Mapped[Frequency] = mapped_column(value_enum(Frequency))
    time_zone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Gathering(db.Model):
    """One meeting at one time: a lone gathering or one occurrence of a series."""

    __tablename__ = "gatherings"
    __table_args__ = (
        # Upcoming published ones, soonest first (the list, the API, the feeds).
        Index("ix_gatherings_state_starts", "state", "starts_at", "id"),
        Index("ix_gatherings_state_ends", "state", "ends_at", "id"),
        # In-person ones near a place: by grid cell, then time.
        Index("ix_gatherings_cell", "cell_y", "cell_x", "starts_at"),
        Index("ix_gatherings_host_starts", "host_id", "starts_at"),
        Index("ix_gatherings_series_starts", "series_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across every change: the calendar files' UID.
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("gathering_series.id", ondelete="SET NULL"))
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    cover: Mapped[str | None] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(40), default="English")
    mode: Mapped[Mode] = mapped_column(value_enum(Mode), default=Mode.ONLINE)
    state: Mapped[State] = mapped_column(value_enum(State), default=State.DRAFT)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    # Naive UTC; time_zone is the IANA zone the host entered them in.
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    time_zone: Mapped[str] = mapped_column(String(64))

    # In person: public by nature.
    venue_name: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    place_name: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    cell_y: Mapped[int | None] = mapped_column(Integer)
    cell_x: Mapped[int | None] = mapped_column(Integer)
    # Online: SECRET. Only hosts and those going see it, through their personal join address.
    meeting_url: Mapped[str] = mapped_column(String(500), default="")

    capacity: Mapped[int | None] = mapped_column(Integer)
    rsvp_deadline: Mapped[datetime | None] = mapped_column(DateTime)  # naive UTC
    approval_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Places held (going + offered): changed only by one conditional UPDATE, so capacity holds.
    going_count: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_count: Mapped[int] = mapped_column(Integer, default=0)

    # A learning partnership's own meeting (app/partnerships): private to its partners, who
    # each hold a "going" RSVP; never listed, in feeds, the API or the sitemap.
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)

    # The calendar files' SEQUENCE: grows with every change people would care about.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic concurrency for the host's edit form (two tabs, two co-hosts).
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    host: Mapped[User] = relationship(foreign_keys=[host_id])
    series: Mapped[GatheringSeries | None] = relationship()
    focus_areas: Mapped[list[FocusArea]] = relationship(
        secondary=gathering_focus_areas, order_by="FocusArea.name", lazy="selectin")
    cohosts: Mapped[list[User]] = relationship(
        secondary="gathering_cohosts", order_by="User.display_name", lazy="selectin")

    def __repr__(self) -> str:
        return f"<Gathering {self.id} {self.title!r} {self.starts_at:%Y-%m-%d %H:%M}>"

    @property
    def is_past(self) -> bool:
        return self.ends_at <= utcnow()

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.going_count >= self.capacity

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.going_count)

    @property
    def is_public(self) -> bool:
        """Listed, in feeds and the API: published or cancelled (a cancelled one says so)."""
        return self.state in (State.PUBLISHED, State.CANCELLED)

    @property
    def is_private(self) -> bool:
        return self.partnership_id is not None

    def invites(self, user_id: int) -> bool:
        """A private gathering's partners: the people with an RSVP for it."""
        return bool(db.session.scalar(select(exists().where(
            Rsvp.gathering_id == self.id, Rsvp.user_id == user_id))))

    def host_ids(self) -> set[int]:
        return {self.host_id, *(person.id for person in self.cohosts)}


class GatheringCohost(db.Model):
    __tablename__ = "gathering_cohosts"

    gathering_id: Mapped[int] = mapped_column(
        ForeignKey("gatherings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class Rsvp(db.Model):
    """One person's answer to one gathering; one row per person and gathering."""

    __tablename__ = "gathering_rsvps"
    __table_args__ = (
        UniqueConstraint("gathering_id", "user_id", name="uq_gathering_rsvps_gathering_user"),
        # The waitlist in order (first come first served) and the attendee list.
        Index("ix_gathering_rsvps_gathering_status", "gathering_id", "status", "queued_at", "id"),
        Index("ix_gathering_rsvps_user_status", "user_id", "status"),
        Index("ix_gathering_rsvps_offer_expires", "status", "offer_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gatherings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[RsvpStatus] = mapped_column(value_enum(RsvpStatus))
    # Shown by name to other attendees (off: counted only).
    show_name: Mapped[bool] = mapped_column(Boolean, default=True)
    # The personal join address's token (secret, per person and gathering).
    join_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # When they last answered (the attendee list's "RSVP time").
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # When they joined the waitlist: its order.
    queued_at: Mapped[datetime | None] = mapped_column(DateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime)

    gathering: Mapped[Gathering] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Rsvp {self.user_id} {self.status} for {self.gathering_id}>"


class GatheringNotice(db.Model):
    """A mail or notice sent to one person about one gathering: reminders and change notices are
    each sent once (the unique key is claimed before sending)."""

    __tablename__ = "gathering_notices"
    __table_args__ = (
        UniqueConstraint("gathering_id", "user_id", "key", name="uq_gathering_notices_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gatherings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "remind-24h", "remind-1h", "changed-<sequence>", "cancelled", "offer-<rsvp id>-<n>"
    key: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HostMessage(db.Model):
    """A host's message to the attendees, through the outbox (rate-limited)."""

    __tablename__ = "gathering_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gatherings.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CalendarFeed(db.Model):
    """A person's own calendar feed of the gatherings they go to, at a secret address."""

    __tablename__ = "gathering_calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The address's secret: shown on the person's calendar page, replaced when they reset it.
    secret: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


@event.listens_for(Gathering.lat, "set")
def _keep_cell_for_lat(gathering: Gathering, value: float | None, *_args) -> None:
    gathering.cell_y, gathering.cell_x = _cell(value, gathering.lng)


@event.listens_for(Gathering.lng, "set")
def _keep_cell_for_lng(gathering: Gathering, value: float | None, *_args) -> None:
    gathering.cell_y, gathering.cell_x = _cell(gathering.lat, value)


def _cell(lat: float | None, lng: float | None) -> tuple[int | None, int | None]:
    if lat is None or lng is None:
        return None, None
    return cell_of(lat, lng)
