"""The leader directory: profiles, their public and private locations, tags and programs."""
import enum
import math
from datetime import datetime

from sqlalchemy import (Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Table,
                        Column, Text, event, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow, value_enum


class Precision(enum.StrEnum):
    EXACT = "exact"
    CITY = "city"


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


profile_focus_areas = Table(
    "profile_focus_areas", db.metadata,
    Column("profile_id", ForeignKey("leader_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("focus_area_id", ForeignKey("focus_areas.id", ondelete="CASCADE"), primary_key=True),
)


class FocusArea(db.Model):
    """A tag for what a leader works on; admins curate the official list, leaders add free tags."""
    __tablename__ = "focus_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    official: Mapped[bool] = mapped_column(Boolean, default=False)


class Program(db.Model):
    """A program a leader can complete (admin-managed)."""
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class ProfileProgram(db.Model):
    """A program a leader says they completed; an admin may mark it verified."""
    __tablename__ = "profile_programs"

    profile_id: Mapped[int] = mapped_column(ForeignKey("leader_profiles.id", ondelete="CASCADE"),
                                            primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"),
                                            primary_key=True)
    year: Mapped[int | None] = mapped_column(Integer)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)

    program: Mapped[Program] = relationship(lazy="joined")


class LeaderProfile(db.Model):
    """A leader's public profile. lat/lng are private; public_lat/public_lng are what others see."""
    __tablename__ = "leader_profiles"
    __table_args__ = (
        # The radius search: whole-degree latitude bands, then a longitude range inside each,
        # so a box reads only its own corner of the world. It covers the count and the order
        # (grouped by point), so those never read the table itself.
        Index("ix_leader_profiles_search_band", "searchable", "lat_band", "public_lng",
              "public_lat", "works_online"),
        Index("ix_leader_profiles_listed_name", "listed", "display_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    slug: Mapped[str] = mapped_column(String(90), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    headline: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(String(280), default="")
    featured_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[str] = mapped_column(String(200), default="")  # comma-separated codes/names
    website: Mapped[str] = mapped_column(String(300), default="")
    links: Mapped[str] = mapped_column(Text, default="")  # one URL per line
    photo: Mapped[str | None] = mapped_column(String(80))  # generated file name under uploads
    works_online: Mapped[bool] = mapped_column(Boolean, default=False)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)  # False: hidden (unlisted)
    # listed and the account active, kept by set_listed and deactivate/reactivate: the search
    # reads this instead of joining users.
    searchable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    contact_enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    # Location: the place as typed, the private exact point, and the public point.
    place_name: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    country_code: Mapped[str] = mapped_column(String(2), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[Precision] = mapped_column(value_enum(Precision), default=Precision.CITY)
    public_lat: Mapped[float | None] = mapped_column(Float)
    public_lng: Mapped[float | None] = mapped_column(Float)
    # floor(public_lat), kept by the events below; Core inserts get it from their own values.
    lat_band: Mapped[int | None] = mapped_column(Integer, default=lambda context: lat_band_of(
        context.get_current_parameters().get("public_lat")))

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", backref=db.backref("leader_profile", uselist=False,
                                                   cascade="all, delete-orphan"))
    focus_areas: Mapped[list[FocusArea]] = relationship(secondary=profile_focus_areas,
                                                        order_by=FocusArea.name)
    programs: Mapped[list[ProfileProgram]] = relationship(cascade="all, delete-orphan")


def lat_band_of(public_lat: float | None) -> int | None:
    return None if public_lat is None else math.floor(public_lat)


@event.listens_for(LeaderProfile.public_lat, "set")
def _keep_lat_band(profile: LeaderProfile, value: float | None, *_args) -> None:
    profile.lat_band = lat_band_of(value)


class LeaderApplication(db.Model):
    """A member asking to become a leader; an admin approves or declines."""
    __tablename__ = "leader_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    motivation: Mapped[str] = mapped_column(Text)
    status: Mapped[ApplicationStatus] = mapped_column(value_enum(ApplicationStatus),
                                                      default=ApplicationStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class ContactMessage(db.Model):
    """A record of a visitor contacting a leader, for per-sender rate limits and abuse review."""
    __tablename__ = "contact_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("leader_profiles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
