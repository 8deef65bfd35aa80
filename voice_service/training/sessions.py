"""Sessions of a course: create, change, list, and a session with its delegates (an audited view)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.core.audit import Actor, Target, audit
from voice_service.training import rules
from voice_service.training.courses import CourseInfo, NotFound, load_course
from voice_service.training.rules import Invalid
from voice_service.training.tables import DELEGATES, SESSIONS


@dataclass(frozen=True)
class SessionFields:
    """A session's checked fields."""

    date: date
    mode: str
    trainer: str
    capacity: int


@dataclass(frozen=True)
class SessionInfo:
    """A session with how many delegates it has and how many attended."""

    id: uuid.UUID
    course_id: uuid.UUID
    date: date
    mode: str
    trainer: str
    capacity: int
    created_at: datetime
    delegates: int = 0
    attendees: int = 0

    @property
    def mode_label(self) -> str:
        """The delivery mode in words."""
        return rules.MODES.get(self.mode, self.mode)


@dataclass(frozen=True)
class DelegateInfo:
    """A delegate as the session page and API show them (None where retention erased it)."""

    id: uuid.UUID
    session_id: uuid.UUID
    name: str | None
    email: str | None
    organisation: str | None
    sector: str
    attended: bool


@dataclass(frozen=True)
class CourseSessions:
    """A course and its sessions, newest first."""

    course: CourseInfo
    sessions: list[SessionInfo]


@dataclass(frozen=True)
class SessionDelegates:
    """A session, its course and its delegates by name."""

    course: CourseInfo
    session: SessionInfo
    delegates: list[DelegateInfo]


def clean_session(values: Mapping[str, Any]) -> SessionFields:
    """A session's fields from a form or JSON, or Invalid with every problem."""
    errors: rules.Errors = {}
    day = rules.session_date(values.get("date"), errors)
    mode = rules.mode(values.get("mode"), errors)
    trainer = rules.text(values.get("trainer"), "Trainer", errors, "trainer")
    capacity = rules.whole_number(
        values.get("capacity"), "Capacity", rules.MIN_CAPACITY, rules.MAX_CAPACITY, errors, "capacity"
    )
    if errors:
        raise Invalid(errors)
    return SessionFields(day, mode, trainer, capacity)


def _with_numbers() -> Any:
    attended = func.coalesce(func.sum(case((DELEGATES.c.attended.is_(True), 1), else_=0)), 0)
    return (
        select(SESSIONS, func.count(DELEGATES.c.id).label("delegates"), attended.label("attendees"))
        .select_from(SESSIONS.outerjoin(DELEGATES, DELEGATES.c.session_id == SESSIONS.c.id))
        .group_by(*SESSIONS.c)
    )


def _info(row: Row[Any]) -> SessionInfo:
    return SessionInfo(
        row.id,
        row.course_id,
        row.date,
        row.mode,
        row.trainer,
        row.capacity,
        row.created_at,
        int(row.delegates or 0),
        int(row.attendees or 0),
    )


async def load_session(conn: AsyncConnection, session_id: uuid.UUID) -> SessionInfo:
    """One session with its numbers, or NotFound."""
    row = (await conn.execute(_with_numbers().where(SESSIONS.c.id == session_id))).first()
    if row is None:
        raise NotFound("No session with that id")
    return _info(row)


async def get_session(engine: AsyncEngine, session_id: uuid.UUID) -> SessionInfo:
    """One session with its numbers, or NotFound."""
    async with engine.connect() as conn:
        return await load_session(conn, session_id)


async def course_sessions(engine: AsyncEngine, course_id: uuid.UUID) -> CourseSessions:
    """A course and its sessions, newest first (NotFound for an unknown course)."""
    async with engine.connect() as conn:
        course = await load_course(conn, course_id)
        statement = _with_numbers().where(SESSIONS.c.course_id == course_id)
        rows = (await conn.execute(statement.order_by(SESSIONS.c.date.desc(), SESSIONS.c.created_at.desc()))).all()
    return CourseSessions(course, [_info(r) for r in rows])


async def session_with_course(engine: AsyncEngine, session_id: uuid.UUID) -> tuple[CourseInfo, SessionInfo]:
    """A session and its course (NotFound for an unknown session): no delegate is shown, so nothing is audited."""
    async with engine.connect() as conn:
        session = await load_session(conn, session_id)
        return await load_course(conn, session.course_id), session


async def create_session(
    engine: AsyncEngine, course_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor, address: str = ""
) -> SessionInfo:
    """Check and store a new session of a course (NotFound before Invalid); audited."""
    session_id = uuid.uuid4()
    async with engine.begin() as conn:
        await load_course(conn, course_id)
        fields = clean_session(values)
        row = {**fields.__dict__, "id": session_id, "course_id": course_id, "created_at": datetime.now(UTC)}
        await conn.execute(insert(SESSIONS).values(**row))
        await audit(conn, actor, "training.session.create", Target("training_session", str(session_id)), address)
        return await load_session(conn, session_id)


async def change_session(
    engine: AsyncEngine, session_id: uuid.UUID, values: Mapping[str, Any], *, actor: Actor, address: str = ""
) -> SessionInfo:
    """Check and store a session's new fields (NotFound before Invalid); audited."""
    async with engine.begin() as conn:
        await load_session(conn, session_id)
        fields = clean_session(values)
        await conn.execute(update(SESSIONS).where(SESSIONS.c.id == session_id).values(**fields.__dict__))
        await audit(conn, actor, "training.session.change", Target("training_session", str(session_id)), address)
        return await load_session(conn, session_id)


def _delegate(row: Row[Any]) -> DelegateInfo:
    return DelegateInfo(row.id, row.session_id, row.name, row.email, row.organisation, row.sector, row.attended)


async def view_delegates(
    engine: AsyncEngine, session_id: uuid.UUID, *, actor: Actor, address: str = ""
) -> SessionDelegates:
    """A session with its delegates' names and emails: identifiable data, so the view is audited."""
    async with engine.begin() as conn:
        session = await load_session(conn, session_id)
        course = await load_course(conn, session.course_id)
        statement = select(DELEGATES).where(DELEGATES.c.session_id == session_id)
        rows = (await conn.execute(statement.order_by(DELEGATES.c.name, DELEGATES.c.email))).all()
        await audit(conn, actor, "training.delegates.view", Target("training_session", str(session_id)), address)
    return SessionDelegates(course, session, [_delegate(r) for r in rows])
