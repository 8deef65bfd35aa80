"""The hourly purge of ended sessions and spent login counters, run through the due-work runner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from voice_service.accounts.jobs import PURGE_SESSIONS
from voice_service.accounts.limits import PER_ACCOUNT, count_attempt
from voice_service.accounts.service import create_user
from voice_service.accounts.sessions import open_session
from voice_service.app import build_job_runner
from voice_service.core.audit import SYSTEM
from voice_service.core.settings import Settings


async def test_the_purge_deletes_only_ended_sessions_and_spent_counters(
    engine: AsyncEngine, settings: Settings
) -> None:
    now = datetime.now(UTC)
    person = await create_user(engine, "pat@example.org", "", [], actor=SYSTEM)
    async with engine.begin() as conn:
        await open_session(conn, person.id, verified=True, now=now - timedelta(hours=13))  # too old
        await open_session(conn, person.id, verified=True, now=now - timedelta(minutes=45))  # idle
        await open_session(conn, person.id, verified=True, now=now - timedelta(minutes=5))  # alive
        await count_attempt(conn, PER_ACCOUNT, "old@example.org", now - timedelta(hours=1))
        await count_attempt(conn, PER_ACCOUNT, "new@example.org", now - timedelta(minutes=1))
    runner = build_job_runner(settings, engine)
    await runner.arm_recurring(now - timedelta(hours=2))  # armed earlier, so due by now
    summary = await runner.run_due(now)
    assert summary.done[PURGE_SESSIONS] == 1
    assert len(await database.query_async(settings.database_url, "SELECT * FROM staff_session")) == 1
    keys = [row[0] for row in await database.query_async(settings.database_url, "SELECT key FROM rate_counter")]
    assert keys == [PER_ACCOUNT.key("new@example.org")]
