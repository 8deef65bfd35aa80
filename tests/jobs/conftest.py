"""Fixtures for due-work tests: an engine on each database and a runner factory with test handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from tests.support.apps import closed_forms, forms_copy, make_client
from voice_service.core.db.engine import create_engine
from voice_service.core.jobs import Handler, JobRunner, Recurring
from voice_service.core.settings import Settings

__all__ = ["closed_forms", "forms_copy", "make_client"]

#: A fixed "now" so retry and claim arithmetic is exact.
T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
RunnerFactory = Callable[..., JobRunner]


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's database (SQLite or PostgreSQL)."""
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
def make_runner(engine: AsyncEngine, settings: Settings) -> RunnerFactory:
    """Build a runner over the test database with the given handlers and options."""

    def build(handlers: Mapping[str, Handler], recurring: tuple[Recurring, ...] = (), **options: Any) -> JobRunner:
        return JobRunner(engine, handlers, settings=settings, recurring=recurring, **options)

    return build


def jobs(url: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Every job row (or those of one kind), oldest first, as dicts."""
    rows = database.query(url, "SELECT * FROM job ORDER BY id")
    return [dict(row._mapping) for row in rows if kind is None or row.kind == kind]


async def jobs_async(url: str) -> list[dict[str, Any]]:
    """`jobs` from async test code."""
    rows = await database.query_async(url, "SELECT * FROM job ORDER BY id")
    return [dict(row._mapping) for row in rows]


def as_time(value: Any) -> datetime:
    """A stored time as an aware datetime (SQLite hands back text, PostgreSQL a datetime)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def minutes(n: float) -> timedelta:
    """A short way to write offsets from T0."""
    return timedelta(minutes=n)
