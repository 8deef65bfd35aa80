"""Committing a batch of submissions and drafts to SQLite in one hop to a thread of its own.

Why: through the async engine every statement of a batch is a round trip between the event loop
and aiosqlite's thread, and SQLAlchemy's per-row parameter processing runs on the event loop,
which is also serving HTTP. Here the loop hands the whole batch over once; the thread runs the
transaction on a plain sqlite3 connection (executemany binds the rows in C) and releases the GIL
while SQLite writes and syncs. The statements and the stored value formats still come from the
SQLAlchemy tables, so what is stored is exactly what the ORM would store and read back.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from forms.engine import to_cells
from voice_service.core.db.engine import SQLITE_PRAGMAS
from voice_service.core.db.sqlite_insert import DIALECT, SqliteInsert
from voice_service.surveys.extras import ResponseExtras
from voice_service.surveys.pending import RESPONSE_COLUMNS, WriteBatch, response_values, stored_time
from voice_service.surveys.tables import ANSWERS, DRAFTS, KEY_HOLDERS, RESPONSES


def _in_json_array(name: str) -> Select[tuple[Any]]:
    """The values of one parameter holding a JSON array: any number of keys in one statement."""
    return select(func.json_each(bindparam(name)).table_valued("value").c.value)


#: Run only when the unique index turned an insert away.
STORED_KEYS_SQL = str(
    KEY_HOLDERS.where(RESPONSES.c.submission_key.in_(_in_json_array("keys"))).compile(dialect=DIALECT)
)
#: Drafts finished by this batch.
DELETE_DRAFTS_SQL = str(delete(DRAFTS).where(DRAFTS.c.id.in_(_in_json_array("ids"))).compile(dialect=DIALECT))


INSERT_RESPONSE = SqliteInsert(
    sqlite.insert(RESPONSES).on_conflict_do_nothing(index_elements=["submission_key"]),
    RESPONSES,
    RESPONSE_COLUMNS,
)
INSERT_DRAFT = SqliteInsert(
    DRAFTS.insert(), DRAFTS, ("id", "survey_version_id", "answers", "visited", "submission_key", "updated_at")
)
#: A page's draft: (answers, visited, updated_at, id), converted with the columns' own processors.
UPDATE_DRAFT_SQL = str(
    update(DRAFTS)
    .where(DRAFTS.c.id == bindparam("draft_id"))
    .values(answers=bindparam("answers"), visited=bindparam("visited"), updated_at=bindparam("updated_at"))
    .compile(dialect=DIALECT)
)
if not UPDATE_DRAFT_SQL.startswith("UPDATE draft SET answers=?, visited=?, updated_at=? WHERE draft.id = ?"):
    raise RuntimeError(f"the draft update compiled differently: {UPDATE_DRAFT_SQL}")
_json = INSERT_DRAFT.converters["answers"]
_draft_time = INSERT_DRAFT.converters["updated_at"]
INSERT_ANSWER = SqliteInsert(
    ANSWERS.insert(), ANSWERS, ("response_id", "question_id", "row_key", "position", "value_text", "value_number")
)
_read_id: Callable[[Any], Any] | None = RESPONSES.c.id.type.result_processor(DIALECT, None)
# Why: answer rows are the bulk of a batch, so row_batch builds them directly, converting only
# the two columns whose types convert; this stops the import if a model change adds another.
if set(INSERT_ANSWER.converters) != {"response_id", "value_number"}:
    raise RuntimeError(f"answer columns converted on SQLite changed: {sorted(INSERT_ANSWER.converters)}")
_answer_id = INSERT_ANSWER.converters["response_id"]
_answer_number = INSERT_ANSWER.converters["value_number"]


def _null(value: None) -> None:
    """None bound as NULL, found among sqlite3's adapters."""
    return value


# Why: sqlite3 binds int, float, str and bytearray directly, but sends bytes and None through its
# adapter look-up, which without an adapter raises and formats two AttributeErrors per value
# (measured 3.3 k instructions each, about 26 values per survey16 submission). A registered
# adapter is found at once; None is still bound as NULL (and bytes are passed as bytearray below).
sqlite3.register_adapter(type(None), _null)


@dataclass(frozen=True)
class RowBatch:
    """One transaction's rows, converted on the event loop, ready for the database thread."""

    #: (submission key, response id, the response row, its answer rows)
    responses: list[tuple[str, uuid.UUID, tuple[Any, ...], list[tuple[Any, ...]]]]
    drafts: list[str]
    #: (submission key, rows from the response's extras): stored only if the response is.
    extra_rows: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    #: New drafts, in INSERT_DRAFT's column order.
    draft_starts: list[tuple[Any, ...]] = field(default_factory=list)
    #: Saved drafts, in UPDATE_DRAFT_SQL's parameter order.
    draft_saves: list[tuple[Any, ...]] = field(default_factory=list)


