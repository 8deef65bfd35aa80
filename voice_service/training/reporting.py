"""Read-only queries for the training reports: courses, sessions, delegates and follow-ups as frames.

No names or emails leave here: a delegate is their id, sector, organisation, attendance and
pseudonymous key (which pairs their answers).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.frames import rows_frame
from analysis.lazy import LazyModule
from voice_service.core.db.plain import fetch_plain, raw
from voice_service.training.tables import COURSES, DELEGATES, INVITATIONS, SESSIONS

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")


@dataclass(frozen=True)
class TrainingFrames:
    """The sessions held between two dates, their courses, delegates and follow-up invitations."""

    courses: pd.DataFrame
    sessions: pd.DataFrame
    delegates: pd.DataFrame
    follow_up_invitations: pd.DataFrame


def id_text(value: object) -> str:
    """An id read raw (bytes on SQLite, the driver's UUID on PostgreSQL) as the usual text form."""
    return str(uuid.UUID(bytes=value)) if isinstance(value, bytes) else str(value)


def _frame(rows: Sequence[Sequence[object]], columns: list[str]) -> pd.DataFrame:
    """Rows as a frame of plain object columns (empty with the columns when there are none)."""
    return rows_frame(rows, columns)


def _session_of_delegate(dialect: str, *, scan: bool) -> ColumnElement[Any]:
    """The delegate's session column; on SQLite, when `scan`, written so the planner reads the table through.

    Why: SQLite otherwise finds each delegate of the chosen sessions through the (session, email)
    index, then the row itself: two probes per delegate, 0.15 s of its CPU for 100,000. Reading
    every row in order costs 0.05 s for 100,000, so it is cheaper whenever a good share of the
    sessions is chosen (a quarter or more, by the sessions' count). SQLite's unary `+` keeps the
    value and only stops the index being used.
    """
    if dialect == "sqlite" and scan:
        return literal_column(f"+{DELEGATES.name}.{DELEGATES.c.session_id.name}")
    return DELEGATES.c.session_id


@dataclass(frozen=True)
class TrainingRows:
    """The rows `training_frames` reads, as the driver gives them: made into frames apart (`frames`)."""

    courses: Sequence[Sequence[object]]
    sessions: Sequence[Sequence[object]]
    delegates: Sequence[Sequence[object]]
    follow_up_invitations: Sequence[Sequence[object]]

    def frames(self) -> TrainingFrames:
        """The rows as frames (this is where pandas is first needed)."""
        return TrainingFrames(
            _frame(self.courses, ["course_id", "course", "evaluation_survey", "follow_up_survey"]),
            _frame(self.sessions, ["session_id", "course_id", "date", "mode"]),
            _frame(self.delegates, ["delegate_id", "session_id", "sector", "organisation", "attended", "pseudonym"]),
            _frame(self.follow_up_invitations, ["delegate_id", "sent"]),
        )


async def training_rows(engine: AsyncEngine, start: date, end: date) -> TrainingRows:
    """The rows of everything the report counts for sessions dated from `start` to `end` (both included).

    Why no frames here: a fresh process imports pandas on a thread meanwhile; making a frame on the
    event loop before that import is done would hold the loop, and with it every other read, until it is.
    """
    # Why raw ids: they are only join keys here, and a UUID object per delegate costs seconds at 100,000.
    in_range = select(SESSIONS.c.id).where(SESSIONS.c.date >= start, SESSIONS.c.date <= end)
    sessions_q = select(raw(SESSIONS.c.id), raw(SESSIONS.c.course_id), SESSIONS.c.date, SESSIONS.c.mode).where(
        SESSIONS.c.id.in_(in_range)
    )
    courses_q = select(
        raw(COURSES.c.id), COURSES.c.name, COURSES.c.evaluation_survey, COURSES.c.follow_up_survey
    ).where(COURSES.c.id.in_(select(SESSIONS.c.course_id).where(SESSIONS.c.id.in_(in_range))))
    share = select(func.count().filter(SESSIONS.c.date >= start, SESSIONS.c.date <= end), func.count())
    follow_ups_q = (
        select(raw(INVITATIONS.c.delegate_id), INVITATIONS.c.sent_at.is_not(None))
        .join(DELEGATES, DELEGATES.c.id == INVITATIONS.c.delegate_id)
        .where(INVITATIONS.c.kind == "follow_up", DELEGATES.c.session_id.in_(in_range))
    )
    async with engine.connect() as conn:
        chosen, every = (await conn.execute(share.select_from(SESSIONS))).one()
        session = _session_of_delegate(engine.dialect.name, scan=chosen * 4 >= every)
        delegates_q = select(
            raw(DELEGATES.c.id),
            raw(DELEGATES.c.session_id),
            DELEGATES.c.sector,
            DELEGATES.c.organisation,
            DELEGATES.c.attended,
            DELEGATES.c.pseudonym,
        ).where(session.in_(in_range))
        courses = [tuple(r) for r in await conn.execute(courses_q)]
        sessions = [tuple(r) for r in await conn.execute(sessions_q)]
        # Why straight from the cursor: 100,000 delegates as SQLAlchemy rows cost a quarter of a second.
        delegates = await fetch_plain(conn, delegates_q)
        invitations = [tuple(r) for r in await conn.execute(follow_ups_q)]
    return TrainingRows(courses, sessions, delegates, invitations)


async def training_frames(engine: AsyncEngine, start: date, end: date) -> TrainingFrames:
    """Everything the report counts for sessions dated from `start` to `end` (both included)."""
    return (await training_rows(engine, start, end)).frames()


async def course_surveys(engine: AsyncEngine, start: date, end: date) -> set[str]:
    """The evaluation and follow-up surveys of the courses with a session dated from `start` to `end`."""
    in_range = select(SESSIONS.c.course_id).where(SESSIONS.c.date >= start, SESSIONS.c.date <= end)
    query = select(COURSES.c.evaluation_survey, COURSES.c.follow_up_survey).where(COURSES.c.id.in_(in_range))
    async with engine.connect() as conn:
        return {slug for row in await conn.execute(query) for slug in row if slug}


async def delegate_places(engine: AsyncEngine, slug: str) -> dict[str, tuple[str, date]]:
    """The course name and session date of each delegate key of the courses whose evaluation or follow-up is `slug`."""
    query = (
        select(DELEGATES.c.pseudonym, COURSES.c.name, SESSIONS.c.date)
        .join(SESSIONS, SESSIONS.c.id == DELEGATES.c.session_id)
        .join(COURSES, COURSES.c.id == SESSIONS.c.course_id)
        .where((COURSES.c.evaluation_survey == slug) | (COURSES.c.follow_up_survey == slug))
    )
    async with engine.connect() as conn:
        # Why straight from the cursor: one SQLAlchemy row per delegate costs seconds at 100,000.
        rows = await fetch_plain(conn, query)
    return {key: (name, _day(day)) for key, name, day in rows}


def _day(value: object) -> date:
    """A date as the driver gives it read raw (text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def session_span(engine: AsyncEngine) -> tuple[date, date] | None:
    """The first and last session dates, or None when there are no sessions."""
    async with engine.connect() as conn:
        first, last = (await conn.execute(select(func.min(SESSIONS.c.date), func.max(SESSIONS.c.date)))).one()
    return (first, last) if first is not None and last is not None else None
