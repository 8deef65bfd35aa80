"""Voice tables: "You Said / We Did" records, their history, and young people's anonymous feedback on them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voice_service.core.db.base import Base, table_of

STATE_CHECK = "state IN ('draft', 'submitted', 'returned', 'approved', 'published', 'closed')"


class VoiceRecord(Base):
    """One "You Said / We Did" record: what young people said and what partners did about it.

    Every text field is plain text as typed; pages escape it and never render it as markup.
    """

    __tablename__ = "voice_record"
    __table_args__ = (
        CheckConstraint(STATE_CHECK, name="state"),
        Index("ix_voice_record_state_due_on", "state", "due_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    #: The group or source, e.g. "Care Experienced Young People".
    source: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200))
    said: Mapped[str] = mapped_column(Text)
    #: How many young people it rests on (None when not known); shown publicly only from 5 up.
    people_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: survey, ballot, meeting, group_session or other.
    evidence_kind: Mapped[str] = mapped_column(String(20), default="other")
    #: For evidence from analysis: the survey slug and question id the record started from.
    evidence_survey: Mapped[str | None] = mapped_column(String(100), nullable=True)
    evidence_question: Mapped[str | None] = mapped_column(String(64), nullable=True)
    evidence_period: Mapped[str] = mapped_column(String(100), default="")
    #: Counts filled in from analysis, or the meeting or session the editor typed.
    evidence_detail: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[str] = mapped_column(Text, default="")
    owner_organisation: Mapped[str] = mapped_column(String(200), default="")
    owner_officer: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    feedback_given_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    easy_read: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(20), default="draft")
    #: Who drafted it: they may not approve or publish it.
    drafted_by: Mapped[uuid.UUID | None] = mapped_column(GUID, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    #: Bumped by every change, so two reviewers acting at once cannot both move it.
    revision: Mapped[int] = mapped_column(Integer, default=1)


class VoiceRecordEvent(Base):
    """One step of a record's history: who moved it from which state to which, when, and why."""

    __tablename__ = "voice_record_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("voice_record.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(GUID, nullable=True)
    actor_label: Mapped[str] = mapped_column(String(320))
    #: Empty for the creation of the draft.
    from_state: Mapped[str] = mapped_column(String(20), default="")
    to_state: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")


class VoiceFeedback(Base):
    """One anonymous answer to "Did this make a difference?" under a published record.

    Only the answer and the day: no address, no cookie, nothing that could tell who answered.
    """

    __tablename__ = "voice_feedback"
    __table_args__ = (CheckConstraint("answer IN ('yes', 'a_bit', 'no')", name="answer"),)

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("voice_record.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(10))
    answered_on: Mapped[date] = mapped_column(Date)


class AnswerSentiment(Base):
    """TextBlob's reading of one free-text answer, computed once by due work after the answer is stored.

    Keyed like the answer it reads (response, question, row, position); no foreign key across domains.
    """

    __tablename__ = "answer_sentiment"
    __table_args__ = (Index("ix_answer_sentiment_survey_slug_question_id", "survey_slug", "question_id"),)

    response_id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    position: Mapped[int] = mapped_column(Integer, primary_key=True, default=0)
    survey_slug: Mapped[str] = mapped_column(String(100))
    #: -1 (negative) to 1 (positive), and 0 (objective) to 1 (subjective).
    polarity: Mapped[float] = mapped_column(Float)
    subjectivity: Mapped[float] = mapped_column(Float)
    scored_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


RECORDS = table_of(VoiceRecord)
EVENTS = table_of(VoiceRecordEvent)
FEEDBACK = table_of(VoiceFeedback)
SENTIMENTS = table_of(AnswerSentiment)
