"""`voice-service jobs run-due [--now]`: runs what is due once and prints kinds and counts, nothing else."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from tests.jobs.conftest import as_time, jobs
from tests.support import database
from voice_service.cli import main
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.drafts import start_draft
from voice_service.surveys.jobs import PURGE_DRAFTS

COMMAND = Path(sys.executable).parent / "voice-service"


def run_due(settings: Settings, *args: str) -> Result:
    env = {"DATABASE_URL": settings.database_url, "FORMS_DIR": str(settings.forms_dir)}
    return CliRunner().invoke(main, ["jobs", "run-due", *args], env=env)


def make_draft(settings: Settings) -> str:
    async def make() -> str:
        engine = create_engine(settings)
        try:
            catalog = SurveyCatalog.from_folder(settings.forms_dir)
            await catalog.sync(engine)
            [(version_id,)] = await database.query_async(settings.database_url, "SELECT MIN(id) FROM survey_version")
            return (await start_draft(engine, version_id)).id
        finally:
            await engine.dispose()

    return asyncio.run(make())


def test_run_due_arms_and_runs_the_draft_purge_once(settings: Settings) -> None:
    first = run_due(settings)
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    # Other domains' recurring jobs run too: each has a line of its own after the total.
    assert lines[0].startswith("jobs run: ")
    assert lines[0].endswith(", to retry 0, given up 0)")
    assert f"  {PURGE_DRAFTS}: done 1, to retry 0, given up 0" in lines[1:]
    again = run_due(settings)
    assert again.output.splitlines() == ["jobs run: 0 (done 0, to retry 0, given up 0)"]


def test_run_due_with_a_later_now_purges_drafts_that_will_be_stale_then(settings: Settings) -> None:
    draft_id = make_draft(settings)
    assert run_due(settings).exit_code == 0
    assert [r[0] for r in database.query(settings.database_url, "SELECT id FROM draft")] == [draft_id]

    later = datetime.now(UTC) + timedelta(hours=settings.draft_hours, minutes=10)
    result = run_due(settings, "--now", later.isoformat())
    assert result.exit_code == 0, result.output
    assert f"{PURGE_DRAFTS}: done 1" in result.output
    assert draft_id not in result.output
    assert database.query(settings.database_url, "SELECT id FROM draft") == []
    [row] = jobs(settings.database_url, PURGE_DRAFTS)
    assert as_time(row["due_at"]) == later + timedelta(minutes=5), "re-armed from the given now"


def test_a_now_without_a_zone_is_utc(settings: Settings) -> None:
    assert run_due(settings, "--now", "2031-03-04T05:06:07").exit_code == 0
    [row] = jobs(settings.database_url, PURGE_DRAFTS)
    assert as_time(row["due_at"]) == datetime(2031, 3, 4, 5, 11, 7, tzinfo=UTC)


def test_a_now_that_is_not_a_time_is_refused(settings: Settings) -> None:
    result = run_due(settings, "--now", "next tuesday")
    assert result.exit_code == 2
    assert "ISO 8601" in result.output
    assert jobs(settings.database_url) == []


def test_an_unmigrated_database_gets_the_next_step_not_a_traceback(tmp_path: Path) -> None:
    bare = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bare.db'}")
    result = run_due(bare)
    assert result.exit_code == 1
    assert "voice-service db upgrade" in result.output
    assert "Traceback" not in result.output


def test_the_installed_command_runs_due_work(settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FORMS_DIR")}
    env["DATABASE_URL"] = settings.database_url
    result = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(COMMAND), "jobs", "run-due"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("jobs run: ")
    assert f"  {PURGE_DRAFTS}: done 1, to retry 0, given up 0\n" in result.stdout
    assert result.stderr == ""


def test_help_lists_the_jobs_command() -> None:
    result = CliRunner().invoke(main, ["jobs", "--help"])
    assert result.exit_code == 0
    assert "run-due" in result.output
    assert "--now" in CliRunner().invoke(main, ["jobs", "run-due", "--help"]).output
