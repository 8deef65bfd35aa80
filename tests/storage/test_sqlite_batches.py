"""The SQLite write path: one transaction per batch on the writer's own thread and connection."""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from forms import validate_answers
from forms.engine import to_cells
from tests.conftest import FORMS_DIR
from voice_service.core.db.engine import create_engine
from voice_service.core.db.sqlite_insert import SqliteInsert
from voice_service.core.settings import Settings
from voice_service.migrations.runner import upgrade
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.sqlite_batches import INSERT_ANSWER, sqlite_file
from voice_service.surveys.submissions import SubmissionWriter, submit_response
from voice_service.surveys.tables import ANSWERS, RESPONSES

#: Every kind of answer piece: ranked places, a scale position, choices, ticks and free text.
RICH_ANSWERS = {
    "what_matters": ["feeling_safe", "mental_health", "things_to_do"],
    "listened_to": "sometimes",
    "views_difference": "not_sure",
    "make_better": "More places to go after school & <b>youth clubs</b>",
    "talk_to": ["no_one"],  # "no one" is exclusive: it cannot be ticked with another
    "easier_to_talk": "Someone my own age",
    "age_band": "11_15",
    "area": "north",
}


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Settings for a SQLite file built by the migrations."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'voice.db'}", forms_dir=FORMS_DIR)
    upgrade(settings)
    return settings


@pytest.fixture
async def sqlite_parts(sqlite_settings: Settings) -> AsyncIterator[tuple[SurveyCatalog, AsyncEngine, Path]]:
    """The migrated SQLite file, its engine and the shipped catalog synced to it."""
    settings = sqlite_settings
    database = sqlite_file(create_async_engine(settings.database_url))
    assert database is not None
    engine = create_engine(settings)
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    await catalog.sync(engine)
    yield catalog, engine, database
    await engine.dispose()


@pytest.fixture
async def writer(sqlite_parts: tuple[SurveyCatalog, AsyncEngine, Path]) -> AsyncIterator[SubmissionWriter]:
    """A running writer on that file, stopped after the test."""
    running = SubmissionWriter(sqlite_parts[1])
    await running.start()
    yield running
    await running.stop()


async def test_stored_rows_read_back_through_sqlalchemy_as_submitted(
    sqlite_parts: tuple[SurveyCatalog, AsyncEngine, Path], writer: SubmissionWriter
) -> None:
    catalog, engine, _ = sqlite_parts
    survey = catalog.surveys["young-people-voice"]
    before = datetime.now(UTC)
    ack = await submit_response(writer, catalog, survey, RICH_ANSWERS, "readback-0001")

    async with engine.connect() as conn:
        response = (await conn.execute(select(RESPONSES))).one()
        answers = (await conn.execute(select(ANSWERS))).all()
    assert response.id == ack.id
    assert response.submission_key == "readback-0001"
    assert response.survey_slug == "young-people-voice"
    assert response.respondent == "anonymous"
    # An anonymous response is stored to the hour only (issue 11: no precise time to match logs against).
    assert before - timedelta(hours=1) < response.submitted_at <= datetime.now(UTC)
    assert (response.submitted_at.minute, response.submitted_at.second, response.submitted_at.microsecond) == (0, 0, 0)
    assert response.submitted_at.tzinfo is not None
    expected = sorted(
        (ack.id, qid, cell.row, cell.position, cell.text, cell.number)
        for qid, cell in to_cells(survey, validate_answers(survey, RICH_ANSWERS).answers)
    )
    assert len(expected) >= 10
    assert sorted(tuple(row) for row in answers) == expected
    # The ids bound as bytearray are BLOBs equal to the response's own, so SQL joins find them.
    async with engine.connect() as conn:
        joined = await conn.execute(
            text(
                "SELECT count(*) FROM answer JOIN response ON response.id = answer.response_id "
                "WHERE typeof(answer.response_id) = 'blob'"
            )
        )
        assert joined.scalar_one() == len(expected)


