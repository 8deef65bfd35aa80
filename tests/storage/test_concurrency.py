"""Many submissions at once: each submission key is stored exactly once, and one bad one spoils nothing."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.exc import IntegrityError

from tests.conftest import FORMS_DIR
from tests.support import database
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.pending import Write
from voice_service.surveys.submissions import (
    Acknowledgement,
    PendingSubmission,
    Result,
    SubmissionWriter,
    submit_response,
)

VOTES = ("environment", "transport", "health_and_wellbeing", "crime_and_safety")


def test_fifty_concurrent_api_posts_store_each_key_once(client: TestClient, settings: Settings) -> None:
    url = "/api/surveys/make-your-mark/responses"
    keys = [f"burst-key-{i % 10:04d}" for i in range(50)]

    def post(key: str) -> tuple[str, int, str, bool]:
        response = client.post(url, json={"answers": {"vote": "environment"}, "submission_key": key})
        return key, response.status_code, response.json()["id"], response.headers.get("idempotent-replayed") == "true"

    with ThreadPoolExecutor(max_workers=25) as pool:
        results = list(pool.map(post, keys))

    assert {status for _, status, _, _ in results} == {201}
    ids: dict[str, set[str]] = defaultdict(set)
    firsts: dict[str, int] = defaultdict(int)
    for key, _, rid, replayed in results:
        ids[key].add(rid)
        firsts[key] += not replayed
    assert all(len(found) == 1 for found in ids.values()), "every post with one key gets the same id"
    assert set(firsts.values()) == {1}, "exactly one post per key is the first, the others are replays"
    assert database.count(settings.database_url, "response") == 10
    assert database.count(settings.database_url, "answer") == 10


@pytest.fixture
async def writer_parts(settings: Settings) -> tuple[SurveyCatalog, Settings]:
    """The shipped catalog, synced to the test's database (so version ids are known)."""
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    engine = create_engine(settings)
    try:
        await catalog.sync(engine)
    finally:
        await engine.dispose()
    return catalog, settings


@pytest.mark.parametrize("batch_size", [1, 16, 256])
async def test_two_hundred_submissions_with_repeated_keys(
    writer_parts: tuple[SurveyCatalog, Settings], batch_size: int
) -> None:
    catalog, settings = writer_parts
    survey = catalog.surveys["make-your-mark"]
    keys = [f"gather-{i:04d}" for i in range(180)] + [f"gather-{i:04d}" for i in range(0, 180, 9)]
    assert len(keys) == 200
    assert len(set(keys)) == 180

    engine = create_engine(settings)
    writer = SubmissionWriter(engine, batch_size)
    await writer.start()
    try:
        acks = await asyncio.gather(
            *(
                submit_response(writer, catalog, survey, {"vote": VOTES[i % len(VOTES)]}, key)
                for i, key in enumerate(keys)
            )
        )
    finally:
        await writer.stop()
        await engine.dispose()

    by_key: dict[str, set[Acknowledgement]] = defaultdict(set)
    for key, ack in zip(keys, acks, strict=True):
        by_key[key].add(ack)
    assert all(len({a.id for a in found}) == 1 for found in by_key.values())
    assert sum(not a.replayed for a in acks) == 180
    assert sum(a.replayed for a in acks) == 20
    sql = "SELECT COUNT(*), COUNT(DISTINCT submission_key) FROM response"
    rows = await database.query_async(settings.database_url, sql)
    assert tuple(rows[0]) == (180, 180)
    answers = await database.query_async(settings.database_url, "SELECT COUNT(*) FROM answer")
    assert answers[0][0] == 180


async def test_two_writers_racing_on_the_same_keys_store_each_once(
    writer_parts: tuple[SurveyCatalog, Settings],
) -> None:
    """Two service processes (two engines, two writers) receiving the same retries at the same moment."""
    catalog, settings = writer_parts
    survey = catalog.surveys["make-your-mark"]
    keys = [f"race-{i:04d}" for i in range(60)]
    engines = [create_engine(settings), create_engine(settings)]
    writers = [SubmissionWriter(engine, 8) for engine in engines]
    for writer in writers:
        await writer.start()
    try:
        acks = await asyncio.gather(
            *(
                submit_response(writer, catalog, survey, {"vote": "transport"}, key)
                for key in keys
                for writer in writers
            )
        )
    finally:
        for writer in writers:
            await writer.stop()
        for engine in engines:
            await engine.dispose()
    ids: dict[str, set[object]] = defaultdict(set)
    for ack, key in zip(acks, [k for k in keys for _ in writers], strict=True):
        ids[key].add(ack.id)
    assert all(len(found) == 1 for found in ids.values())
    rows = await database.query_async(settings.database_url, "SELECT COUNT(*) FROM response")
    assert rows[0][0] == 60


