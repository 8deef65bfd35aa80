"""Fixtures for the voice tests: an engine on each database, people acting on records, a record to work on."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from tests.support.staff import admin_client, staff_client, staff_users
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.voice.workflow import Mover

__all__ = ["admin_client", "staff_client", "staff_users"]

EDITOR = Mover(uuid.UUID(int=1), "eve.editor@example.org", frozenset({"voice_editor"}))
OTHER_EDITOR = Mover(uuid.UUID(int=2), "ed.other@example.org", frozenset({"voice_editor"}))
REVIEWER = Mover(uuid.UUID(int=3), "rex.reviewer@example.org", frozenset({"voice_reviewer"}))
EDITOR_AND_REVIEWER = Mover(uuid.UUID(int=4), "both@example.org", frozenset({"voice_editor", "voice_reviewer"}))
VOICE_TABLES = ("voice_record", "voice_record_event", "voice_feedback")
#: A record as an editor fills it in, ready to send for review.
RECORD: dict[str, Any] = {
    "source": "Access 4 All Young Persons Group",
    "theme": "Transport",
    "said": "Getting the bus can be overwhelming.\nDrivers do not always allow time.",
    "people_count": 12,
    "evidence_kind": "group_session",
    "evidence_period": "2022/23",
    "evidence_detail": "Group session, January 2023",
    "done": "Posters shared with bus companies in York.",
    "owner_organisation": "City of York Council",
    "owner_officer": "Assistant Director Education",
    "due_on": "2023-06-30",
    "easy_read": "You told us buses are hard. We asked bus drivers to give you time.",
}


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's database (SQLite or PostgreSQL)."""
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row of the voice tables, to show a refused request changed nothing."""
    return {
        table: sorted(tuple(str(v) for v in row) for row in database.query(url, f"SELECT * FROM {table}"))
        for table in VOICE_TABLES
    }


def audit_actions(url: str, prefix: str = "voice.") -> list[str]:
    """The voice audit actions, oldest first."""
    rows = database.query(url, "SELECT action FROM audit_event ORDER BY id")
    return [row[0] for row in rows if row[0].startswith(prefix)]
