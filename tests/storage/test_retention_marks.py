"""Retention walks typed answers from each survey's mark: every expired text deleted, old ones not re-read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient

from tests.storage.test_retention_batches import NOW, VOICE, run, stamp, submit
from tests.support import database
from voice_service.core.db.engine import create_engine
from voice_service.core.jobs import JobRunner
from voice_service.core.settings import Settings
from voice_service.safeguarding.retention import RETENTION, TYPED_MARK, months_before
from voice_service.surveys.retention import LATE, TypedDeletion, delete_typed_answers_since

CUTOFF = months_before(NOW, 24)


def typed_keys(settings: Settings) -> set[str]:
    """The submission keys of responses that still have their typed answer."""
    rows = database.query(
        settings.database_url,
        "SELECT r.submission_key FROM response r JOIN answer a ON a.response_id = r.id"
        " WHERE a.question_id = 'make_better'",
    )
    return {key for (key,) in rows}


def walk(
    client: TestClient,
    settings: Settings,
    now: datetime,
    marks: dict[str, datetime],
    *,
    months: int = 24,
    by_survey: dict[str, int] | None = None,
    settled: datetime | None = None,
) -> TypedDeletion:
    """One typed-answer run as retention makes it at `now`, from `marks` (the real clock at `settled`, default now)."""
    cutoffs = {slug: months_before(now, m) for slug, m in (by_survey or {}).items()}

    async def once() -> TypedDeletion:
        engine = create_engine(settings)
        try:
            return await delete_typed_answers_since(
                engine, cutoffs, months_before(now, months), marks, settled=settled or now, batch=2
            )
        finally:
            await engine.dispose()

    return run(client, once)


def given(client: TestClient, settings: Settings, key: str, when: datetime) -> None:
    """A voice response with a typed answer, stamped `when`."""
    submit(client, key)
    stamp(settings, key, when)


def test_expired_texts_go_on_both_sides_of_the_limit_and_the_next_walk_starts_at_the_mark(
    client: TestClient, settings: Settings
) -> None:
    given(client, settings, "past-limit-1", CUTOFF - timedelta(hours=1))
    given(client, settings, "past-limit-2", CUTOFF - timedelta(days=200))
    given(client, settings, "at-limit", CUTOFF)
    given(client, settings, "within-limit", CUTOFF + timedelta(hours=1))

    first = walk(client, settings, NOW, {})

    assert first.count == 2
    assert first.done_before[VOICE] == CUTOFF
    assert typed_keys(settings) == {"at-limit", "within-limit"}

    # Committed after that run, stamped before its mark (a writer held up): reached, as it is within LATE.
    given(client, settings, "late-commit", CUTOFF - timedelta(hours=2))
    # Stamped before the mark by more than LATE, which the write path never does: the walk does not
    # go back that far, so the old responses are not read again every hour.
    given(client, settings, "beyond-the-walk", CUTOFF - LATE - timedelta(hours=1))

    second = walk(client, settings, NOW + timedelta(hours=1), first.done_before)

    assert second.count == 2  # the late one and the one at the old limit, now an hour past
    assert second.done_before[VOICE] == CUTOFF + timedelta(hours=1)
    assert typed_keys(settings) == {"within-limit", "beyond-the-walk"}
    # A walk from the start (no marks, as after a restore without them) reaches everything.
    assert walk(client, settings, NOW + timedelta(hours=1), {}).count == 1
    assert typed_keys(settings) == {"within-limit"}


def test_a_shorter_setting_deletes_what_it_makes_due_and_a_longer_one_keeps_the_mark(
    client: TestClient, settings: Settings
) -> None:
    for months in (13, 7, 1):
        given(client, settings, f"aged-{months:02d}-months", months_before(NOW, months) - timedelta(hours=1))

    marks = walk(client, settings, NOW, {}).done_before
    assert len(typed_keys(settings)) == 3
    shorter = walk(client, settings, NOW, marks, months=12)
    assert shorter.count == 1
    assert typed_keys(settings) == {"aged-07-months", "aged-01-months"}
    per_survey = walk(client, settings, NOW, shorter.done_before, months=12, by_survey={VOICE: 6})
    assert per_survey.count == 1
    assert per_survey.done_before[VOICE] == months_before(NOW, 6)
    assert typed_keys(settings) == {"aged-01-months"}

    longer = walk(client, settings, NOW + timedelta(hours=1), per_survey.done_before, months=24)

    assert longer.count == 0
    assert longer.done_before[VOICE] == months_before(NOW, 6), "the mark never moves back"
    assert typed_keys(settings) == {"aged-01-months"}


def test_a_rehearsal_with_the_clock_ahead_marks_no_later_than_the_real_time(
    client: TestClient, settings: Settings
) -> None:
    given(client, settings, "before-the-rehearsal", NOW - timedelta(hours=3))
    ahead = NOW + timedelta(days=31 * 25)

    rehearsal = walk(client, settings, ahead, {}, settled=NOW)

    assert rehearsal.count == 1
    assert rehearsal.done_before[VOICE] == NOW
    # Answered after the rehearsal, at the real time: deleted once its own 24 months are up.
    given(client, settings, "after-the-rehearsal", NOW + timedelta(hours=1))
    due = NOW + timedelta(hours=1) + timedelta(days=31 * 24)
    assert walk(client, settings, due, rehearsal.done_before).count == 1
    assert typed_keys(settings) == set()


def test_the_retention_job_carries_each_surveys_mark_to_its_next_run(client: TestClient, settings: Settings) -> None:
    runner: JobRunner = client.app.state.job_runner
    now = datetime.now(UTC)
    cutoff = months_before(now, 24)
    given(client, settings, "expired-answer", cutoff - timedelta(days=3))

    assert client.blocking_portal.call(lambda: runner.run_due(now, kinds={RETENTION})).done == {RETENTION: 1}

    [payload] = [
        row[0] for row in database.query(settings.database_url, "SELECT payload FROM job WHERE kind = :k", k=RETENTION)
    ]
    carried = json.loads(payload) if isinstance(payload, str) else payload
    assert carried[TYPED_MARK + VOICE] == cutoff.isoformat()
    assert typed_keys(settings) == set()
    # Committed late, stamped just before the mark: the next hourly run still deletes it.
    given(client, settings, "late-expired-answer", cutoff - timedelta(hours=1))
    later = now + timedelta(hours=1)
    assert client.blocking_portal.call(lambda: runner.run_due(later, kinds={RETENTION})).done == {RETENTION: 1}
    assert typed_keys(settings) == set()
