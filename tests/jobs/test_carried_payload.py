"""A recurring job carries a payload to its next turn: stored only after a run that succeeded and kept its claim."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.jobs.conftest import T0, RunnerFactory, jobs_async, minutes
from tests.support import database
from voice_service.core.jobs import JobContext, PayloadValue, Recurring
from voice_service.core.jobs.schedule import MAX_PAYLOAD_STRING
from voice_service.core.settings import Settings


class Counter:
    """A handler that counts its turns in the payload it carries, and can be told to fail or be overtaken."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: list[dict[str, Any]] = []
        self.mode = "ok"

    async def handle(self, ctx: JobContext, payload: dict[str, Any]) -> dict[str, PayloadValue]:
        self.seen.append(payload)
        if self.mode == "fail":
            raise RuntimeError("no")
        if self.mode == "overtaken":
            await database.query_async(self.url, "UPDATE job SET claimed_by = 'newer' WHERE id = :id", id=ctx.job_id)
        if self.mode == "too long":
            return payload | {"mark": "x" * (MAX_PAYLOAD_STRING + 1)}
        return payload | {"turns": int(payload.get("turns", 0)) + 1}


async def stored_payload(url: str) -> Any:
    """The one job row's payload (SQLite hands back its JSON text)."""
    [row] = await jobs_async(url)
    return json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]


async def test_the_payload_a_run_returns_is_what_the_next_turn_gets(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    counter = Counter(settings.database_url)
    every = Recurring("test.count", every=minutes(5), payload={"scope": "all"})
    runner = make_runner({"test.count": counter.handle}, recurring=(every,))
    await runner.arm_recurring(T0)
    await runner.run_due(T0)
    await runner.run_due(T0 + minutes(5))
    # A restart arms the job again: the carried payload stays.
    restarted = make_runner({"test.count": counter.handle}, recurring=(every,))
    await restarted.arm_recurring(T0 + minutes(6))
    await restarted.run_due(T0 + minutes(10))

    assert counter.seen == [{"scope": "all"}, {"scope": "all", "turns": 1}, {"scope": "all", "turns": 2}]
    assert await stored_payload(settings.database_url) == {"scope": "all", "turns": 3}


async def test_a_failed_an_overtaken_or_an_unstorable_run_leaves_the_payload_as_it_was(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    counter = Counter(settings.database_url)
    runner = make_runner({"test.count": counter.handle}, recurring=(Recurring("test.count", every=minutes(5)),))
    await runner.arm_recurring(T0)
    await runner.run_due(T0)
    assert await stored_payload(settings.database_url) == {"turns": 1}

    counter.mode = "fail"
    assert (await runner.run_due(T0 + minutes(5))).retrying == {"test.count": 1}
    assert await stored_payload(settings.database_url) == {"turns": 1}

    counter.mode = "too long"
    assert (await runner.run_due(T0 + minutes(30))).retrying == {"test.count": 1}
    [row] = await jobs_async(settings.database_url)
    assert row["last_error"] == "BadJob"
    assert await stored_payload(settings.database_url) == {"turns": 1}

    counter.mode = "overtaken"
    await runner.run_due(T0 + minutes(60))
    assert await stored_payload(settings.database_url) == {"turns": 1}
    assert counter.seen == [{}] + [{"turns": 1}] * 3
