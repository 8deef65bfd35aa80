"""Survey tables. Answers are stored one row per answer piece so analysis never parses JSON row by row."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from voice_service.core.db.base import Base, table_of


class SurveyVersion(Base):
    """Every version of every survey definition ever served, kept so old responses stay readable."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("slug", "version", name="uq_survey_version_slug_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[dict[str, Any]] = mapped_column(JsonB)
    first_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class Response(Base):
    """One submitted response. Anonymous unless the respondent context says otherwise."""

    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_survey_slug_submitted_at", "survey_slug", "submitted_at"),
        # Why only where set (migration 0012): NULL for every anonymous response, searched only for a value.
        *(
            Index(f"ix_response_{column}", column, sqlite_where=set_only, postgresql_where=set_only)
            for column, set_only in (
                ("invitation_id", text("invitation_id IS NOT NULL")),
                ("respondent_key", text("respondent_key IS NOT NULL")),
            )
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    #: Kept beside the version so listing a survey's responses needs no join.
    survey_slug: Mapped[str] = mapped_column(String(100))
    submission_key: Mapped[str] = mapped_column(String(128), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    #: Who answered: "anonymous", or "delegate" through a personal or session link.
    respondent: Mapped[str] = mapped_column(String(20), default="anonymous")
    #: The delegate's invitation (training evaluations); never set for young people.
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(GUID, nullable=True)
    #: The delegate's pseudonymous key: pairs an evaluation with its follow-up after names and emails are erased.
    respondent_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: A follow-up points at the response it follows up.
    linked_response_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("response.id"), nullable=True)


class Answer(Base):
    """One piece of an answer: a choice, a matrix row, a ranked place, a number or a text."""

    __tablename__ = "answer"
    # Why without rowid on SQLite (migration 0012): answers are only found by their key, so the key is the table.
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Matrix row id; empty for every other type.
    row_key: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    #: Order of a ticked option, or the rank of a ranked one; 0 otherwise.
    position: Mapped[int] = mapped_column(Integer, primary_key=True, default=0)
    value_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The number answered, or the 1-based position of the chosen option on its scale.
    value_number: Mapped[float | None] = mapped_column(Float, nullable=True)


class Draft(Base):
    """Answers in progress, kept on the server between pages; deleted when submitted."""

    __tablename__ = "draft"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    visited: Mapped[list[int]] = mapped_column(JsonB, default=list)
    submission_key: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)


#: How many measured cells a response's copy holds (the shipped surveys measure at most 8); more are read live.
MEASURED_SLOTS = 16


#: A keyed response's `measure:`-tagged cells in one row: the training report's read-optimised copy of
#: `answer`, kept by due work (voice_service.surveys.measured). `codes` holds a character per cell (the
#: option's place in the layout's options, "-" unanswered, "~" in `texts`); `texts` is a JSON array of
#: the cells that are not coded choices (null when there are none). `layout` names the cells and their
#: options; a row whose layout is not its survey's current one is ignored. Deleting any answer of the
#: response deletes the row (a trigger of migration 0009), so retention never leaves a copy behind.
RESPONSE_MEASURES = Table(
    "response_measures",
    Base.metadata,
    Column("response_id", GUID, ForeignKey("response.id", ondelete="CASCADE"), primary_key=True),
    Column("layout", String(64), nullable=False),
    Column("codes", Text, nullable=True),
    Column("texts", Text, nullable=True),
    # Why without rowid on SQLite: a copy is only ever found by its response id, so the key is the table.
    sqlite_with_rowid=False,
)

SURVEY_VERSIONS = table_of(SurveyVersion)
RESPONSES = table_of(Response)
ANSWERS = table_of(Answer)
DRAFTS = table_of(Draft)

#: Who holds submission keys: (key, response id, survey slug, version); callers add the keys' filter.
KEY_HOLDERS: Select[tuple[str, uuid.UUID, str, str]] = select(
    RESPONSES.c.submission_key, RESPONSES.c.id, RESPONSES.c.survey_slug, SURVEY_VERSIONS.c.version
).join(SURVEY_VERSIONS, SURVEY_VERSIONS.c.id == RESPONSES.c.survey_version_id)
