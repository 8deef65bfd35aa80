"""Retention: forget anonymous submission keys, delete typed answers and closed alerts when their time is up.

Run by due work every hour. Each kind of deletion that removed something is written to the
deletion log (what, when, how many, by which rule; never any content), which admins can read.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.jobs import JobContext, PayloadValue
from voice_service.core.settings import Settings
from voice_service.safeguarding.tables import ALERT_CHANGES, ALERTS, DELETION_LOG
from voice_service.surveys.retention import TypedDeletion, delete_typed_answers_since, forget_submission_keys

log = logging.getLogger(__name__)

RETENTION = "safeguarding.retention"
SUBMISSION_KEYS = "anonymous submission keys"
TYPED_ANSWERS = "typed answers"
CLOSED_ALERTS = "closed safeguarding alerts"
#: The payload key of a survey's typed-answer mark is this prefix and the survey's slug.
TYPED_MARK = "typed_done_before:"


@dataclass(frozen=True)
class Deletion:
    """One line of the deletion log."""

    at: datetime
    what: str
    count: int
    rule: str


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the last day of a shorter month)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


async def delete_closed_alerts(engine: AsyncEngine, before: datetime) -> int:
    """Delete alerts closed (actioned or no concern) before `before`, with their status changes."""
    old = select(ALERTS.c.id).where(ALERTS.c.closed_at.is_not(None), ALERTS.c.closed_at < before)
    async with engine.begin() as conn:
        await conn.execute(delete(ALERT_CHANGES).where(ALERT_CHANGES.c.alert_id.in_(old)))
        result = await conn.execute(delete(ALERTS).where(ALERTS.c.closed_at.is_not(None), ALERTS.c.closed_at < before))
    return int(result.rowcount or 0)


async def record_deletion(engine: AsyncEngine, at: datetime, what: str, count: int, rule: str) -> None:
    """Add a line to the deletion log."""
    async with engine.begin() as conn:
        await conn.execute(DELETION_LOG.insert().values(at=at, what=what, count=count, rule=rule[:200]))


@dataclass(frozen=True)
class RetentionRun:
    """What one run deleted, and per survey the time before which no typed answer is left (for the next run)."""

    deletions: list[Deletion]
    typed_done_before: dict[str, datetime]


async def apply_retention(
    engine: AsyncEngine,
    settings: Settings,
    now: datetime,
    typed_done_before: Mapping[str, datetime] | None = None,
    settled: datetime | None = None,
) -> RetentionRun:
    """Every retention rule, once; returns (and logs) what each deleted.

    `typed_done_before` is what the last run returned (the typed-answer walk starts there) and
    `settled` the real time of the run (see `delete_typed_answers_since`).
    """
    months = settings.free_text_retention_months
    by_survey = dict(settings.free_text_retention_by_survey)
    cutoffs = {slug: months_before(now, m) for slug, m in by_survey.items()}
    years = settings.closed_alert_retention_years
    hours = settings.submission_key_hours
    done = []
    typed = TypedDeletion(0, dict(typed_done_before or {}))

    async def typed_answers() -> int:
        nonlocal typed
        typed = await delete_typed_answers_since(
            engine, cutoffs, months_before(now, months), typed.done_before, settled=settled
        )
        return typed.count

    # Why callables: each rule runs only when the one before it has finished.
    rules: list[tuple[str, Callable[[], Awaitable[int]], str]] = [
        (
            SUBMISSION_KEYS,
            lambda: forget_submission_keys(engine, now - timedelta(hours=hours)),
            f"dropped {hours} hours after the response",
        ),
        (
            TYPED_ANSWERS,
            typed_answers,
            f"{months} months after the response"
            + "".join(f"; {slug}: {m} months" for slug, m in sorted(by_survey.items())),
        ),
        (
            CLOSED_ALERTS,
            lambda: delete_closed_alerts(engine, months_before(now, 12 * years)),
            f"{years} years after closing",
        ),
    ]
    for what, work, rule in rules:
        count = await work()
        if count:
            await record_deletion(engine, now, what, count, rule)
            done.append(Deletion(now, what, count, rule))
            log.info("retention: %d %s deleted (%s)", count, what, rule)
    return RetentionRun(done, typed.done_before)


async def run_retention(ctx: JobContext, payload: dict[str, Any]) -> dict[str, PayloadValue]:
    """The recurring job's handler: carries each survey's typed-answer mark to the next run in its payload."""
    marks = {
        key[len(TYPED_MARK) :]: datetime.fromisoformat(value)
        for key, value in payload.items()
        if key.startswith(TYPED_MARK) and isinstance(value, str)
    }
    run = await apply_retention(ctx.engine, ctx.settings, ctx.now, marks)
    carried = {key: value for key, value in payload.items() if not key.startswith(TYPED_MARK)}
    return carried | {TYPED_MARK + slug: mark.isoformat() for slug, mark in run.typed_done_before.items()}


async def list_deletions(engine: AsyncEngine, limit: int = 200) -> tuple[list[Deletion], int]:
    """The latest lines of the deletion log, newest first, and how many there are in all."""
    async with engine.connect() as conn:
        total = int(await conn.scalar(select(func.count()).select_from(DELETION_LOG)) or 0)
        rows = await conn.execute(
            select(DELETION_LOG.c.at, DELETION_LOG.c.what, DELETION_LOG.c.count, DELETION_LOG.c.rule)
            .order_by(DELETION_LOG.c.at.desc(), DELETION_LOG.c.id.desc())
            .limit(limit)
        )
        return [Deletion(*row) for row in rows], total
