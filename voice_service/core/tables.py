"""Tables of the shared pieces: due work, the audit log and rate-limit counters."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from voice_service.core.db.base import Base, table_of


class Job(Base):
    """One piece of due work: sent once by whichever runner claims it first."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_due", "done_at", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(50))
    #: Ids and settings only: never a person's words, never an email body.
    payload: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    due_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    #: Schedules the same job once only (for example "purge-drafts" or "invite:<id>").
    unique_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The exception's type name only: an error message may quote what a person typed.
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class AuditEvent(Base):
    """Who did what to which record, when and from where; never any content."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_actor_id", "actor_id"),
        Index("ix_audit_event_action", "action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    #: The staff account (None for the system, an unknown email or a CLI run without an account).
    actor_id: Mapped[uuid.UUID | None] = mapped_column(GUID, nullable=True)
    #: The actor as shown in the log (their email at the time, "system", "cli").
    actor_label: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(64), default="")
    target_id: Mapped[str] = mapped_column(String(200), default="")
    #: The client address of the request, when there was one.
    address: Mapped[str] = mapped_column(String(64), default="")


class RateCounter(Base):
    """A fixed-window counter kept in the database, so limits survive restarts and span workers."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    count: Mapped[int] = mapped_column(Integer, default=0)


JOBS = table_of(Job)
AUDIT_EVENTS = table_of(AuditEvent)
RATE_COUNTERS = table_of(RateCounter)