class CountingWriter(SubmissionWriter):
    """A writer that records the size of every transaction it attempts.

    On SQLite, whose writer thread takes whatever is queued as soon as it is free, its first
    transaction waits for `gate`, so what the test queues meanwhile goes into the next one.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.attempts: list[int] = []
        self.gate = threading.Event()
        self.at_gate = threading.Event()

    async def _write(self, batch: list[Write]) -> list[Result]:
        self.attempts.append(len(batch))
        return await super()._write(batch)

    def _commit_sqlite(self, items: list[Write]) -> Any:
        if not self.attempts:
            self.at_gate.set()
            self.gate.wait(timeout=10)
        self.attempts.append(len(items))
        return super()._commit_sqlite(items)


async def test_a_failing_submission_does_not_sink_its_batch(writer_parts: tuple[SurveyCatalog, Settings]) -> None:
    catalog, settings = writer_parts
    survey = catalog.surveys["make-your-mark"]
    good_version = catalog.version_id(survey)
    engine = create_engine(settings)
    writer = CountingWriter(engine, 64)
    await writer.start()
    pending = [
        PendingSubmission(survey, good_version, {"vote": "environment"}, f"batch-good-{i:03d}") for i in range(9)
    ]
    # A version id that does not exist breaks the foreign key: the database refuses this one row.
    pending.insert(4, PendingSubmission(survey, 987_654_321, {"vote": "environment"}, "batch-bad-0001"))
    first = asyncio.create_task(
        writer.submit(PendingSubmission(survey, good_version, {"vote": "transport"}, "first-0001"))
    )
    try:
        if settings.is_sqlite:
            await asyncio.to_thread(writer.at_gate.wait, 10)  # the writer thread holds the first one
        else:
            await first
        queued = asyncio.gather(*(writer.submit(p) for p in pending), return_exceptions=True)
        await asyncio.sleep(0.05)  # every submission queued while the writer is busy
        writer.gate.set()
        results = await queued
        await first
    finally:
        writer.gate.set()
        await writer.stop()
        await engine.dispose()

    assert writer.attempts == [1, 10] + [1] * 10, "all ten went into one transaction, then each was retried on its own"
    assert isinstance(results[4], IntegrityError)
    good = [r for i, r in enumerate(results) if i != 4]
    assert all(isinstance(r, Acknowledgement) and not r.replayed for r in good)
    stored = await database.query_async(settings.database_url, "SELECT submission_key FROM response")
    assert sorted(row[0] for row in stored) == [f"batch-good-{i:03d}" for i in range(9)] + ["first-0001"]
    answers = await database.query_async(settings.database_url, "SELECT COUNT(*) FROM answer")
    assert answers[0][0] == 10


async def test_the_writer_refuses_work_when_not_running(writer_parts: tuple[SurveyCatalog, Settings]) -> None:
    catalog, settings = writer_parts
    survey = catalog.surveys["make-your-mark"]
    engine = create_engine(settings)
    try:
        writer = SubmissionWriter(engine)
        pending = PendingSubmission(survey, catalog.version_id(survey), {"vote": "environment"}, "k" * 10)
        with pytest.raises(RuntimeError, match="not running"):
            await writer.submit(pending)
    finally:
        await engine.dispose()


async def test_stopping_the_writer_commits_what_was_queued(writer_parts: tuple[SurveyCatalog, Settings]) -> None:
    catalog, settings = writer_parts
    survey = catalog.surveys["make-your-mark"]
    engine = create_engine(settings)
    writer = SubmissionWriter(engine, 4)
    await writer.start()
    version_id = catalog.version_id(survey)
    pending = [PendingSubmission(survey, version_id, {"vote": "transport"}, f"stop-{i:04d}") for i in range(20)]
    tasks = [asyncio.create_task(writer.submit(p)) for p in pending]
    await asyncio.sleep(0)  # let every task queue its submission
    await writer.stop()
    acks = await asyncio.gather(*tasks)
    await engine.dispose()
    assert len({a.id for a in acks}) == 20
    rows = await database.query_async(settings.database_url, "SELECT COUNT(*) FROM response")
    assert rows[0][0] == 20
