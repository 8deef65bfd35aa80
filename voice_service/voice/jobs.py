"""Due work of the voice side: typed answers get their sentiment soon after they are stored, never on the write path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.jobs import Handler, JobContext, PayloadValue, Recurring, forget_carried_payload
from voice_service.voice.sentiment import rescore_all, score_until_done

SCORE_SENTIMENT = "voice.score_sentiment"
SCORE_SENTIMENT_ALL = "voice.score_sentiment_all"
#: Why 3 hours: anonymous responses are stamped to the hour, so a response committed now may carry a
#: time up to an hour old; the margin covers a runner that was down for a while.
RECENT = timedelta(hours=3)
#: The daily search's payload key: every typed answer of a response stamped before it has a sentiment.
SCORED_BEFORE = "scored_before"


async def score_sentiment(ctx: JobContext, _payload: dict[str, Any]) -> None:
    """Score answers of the responses stored in the last hours (a small search, every minute)."""
    # Why at most 2 batches a minute (60,000 answers an hour, far above what young people type): the
    # job shares the web process's core, so a burst of answers is scored over minutes, not at once.
    # Why no count of what is scored: at 500,000 scored answers counting them was most of the cost.
    await score_until_done(ctx.engine, ctx.now, batches=2, since=ctx.now - RECENT)


async def score_sentiment_all(ctx: JobContext, payload: dict[str, Any]) -> dict[str, PayloadValue]:
    """Score anything left (after an outage longer than RECENT, or a restore), daily, from the last mark on.

    Why a mark: a search from the start read every typed answer ever given (1.3 s of CPU at 500,000)
    to find nothing. Once a search finds nothing left, everything stamped before it started, less
    RECENT, is scored, and no response committed later can carry so early a time; the real clock
    caps the mark, so a rehearsal with a clock moved ahead cannot skip what is still to come.
    """
    stored = payload.get(SCORED_BEFORE)
    mark = datetime.fromisoformat(stored) if isinstance(stored, str) else None
    reached = min(ctx.now, datetime.now(UTC)) - RECENT
    if await score_until_done(ctx.engine, ctx.now, batches=1000, since=mark):
        mark = reached if mark is None else max(mark, reached)
    return payload if mark is None else payload | {SCORED_BEFORE: mark.isoformat()}


async def rescore_everything(engine: AsyncEngine, now: datetime) -> int:
    """Forget every score and the daily search's mark, then score every typed answer again; how many are scored.

    Why the mark first: if the rescoring stops half way, the next daily search starts from the
    beginning and scores what was left, instead of trusting a mark set before the scores went.
    """
    await forget_carried_payload(engine, SCORE_ALL_JOB)
    return await rescore_all(engine, now)


SCORE_ALL_JOB = Recurring(SCORE_SENTIMENT_ALL, every=timedelta(days=1))
JOB_HANDLERS: dict[str, Handler] = {SCORE_SENTIMENT: score_sentiment, SCORE_SENTIMENT_ALL: score_sentiment_all}
RECURRING_JOBS = (Recurring(SCORE_SENTIMENT, every=timedelta(minutes=1)), SCORE_ALL_JOB)
