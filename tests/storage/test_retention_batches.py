"""Retention's deletions in short transactions: every due key and typed answer reached, nothing else touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.retention import FORGOTTEN, delete_typed_answers, forget_submission_keys
from voice_service.surveys.sqlite_batches import INSERT_RESPONSE

VOICE = "young-people-voice"
ORDINARY = "more buses at night and a youth club near me"
#: Whole hours, as anonymous responses are stamped: several responses share each one.
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
OLD_HOUR = NOW - timedelta(days=30)


def submit(client: TestClient, key: str, text: str | None = ORDINARY) -> str:
    """Store a voice survey response through the API; its id."""
    answers: dict[str, Any] = {"area": "west", "views_difference": "yes"}
    if text is not None:
        answers["make_better"] = text
    response = client.post(f"/api/surveys/{VOICE}/responses", json={"answers": answers, "submission_key": key})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def stamp(settings: Settings, key: str, when: datetime, respondent: str = "anonymous") -> None:
    """Give a stored response another time (bound as the write path binds it) and respondent."""
    database.query(
        settings.database_url,
        "UPDATE response SET submitted_at = :when, respondent = :who WHERE submission_key = :key",
        when=INSERT_RESPONSE.converters["submitted_at"](when) if settings.database_url.startswith("sqlite") else when,
        who=respondent,
        key=key,
    )


def keys(settings: Settings) -> set[str]:
    return {key for (key,) in database.query(settings.database_url, "SELECT submission_key FROM response")}


def typed_left(settings: Settings) -> int:
    rows = database.query(settings.database_url, "SELECT COUNT(*) FROM answer WHERE question_id = 'make_better'")
    return int(rows[0][0])


def other_answers(settings: Settings) -> int:
    rows = database.query(settings.database_url, "SELECT COUNT(*) FROM answer WHERE question_id <> 'make_better'")
    return int(rows[0][0])


@pytest.fixture
def engine(settings: Settings) -> tuple[AsyncEngine, list[int]]:
    """The service's engine for the test's database, counting the transactions it commits."""
    built = create_engine(settings)
    commits: list[int] = []
    event.listen(built.sync_engine, "commit", lambda _conn: commits.append(1))
    return built, commits


def run(client: TestClient, work: Any) -> Any:
    return client.blocking_portal.call(work)


def test_every_due_key_is_forgotten_in_batches_and_nothing_else(
    client: TestClient, settings: Settings, engine: tuple[AsyncEngine, list[int]]
) -> None:
    # Keys on both sides of the forgotten prefix in code-point order, and one a client chose with it.
    old = [f"a-old-key-{i:02d}" for i in range(7)] + [f"zz-old-key-{i:02d}" for i in range(4)]
    for key in old:
        submit(client, key)
        stamp(settings, key, OLD_HOUR)
    submit(client, "recent-key-0001")
    stamp(settings, "recent-key-0001", NOW - timedelta(hours=2))
    submit(client, "delegate-key-0001")
    stamp(settings, "delegate-key-0001", OLD_HOUR, respondent="delegate")
    submit(client, FORGOTTEN + "chosen-by-a-client")
    stamp(settings, FORGOTTEN + "chosen-by-a-client", OLD_HOUR)
    built, commits = engine

    dropped = run(client, lambda: forget_submission_keys(built, NOW - timedelta(hours=24), batch=3))

    assert dropped == len(old)
    left = keys(settings)
    assert not left & set(old)
    assert {"recent-key-0001", "delegate-key-0001", FORGOTTEN + "chosen-by-a-client"} <= left
    assert len([key for key in left if key.startswith(FORGOTTEN)]) == len(old) + 1
    # 11 keys, 3 a transaction: at least 4 transactions, none holding them all.
    assert len(commits) >= 4
    assert run(client, lambda: forget_submission_keys(built, NOW - timedelta(hours=24), batch=3)) == 0
    run(client, built.dispose)


def test_every_due_typed_answer_is_deleted_in_batches_across_shared_hours(
    client: TestClient, settings: Settings, engine: tuple[AsyncEngine, list[int]]
) -> None:
    # Seven responses in one hour and four in the next: batches of 2 end inside an hour.
    old = [f"typed-old-{i:02d}" for i in range(11)]
    for i, key in enumerate(old):
        submit(client, key)
        stamp(settings, key, OLD_HOUR - timedelta(hours=3 if i < 7 else 2))
    submit(client, "typed-old-no-text", text=None)
    stamp(settings, "typed-old-no-text", OLD_HOUR)
    recent = "typed-recent-01"
    submit(client, recent)
    stamp(settings, recent, NOW - timedelta(days=1))
    others = other_answers(settings)
    built, commits = engine

    deleted = run(client, lambda: delete_typed_answers(built, {}, OLD_HOUR, batch=2))

    assert deleted == len(old)
    assert typed_left(settings) == 1  # the recent response's
    assert other_answers(settings) == others
    assert len(commits) >= 6
    assert run(client, lambda: delete_typed_answers(built, {}, OLD_HOUR, batch=2)) == 0
    # A survey's own cutoff reaches the recent one too.
    assert run(client, lambda: delete_typed_answers(built, {VOICE: NOW}, OLD_HOUR, batch=2)) == 1
    assert typed_left(settings) == 0
    run(client, built.dispose)
