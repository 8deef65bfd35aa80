"""Rows inserted with multi-row statements: stored exactly as one step per row stored them, in few statements."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, literal_column, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.conftest import FORMS_DIR
from voice_service.core.db.engine import create_engine
from voice_service.core.db.sqlite_insert import MAX_ROWS_PER_STATEMENT, SqliteInsert
from voice_service.core.settings import Settings
from voice_service.migrations.runner import upgrade
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.sqlite_batches import sqlite_file
from voice_service.surveys.submissions import SubmissionWriter, submit_response
from voice_service.surveys.tables import ANSWERS, RESPONSES

ITEMS = Table(
    "item",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("key", String(20), unique=True, nullable=False),
    Column("label", String(40)),
    Column("weight", Integer),
)
PLAIN = SqliteInsert(ITEMS.insert(), ITEMS, ("id", "key", "label", "weight"))
KEEP_FIRST = SqliteInsert(
    sqlite.insert(ITEMS).on_conflict_do_nothing(index_elements=["key"]), ITEMS, ("id", "key", "label", "weight")
)


class Recording(sqlite3.Connection):
    """A connection that notes each statement's rows (its parameters over the table's four columns)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows_per_statement: list[int] = []

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        if sql.startswith("INSERT"):
            self.rows_per_statement.append(len(parameters) // 4)
        return super().execute(sql, parameters)


def _connection() -> Recording:
    conn = sqlite3.connect(":memory:", isolation_level=None, factory=Recording)
    conn.execute(
        "CREATE TABLE item (id INTEGER PRIMARY KEY, key VARCHAR(20) NOT NULL UNIQUE, label VARCHAR(40), weight INTEGER)"
    )
    return conn


def _rows(count: int, keys: int | None = None) -> list[tuple[Any, ...]]:
    """Rows with text, NULLs, quotes and numbers; `keys` makes keys repeat (conflicts)."""
    return [
        (n, f"k{n % keys if keys else n}", None if n % 3 else f"it's <{n}>", n * 7 - 3 if n % 2 else None)
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7, 255, 256, 257, 600, 1000])
def test_multirow_inserts_store_what_one_step_per_row_stored(count: int) -> None:
    rows = _rows(count)
    by_step, multirow = _connection(), _connection()
    by_step.executemany(PLAIN.sql, rows)
    PLAIN.insert_rows(multirow, rows)
    read = "SELECT id, key, label, weight, typeof(weight) FROM item ORDER BY id"
    expected = by_step.execute(read).fetchall()
    assert multirow.execute(read).fetchall() == expected
    assert len(expected) == count


@pytest.mark.parametrize("count", [5, 300])
def test_a_repeated_key_keeps_the_first_row_within_one_statement_and_across_statements(count: int) -> None:
    rows = _rows(count, keys=4)
    by_step, multirow = _connection(), _connection()
    by_step.executemany(KEEP_FIRST.sql, rows)
    before = multirow.total_changes
    KEEP_FIRST.insert_rows(multirow, rows)
    stored = multirow.execute("SELECT id, key FROM item ORDER BY id").fetchall()
    assert stored == by_step.execute("SELECT id, key FROM item ORDER BY id").fetchall()
    assert stored == [(1, "k1"), (2, "k2"), (3, "k3"), (4, "k0")]
    # The batch writer counts rows inserted to find keys stored before: the count must stay exact.
    assert multirow.total_changes - before == 4


def test_a_failing_row_fails_its_statement_as_one_step_per_row_did() -> None:
    conn = _connection()
    rows = _rows(10)
    rows[6] = (rows[6][0], rows[2][1], "same key as row 3", 1)
    conn.execute("BEGIN")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        PLAIN.insert_rows(conn, rows)
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT count(*) FROM item").fetchone() == (0,)


def test_rows_go_in_a_few_statements_of_power_of_two_sizes() -> None:
    conn = _connection()
    PLAIN.insert_rows(conn, _rows(600))
    assert conn.rows_per_statement == [256, 256, 64, 16, 8]
    assert max(conn.rows_per_statement) == MAX_ROWS_PER_STATEMENT
    assert conn.execute("SELECT count(*) FROM item").fetchone() == (600,)


def test_an_insert_that_is_not_one_positional_row_is_refused() -> None:
    with pytest.raises(ValueError, match="one-row positional INSERT"):
        SqliteInsert(ITEMS.insert().values(label=literal_column("'fixed'")), ITEMS, ("id", "key", "weight"))


@pytest.fixture
def migrated(tmp_path: Path) -> Settings:
    """Settings for a SQLite file built by the migrations."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'voice.db'}", forms_dir=FORMS_DIR)
    upgrade(settings)
    return settings


@pytest.fixture
async def writer_parts(migrated: Settings) -> AsyncIterator[tuple[SurveyCatalog, AsyncEngine, SubmissionWriter]]:
    """The migrated file, the shipped catalog and a running writer with room for large batches."""
    settings = migrated
    assert sqlite_file(create_async_engine(settings.database_url)) is not None
    engine = create_engine(settings)
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    await catalog.sync(engine)
    writer = SubmissionWriter(engine, batch_size=1024)
    await writer.start()
    yield catalog, engine, writer
    await writer.stop()
    await engine.dispose()


async def test_a_batch_of_hundreds_of_responses_is_stored_whole_with_retried_keys_replayed(
    writer_parts: tuple[SurveyCatalog, AsyncEngine, SubmissionWriter],
) -> None:
    """300 submissions queued in one turn (over 256 responses and thousands of answer rows in one transaction)."""
    catalog, engine, writer = writer_parts
    survey = catalog.surveys["young-people-voice"]
    answers = {"what_matters": ["feeling_safe", "things_to_do"], "listened_to": "sometimes", "area": "north"}
    keys = [f"multirow-{n:04d}" for n in range(300)]
    # Every tenth key is sent twice in the same batch: stored once, the second told it was a replay.
    sent = keys + keys[::10]
    acks = await asyncio.gather(*(submit_response(writer, catalog, survey, answers, key) for key in sent))
    first, again = acks[:300], acks[300:]
    assert not any(ack.replayed for ack in first)
    assert all(ack.replayed for ack in again)
    assert [ack.id for ack in again] == [ack.id for ack in first[::10]]
    async with engine.connect() as conn:
        stored = {key: rid for key, rid in await conn.execute(select(RESPONSES.c.submission_key, RESPONSES.c.id))}
        answer_rows = (await conn.execute(select(ANSWERS.c.response_id))).scalars().all()
    assert stored == {key: ack.id for key, ack in zip(keys, first, strict=True)}
    per_response = len(answer_rows) / 300
    assert per_response >= 4
    assert per_response == int(per_response)
    assert set(answer_rows) == set(stored.values())

    # A key stored by an earlier batch is found again when its insert is turned away.
    replay = await submit_response(writer, catalog, survey, answers, keys[123])
    assert replay.replayed
    assert replay.id == first[123].id
