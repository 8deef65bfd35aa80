"""Training tables: course, training_session, delegate and invitation.

A delegate's name, email and organisation are erased when retention ends; the pseudonym stays,
so their evaluation and follow-up stay paired for analysis without saying who answered.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voice_service.core.db.base import Base, table_of


class Course(Base):
    """A course the partnership runs, with the surveys that evaluate it."""

    __tablename__ = "course"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The name case-folded with spacing collapsed: two courses cannot differ only by case or spaces.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    #: Slugs of a `course_evaluation` and a `follow_up` survey definition.
    evaluation_survey: Mapped[str] = mapped_column(String(100))
    follow_up_survey: Mapped[str] = mapped_column(String(100))
    follow_up_days: Mapped[int] = mapped_column(Integer, default=182)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class TrainingSession(Base):
    """One delivery of a course on a date."""

    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint("mode IN ('online', 'face_to_face', 'e_learning')", name="mode"),
        Index("ix_training_session_course_id_date", "course_id", "date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course.id"))
    date: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(20))
    trainer: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    #: The code in the session link shown in the room (URL and QR code); made when first shown.
    link_code: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)


class Delegate(Base):
    """A person booked on a session; identifiable fields are None once erased."""

    __tablename__ = "delegate"
    __table_args__ = (UniqueConstraint("session_id", "email", name="uq_delegate_session_id_email"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("training_session.id"))
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Lower-cased work email: the key an import matches on within a session.
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: One of the configured sectors (kept after erasure: reports count learners by sector).
    sector: Mapped[str] = mapped_column(String(100))
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Random, made with the delegate, never shown: pairs evaluation and follow-up (response.respondent_key).
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    #: When retention erased name, email and organisation (None while they are kept).
    erased_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class Invitation(Base):
    """A delegate's invitation to one survey: at most one evaluation and one follow-up each.

    State moves scheduled -> sent (or failed, then scheduled again on a resend) -> answered or
    expired. The links that open it are in invitation_link, stored only as hashes.
    """

    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("delegate_id", "kind", name="uq_invitation_delegate_id_kind"),
        CheckConstraint("kind IN ('evaluation', 'follow_up')", name="kind"),
        CheckConstraint("state IN ('scheduled', 'sent', 'failed', 'answered', 'expired')", name="state"),
        Index("ix_invitation_state_due_at", "state", "due_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    delegate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="scheduled")
    #: When the first email is due (evaluation: the session date; follow-up: that plus the course's delay).
    due_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    #: Why the last email could not be sent: an error type name (never a message, which may quote an address).
    failure: Mapped[str | None] = mapped_column(String(100), nullable=True)
    #: The response given through this link (response.id); no foreign key across domains.
    answered_response_id: Mapped[uuid.UUID | None] = mapped_column(GUID, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class InvitationLink(Base):
    """A secret that opens an invitation: an emailed link's token, or the cookie a link was swapped for.

    Only the SHA-256 of the secret is stored, so a copy of the database opens nothing.
    """

    __tablename__ = "invitation_link"
    __table_args__ = (CheckConstraint("purpose IN ('email', 'browser')", name="purpose"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    invitation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


COURSES = table_of(Course)
SESSIONS = table_of(TrainingSession)
DELEGATES = table_of(Delegate)
INVITATIONS = table_of(Invitation)
INVITATION_LINKS = table_of(InvitationLink)
