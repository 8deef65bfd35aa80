"""`voice-service voice ...`: sentiment scoring by hand (the due-work job does it every minute on its own)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import click
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.voice import jobs as voice_jobs
from voice_service.voice import sentiment

T = TypeVar("T")


def _run(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(Settings.from_env())
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except (OperationalError, ProgrammingError):
        click.echo("The database is not set up: run `voice-service db upgrade` first", err=True)
        sys.exit(1)


@click.group(name="voice")
def voice_group() -> None:
    """Young people's voice: sentiment of typed answers."""


@voice_group.command("score-sentiment", help="Score typed answers not scored yet (the job does this every minute).")
def score_sentiment() -> None:
    """Score what is waiting, now."""
    scored = _run(lambda engine: sentiment.score_pending(engine, datetime.now(UTC), batches=1_000_000))
    click.echo(f"answers with sentiment: {scored}")


@voice_group.command("rescore-sentiment", help="Forget every sentiment score and score every typed answer again.")
def rescore_sentiment() -> None:
    """Recompute after an upgrade of TextBlob or its lexicon."""
    scored = _run(lambda engine: voice_jobs.rescore_everything(engine, datetime.now(UTC)))
    click.echo(f"answers with sentiment: {scored}")
