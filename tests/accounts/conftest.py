"""Fixtures for the accounts tests: an engine, the fixed staff users and signed-in clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from tests.support.staff import admin_client, staff_client, staff_users
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings

__all__ = ["admin_client", "staff_client", "staff_users"]

#: The tables an accounts test may change, to show a refused request changed nothing.
ACCOUNT_TABLES = ("staff_user", "staff_role", "staff_session", "api_token", "password_link", "recovery_code")


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's database (SQLite or PostgreSQL)."""
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


def audit_actions(url: str, prefix: str = "") -> list[tuple[Any, ...]]:
    """(action, actor_label, target_type, address) of the audit rows whose action starts with prefix."""
    rows = database.query(url, "SELECT action, actor_label, target_type, address FROM audit_event ORDER BY id")
    return [tuple(row) for row in rows if row[0].startswith(prefix)]


async def audit_actions_async(url: str) -> list[tuple[Any, ...]]:
    """`audit_actions` from async test code."""
    rows = await database.query_async(
        url, "SELECT action, actor_label, target_type, address FROM audit_event ORDER BY id"
    )
    return [tuple(row) for row in rows]


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the account tables, to compare before and after a refused request."""
    return {
        table: sorted(tuple(str(v) for v in row) for row in database.query(url, f"SELECT * FROM {table}"))
        for table in ACCOUNT_TABLES
    }
