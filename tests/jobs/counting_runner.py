"""A runner process for the race test: `python -m tests.jobs.counting_runner URL NOW OUT_FILE START_FILE`.

It waits for START_FILE (so all processes begin together), runs what is due at NOW and writes the ids it
ran to OUT_FILE, one a line.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from voice_service.core.db.engine import create_engine
from voice_service.core.jobs import JobContext, JobRunner
from voice_service.core.settings import Settings


async def main(url: str, now: datetime, out: Path, start: Path) -> None:
    settings = Settings(database_url=url)
    engine = create_engine(settings)
    ran: list[int] = []

    async def count(ctx: JobContext, _payload: dict[str, Any]) -> None:
        ran.append(ctx.job_id)
        await asyncio.sleep(0.002)

    runner = JobRunner(engine, {"test.count": count}, settings=settings)
    deadline = time.monotonic() + 30
    while not start.exists() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    try:
        await runner.run_due(now)
    finally:
        out.write_text("".join(f"{job_id}\n" for job_id in ran))
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], datetime.fromisoformat(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])))
