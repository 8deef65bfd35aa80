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
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.app import JOB_HANDLERS, RECURRING_JOBS
from voice_service.core.db.engine import create_engine
from voice_service.core.jobs import JobContext
from voice_service.core.mail import build_mailer
from voice_service.core.settings import Settings
from voice_service.training.tables import COURSES, DELEGATES, INVITATIONS, SESSIONS


async def add_training_history(engine: AsyncEngine, years: int, now: datetime) -> None:
    """`years` of a busy partnership's training: 250 sessions of 20 delegates a year, names erased as retention does."""
    rng = random.Random(years)
    courses = [
        {
            "id": uuid.uuid4(),
            "name": f"Course {i}",
            "name_key": f"course {i}",
            "evaluation_survey": "working-together-a-evaluation",
            "follow_up_survey": "training-follow-up",
            "follow_up_days": 182,
            "created_at": now,
        }
        for i in range(20)
    ]
    sessions, delegates, invitations = [], [], []
    for number in range(250 * years):
        day = (now - timedelta(days=rng.randrange(365 * years))).date()
        session = {
            "id": uuid.uuid4(),
            "course_id": rng.choice(courses)["id"],
            "date": day,
            "mode": "online",
            "trainer": "T",
            "capacity": 20,
            "created_at": now,
            "link_code": None,
        }
        sessions.append(session)
        old = day < (now - timedelta(days=182 + 30 + 90)).date()
        for seat in range(20):
            delegate_id = uuid.uuid4()
            delegates.append(
                {
                    "id": delegate_id,
                    "session_id": session["id"],
                    "name": None if old else f"Delegate {number}-{seat}",
                    "email": None if old else f"d{number}-{seat}@example.org",
                    "organisation": None,
                    "sector": "Health",
                    "attended": seat < 18,
                    "pseudonym": uuid.uuid4().hex,
                    "created_at": now,
                    "updated_at": now,
                    "erased_at": now if old else None,
                }
            )
            if seat < 18:
                for kind in ("evaluation", "follow_up"):
                    due = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
                        days=0 if kind == "evaluation" else 182
                    )
                    state = "scheduled" if due > now else ("expired" if old else "sent")
                    invitations.append(
                        {
                            "id": uuid.uuid4(),
                            "delegate_id": delegate_id,
                            "kind": kind,
                            "state": state,
                            "due_at": due,
                            "sent_at": None if state == "scheduled" else due,
                            "expires_at": None if state == "scheduled" else due + timedelta(days=30),
                            "reminders_sent": 2 if state != "scheduled" else 0,
                            "created_at": now,
                        }
                    )
    async with engine.begin() as conn:
        for table, rows in (
            (COURSES, courses),
            (SESSIONS, sessions),
            (DELEGATES, delegates),
            (INVITATIONS, invitations),
        ):
            for start in range(0, len(rows), 5000):
                await conn.execute(table.insert(), rows[start : start + 5000])
    print(
        f"added {len(sessions):,} sessions, {len(delegates):,} delegates, {len(invitations):,} invitations", flush=True
    )


async def measure(url: str, runs: int, kinds: list[str], months: int, step_minutes: int, training_years: int) -> None:
    """Run each job `runs` times, `step_minutes` apart in the job's clock, printing wall and CPU per run."""
    settings = Settings(database_url=url, free_text_retention_months=months)
    engine = create_engine(settings)
    mailer = build_mailer(settings)
    start = datetime.now(UTC)
    try:
        if training_years:
            await add_training_history(engine, training_years, start)
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
    parser.add_argument("--training-years", type=int, default=0, help="first add this many years of training history")
    args = parser.parse_args()
    asyncio.run(measure(args.url, args.runs, args.kind, args.months, args.step_minutes, args.training_years))


if __name__ == "__main__":
    main()
