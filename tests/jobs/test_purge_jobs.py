"""Finished one-off jobs are deleted after the retention window; everything else stays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.jobs.conftest import T0, jobs_async
from voice_service.app import RECURRING_JOBS, build_job_runner
from voice_service.core.jobs import schedule_job
from voice_service.core.jobs.purge import KEEP_DONE, PURGE_JOBS, purge_done_jobs
from voice_service.core.settings import Settings
from voice_service.core.tables import JOBS


async def finish(engine: AsyncEngine, key: str, done_at: object, error: str | None = None) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(JOBS).where(JOBS.c.unique_key == key).values(done_at=done_at, last_error=error))


async def test_only_successful_one_off_jobs_older_than_the_window_are_deleted(engine: AsyncEngine) -> None:
    for key in ("old", "recent", "failed", "pending", "recurring:some.kind"):
        await schedule_job(engine, "some.kind", {"n": 1}, T0 - KEEP_DONE * 2, key)
    await schedule_job(engine, "no.key", {}, T0 - KEEP_DONE * 2)
    await finish(engine, "old", T0 - KEEP_DONE - timedelta(minutes=1))
    await finish(engine, "recent", T0 - KEEP_DONE + timedelta(minutes=1))
    await finish(engine, "failed", T0 - KEEP_DONE * 2, "SMTPException")
    await finish(engine, "recurring:some.kind", T0 - KEEP_DONE * 2)
    async with engine.begin() as conn:
        await conn.execute(update(JOBS).where(JOBS.c.kind == "no.key").values(done_at=T0 - KEEP_DONE * 2))

    assert await purge_done_jobs(engine, T0) == 2
    left = sorted(str(row["unique_key"]) for row in await jobs_async(engine.url.render_as_string(hide_password=False)))
    assert left == ["failed", "pending", "recent", "recurring:some.kind"]
    assert await purge_done_jobs(engine, T0) == 0, "a second run finds nothing"


async def test_the_service_purges_daily_through_its_runner(engine: AsyncEngine, settings: Settings) -> None:
    assert any(job.kind == PURGE_JOBS and job.every == timedelta(days=1) for job in RECURRING_JOBS)
    await schedule_job(engine, "some.kind", {}, T0 - KEEP_DONE * 2, "done long ago")
    await finish(engine, "done long ago", T0 - KEEP_DONE * 2)
    runner = build_job_runner(settings, engine)
    await runner.arm_recurring(T0)
    summary = await runner.run_due(T0, kinds=[PURGE_JOBS])
    assert summary.done[PURGE_JOBS] == 1
    rows = await jobs_async(engine.url.render_as_string(hide_password=False))
    assert "done long ago" not in {row["unique_key"] for row in rows}
    assert {row["kind"] for row in rows} == {job.kind for job in RECURRING_JOBS}, "every recurring row stays"
