"""The due-work runner: claims due jobs atomically, runs their handlers, retries with backoff."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.jobs.schedule import PayloadValue, Recurring, arm_recurring, check_payload
from voice_service.core.mail import Mailer, build_mailer
from voice_service.core.settings import Settings
from voice_service.core.tables import JOBS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    """What a handler gets besides its payload: the shared services and the time the run pretends it is."""

    settings: Settings
    engine: AsyncEngine
    mailer: Mailer
    now: datetime
    job_id: int
    attempt: int
    #: No retry follows if this attempt fails: a handler records the failure where people will see it.
    final_attempt: bool = False


#: `async def handler(ctx, payload) -> None`; raising means "try again later". Handlers must be
#: idempotent: a runner that dies after the work but before marking it done leaves it to run again.
#: A recurring job's handler may return a payload for its next turn (where this run got to, so the
#: next need not search from the start); it is stored only if the run succeeded and kept its claim.
Handler = Callable[[JobContext, dict[str, Any]], Awaitable[Mapping[str, PayloadValue] | None]]


@dataclass
class RunSummary:
    """What one run did, by outcome and by kind (kinds are code names, never user content)."""

    done: Counter[str] = field(default_factory=Counter)
    retrying: Counter[str] = field(default_factory=Counter)
    given_up: Counter[str] = field(default_factory=Counter)

    @property
    def ran(self) -> int:
        """How many jobs this run claimed."""
        return sum(self.done.values()) + sum(self.retrying.values()) + sum(self.given_up.values())

    def lines(self) -> list[str]:
        """A plain-text report: one total line, then one line per kind."""
        done, retrying, given_up = (sum(c.values()) for c in (self.done, self.retrying, self.given_up))
        report = [f"jobs run: {self.ran} (done {done}, to retry {retrying}, given up {given_up})"]
        for kind in sorted(set(self.done) | set(self.retrying) | set(self.given_up)):
            report.append(
                f"  {kind}: done {self.done[kind]}, to retry {self.retrying[kind]}, given up {self.given_up[kind]}"
            )
        return report


def runner_name() -> str:
    """Who holds a claim: host, process and a random part (two runners in one process differ)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class JobRunner:
    """Runs due jobs once per `run_due` call; any number of runners may share the job table."""

    def __init__(
        self,
        engine: AsyncEngine,
        handlers: Mapping[str, Handler],
        *,
        settings: Settings,
        mailer: Mailer | None = None,
        recurring: Iterable[Recurring] = (),
        max_attempts: int = 5,
        retry_base: timedelta = timedelta(minutes=1),
        retry_cap: timedelta = timedelta(hours=1),
        handler_timeout: timedelta = timedelta(minutes=5),
        claim_timeout: timedelta = timedelta(minutes=15),
        max_jobs_per_run: int = 500,
        name: str | None = None,
    ) -> None:
        # Why claim_timeout > handler_timeout: a claim is taken over only once its holder must be dead.
        if claim_timeout <= handler_timeout:
            raise ValueError("claim_timeout must be longer than handler_timeout")
        self.engine = engine
        self.handlers = dict(handlers)
        self.settings = settings
        self.mailer = mailer if mailer is not None else build_mailer(settings)
        self.recurring = {job.kind: job for job in recurring}
        unknown = set(self.recurring) - set(self.handlers)
        if unknown:
            raise ValueError(f"recurring jobs without a handler: {sorted(unknown)}")
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.handler_timeout = handler_timeout
        self.claim_timeout = claim_timeout
        self.max_jobs_per_run = max_jobs_per_run
        self.name = name or runner_name()

    async def arm_recurring(self, now: datetime) -> None:
        """Give each recurring job its row (idempotent; call at start-up)."""
        await arm_recurring(self.engine, self.recurring.values(), now)

    async def run_due(
        self, now: datetime, *, stop: asyncio.Event | None = None, kinds: Collection[str] | None = None
    ) -> RunSummary:
        """Run every job due at `now` (only of `kinds`, when given), one at a time, until none is left or `stop`."""
        if now.tzinfo is None:
            raise ValueError("now must carry a time zone")
        wanted = set(self.handlers) if kinds is None else set(kinds) & set(self.handlers)
        summary = RunSummary()
        while summary.ran < self.max_jobs_per_run and not (stop and stop.is_set()):
            job = await self._claim_next(now, wanted)
            if job is None:
                break
            await self._run(job, now, summary)
        return summary

    def _claimable(self, now: datetime) -> Any:
        """Due, not finished, and either unclaimed or claimed by a runner that must have died."""
        return (
            JOBS.c.done_at.is_(None),
            JOBS.c.due_at <= now,
            or_(JOBS.c.claimed_by.is_(None), JOBS.c.claimed_at < now - self.claim_timeout),
        )

    async def _claim_next(self, now: datetime, kinds: set[str]) -> Row[Any] | None:
        """Claim one due job of these kinds, or None when there is none left to claim."""
        if not kinds:
            return None
        while True:
            # Why read first and claim apart: on SQLite a read transaction that then writes fails at
            # once (no busy wait) if another writer got in between; a lone UPDATE waits its turn.
            async with self.engine.connect() as conn:
                candidates = (
                    await conn.execute(
                        select(JOBS.c.id)
                        .where(JOBS.c.kind.in_(kinds), *self._claimable(now))
                        .order_by(JOBS.c.due_at, JOBS.c.id)
                        .limit(20)
                    )
                ).scalars()
                ids = list(candidates)
            if not ids:
                return None
            for job_id in ids:
                # The claim: a conditional UPDATE. Of two runners racing for a row, PostgreSQL
                # re-checks the WHERE after the first commits and SQLite runs writers one at a
                # time, so only one gets the row back.
                async with self.engine.begin() as conn:
                    claimed = (
                        await conn.execute(
                            update(JOBS)
                            .where(JOBS.c.id == job_id, *self._claimable(now))
                            .values(claimed_by=self.name, claimed_at=now, attempts=JOBS.c.attempts + 1)
                            .returning(JOBS.c.id, JOBS.c.kind, JOBS.c.payload, JOBS.c.attempts, JOBS.c.unique_key)
                        )
                    ).first()
                if claimed is not None:
                    return claimed

    async def _run(self, job: Row[Any], now: datetime, summary: RunSummary) -> None:
        if job.attempts > self.max_attempts:
            # Earlier attempts never finished (the runner died each time): stop trying.
            await self._failed(job, now, "ClaimExpired", summary)
            return
        final = job.attempts >= self.max_attempts
        context = JobContext(self.settings, self.engine, self.mailer, now, job.id, job.attempts, final)
        try:
            async with asyncio.timeout(self.handler_timeout.total_seconds()):
                carried = await self.handlers[job.kind](context, dict(job.payload or {}))
            next_turn = {} if carried is None else {"payload": check_payload(carried)}
        except Exception as exc:
            # The type name only: an exception's message may quote what a person typed.
            await self._failed(job, now, type(exc).__name__, summary)
            return
        spec = self.recurring.get(job.kind)
        if spec is not None and job.unique_key == spec.unique_key:
            await self._release(job, due_at=now + spec.every, attempts=0, last_error=None, **next_turn)
        else:
            await self._release(job, done_at=now, last_error=None)
        summary.done[job.kind] += 1

    async def _failed(self, job: Row[Any], now: datetime, error: str, summary: RunSummary) -> None:
        spec = self.recurring.get(job.kind)
        recurring = spec is not None and job.unique_key == spec.unique_key
        if job.attempts < self.max_attempts:
            delay = min(self.retry_base * 2 ** (job.attempts - 1), self.retry_cap)
            await self._release(job, due_at=now + delay, last_error=error)
            summary.retrying[job.kind] += 1
            log.warning("job %s (%s) failed on attempt %d with %s; retrying", job.id, job.kind, job.attempts, error)
        elif recurring and spec is not None:
            # A recurring job is never abandoned: it waits for its next turn with a clean count.
            await self._release(job, due_at=now + spec.every, attempts=0, last_error=error)
            summary.given_up[job.kind] += 1
            log.error("recurring job %s (%s) failed %d times with %s", job.id, job.kind, job.attempts, error)
        else:
            await self._release(job, done_at=now, last_error=error)
            summary.given_up[job.kind] += 1
            log.error("job %s (%s) given up after %d attempts: %s", job.id, job.kind, job.attempts, error)

    async def _release(self, job: Row[Any], **values: Any) -> None:
        """Store the outcome and drop our claim, unless another runner took the job over meanwhile."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(JOBS)
                .where(JOBS.c.id == job.id, JOBS.c.claimed_by == self.name)
                .values(claimed_by=None, claimed_at=None, **values)
            )
        if not result.rowcount:
            log.warning("job %s (%s) was taken over by another runner before it finished here", job.id, job.kind)