def row_batch(batch: WriteBatch, extras: ResponseExtras | None = None) -> RowBatch:
    """Convert a batch (new responses, draft starts and saves) into SQLite parameters."""
    responses = []
    extra_rows = []
    now = batch.now
    for key, (rid, p) in batch.fresh.items():
        if p.extras and extras is not None:
            extra_rows.append((key, extras.rows(rid, p, stored_time(p, now))))
        # Why bytearray: the same BLOB, bound without sqlite3's adapter look-up (above).
        stored_id = bytearray(_answer_id(rid))
        answers = [
            (stored_id, qid, cell.row, cell.position, cell.text, _answer_number(cell.number))
            for qid, cell in to_cells(p.survey, p.answers)
        ]
        response = INSERT_RESPONSE.row(*response_values(rid, p, now))
        responses.append((key, rid, response, answers))
    at = _draft_time(now)
    empty = _json({}), _json([])
    starts = [(d.id, d.survey_version_id, *empty, d.submission_key, at) for d in batch.starts]
    saves = [(_json(dict(d.answers)), _json(sorted(set(d.visited))), at, d.id) for d in batch.saves]
    return RowBatch(responses, batch.finished, extra_rows, starts, saves)


class SqliteBatchWriter:
    """Runs each batch's transaction on one dedicated thread and connection.

    `BEGIN IMMEDIATE` takes SQLite's write lock before anything is read, so the check for keys
    already stored and the inserts see the same database. Several service processes may share
    the file: an exclusive `flock` on a lock file beside it queues their writers, so a waiting
    writer is woken as soon as the other commits instead of sleeping in SQLite's busy handler.
    """

    def __init__(self, database: Path, extras: ResponseExtras | None = None) -> None:
        self.database = database
        self.extras = extras
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._conn: sqlite3.Connection | None = None
        self._lock_file: int | None = None

    async def write(self, batch: RowBatch) -> dict[str, tuple[uuid.UUID, str, str]]:
        """Commit a batch; returns, for each key that was already taken, what is stored under it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._write, batch)

    async def close(self) -> None:
        """Close the connection on its own thread, then stop the thread."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)

    def _connect(self) -> tuple[sqlite3.Connection, int]:
        if self._conn is None or self._lock_file is None:
            # Why: isolation_level=None leaves transactions to us, so BEGIN IMMEDIATE is what runs.
            conn = sqlite3.connect(self.database, isolation_level=None, check_same_thread=True)
            for pragma in SQLITE_PRAGMAS:
                conn.execute(pragma)
            self._conn = conn
            self._lock_file = os.open(f"{self.database}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)
        return self._conn, self._lock_file

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None

    def write_here(self, batch: RowBatch) -> dict[str, tuple[uuid.UUID, str, str]]:
        """`write` on the calling thread, which must be the only one to use this writer (sqlite_group_commit)."""
        return self._write(batch)

    def close_here(self) -> None:
        """Close the connection that `write_here` opened, on the same thread."""
        self._close()

    def _write(self, batch: RowBatch) -> dict[str, tuple[uuid.UUID, str, str]]:
        try:
            conn, lock_file = self._connect()
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                return self._transaction(conn, batch)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        except sqlite3.Error as exc:
            # Why: callers and error pages treat database failures as SQLAlchemy's DBAPIError.
            raise DBAPIError.instance(INSERT_RESPONSE.sql, None, exc, sqlite3.Error) from exc

    def _transaction(self, conn: sqlite3.Connection, batch: RowBatch) -> dict[str, tuple[uuid.UUID, str, str]]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if batch.draft_starts:
                INSERT_DRAFT.insert_rows(conn, batch.draft_starts)
            if batch.draft_saves:
                conn.executemany(UPDATE_DRAFT_SQL, batch.draft_saves)
            before = conn.total_changes
            if batch.responses:
                INSERT_RESPONSE.insert_rows(conn, [row for _, _, row, _ in batch.responses])
            stored: dict[str, tuple[uuid.UUID, str, str]] = {}
            if conn.total_changes - before < len(batch.responses):
                # Why: some keys were stored before (a retry, or another process); find out which.
                ours = {key: rid for key, rid, _, _ in batch.responses}
                stored = {key: found for key, found in _stored(conn, list(ours)) if found[0] != ours[key]}
            answer_rows = [a for key, _, _, answers in batch.responses if key not in stored for a in answers]
            if answer_rows:
                INSERT_ANSWER.insert_rows(conn, answer_rows)
            if batch.extra_rows and self.extras is not None:
                # Why here: a response and its alert are committed together or not at all.
                extra = [row for key, rows in batch.extra_rows if key not in stored for row in rows]
                if extra:
                    self.extras.insert_sqlite(conn, extra)
            if batch.drafts:
                conn.execute(DELETE_DRAFTS_SQL, (json.dumps(batch.drafts),))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return stored


def _stored(conn: sqlite3.Connection, keys: list[str]) -> Iterable[tuple[str, tuple[uuid.UUID, str, str]]]:
    for key, rid, slug, version in conn.execute(STORED_KEYS_SQL, (json.dumps(keys),)):
        yield key, (_as_uuid(rid), slug, version)


def _as_uuid(stored_id: Any) -> uuid.UUID:
    value = _read_id(stored_id) if _read_id is not None else stored_id
    return value if isinstance(value, uuid.UUID) else uuid.UUID(bytes=value)


def sqlite_file(engine: AsyncEngine) -> Path | None:
    """The database file of a SQLite engine; None for other databases and in-memory SQLite."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(engine.url.database)
