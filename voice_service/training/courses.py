"""Courses: create, change, list with their numbers, and the surveys a course may use."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.core.audit import Actor, Target, audit
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.training import rules
from voice_service.training.rules import Invalid, SurveyChoice
from voice_service.training.tables import COURSES, DELEGATES, SESSIONS

PURPOSES = ("course_evaluation", "follow_up")


class NotFound(LookupError):
    """No course, session or delegate with that id."""


@dataclass(frozen=True)
class CourseFields:
    """A course's checked fields."""

    name: str
    evaluation_survey: str
    follow_up_survey: str
    follow_up_days: int


@dataclass(frozen=True)
class CourseInfo:
    """A course with how many sessions and attendees it has had."""

    id: uuid.UUID
    name: str
    evaluation_survey: str
    follow_up_survey: str
    follow_up_days: int
    created_at: datetime
    sessions: int = 0
    delegates: int = 0
    attendees: int = 0


def survey_choices(catalog: SurveyCatalog) -> list[SurveyChoice]:
    """The surveys a course may name: course evaluations and follow-ups, by title."""
    chosen = [SurveyChoice(s.slug, s.title, s.purpose) for s in catalog.surveys.values() if s.purpose in PURPOSES]
    return sorted(chosen, key=lambda c: c.title)


def clean_course(values: Mapping[str, Any], choices: Sequence[SurveyChoice]) -> CourseFields:
    """A course's fields from a form or JSON, or Invalid with every problem."""
    errors: rules.Errors = {}
    name = rules.text(values.get("name"), "Course name", errors, "name")
    evaluation = rules.survey_slug(
        values.get("evaluation_survey"), "course_evaluation", choices, errors, "evaluation_survey"
    )
    follow_up = rules.survey_slug(values.get("follow_up_survey"), "follow_up", choices, errors, "follow_up_survey")
    days = values.get("follow_up_days", rules.DEFAULT_FOLLOW_UP_DAYS)
    days_label = "Days until the follow-up"
    follow_up_days = rules.whole_number(
        days, days_label, rules.MIN_FOLLOW_UP_DAYS, rules.MAX_FOLLOW_UP_DAYS, errors, "follow_up_days"
    )
    if errors:
        raise Invalid(errors)
    return CourseFields(name, evaluation, follow_up, follow_up_days)


def _info(row: Row[Any]) -> CourseInfo:
    return CourseInfo(
        row.id,
        row.name,
        row.evaluation_survey,
        row.follow_up_survey,
        row.follow_up_days,
        row.created_at,
        int(getattr(row, "sessions", 0) or 0),
        int(getattr(row, "delegates", 0) or 0),
        int(getattr(row, "attendees", 0) or 0),
    )


def _with_numbers() -> Any:
    sessions = (
        select(
            SESSIONS.c.course_id,
            func.count(func.distinct(SESSIONS.c.id)).label("sessions"),
            func.count(DELEGATES.c.id).label("delegates"),
            func.coalesce(func.sum(case((DELEGATES.c.attended.is_(True), 1), else_=0)), 0).label("attendees"),
        )
        .select_from(SESSIONS.outerjoin(DELEGATES, DELEGATES.c.session_id == SESSIONS.c.id))
        .group_by(SESSIONS.c.course_id)
        .subquery()
    )
    return select(COURSES, sessions.c.sessions, sessions.c.delegates, sessions.c.attendees).select_from(
        COURSES.outerjoin(sessions, sessions.c.course_id == COURSES.c.id)
    )


async def list_courses(engine: AsyncEngine) -> list[CourseInfo]:
    """Every course by name, with its numbers of sessions, delegates and attendees."""
    async with engine.connect() as conn:
        rows = (await conn.execute(_with_numbers().order_by(COURSES.c.name_key))).all()
    return [_info(r) for r in rows]


async def load_course(conn: AsyncConnection, course_id: uuid.UUID) -> CourseInfo:
    """One course with its numbers, or NotFound."""
    row = (await conn.execute(_with_numbers().where(COURSES.c.id == course_id))).first()
    if row is None:
        raise NotFound("No course with that id")
    return _info(row)


async def get_course(engine: AsyncEngine, course_id: uuid.UUID) -> CourseInfo:
    """One course with its numbers, or NotFound."""
    async with engine.connect() as conn:
        return await load_course(conn, course_id)


def _name_taken() -> Invalid:
    return Invalid({"name": "There is already a course with this name"})


async def create_course(
    engine: AsyncEngine,
    values: Mapping[str, Any],
    choices: Sequence[SurveyChoice],
    *,
    actor: Actor,
    address: str = "",
) -> CourseInfo:
    """Check and store a new course (Invalid on any problem, a name in use included); audited."""
    fields = clean_course(values, choices)
    course_id = uuid.uuid4()
    row = {**fields.__dict__, "id": course_id, "name_key": rules.key(fields.name), "created_at": datetime.now(UTC)}
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(COURSES).values(**row))
            await audit(conn, actor, "training.course.create", Target("course", str(course_id)), address)
            return await load_course(conn, course_id)
    except IntegrityError:
        raise _name_taken() from None


async def change_course(
    engine: AsyncEngine,
    course_id: uuid.UUID,
    values: Mapping[str, Any],
    choices: Sequence[SurveyChoice],
    *,
    actor: Actor,
    address: str = "",
) -> CourseInfo:
    """Check and store a course's new fields (NotFound before Invalid); audited."""
    try:
        async with engine.begin() as conn:
            await load_course(conn, course_id)
            fields = clean_course(values, choices)
            await conn.execute(
                update(COURSES)
                .where(COURSES.c.id == course_id)
                .values(**fields.__dict__, name_key=rules.key(fields.name))
            )
            await audit(conn, actor, "training.course.change", Target("course", str(course_id)), address)
            return await load_course(conn, course_id)
    except IntegrityError:
        raise _name_taken() from None
