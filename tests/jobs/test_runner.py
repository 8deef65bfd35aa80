"""The runner: due jobs run once, failures retry with backoff then stop, dead runners' claims are taken over."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.jobs.conftest import T0, RunnerFactory, as_time, jobs_async, minutes
from tests.support import database
from voice_service.core.jobs import JobContext, JobRunner, Recurring, cancel_job, schedule_job
from voice_service.core.mail import OutboxMailer
from voice_service.core.settings import Settings

SECRET_WORDS = "my uncle hurts me"


class Recorder:
    """Handlers that note what they were given."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, dict[str, Any], JobContext]] = []

    async def note(self, ctx: JobContext, payload: dict[str, Any]) -> None:
        self.calls.append((ctx.job_id, payload, ctx))

    async def fail(self, ctx: JobContext, payload: dict[str, Any]) -> None:
        self.calls.append((ctx.job_id, payload, ctx))
        raise ValueError(f"could not handle {SECRET_WORDS}")


async def test_due_jobs_run_once_in_due_order_and_later_ones_wait(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    recorder = Recorder()
    runner = make_runner({"test.note": recorder.note})
    await schedule_job(engine, "test.note", {"n": 2}, T0 - minutes(1))
    await schedule_job(engine, "test.note", {"n": 1}, T0 - minutes(2))
    await schedule_job(engine, "test.note", {"n": 3}, T0 + minutes(1))

    summary = await runner.run_due(T0)

    assert [payload for _, payload, _ in recorder.calls] == [{"n": 1}, {"n": 2}]
    assert summary.done == {"test.note": 2}
    assert summary.lines() == [
        "jobs run: 2 (done 2, to retry 0, given up 0)",
        "  test.note: done 2, to retry 0, given up 0",
    ]
    rows = await jobs_async(settings.database_url)
    assert [as_time(r["done_at"]) if r["done_at"] else None for r in rows] == [T0, T0, None]
    assert all(r["claimed_by"] is None and r["claimed_at"] is None for r in rows)
    assert (await runner.run_due(T0)).ran == 0, "done jobs do not run again"
    assert (await runner.run_due(T0 + minutes(1))).done == {"test.note": 1}


async def test_a_handler_gets_the_shared_services_and_the_runs_now(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    recorder = Recorder()
    runner = make_runner({"test.note": recorder.note})
    await schedule_job(engine, "test.note", {"id": 5}, T0)
    await runner.run_due(T0 + minutes(3))
    [(job_id, payload, ctx)] = recorder.calls
    assert payload == {"id": 5}
    assert ctx.now == T0 + minutes(3)
    assert ctx.attempt == 1
    assert ctx.job_id == job_id
    assert ctx.settings is settings
    assert ctx.engine is engine
    assert isinstance(ctx.mailer, OutboxMailer), "no SMTP host: the outbox"


async def test_a_failing_job_retries_with_growing_waits_then_is_given_up(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()
    runner = make_runner({"test.fail": recorder.fail}, max_attempts=4, retry_base=minutes(1))
    await schedule_job(engine, "test.fail", {"id": 9}, T0)
    caplog.set_level(logging.INFO)

    now = T0
    for attempt, wait in [(1, 1), (2, 2), (3, 4)]:
        summary = await runner.run_due(now)
        assert summary.retrying == {"test.fail": 1}
        [row] = await jobs_async(settings.database_url)
        assert row["attempts"] == attempt
        assert row["last_error"] == "ValueError", "the type name only, never the message"
        assert as_time(row["due_at"]) == now + minutes(wait)
        assert row["done_at"] is None
        assert row["claimed_by"] is None
        assert (await runner.run_due(now + minutes(wait) - timedelta(seconds=1))).ran == 0, "not before its time"
        now += minutes(wait)

    summary = await runner.run_due(now)
    assert summary.given_up == {"test.fail": 1}
    [row] = await jobs_async(settings.database_url)
    assert row["attempts"] == 4
    assert as_time(row["done_at"]) == now
    assert row["last_error"] == "ValueError"
    assert (await runner.run_due(now + timedelta(days=30))).ran == 0, "a job given up stays given up"
    assert len(recorder.calls) == 4
    assert "ValueError" in caplog.text
    assert SECRET_WORDS not in caplog.text
    assert all(SECRET_WORDS not in str(value) for value in row.values())


async def test_the_retry_wait_is_capped(make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings) -> None:
    runner = make_runner({"test.fail": Recorder().fail}, max_attempts=20, retry_cap=minutes(10))
    await schedule_job(engine, "test.fail", {}, T0)
    await database.query_async(settings.database_url, "UPDATE job SET attempts = 12")
    await runner.run_due(T0)
    [row] = await jobs_async(settings.database_url)
    assert as_time(row["due_at"]) == T0 + minutes(10)


async def test_a_handler_that_hangs_is_stopped_and_retried(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    async def hang(_ctx: JobContext, _payload: dict[str, Any]) -> None:
        await asyncio.sleep(60)

    runner = make_runner({"test.hang": hang}, handler_timeout=timedelta(seconds=0.2))
    await schedule_job(engine, "test.hang", {}, T0)
    assert (await runner.run_due(T0)).retrying == {"test.hang": 1}
    [row] = await jobs_async(settings.database_url)
    assert row["last_error"] == "TimeoutError"


async def test_a_kind_without_a_handler_is_left_for_a_runner_that_has_one(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    await schedule_job(engine, "other.kind", {}, T0)
    assert (await make_runner({"test.note": Recorder().note}).run_due(T0)).ran == 0
    assert (await make_runner({}).run_due(T0)).ran == 0
    [row] = await jobs_async(settings.database_url)
    assert row["attempts"] == 0
    assert row["claimed_by"] is None


async def test_a_claim_held_by_a_dead_runner_is_taken_over_when_stale(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    recorder = Recorder()
    runner = make_runner({"test.note": recorder.note}, claim_timeout=minutes(15))
    await schedule_job(engine, "test.note", {}, T0 - minutes(30))
    await database.query_async(
        settings.database_url,
        "UPDATE job SET claimed_by = 'crashed', claimed_at = :at, attempts = 1",
        at=T0 - minutes(10),
    )
    assert (await runner.run_due(T0)).ran == 0, "a claim younger than the timeout is respected"
    assert (await runner.run_due(T0 + minutes(6))).done == {"test.note": 1}
    [row] = await jobs_async(settings.database_url)
    assert row["attempts"] == 2
    assert row["claimed_by"] is None
    assert len(recorder.calls) == 1


async def test_a_job_whose_runner_died_on_every_attempt_is_given_up_without_running(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    recorder = Recorder()
    runner = make_runner({"test.note": recorder.note}, max_attempts=3)
    await schedule_job(engine, "test.note", {}, T0 - minutes(60))
    await database.query_async(
        settings.database_url,
        "UPDATE job SET claimed_by = 'crashed', claimed_at = :at, attempts = 3",
        at=T0 - minutes(30),
    )
    assert (await runner.run_due(T0)).given_up == {"test.note": 1}
    assert recorder.calls == []
    [row] = await jobs_async(settings.database_url)
    assert row["last_error"] == "ClaimExpired"
    assert as_time(row["done_at"]) == T0


async def test_a_running_job_cannot_be_cancelled(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    outcomes: list[bool] = []

    async def try_to_cancel(ctx: JobContext, _payload: dict[str, Any]) -> None:
        outcomes.append(await cancel_job(ctx.engine, "remind:1"))

    await schedule_job(engine, "test.cancel", {}, T0, unique_key="remind:1")
    assert (await make_runner({"test.cancel": try_to_cancel}).run_due(T0)).done == {"test.cancel": 1}
    assert outcomes == [False]
    assert len(await jobs_async(settings.database_url)) == 1


async def test_a_runner_whose_claim_was_taken_over_does_not_mark_the_job_done(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    async def overtaken(ctx: JobContext, _payload: dict[str, Any]) -> None:
        await database.query_async(
            settings.database_url, "UPDATE job SET claimed_by = 'newer' WHERE id = :id", id=ctx.job_id
        )

    await schedule_job(engine, "test.slow", {}, T0)
    await make_runner({"test.slow": overtaken}).run_due(T0)
    [row] = await jobs_async(settings.database_url)
    assert row["claimed_by"] == "newer"
    assert row["done_at"] is None


async def test_a_recurring_job_re_arms_itself_and_keeps_one_row(make_runner: RunnerFactory, settings: Settings) -> None:
    recorder = Recorder()
    every = Recurring("test.note", every=minutes(5), payload={"scope": "all"})
    runner = make_runner({"test.note": recorder.note}, recurring=(every,))
    await runner.arm_recurring(T0)
    await runner.arm_recurring(T0 + minutes(1))  # a second start changes nothing

    assert (await runner.run_due(T0)).done == {"test.note": 1}
    [row] = await jobs_async(settings.database_url)
    assert row["unique_key"] == "recurring:test.note"
    assert as_time(row["due_at"]) == T0 + minutes(5)
    assert row["done_at"] is None
    assert (await runner.run_due(T0 + minutes(4))).ran == 0
    assert (await runner.run_due(T0 + minutes(5))).ran == 1
    assert (await runner.run_due(T0 + minutes(60))).ran == 1, "missed turns are not run one by one"
    assert [payload for _, payload, _ in recorder.calls] == [{"scope": "all"}] * 3
    assert len(await jobs_async(settings.database_url)) == 1


async def test_a_recurring_job_that_keeps_failing_waits_for_its_next_turn(
    make_runner: RunnerFactory, settings: Settings
) -> None:
    every = Recurring("test.fail", every=minutes(30))
    runner = make_runner({"test.fail": Recorder().fail}, recurring=(every,), max_attempts=2)
    await runner.arm_recurring(T0)
    assert (await runner.run_due(T0)).retrying == {"test.fail": 1}
    assert (await runner.run_due(T0 + minutes(1))).given_up == {"test.fail": 1}
    [row] = await jobs_async(settings.database_url)
    assert row["done_at"] is None
    assert row["attempts"] == 0
    assert row["last_error"] == "ValueError"
    assert as_time(row["due_at"]) == T0 + minutes(31)


async def test_a_finished_recurring_row_is_reopened_at_start(make_runner: RunnerFactory, settings: Settings) -> None:
    runner = make_runner({"test.note": Recorder().note}, recurring=(Recurring("test.note", every=minutes(5)),))
    await runner.arm_recurring(T0)
    await database.query_async(settings.database_url, "UPDATE job SET done_at = :at", at=T0)
    await runner.arm_recurring(T0 + minutes(1))
    assert (await runner.run_due(T0 + minutes(1))).done == {"test.note": 1}


async def test_a_one_off_job_of_a_recurring_kind_does_not_re_arm(
    make_runner: RunnerFactory, engine: AsyncEngine, settings: Settings
) -> None:
    runner = make_runner({"test.note": Recorder().note}, recurring=(Recurring("test.note", every=minutes(5)),))
    await schedule_job(engine, "test.note", {}, T0, unique_key="purge-now")
    await runner.run_due(T0)
    [row] = await jobs_async(settings.database_url)
    assert as_time(row["done_at"]) == T0


async def test_a_set_stop_event_ends_the_run_between_jobs(make_runner: RunnerFactory, engine: AsyncEngine) -> None:
    stop = asyncio.Event()
    recorder = Recorder()

    async def note_then_stop(ctx: JobContext, payload: dict[str, Any]) -> None:
        await recorder.note(ctx, payload)
        stop.set()

    for _ in range(3):
        await schedule_job(engine, "test.note", {}, T0)
    assert (await make_runner({"test.note": note_then_stop}).run_due(T0, stop=stop)).ran == 1


def test_a_runner_refuses_settings_that_would_run_a_job_twice(make_runner: RunnerFactory) -> None:
    with pytest.raises(ValueError, match="claim_timeout"):
        make_runner({}, handler_timeout=minutes(10), claim_timeout=minutes(10))
    with pytest.raises(ValueError, match="without a handler"):
        make_runner({}, recurring=(Recurring("test.note", every=minutes(5)),))


async def test_run_due_wants_an_aware_time(make_runner: RunnerFactory) -> None:
    with pytest.raises(ValueError, match="time zone"):
        await make_runner({}).run_due(T0.replace(tzinfo=None))


def test_each_runner_has_its_own_name(make_runner: RunnerFactory) -> None:
    names = {make_runner({}).name for _ in range(5)}
    assert len(names) == 5
    assert all(len(name) <= 64 for name in names)


async def test_a_runner_over_an_unmigrated_database_fails_loudly(settings: Settings, tmp_path: Any) -> None:
    from sqlalchemy.exc import OperationalError

    from voice_service.core.db.engine import create_engine

    bare = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bare.db'}")
    engine = create_engine(bare)
    try:
        with pytest.raises(OperationalError):
            await JobRunner(engine, {"test.note": Recorder().note}, settings=bare).run_due(T0)
    finally:
        await engine.dispose()
