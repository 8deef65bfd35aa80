"""`voice-service`: the one command for everything an operator does."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from forms import DefinitionError, Survey, load_surveys
from voice_service.accounts.cli import tokens_group, users
from voice_service.core.settings import Settings
from voice_service.safeguarding.cli import check_phrases_or_exit, safeguarding_group
from voice_service.voice.cli import voice_group

if TYPE_CHECKING:
    from voice_service.core.jobs import RunSummary


@click.group(
    help="voice_service: surveys and voice feedback for a Safeguarding Children Partnership.\n\n"
    "Settings come from the environment: DATABASE_URL, FORMS_DIR, SECRET_KEY, SMTP_HOST, ..."
)
@click.version_option(package_name="voice-service", prog_name="voice-service", message="%(prog)s %(version)s")
def main() -> None:
    """Entry point."""


@main.command(help="Serve the web application (migrate first with `voice-service db upgrade`).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Run uvicorn on the app factory."""
    import uvicorn

    from voice_service.migrations.runner import database_problem

    settings = Settings.from_env()
    _check_forms_or_exit(settings.forms_dir)
    # Every young person's typed answer is screened with it: a broken phrase file must not start.
    check_phrases_or_exit()
    if problem := database_problem(settings):
        click.echo(f"cannot start: {problem}", err=True)
        sys.exit(1)
    # Why: every worker must sign CSRF tokens with the same key; a generated one is passed on to them.
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = settings.secret_key
    uvicorn.run(
        "voice_service.asgi:create_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Why: rate limits count by client address; only a proxy named in FORWARDED_ALLOW_IPS may say what it is.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        server_header=False,
        # Why: access logs are off so no URL a person typed into lands in a log file.
        access_log=False,
    )


@main.group(help="Database commands.")
def db() -> None:
    """Database commands."""


@db.command("upgrade", help="Create or update the database tables to the latest version.")
def db_upgrade() -> None:
    """Run the Alembic migrations."""
    from voice_service.migrations.runner import upgrade

    settings = Settings.from_env()
    upgrade(settings)
    click.echo("database is up to date")


@main.group(help="Survey definition commands.")
def forms() -> None:
    """Survey definition commands."""


@forms.command(
    "check",
    help="Check every survey definition in FORMS_DIR (or FOLDER); lists each problem with file, line and key.",
)
@click.argument("folder", required=False, type=click.Path(path_type=Path))
def forms_check(folder: Path | None) -> None:
    """Exit 1 with every problem listed, or print each valid survey."""
    folder = folder or Settings.from_env().forms_dir
    surveys = _check_forms_or_exit(folder)
    for survey in surveys.values():
        questions = len(survey.questions)
        click.echo(f"ok  {survey.slug:<32} version {survey.version}  {questions:>2} questions  {survey.source}")


def _check_forms_or_exit(folder: Path) -> dict[str, Survey]:
    try:
        return dict(load_surveys(folder))
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) in the survey definitions in {folder}", err=True)
        sys.exit(1)


@main.group(help="Due work (invitations, reminders, purges, alert emails).")
def jobs() -> None:
    """Due work commands."""


@jobs.command("run-due", help="Run the jobs that are due once and print what ran (run it every minute from cron).")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-TIME",
    help="Run as if it were this time (for example 2026-01-31T09:00:00+00:00; no zone means UTC).",
)
def jobs_run_due(now_text: str | None) -> None:
    """Arm recurring jobs, run what is due, print the summary (kinds and counts only)."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        now = datetime.fromisoformat(now_text) if now_text else datetime.now(UTC)
    except ValueError:
        raise click.BadParameter("not an ISO 8601 time", param_hint="--now") from None
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    try:
        summary = asyncio.run(_run_due(Settings.from_env(), now))
    except (OperationalError, ProgrammingError):
        click.echo("The database is not set up: run `voice-service db upgrade` first", err=True)
        sys.exit(1)
    for line in summary.lines():
        click.echo(line)


async def _run_due(settings: Settings, now: datetime) -> RunSummary:
    from voice_service.app import build_job_runner
    from voice_service.core.db.engine import create_engine

    engine = create_engine(settings)
    try:
        runner = build_job_runner(settings, engine)
        await runner.arm_recurring(now)
        return await runner.run_due(now)
    finally:
        await engine.dispose()


@main.group(help="Demonstration data.")
def demo() -> None:
    """Demonstration data."""


@demo.command("load", help="Add demo responses to every survey (with --if-empty: only when there are none yet).")
@click.option("--per-survey", default=30, show_default=True, type=int, help="Responses per survey.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds responses.")
def demo_load(per_survey: int, if_empty: bool) -> None:
    """Submit demo responses through the normal write path."""
    settings = Settings.from_env()
    _check_forms_or_exit(settings.forms_dir)
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        stored = asyncio.run(_demo_load(settings, per_survey, if_empty))
    except (OperationalError, ProgrammingError):
        # Why: an operator who skipped the migration needs the next step, not a traceback.
        click.echo("The database is not set up: run `voice-service db upgrade` first", err=True)
        sys.exit(1)
    click.echo(f"demo responses stored: {stored}")


async def _demo_load(settings: Settings, per_survey: int, if_empty: bool) -> int:
    from voice_service.core.db.engine import create_engine
    from voice_service.surveys.catalog import SurveyCatalog
    from voice_service.surveys.demo import load_demo
    from voice_service.surveys.submissions import SubmissionWriter, count_responses

    engine = create_engine(settings)
    try:
        if if_empty and await count_responses(engine) > 0:
            return 0
        catalog = SurveyCatalog.from_folder(settings.forms_dir)
        await catalog.sync(engine)
        writer = SubmissionWriter(engine)
        await writer.start()
        try:
            stored = await load_demo(catalog, writer, per_survey)
        finally:
            await writer.stop()
        # Training courses, sessions and delegates from the annual report (skipped once loaded).
        from voice_service.training.demo import load_training_demo

        await load_training_demo(engine, catalog)
        # Their evaluations and 6-month follow-ups, as the training reports count them (skipped once answered).
        from voice_service.training.report_demo import load_report_demo

        writer = SubmissionWriter(engine)
        await writer.start()
        try:
            stored += await load_report_demo(engine, catalog, writer)
        finally:
            await writer.stop()
        # The annual report's five "You Said / We Did" records, published (skipped once loaded).
        from voice_service.voice.demo import load_voice_demo

        await load_voice_demo(engine)
        return stored
    finally:
        await engine.dispose()


# Staff accounts and their API tokens: the commands live with their domain, registered here.
main.add_command(users)
main.add_command(tokens_group, name="tokens")
main.add_command(safeguarding_group, name="safeguarding")
main.add_command(voice_group, name="voice")
