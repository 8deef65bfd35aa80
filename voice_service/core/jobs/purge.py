"""Due work of its own: one-off jobs that finished are deleted once a retention window has passed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.jobs.runner import Handler, JobContext
from voice_service.core.jobs.schedule import Recurring
from voice_service.core.tables import JOBS

PURGE_JOBS = "core.purge_jobs"
#: Why 30 days: a finished job's row is what keeps its unique key from being scheduled twice, and the
#: planners that schedule by key (training emails) stop asking for a job within days of its run
#: (the invitation has moved on); a month keeps that guard and a trail to look at, no more.
KEEP_DONE = timedelta(days=30)


async def purge_done_jobs(engine: AsyncEngine, now: datetime, keep: timedelta = KEEP_DONE) -> int:
    """Delete one-off jobs that succeeded more than `keep` ago; how many were deleted.

    Kept: jobs not done, recurring jobs' rows, and jobs given up with an error (few, and where a
    failure can be looked into). Why: the job table otherwise grows by every email ever sent.
    """
    async with engine.begin() as conn:
        result = await conn.execute(
            delete(JOBS).where(
                JOBS.c.done_at < now - keep,
                JOBS.c.last_error.is_(None),
                or_(JOBS.c.unique_key.is_(None), JOBS.c.unique_key.not_like("recurring:%")),
            )
        )
    return int(result.rowcount or 0)


async def purge_jobs(ctx: JobContext, _payload: dict[str, Any]) -> None:
    """Delete finished one-off jobs past the retention window."""
    await purge_done_jobs(ctx.engine, ctx.now)


JOB_HANDLERS: dict[str, Handler] = {PURGE_JOBS: purge_jobs}
#: Why daily: the rows only keep the table small; the delete goes through the index on done_at.
RECURRING_JOBS = (Recurring(PURGE_JOBS, every=timedelta(days=1)),)
