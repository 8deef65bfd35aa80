"""Safeguarding tables: alerts raised by screening, their status changes, and the deletion log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voice_service.core.db.base import Base, table_of


class SafeguardingAlert(Base):
    """A free-text answer that may disclose harm: the words stay in the answer row, never here."""

    __tablename__ = "safeguarding_alert"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", name="uq_safeguarding_alert_response_question"),
        Index("ix_safeguarding_alert_status_created_on", "status", "created_on"),
    )

    #: Random (UUIDv4): ids must not give away the order of anonymous responses.
    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    response_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("response.id"))
    survey_slug: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(64))
    #: Category names, in the phrase file's order.
    categories: Mapped[list[str]] = mapped_column(JsonB)
    #: [{"category", "phrase", "start", "end"}]: where the words are in the answer, not the words.
    matches: Mapped[list[dict[str, Any]]] = mapped_column(JsonB)
    #: As coarse as the response's own time (the hour, for an anonymous survey).
    created_on: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    #: new -> acknowledged -> actioned | no_concern
    status: Mapped[str] = mapped_column(String(20), default="new")
    #: When it became actioned or no_concern (retention counts from here).
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    #: When the safeguarding address was emailed; None until then (the notify job's work list).
    notified_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True, index=True)


class SafeguardingAlertChange(Base):
    """One change of an alert's status: who, when and their note."""

    __tablename__ = "safeguarding_alert_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(
        GUID, ForeignKey("safeguarding_alert.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(GUID, nullable=True)
    actor_label: Mapped[str] = mapped_column(String(320))
    note: Mapped[str] = mapped_column(Text, default="")


class DeletionLog(Base):
    """What retention deleted: what, when and how many; never any content."""

    __tablename__ = "deletion_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    what: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)
    #: The rule that applied, e.g. "older than 24 months".
    rule: Mapped[str] = mapped_column(String(200), default="")


ALERTS = table_of(SafeguardingAlert)
ALERT_CHANGES = table_of(SafeguardingAlertChange)
DELETION_LOG = table_of(DeletionLog)
