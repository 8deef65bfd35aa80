"""Due work of the voice side: free-text answers get their sentiment every minute, after they are stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from voice_service.core.jobs import Handler, JobContext, Recurring
from voice_service.voice.sentiment import score_pending

SCORE_SENTIMENT = "voice.score_sentiment"


async def score_sentiment(ctx: JobContext, _payload: dict[str, Any]) -> None:
    """Score the answers stored since the last run (idempotent: a scored answer is never scored twice)."""
    await score_pending(ctx.engine, ctx.now)


JOB_HANDLERS: dict[str, Handler] = {SCORE_SENTIMENT: score_sentiment}
#: Why every minute: staff see sentiment soon after an answer arrives, and scoring stays off the write path.
RECURRING_JOBS = (Recurring(SCORE_SENTIMENT, every=timedelta(minutes=1)),)
