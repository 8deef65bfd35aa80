"""The daily sentiment search starts at its mark: everything scored once, responses before the mark not read again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient

from tests.storage.test_retention_batches import run, stamp, submit
from tests.support import database
from voice_service.core.db.engine import create_engine
from voice_service.core.jobs import JobContext, JobRunner
from voice_service.core.mail import build_mailer
from voice_service.core.settings import Settings
from voice_service.surveys.free_text import unread_free_text
from voice_service.voice import sentiment
from voice_service.voice.jobs import (
    RECENT,
    SCORE_SENTIMENT_ALL,
    SCORED_BEFORE,
    rescore_everything,
    score_sentiment,
    score_sentiment_all,
)
from voice_service.voice.tables import SENTIMENTS


def scored(settings: Settings) -> dict[str, str]:
    """Submission key -> when its typed answer was scored, for every scored answer."""
    rows = database.query(
        settings.database_url,
        "SELECT r.submission_key, s.scored_at FROM answer_sentiment s JOIN response r ON r.id = s.response_id",
    )
    return {key: str(at) for key, at in rows}


def given(client: TestClient, settings: Settings, key: str, when: datetime) -> None:
    """A voice response with a typed answer, stamped `when`."""
    submit(client, key)
    stamp(settings, key, when)


def job(client: TestClient, settings: Settings, handler: Any, now: datetime, payload: dict[str, Any]) -> Any:
    """Run a sentiment job's handler at `now` with `payload`; what it returns."""

    async def once() -> Any:
        engine = create_engine(settings)
        try:
            return await handler(JobContext(settings, engine, build_mailer(settings), now, 1, 1), payload)
        finally:
            await engine.dispose()

    return run(client, once)


def test_the_daily_search_scores_everything_after_its_mark_once(client: TestClient, settings: Settings) -> None:
    real = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    yesterday = real - timedelta(days=1)
    given(client, settings, "last-month", real - timedelta(days=30))
    given(client, settings, "an-hour-ago", real - timedelta(hours=1))

    first = job(client, settings, score_sentiment_all, yesterday, {"other": 1})

    assert first == {"other": 1, SCORED_BEFORE: (yesterday - RECENT).isoformat()}
    assert set(scored(settings)) == {"last-month", "an-hour-ago"}
    before = scored(settings)

    # Stored while the runner was down, stamped after the mark but before RECENT: the minute job
    # misses it, the daily search from the mark finds it.
    given(client, settings, "during-an-outage", yesterday + timedelta(hours=2))
    # Stamped before the mark, which the write path never does: the search does not read so far back.
    given(client, settings, "before-the-mark", yesterday - RECENT - timedelta(hours=1))
    job(client, settings, score_sentiment, real, {})
    assert "during-an-outage" not in scored(settings)

    second = job(client, settings, score_sentiment_all, real, first)

    assert second == {"other": 1, SCORED_BEFORE: (real - RECENT).isoformat()}
    now_scored = scored(settings)
    assert set(now_scored) == {"last-month", "an-hour-ago", "during-an-outage"}
    assert {key: now_scored[key] for key in before} == before, "nothing scored twice"
    # A search from the start (`voice-service sentiment score`, or a job without a mark) reaches it.
    assert job(client, settings, score_sentiment_all, real, {})[SCORED_BEFORE] == (real - RECENT).isoformat()
    assert "before-the-mark" in scored(settings)
    assert run(client, lambda: count(settings)) == 4


async def count(settings: Settings) -> int:
    engine = create_engine(settings)
    try:
        return await sentiment.count_scored(engine)
    finally:
        await engine.dispose()


def test_a_search_cut_short_or_a_clock_ahead_does_not_move_the_mark_past_the_real_time(
    client: TestClient, settings: Settings
) -> None:
    real = datetime.now(UTC)
    given(client, settings, "recent-answer", real - timedelta(hours=1))
    ahead = real + timedelta(days=365)

    carried = job(client, settings, score_sentiment_all, ahead, {})

    mark = datetime.fromisoformat(carried[SCORED_BEFORE])
    assert real - RECENT <= mark <= datetime.now(UTC) - RECENT
    assert "recent-answer" in scored(settings)


def test_rescoring_everything_drops_the_daily_searchs_mark(client: TestClient, settings: Settings) -> None:
    runner: JobRunner = client.app.state.job_runner
    now = datetime.now(UTC)
    given(client, settings, "scored-then-rescored", now - timedelta(days=2))
    assert client.blocking_portal.call(lambda: runner.run_due(now, kinds={SCORE_SENTIMENT_ALL})).done
    assert SCORED_BEFORE in daily_payload(settings)

    async def rescore() -> int:
        engine = create_engine(settings)
        try:
            return await rescore_everything(engine, now)
        finally:
            await engine.dispose()

    assert run(client, rescore) == 1
    assert daily_payload(settings) == {}, "a rescoring stopped half way leaves the next daily search to start afresh"


def daily_payload(settings: Settings) -> dict[str, Any]:
    """The daily search's job row's payload."""
    [(payload,)] = database.query(
        settings.database_url, "SELECT payload FROM job WHERE kind = :kind", kind=SCORE_SENTIMENT_ALL
    )
    return dict(json.loads(payload) if isinstance(payload, str) else payload)


def test_a_search_from_a_time_reaches_every_survey_and_keeps_to_its_limit(
    client: TestClient, settings: Settings
) -> None:
    now = datetime.now(UTC)
    given(client, settings, "voice-in-the-hour", now - timedelta(hours=1))
    for n in range(2):
        body = {
            "answers": {"vote": "transport", "why": f"more buses please {n}"},
            "submission_key": f"mark-vote-{n:04d}",
        }
        assert client.post("/api/surveys/make-your-mark/responses", json=body).status_code == 201

    async def unread(limit: int) -> list[str]:
        engine = create_engine(settings)
        try:
            found = await unread_free_text(engine, SENTIMENTS, limit, now - RECENT)
            return sorted(answer.survey_slug for answer in found)
        finally:
            await engine.dispose()

    assert run(client, lambda: unread(10)) == ["make-your-mark", "make-your-mark", "young-people-voice"]
    assert len(run(client, lambda: unread(2))) == 2
    job(client, settings, score_sentiment, now, {})
    assert run(client, lambda: unread(10)) == []
