"""Each recurring job's handler run in process on a database, first run and again: wall and CPU seconds.

Runs the handlers as the runner does (one JobContext each, the payload carried from one run to
the next), so a job's "nothing new" run is measured as the service pays for it every turn:

    cp var/bench-cache/sqlite-rev0010-500000-f2.db /tmp/jobs.db
    .venv/bin/python bench/recurring_jobs.py sqlite+aiosqlite:////tmp/jobs.db --runs 2

Why CPU: the machine is shared, so wall time moves with other load; process CPU (every thread)
is what the job takes from the web worker it shares a core with.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from voice_service.app import JOB_HANDLERS, RECURRING_JOBS
from voice_service.core.db.engine import create_engine
from voice_service.core.jobs import JobContext
from voice_service.core.mail import build_mailer
from voice_service.core.settings import Settings


async def measure(url: str, runs: int, kinds: list[str], months: int, step_minutes: int) -> None:
    """Run each job `runs` times, `step_minutes` apart in the job's clock, printing wall and CPU per run."""
    settings = Settings(database_url=url, free_text_retention_months=months)
    engine = create_engine(settings)
    mailer = build_mailer(settings)
    start = datetime.now(UTC)
    try:
        for job in RECURRING_JOBS:
            if kinds and job.kind not in kinds:
                continue
            payload: dict[str, Any] = dict(job.payload)
            for run in range(runs):
                now = start + timedelta(minutes=step_minutes * run)
                ctx = JobContext(settings, engine, mailer, now, job_id=0, attempt=1)
                wall, cpu = time.perf_counter(), time.process_time()
                carried = await JOB_HANDLERS[job.kind](ctx, dict(payload))
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                if carried is not None:
                    payload = dict(carried)
                print(f"{job.kind:32} run {run + 1}: {wall:8.3f} s wall {cpu:8.3f} s CPU", flush=True)
    finally:
        await engine.dispose()


def main() -> None:
    """Parse the command line and measure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("url", help="SQLAlchemy URL of a migrated database (a copy: the jobs change it)")
    parser.add_argument("--runs", type=int, default=2, help="runs of each job (the first may do real work)")
    parser.add_argument("--kind", action="append", default=[], help="only this job (repeat for more)")
    parser.add_argument("--months", type=int, default=24, help="FREE_TEXT_RETENTION_MONTHS for the runs")
    parser.add_argument("--step-minutes", type=int, default=60, help="job clock between runs")
    args = parser.parse_args()
    asyncio.run(measure(args.url, args.runs, args.kind, args.months, args.step_minutes))


if __name__ == "__main__":
    main()
