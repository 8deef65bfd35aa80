"""Several runners at once, in one process and in several: every job runs exactly once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.jobs.conftest import T0, jobs_async, minutes
from voice_service.core.db.engine import create_engine
from voice_service.core.jobs import JobContext, JobRunner, schedule_job
from voice_service.core.settings import PROJECT_ROOT, Settings

JOBS = 150


async def schedule_many(engine: AsyncEngine, n: int) -> None:
    async with engine.begin() as conn:
        for i in range(n):
            await schedule_job(conn, "test.count", {"i": i}, T0 - minutes(1))


async def test_four_runners_racing_run_each_job_once(engine: AsyncEngine, settings: Settings) -> None:
    await schedule_many(engine, JOBS)
    ran: Counter[int] = Counter()

    async def count(ctx: JobContext, _payload: dict[str, Any]) -> None:
        ran[ctx.job_id] += 1
        await asyncio.sleep(0.001)  # let the other runners in while this job is held

    engines = [create_engine(settings) for _ in range(4)]
    try:
        runners = [JobRunner(e, {"test.count": count}, settings=settings) for e in engines]
        summaries = await asyncio.gather(*(runner.run_due(T0) for runner in runners))
    finally:
        for each in engines:
            await each.dispose()

    assert len(ran) == JOBS
    assert set(ran.values()) == {1}
    assert sum(s.ran for s in summaries) == JOBS
    assert sum(1 for s in summaries if s.ran) > 1, "the work was shared, not run by one runner alone"
    rows = await jobs_async(settings.database_url)
    assert all(row["done_at"] is not None and row["attempts"] == 1 for row in rows)


async def test_three_runner_processes_racing_run_each_job_once(
    engine: AsyncEngine, settings: Settings, tmp_path: Path
) -> None:
    await schedule_many(engine, JOBS)
    start = tmp_path / "go"
    outs = [tmp_path / f"ran-{i}.txt" for i in range(3)]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "tests.jobs.counting_runner",
                settings.database_url,
                T0.isoformat(),
                str(out),
                str(start),
            ],
            cwd=PROJECT_ROOT,
        )
        for out in outs
    ]
    await asyncio.sleep(1.0)  # let every process import and connect before they race
    start.touch()
    codes = [await asyncio.to_thread(process.wait, 60) for process in processes]
    assert codes == [0, 0, 0]

    ran = Counter(int(line) for out in outs for line in out.read_text().split())
    assert len(ran) == JOBS
    assert set(ran.values()) == {1}
    assert sum(1 for out in outs if out.read_text()) > 1, "the processes shared the work"
    rows = await jobs_async(settings.database_url)
    assert all(row["done_at"] is not None and row["attempts"] == 1 for row in rows)
