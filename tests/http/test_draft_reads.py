"""The pages' draft reader: on SQLite a plain read on the event loop, reading exactly what the engine reads."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.conftest import FORMS_DIR
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.draft_reads import DraftReader
from voice_service.surveys.drafts import DraftState, load_draft, save_draft, start_draft
from voice_service.surveys.sqlite_batches import sqlite_file
from voice_service.surveys.submissions import SubmissionWriter
from voice_service.surveys.tables import DRAFTS

MAX_AGE = timedelta(hours=1)
ANSWERS = {"free_text": "Shorter waits & <buses> at night", "how_safe": "very_safe", "ranked": ["a", "b"], "n": 3}


@pytest.fixture
async def parts(settings: Settings) -> AsyncIterator[tuple[SubmissionWriter, DraftReader, int]]:
    """A running writer, a reader on the same database (SQLite and PostgreSQL), and a survey version id."""
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    engine = create_engine(settings)
    await catalog.sync(engine)
    writer = SubmissionWriter(engine)
    await writer.start()
    reader = DraftReader(engine)
    survey = catalog.current("young-people-voice")
    assert survey is not None
    yield writer, reader, catalog.version_id(survey)
    reader.close()
    await writer.stop()
    await engine.dispose()


async def test_reads_what_the_writer_committed_as_the_engine_reads_it(
    parts: tuple[SubmissionWriter, DraftReader, int],
) -> None:
    writer, reader, version_id = parts
    draft = await start_draft(writer, version_id)
    assert await reader.load(draft.id, MAX_AGE) == DraftState(draft.id, version_id, {}, [], draft.submission_key)
    draft.answers, draft.visited = dict(ANSWERS), [1, 3, 2]
    await save_draft(writer, draft)
    read = await reader.load(draft.id, MAX_AGE)
    assert read == await load_draft(writer.engine, draft.id, MAX_AGE)
    assert read is not None
    assert (read.answers, read.visited) == (ANSWERS, [1, 2, 3])


async def test_no_draft_for_an_unknown_overlong_or_stale_id(parts: tuple[SubmissionWriter, DraftReader, int]) -> None:
    writer, reader, version_id = parts
    draft = await start_draft(writer, version_id)
    assert await reader.load(None, MAX_AGE) is None
    assert await reader.load("", MAX_AGE) is None
    assert await reader.load(draft.id + "x" * 64, MAX_AGE) is None
    assert await reader.load("no-such-draft", MAX_AGE) is None
    # Only touched within the age given counts, as for the engine's read.
    assert await reader.load(draft.id, timedelta(0)) is None
    assert await load_draft(writer.engine, draft.id, timedelta(0)) is None


async def test_a_change_committed_elsewhere_is_seen_at_once(parts: tuple[SubmissionWriter, DraftReader, int]) -> None:
    writer, reader, version_id = parts
    draft = await start_draft(writer, version_id)
    assert await reader.load(draft.id, MAX_AGE) is not None
    # Another process (the purge, or another worker) changes the row: the next read must show it.
    async with writer.engine.begin() as conn:
        await conn.execute(update(DRAFTS).where(DRAFTS.c.id == draft.id).values(answers={"x": "from elsewhere"}))
    read = await reader.load(draft.id, MAX_AGE)
    assert read is not None
    assert read.answers == {"x": "from elsewhere"}


# Why SQLite only: the plain read is for SQLite files; PostgreSQL reads through the engine.
@pytest.mark.parametrize("migrated_url", ["sqlite"], indirect=True)
async def test_on_sqlite_a_locked_file_is_read_through_the_engine_which_waits(
    parts: tuple[SubmissionWriter, DraftReader, int],
) -> None:
    writer, reader, version_id = parts
    path = sqlite_file(writer.engine)
    assert path is not None
    draft = await start_draft(writer, version_id)
    assert await reader.load(draft.id, MAX_AGE) is not None
    # Why exclusive locking mode: the one way to make a WAL-mode reader wait. It needs the file to
    # itself, so every other connection is closed first; the reader's is opened again when it reads.
    await writer.stop()
    await writer.engine.dispose()
    reader.close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")

    async def release() -> None:
        await asyncio.sleep(0.3)
        holder.execute("COMMIT")
        holder.close()

    releasing = asyncio.create_task(release())
    read = await reader.load(draft.id, MAX_AGE)
    await releasing
    assert read is not None
    assert read.submission_key == draft.submission_key
