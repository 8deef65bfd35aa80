"""Group commit on SQLite's writer thread: committed without the event loop, answered only after the commit."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FORMS_DIR
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.migrations.runner import upgrade
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.pending import PendingSubmission
from voice_service.surveys.sqlite_group_commit import GroupCommitThread
from voice_service.surveys.submissions import Acknowledgement, SubmissionWriter


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Settings for a SQLite file built by the migrations."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'voice.db'}", forms_dir=FORMS_DIR)
    upgrade(settings)
    return settings


@pytest.fixture
async def sqlite_writer(
    sqlite_settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[SurveyCatalog, SubmissionWriter, Path]]:
    """A running writer on a migrated SQLite file, with the shipped catalog synced to it."""
    database = tmp_path / "voice.db"
    engine = create_engine(sqlite_settings)
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    await catalog.sync(engine)
    writer = SubmissionWriter(engine)
    await writer.start()
    yield catalog, writer, database
    await writer.stop()
    await engine.dispose()


def stored_keys(database: Path) -> set[str]:
    """Keys committed so far, read on a connection of our own."""
    with sqlite3.connect(database) as conn:
        return {key for (key,) in conn.execute("SELECT submission_key FROM response")}


async def test_the_writer_commits_while_the_event_loop_is_busy_and_answers_after(
    sqlite_writer: tuple[SurveyCatalog, SubmissionWriter, Path],
) -> None:
    """The loop blocked after queueing: the rows are committed meanwhile, acknowledged once it runs again."""
    catalog, writer, database = sqlite_writer
    survey = catalog.surveys["make-your-mark"]
    version = catalog.version_id(survey)
    keys = {f"busy-loop-{i:04d}" for i in range(40)}
    tasks = [
        asyncio.create_task(writer.submit(PendingSubmission(survey, version, {"vote": "transport"}, key)))
        for key in sorted(keys)
    ]
    await asyncio.sleep(0)  # every task queues its submission
    deadline = time.monotonic() + 10
    while stored_keys(database) != keys and time.monotonic() < deadline:
        time.sleep(0.01)  # the event loop's thread is held here, as by a long request
    assert stored_keys(database) == keys, "committed without the event loop"
    assert not any(task.done() for task in tasks), "nobody is answered while the loop is held"
    acks = await asyncio.gather(*tasks)
    assert all(isinstance(ack, Acknowledgement) and not ack.replayed for ack in acks)
    with sqlite3.connect(database) as conn:
        stored = dict(conn.execute("SELECT submission_key, id FROM response"))
    assert {ack.id.bytes for ack in acks} == set(stored.values())


async def test_a_retried_key_queued_behind_its_first_submission_is_a_replay(
    sqlite_writer: tuple[SurveyCatalog, SubmissionWriter, Path],
) -> None:
    """The same key again and again, while earlier batches commit: stored once, every answer its id."""
    catalog, writer, database = sqlite_writer
    survey = catalog.surveys["make-your-mark"]
    version = catalog.version_id(survey)
    acks = [
        await writer.submit(PendingSubmission(survey, version, {"vote": "health_and_wellbeing"}, "again-0001"))
        for _ in range(5)
    ]
    acks += await asyncio.gather(
        *(writer.submit(PendingSubmission(survey, version, {"vote": "transport"}, "again-0001")) for _ in range(20))
    )
    assert len({ack.id for ack in acks}) == 1
    assert [ack.replayed for ack in acks] == [False] + [True] * 24
    assert stored_keys(database) == {"again-0001"}


async def test_batches_keep_queue_order_and_a_failure_is_retried_alone() -> None:
    """The thread's own rules, on a plain commit function: order, one transaction per batch, failures apart."""
    committed: list[list[int]] = []
    gate = threading.Event()

    def commit(items: list[int]) -> list[int]:
        gate.wait(timeout=10)
        if 13 in items:
            raise ValueError("unlucky")
        committed.append(items)
        return [item * 2 for item in items]

    def answer(items: list[int], outcome: list[int]) -> list[Any]:
        assert threading.current_thread() is threading.main_thread(), "answered on the event loop"
        return outcome

    group = GroupCommitThread(commit, answer, batch_size=8)
    first = group.submit(0)  # the thread takes it and waits at the gate
    await asyncio.sleep(0.05)
    rest = [group.submit(i) for i in range(1, 20)]
    gate.set()
    results = await asyncio.gather(first, *rest, return_exceptions=True)
    await group.stop()

    assert results[13].__class__ is ValueError
    assert [r for i, r in enumerate(results) if i != 13] == [i * 2 for i in range(20) if i != 13]
    assert committed[0] == [0]
    assert committed[1] == list(range(1, 9)), "what queued meanwhile, up to the batch size"
    singles = [[i] for i in range(9, 17) if i != 13]
    assert committed[2:] == [*singles, [17, 18, 19]], "the failed batch retried one by one, in order"


async def test_an_error_while_answering_reaches_every_waiter() -> None:
    """A bug on the loop's side must not leave a request waiting for ever."""

    def answer(items: list[int], outcome: None) -> list[Any]:
        raise RuntimeError("broken answer")

    group = GroupCommitThread(lambda items: None, answer, batch_size=4)
    results = await asyncio.gather(*(group.submit(i) for i in range(3)), return_exceptions=True)
    await group.stop()
    assert all(isinstance(r, RuntimeError) for r in results)


async def test_stop_commits_what_was_queued_then_ends_the_thread() -> None:
    committed: list[int] = []
    closed = threading.Event()

    def commit(items: list[int]) -> None:
        time.sleep(0.01)
        committed.extend(items)

    group = GroupCommitThread(commit, lambda items, _: items, batch_size=4, on_exit=closed.set)
    waiting = [group.submit(i) for i in range(10)]
    await group.stop()
    assert committed == list(range(10))
    assert closed.is_set()
    assert await asyncio.gather(*waiting) == list(range(10))
