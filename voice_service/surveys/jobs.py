"""Due work of the survey side: stale drafts are purged every few minutes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from voice_service.core.jobs import Handler, JobContext, Recurring
from voice_service.surveys.drafts import purge_stale_drafts

PURGE_DRAFTS = "surveys.purge_drafts"


async def purge_drafts(ctx: JobContext, _payload: dict[str, Any]) -> None:
    """Delete drafts untouched for longer than `draft_hours`: a child's unsent answers are not kept."""
    await purge_stale_drafts(ctx.engine, timedelta(hours=ctx.settings.draft_hours), now=ctx.now)


JOB_HANDLERS: dict[str, Handler] = {PURGE_DRAFTS: purge_drafts}
#: Why every 5 minutes: a draft then outlives `draft_hours` by at most that, and the delete is cheap.
RECURRING_JOBS = (Recurring(PURGE_DRAFTS, every=timedelta(minutes=5)),)