async def test_nothing_is_acknowledged_while_another_process_holds_the_write_lock(
    sqlite_parts: tuple[SurveyCatalog, AsyncEngine, Path], writer: SubmissionWriter
) -> None:
    """Another service process committing: this one waits for the lock, then commits, then acknowledges."""
    catalog, engine, database = sqlite_parts
    survey = catalog.surveys["make-your-mark"]
    lock = os.open(f"{database}.write-lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pending = asyncio.create_task(submit_response(writer, catalog, survey, {"vote": "transport"}, "waiting-0001"))
        done, _ = await asyncio.wait({pending}, timeout=0.5)
        assert not done, "acknowledged while another writer held the lock"
        assert await stored_keys(engine) == []
        fcntl.flock(lock, fcntl.LOCK_UN)
        ack = await asyncio.wait_for(pending, timeout=10)
        assert await stored_keys(engine) == ["waiting-0001"]
        assert not ack.replayed
    finally:
        os.close(lock)


async def stored_keys(engine: AsyncEngine) -> list[str]:
    """Submission keys committed so far, as a fresh connection sees them."""
    async with engine.connect() as conn:
        return list((await conn.execute(select(RESPONSES.c.submission_key))).scalars())


async def test_a_database_failure_reaches_the_caller_as_a_database_error(tmp_path: Path) -> None:
    """No tables (never migrated): the submission fails with SQLAlchemy's error type, and the writer carries on."""
    from sqlalchemy.exc import OperationalError

    database = tmp_path / "empty.db"
    engine = create_async_engine(f"sqlite+aiosqlite:///{database}")
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    survey = catalog.surveys["make-your-mark"]
    writer = SubmissionWriter(engine)
    await writer.start()
    try:
        for attempt in range(2):
            with pytest.raises(OperationalError, match="no such table"):
                await submit_response(
                    writer, catalog, survey, {"vote": "transport"}, f"no-table-{attempt:04d}", version_id=1
                )
    finally:
        await writer.stop()
        await engine.dispose()


def test_only_sqlite_files_get_the_batch_writer(tmp_path: Path) -> None:
    assert sqlite_file(create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")) == tmp_path / "a.db"
    assert sqlite_file(create_async_engine("sqlite+aiosqlite:///:memory:")) is None
    assert sqlite_file(create_async_engine("postgresql+asyncpg://user@localhost/voice")) is None


def test_a_statement_whose_columns_compile_in_another_order_is_refused() -> None:
    assert INSERT_ANSWER.sql.startswith("INSERT INTO answer (response_id, question_id, row_key")
    with pytest.raises(ValueError, match="parameter order"):
        SqliteInsert(ANSWERS.insert(), ANSWERS, ("question_id", "response_id", "row_key", "position"))


async def test_times_are_stored_in_sqlalchemys_format_so_sql_comparisons_find_them(
    sqlite_parts: tuple[SurveyCatalog, AsyncEngine, Path], writer: SubmissionWriter
) -> None:
    catalog, engine, database = sqlite_parts
    ack = await submit_response(writer, catalog, catalog.surveys["young-people-voice"], RICH_ANSWERS, "format-0001")
    async with engine.connect() as conn:
        hour = (await conn.execute(select(RESPONSES.c.submitted_at))).scalar_one()
        # The same instant bound by SQLAlchemy: a response stored at exactly that hour is found.
        found = (await conn.execute(select(RESPONSES.c.id).where(RESPONSES.c.submitted_at >= hour))).scalars().all()
    assert found == [ack.id]
    with sqlite3.connect(database) as raw:
        (stored,) = raw.execute("SELECT submitted_at FROM response").fetchone()
    assert stored == hour.strftime("%Y-%m-%d %H:%M:%S.%f")


def test_the_migration_rewrites_times_stored_in_the_old_format(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'old.db'}", forms_dir=FORMS_DIR)
    upgrade(settings, "0009")
    with sqlite3.connect(tmp_path / "old.db") as raw:
        raw.execute(
            "INSERT INTO survey_version (slug, version, title, definition, first_seen_at) "
            "VALUES ('s', '1', 't', '{}', '2026-01-01 00:00:00.000000')"
        )
        for key, stored in (
            ("whole", "2026-12-02 07:00:00+00:00"),
            ("fraction", "2026-12-02 07:00:00.250000+00:00"),
            ("new", "2026-12-02 08:00:00.000000"),
        ):
            raw.execute(
                "INSERT INTO response (id, survey_version_id, survey_slug, submission_key, submitted_at, respondent) "
                "VALUES (randomblob(16), 1, 's', ?, ?, 'anonymous')",
                (key, stored),
            )
    upgrade(settings)
    with sqlite3.connect(tmp_path / "old.db") as raw:
        rows = dict(raw.execute("SELECT submission_key, submitted_at FROM response").fetchall())
    assert rows == {
        "whole": "2026-12-02 07:00:00.000000",
        "fraction": "2026-12-02 07:00:00.250000",
        "new": "2026-12-02 08:00:00.000000",
    }
