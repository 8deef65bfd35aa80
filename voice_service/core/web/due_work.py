"""Running one kind of due work right after a response, so an email a person just asked for goes out at once."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from litestar import Request
from litestar.background_tasks import BackgroundTask

from voice_service.core.jobs import JobRunner

log = logging.getLogger(__name__)


async def _run(runner: JobRunner, kinds: Collection[str]) -> None:
    try:
        await runner.run_due(datetime.now(UTC), kinds=kinds)
    except Exception as exc:
        # Why only a warning: the job stays in the table and the regular runner sends it.
        log.warning("running %s after a response failed with %s", ",".join(sorted(kinds)), type(exc).__name__)


def run_after_response(request: Request[Any, Any, Any], *kinds: str) -> BackgroundTask | None:
    """A background task running the app's due jobs of these kinds (only those), or None outside the app."""
    # The request's transaction has committed by then, so its job is there to claim; claims are
    # atomic, so the in-process loop or a cron runner reaching the same job does not send it twice.
    runner = getattr(request.app.state, "job_runner", None)
    if not isinstance(runner, JobRunner):
        return None
    return BackgroundTask(_run, runner, frozenset(kinds))
