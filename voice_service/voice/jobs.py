"""Due work of the voice side: typed answers get their sentiment soon after they are stored, never on the write path."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from voice_service.core.jobs import Handler, JobContext, Recurring
from voice_service.voice.sentiment import score_pending

SCORE_SENTIMENT = "voice.score_sentiment"
SCORE_SENTIMENT_ALL = "voice.score_sentiment_all"
#: Why 3 hours: anonymous responses are stamped to the hour, so a response committed now may carry a
#: time up to an hour old; the margin covers a runner that was down for a while.
RECENT = timedelta(hours=3)


async def score_sentiment(ctx: JobContext, _payload: dict[str, Any]) -> None:
    """Score answers of the responses stored in the last hours (a small search, every minute)."""
    # Why at most 2 batches a minute (60,000 answers an hour, far above what young people type): the
    # job shares the web process's core, so a burst of answers is scored over minutes, not at once.
    await score_pending(ctx.engine, ctx.now, batches=2, since=ctx.now - RECENT)


async def score_sentiment_all(ctx: JobContext, _payload: dict[str, Any]) -> None:
    """Score anything left anywhere (after an outage longer than RECENT, or a restore): a full search, daily."""
    await score_pending(ctx.engine, ctx.now, batches=1000)


JOB_HANDLERS: dict[str, Handler] = {SCORE_SENTIMENT: score_sentiment, SCORE_SENTIMENT_ALL: score_sentiment_all}
RECURRING_JOBS = (
    Recurring(SCORE_SENTIMENT, every=timedelta(minutes=1)),
    Recurring(SCORE_SENTIMENT_ALL, every=timedelta(days=1)),
)
