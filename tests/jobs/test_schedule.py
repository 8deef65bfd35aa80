"""Scheduling jobs: ids-only payloads, idempotent keys, scheduling inside a caller's transaction, cancelling."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.jobs.conftest import T0, as_time, jobs_async, minutes
from voice_service.core.jobs import BadJob, cancel_job, schedule_job
from voice_service.core.settings import Settings


async def test_a_scheduled_job_is_stored_with_its_payload_and_due_time(engine: AsyncEngine, settings: Settings) -> None:
    assert await schedule_job(engine, "test.note", {"invitation_id": 42, "reminder": True}, T0 + minutes(5))
    [row] = await jobs_async(settings.database_url)
    assert row["kind"] == "test.note"
    assert as_time(row["due_at"]) == T0 + minutes(5)
    assert row["attempts"] == 0
    assert row["claimed_by"] is None
    assert row["done_at"] is None
    assert row["unique_key"] is None


async def test_the_same_unique_key_schedules_once(engine: AsyncEngine, settings: Settings) -> None:
    assert await schedule_job(engine, "test.note", {"id": 1}, T0, unique_key="invite:1") is True
    assert await schedule_job(engine, "test.note", {"id": 1}, T0 + minutes(9), unique_key="invite:1") is False
    rows = await jobs_async(settings.database_url)
    assert len(rows) == 1
    assert as_time(rows[0]["due_at"]) == T0, "the first schedule stands"


async def test_jobs_without_a_key_are_each_stored(engine: AsyncEngine, settings: Settings) -> None:
    for _ in range(3):
        assert await schedule_job(engine, "test.note", {}, T0)
    assert len(await jobs_async(settings.database_url)) == 3


async def test_a_job_scheduled_in_a_rolled_back_transaction_does_not_exist(
    engine: AsyncEngine, settings: Settings
) -> None:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        assert await schedule_job(conn, "test.note", {"id": 7}, T0, unique_key="invite:7")
        await transaction.rollback()
    assert await jobs_async(settings.database_url) == []
    async with engine.begin() as conn:
        assert await schedule_job(conn, "test.note", {"id": 7}, T0, unique_key="invite:7")
    assert len(await jobs_async(settings.database_url)) == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"body": "x" * 101},
        {"answers": ["I feel unsafe at home"]},
        {"nested": {"token": "abc"}},
        {1: "non-string key"},
    ],
)
async def test_a_payload_that_is_not_ids_and_flags_is_refused(
    engine: AsyncEngine, settings: Settings, payload: dict[object, object]
) -> None:
    with pytest.raises(BadJob):
        await schedule_job(engine, "test.note", payload, T0)  # type: ignore[arg-type]
    assert await jobs_async(settings.database_url) == []


@pytest.mark.parametrize(
    ("kind", "due", "key"),
    [
        ("test.note", datetime(2030, 1, 1), None),  # naive: which zone would it mean?
        ("", T0, None),
        ("k" * 51, T0, None),
        ("test.note", T0, ""),
        ("test.note", T0, "k" * 201),
    ],
)
async def test_a_job_with_a_bad_kind_key_or_time_is_refused(
    engine: AsyncEngine, kind: str, due: datetime, key: str | None
) -> None:
    with pytest.raises(BadJob):
        await schedule_job(engine, kind, {}, due, unique_key=key)


async def test_cancel_drops_a_waiting_job_only(engine: AsyncEngine, settings: Settings) -> None:
    await schedule_job(engine, "test.note", {"id": 1}, T0, unique_key="remind:1")
    assert await cancel_job(engine, "remind:1") is True
    assert await cancel_job(engine, "remind:1") is False
    assert await jobs_async(settings.database_url) == []
    # Cancelled, the key is free again.
    assert await schedule_job(engine, "test.note", {"id": 1}, T0, unique_key="remind:1")
