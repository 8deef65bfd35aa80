"""Putting work in the job table: one-off jobs (idempotent by key) and recurring ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.core.db.upsert import insert_ignoring_conflicts
from voice_service.core.tables import JOBS

#: Payload values are ids, numbers, flags or short codes; longer text is refused so no body or
#: person's words end up stored in the job table (an email is built by its handler at send time).
MAX_PAYLOAD_STRING = 100
PayloadValue = str | int | float | bool | None


class BadJob(ValueError):
    """A job that cannot be stored: an unknown shape of payload, a naive time, an over-long kind."""


@dataclass(frozen=True)
class Recurring:
    """Work that re-arms itself `every` after each run (one row per kind, found by its unique key)."""

    kind: str
    every: timedelta
    payload: Mapping[str, PayloadValue] = field(default_factory=dict)

    @property
    def unique_key(self) -> str:
        """The key that keeps one row for this recurring job."""
        return f"recurring:{self.kind}"


def check_payload(payload: Mapping[str, Any]) -> dict[str, PayloadValue]:
    """The payload as stored, or BadJob when a value is not an id-like scalar."""
    checked: dict[str, PayloadValue] = {}
    for key, value in payload.items():
        if not isinstance(key, str) or not isinstance(value, str | int | float | bool | None):
            raise BadJob(f"payload value for {key!r} must be a string, number, flag or None")
        if isinstance(value, str) and len(value) > MAX_PAYLOAD_STRING:
            raise BadJob(f"payload value for {key!r} is longer than {MAX_PAYLOAD_STRING} characters")
        checked[key] = value
    return checked


async def schedule_job(
    db: AsyncEngine | AsyncConnection,
    kind: str,
    payload: Mapping[str, Any],
    due_at: datetime,
    unique_key: str | None = None,
) -> bool:
    """Store a job to run at `due_at`; with a unique_key already used, nothing changes and False is returned.

    Pass a connection to schedule inside the caller's transaction (the job then exists only if
    the caller's change is committed).
    """
    if due_at.tzinfo is None:
        raise BadJob("due_at must carry a time zone")
    if not 0 < len(kind) <= 50 or (unique_key is not None and not 0 < len(unique_key) <= 200):
        raise BadJob("kind must be 1-50 characters and unique_key 1-200")
    row = {"kind": kind, "payload": check_payload(payload), "due_at": due_at, "unique_key": unique_key, "attempts": 0}
    if isinstance(db, AsyncEngine):
        async with db.begin() as conn:
            return await _insert(conn, row)
    return await _insert(db, row)


async def _insert(conn: AsyncConnection, row: dict[str, Any]) -> bool:
    if row["unique_key"] is None:
        await conn.execute(JOBS.insert().values(**row))
        return True
    statement = insert_ignoring_conflicts(JOBS, conn.dialect.name, ["unique_key"]).values(**row)
    result = await conn.execute(statement)
    return bool(result.rowcount)


async def cancel_job(db: AsyncEngine | AsyncConnection, unique_key: str) -> bool:
    """Drop a job that has not run yet and is not running now; True when one was dropped."""
    statement = delete(JOBS).where(
        JOBS.c.unique_key == unique_key, JOBS.c.done_at.is_(None), JOBS.c.claimed_by.is_(None)
    )
    if isinstance(db, AsyncEngine):
        async with db.begin() as conn:
            result = await conn.execute(statement)
    else:
        result = await db.execute(statement)
    return bool(result.rowcount)


async def arm_recurring(engine: AsyncEngine, jobs: Iterable[Recurring], now: datetime) -> None:
    """Make sure each recurring job has its row, due now when it is new (run at every start-up)."""
    async with engine.begin() as conn:
        for job in jobs:
            await _insert(
                conn,
                {
                    "kind": job.kind,
                    "payload": check_payload(job.payload),
                    "due_at": now,
                    "unique_key": job.unique_key,
                    "attempts": 0,
                },
            )
            # Why: a row finished by an older version (or by hand) would otherwise never run again.
            await conn.execute(
                update(JOBS)
                .where(JOBS.c.unique_key == job.unique_key, JOBS.c.done_at.is_not(None))
                .values(done_at=None, due_at=now, claimed_by=None, claimed_at=None, attempts=0)
            )
            # Why: a rehearsal with a moved clock (`jobs run-due --now` months ahead) leaves the next
            # turn months away; arming at the real time brings it back to now.
            await conn.execute(
                update(JOBS)
                .where(JOBS.c.unique_key == job.unique_key, JOBS.c.due_at > now + job.every)
                .values(due_at=now)
            )


async def forget_carried_payload(engine: AsyncEngine, job: Recurring) -> None:
    """Put a recurring job's payload back to its own, dropping what its runs carried (where they got to).

    Why: work that undoes what the job did (scores deleted to be made again) must not leave a mark
    saying it is done; the next run then searches from the start.
    """
    async with engine.begin() as conn:
        await conn.execute(
            update(JOBS).where(JOBS.c.unique_key == job.unique_key).values(payload=check_payload(job.payload))
        )
