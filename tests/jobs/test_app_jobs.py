"""Due work in the running service: the draft purge recurs without a restart, the loop runs in-process."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient

from tests.jobs.conftest import as_time, jobs
from tests.support import database
from tests.support.apps import ClientFactory
from voice_service.core.jobs import JobContext, JobLoop, JobRunner, RunSummary, schedule_job
from voice_service.core.settings import Settings
from voice_service.surveys.drafts import DraftState, start_draft
from voice_service.surveys.jobs import PURGE_DRAFTS


def drafts(settings: Settings) -> list[str]:
    return [row[0] for row in database.query(settings.database_url, "SELECT id FROM draft")]


def new_draft(client: TestClient, settings: Settings) -> str:
    """Start a draft through the app's own engine (the public pages that do this are tested elsewhere)."""
    [(version_id,)] = database.query(settings.database_url, "SELECT MIN(id) FROM survey_version")
    draft: DraftState = client.blocking_portal.call(start_draft, client.app.state.job_runner.engine, version_id)
    return draft.id


def age_draft(settings: Settings, draft_id: str, hours: float) -> None:
    old = datetime.now(UTC) - timedelta(hours=hours)
    database.query(settings.database_url, "UPDATE draft SET updated_at = :old WHERE id = :id", old=old, id=draft_id)


def run_due(client: TestClient, now: datetime) -> RunSummary:
    """Run the app's own runner on the app's event loop, as its in-process loop would."""
    runner: JobRunner = client.app.state.job_runner
    return client.blocking_portal.call(runner.run_due, now)


def wait_for(condition: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_the_app_arms_the_draft_purge_at_start(client: TestClient, settings: Settings) -> None:
    [row] = jobs(settings.database_url, PURGE_DRAFTS)
    assert row["kind"] == PURGE_DRAFTS
    assert row["unique_key"] == f"recurring:{PURGE_DRAFTS}"
    assert as_time(row["due_at"]) <= datetime.now(UTC)


def test_a_running_app_purges_stale_drafts_again_and_again_without_restarting(
    client: TestClient, settings: Settings
) -> None:
    stale, fresh = new_draft(client, settings), new_draft(client, settings)
    age_draft(settings, stale, settings.draft_hours + 0.1)
    start = datetime.now(UTC)

    assert run_due(client, start + timedelta(minutes=1)).done[PURGE_DRAFTS] == 1
    assert drafts(settings) == [fresh]
    assert PURGE_DRAFTS not in run_due(client, start + timedelta(minutes=2)).done, "the purge waits for its turn"

    # A day later the service is still running: the purge has re-armed itself and removes the other draft.
    later = start + timedelta(hours=settings.draft_hours, minutes=10)
    assert run_due(client, later).done[PURGE_DRAFTS] == 1
    assert drafts(settings) == []
    assert len(jobs(settings.database_url, PURGE_DRAFTS)) == 1, "one row for the recurring purge, however often it runs"


def test_the_in_process_loop_purges_at_start_and_keeps_running(make_client: ClientFactory, settings: Settings) -> None:
    with make_client() as client:
        stale = new_draft(client, settings)
    age_draft(settings, stale, settings.draft_hours + 0.1)

    with make_client(jobs_in_process=True, jobs_interval_seconds=0.05) as client:
        assert wait_for(lambda: drafts(settings) == []), "the first run at start-up purged the stale draft"
        another = new_draft(client, settings)
        age_draft(settings, another, settings.draft_hours + 0.1)
        engine = client.app.state.job_runner.engine
        # A one-off purge scheduled while the app runs is picked up by a later turn of the loop.
        client.blocking_portal.call(schedule_job, engine, PURGE_DRAFTS, {}, datetime.now(UTC), "purge-now")
        assert wait_for(lambda: drafts(settings) == [])
    assert all(row["claimed_by"] is None for row in jobs(settings.database_url)), "stopped cleanly"


def test_the_loop_survives_a_failing_run_and_stops_promptly(settings: Settings) -> None:
    class Flaky:
        calls = 0

        async def run_due(self, now: datetime, *, stop: asyncio.Event | None = None) -> RunSummary:
            self.calls += 1
            if self.calls == 1:
                raise ConnectionError("database briefly away")
            return RunSummary()

    async def scenario() -> int:
        runner = Flaky()
        loop = JobLoop(runner, interval=0.01)  # type: ignore[arg-type]
        await loop.start()
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await loop.stop()
        assert time.monotonic() - started < 1.0
        return runner.calls

    assert asyncio.run(scenario()) >= 3


def test_the_in_process_loop_is_on_by_default_for_sqlite_only() -> None:
    assert Settings(database_url="sqlite+aiosqlite:///x.db").runs_jobs_in_process is True
    assert Settings(database_url="postgresql+asyncpg://h/db").runs_jobs_in_process is False
    assert Settings(database_url="postgresql+asyncpg://h/db", jobs_in_process=True).runs_jobs_in_process is True
    assert Settings(database_url="sqlite+aiosqlite:///x.db", jobs_in_process=False).runs_jobs_in_process is False


def test_job_settings_come_from_the_environment() -> None:
    assert Settings.from_env({}).jobs_in_process is None
    assert Settings.from_env({}).jobs_interval_seconds == 60
    env = {"JOBS_IN_PROCESS": "false", "JOBS_INTERVAL_SECONDS": "15", "DATABASE_URL": "sqlite:///x.db"}
    configured = Settings.from_env(env)
    assert configured.runs_jobs_in_process is False
    assert configured.jobs_interval_seconds == 15
    assert Settings.from_env({"JOBS_IN_PROCESS": "yes", "DATABASE_URL": "postgresql://h/db"}).runs_jobs_in_process
    assert Settings.from_env({}).jobs_timeout_seconds == 300
    assert Settings.from_env({"JOBS_TIMEOUT_SECONDS": "20"}).jobs_timeout_seconds == 20


async def test_the_purge_handler_uses_the_runs_now(settings: Settings) -> None:
    from voice_service.core.db.engine import create_engine
    from voice_service.core.mail import build_mailer
    from voice_service.surveys.catalog import SurveyCatalog
    from voice_service.surveys.jobs import purge_drafts

    engine = create_engine(settings)
    try:
        await SurveyCatalog.from_folder(settings.forms_dir).sync(engine)
        [(version_id,)] = await database.query_async(settings.database_url, "SELECT MIN(id) FROM survey_version")
        draft = await start_draft(engine, version_id)
        now = datetime.now(UTC)
        context = JobContext(settings, engine, build_mailer(settings), now, 1, 1)
        await purge_drafts(context, {})
        assert [r[0] for r in await database.query_async(settings.database_url, "SELECT id FROM draft")] == [draft.id]
        later = JobContext(settings, engine, build_mailer(settings), now + timedelta(hours=settings.draft_hours), 1, 1)
        await purge_drafts(later, {})
        assert await database.query_async(settings.database_url, "SELECT id FROM draft") == []
    finally:
        await engine.dispose()
