"""The in-process loop: runs due work every interval inside the web process (the SQLite default)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from voice_service.core.jobs.runner import JobRunner

log = logging.getLogger(__name__)


class JobLoop:
    """Calls `runner.run_due` now and then every `interval` seconds until stopped."""

    def __init__(self, runner: JobRunner, interval: float) -> None:
        self.runner = runner
        self.interval = interval
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin looping in the background."""
        self._stop.clear()
        self._task = asyncio.create_task(self._loop(), name="voice-service due work")

    async def stop(self) -> None:
        """Let the job in hand finish, then end the loop."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                await self.runner.run_due(datetime.now(UTC), stop=self._stop)
            except Exception as exc:
                # Why carry on: a database that is briefly unreachable must not end due work for good.
                log.warning("running due work failed with %s; trying again in %s s", type(exc).__name__, self.interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)
