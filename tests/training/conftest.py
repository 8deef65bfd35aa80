"""Fixtures for the training tests: an engine, the survey choices, a course and a session to work on."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from tests.support.staff import admin_client, staff_client, staff_users
from voice_service.core.audit import Actor
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.training import courses, sessions
from voice_service.training.rules import SurveyChoice

__all__ = ["admin_client", "staff_client", "staff_users"]

ACTOR = Actor(uuid.UUID(int=1), "tom.training@example.org")
TRAINING_TABLES = ("course", "training_session", "delegate", "invitation")
COURSE = {
    "name": "Safeguarding Children: Working Together A",
    "evaluation_survey": "working-together-a-evaluation",
    "follow_up_survey": "training-follow-up",
    "follow_up_days": 182,
}
SESSION = {"date": "2024-03-27", "mode": "online", "trainer": "Pat Trainer", "capacity": 20}


@pytest.fixture(scope="session")
def choices() -> list[SurveyChoice]:
    """The shipped course-evaluation and follow-up surveys."""
    return courses.survey_choices(SurveyCatalog.from_folder(Settings().forms_dir))


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's database (SQLite or PostgreSQL)."""
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


def make_course_and_session(settings: Settings, **course: Any) -> tuple[uuid.UUID, uuid.UUID]:
    """A course and one session, stored through the services; their ids."""

    async def run() -> tuple[uuid.UUID, uuid.UUID]:
        engine = create_engine(settings)
        try:
            catalog = SurveyCatalog.from_folder(settings.forms_dir)
            info = await courses.create_course(
                engine, {**COURSE, **course}, courses.survey_choices(catalog), actor=ACTOR
            )
            session = await sessions.create_session(engine, info.id, SESSION, actor=ACTOR)
            return info.id, session.id
        finally:
            await engine.dispose()

    return asyncio.run(run())


def snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row of the training tables, to show a refused request changed nothing."""
    return {
        table: sorted(tuple(str(v) for v in row) for row in database.query(url, f"SELECT * FROM {table}"))
        for table in TRAINING_TABLES
    }


def audit_rows(url: str, prefix: str = "training.") -> list[tuple[Any, ...]]:
    """(action, actor_label, target_type, target_id) of the training audit rows, oldest first."""
    rows = database.query(url, "SELECT action, actor_label, target_type, target_id FROM audit_event ORDER BY id")
    return [tuple(row) for row in rows if row[0].startswith(prefix)]


async def audit_rows_async(url: str, prefix: str = "training.") -> list[tuple[Any, ...]]:
    """`audit_rows` from async test code."""
    rows = await database.query_async(
        url, "SELECT action, actor_label, target_type, target_id FROM audit_event ORDER BY id"
    )
    return [tuple(row) for row in rows if row[0].startswith(prefix)]


async def delegate_count(url: str) -> int:
    """How many delegates are stored."""
    return int((await database.query_async(url, "SELECT COUNT(*) FROM delegate"))[0][0])
