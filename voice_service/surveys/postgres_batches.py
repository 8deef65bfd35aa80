"""Committing a batch of submissions and drafts to PostgreSQL, in one round trip where it can.

Why: through SQLAlchemy's compiled statements every row's parameters are processed in Python on
the event loop, and executemany sends a round trip per chunk. Here each table's rows are array
parameters (`unnest`), which asyncpg encodes in C, and a batch is one statement (WRITE_BATCH_SQL)
that PostgreSQL commits as it returns: no BEGIN or COMMIT of their own, and a response is still
acknowledged only after its commit (synchronous_commit stays on). A batch whose parts that one
statement cannot hold (the response extras, such as safeguarding alerts, inserted with their own
Core statements; one draft in two parts) is one transaction of a statement per table instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from forms.engine import to_cells
from voice_service.surveys.extras import ResponseExtras
from voice_service.surveys.pending import RESPONSE_COLUMNS, WriteBatch, response_values, stored_time

INSERT_RESPONSES_SQL = (
    "INSERT INTO response (id, survey_version_id, survey_slug, submission_key, submitted_at, respondent, "
    "invitation_id, respondent_key, linked_response_id) "
    "SELECT * FROM unnest($1::uuid[], $2::integer[], $3::varchar[], $4::varchar[], $5::timestamptz[], "
    "$6::varchar[], $7::uuid[], $8::varchar[], $9::uuid[]) "
    "ON CONFLICT (submission_key) DO NOTHING RETURNING submission_key"
)
# Why: the statement above names the columns in the order response_values gives them.
if RESPONSE_COLUMNS != (
    "id",
    "survey_version_id",
    "survey_slug",
    "submission_key",
    "submitted_at",
    "respondent",
    "invitation_id",
    "respondent_key",
    "linked_response_id",
):
    raise RuntimeError(f"response columns changed: {RESPONSE_COLUMNS}; update INSERT_RESPONSES_SQL")
INSERT_ANSWERS_SQL = (
    "INSERT INTO answer (response_id, question_id, row_key, position, value_text, value_number) "
    "SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::integer[], $5::text[], $6::float8[])"
)
STORED_KEYS_SQL = (
    "SELECT r.submission_key, r.id, r.survey_slug, v.version FROM response r "
    "JOIN survey_version v ON v.id = r.survey_version_id WHERE r.submission_key = ANY($1::varchar[])"
)
INSERT_DRAFTS_SQL = (
    "INSERT INTO draft (id, survey_version_id, answers, visited, submission_key, updated_at) "
    "SELECT t.id, t.version, '{}'::jsonb, '[]'::jsonb, t.key, $4 "
    "FROM unnest($1::varchar[], $2::integer[], $3::varchar[]) AS t(id, version, key)"
)
#: The batch holds at most one save per draft, so no row is updated twice by one statement.
UPDATE_DRAFTS_SQL = (
    "UPDATE draft SET answers = t.answers::jsonb, visited = t.visited::jsonb, updated_at = $4 "
    "FROM unnest($1::varchar[], $2::text[], $3::text[]) AS t(id, answers, visited) WHERE draft.id = t.id"
)
DELETE_DRAFTS_SQL = "DELETE FROM draft WHERE id = ANY($1::varchar[])"
#: The whole batch as one statement, committed on its own (no BEGIN, no COMMIT: one round trip).
#: Why it holds only when no draft id is in two of its parts: the parts of one statement cannot see
#: each other's rows, so a start and a save (or a save and a delete) of one draft take the transaction.
#: Answers are kept only for responses the statement inserted (a taken key inserts nothing).
#: The responses and their answers come as one JSON document (see _batch_document), not as arrays.
WRITE_BATCH_SQL = (
    "WITH started AS ("
    "INSERT INTO draft (id, survey_version_id, answers, visited, submission_key, updated_at) "
    "SELECT t.id, t.version, '{}'::jsonb, '[]'::jsonb, t.key, $1::timestamptz "
    "FROM unnest($2::varchar[], $3::integer[], $4::varchar[]) AS t(id, version, key)), "
    "saved AS ("
    "UPDATE draft SET answers = t.answers::jsonb, visited = t.visited::jsonb, updated_at = $1::timestamptz "
    "FROM unnest($5::varchar[], $6::text[], $7::text[]) AS t(id, answers, visited) WHERE draft.id = t.id), "
    "inserted AS ("
    "INSERT INTO response (id, survey_version_id, survey_slug, submission_key, submitted_at, respondent, "
    "invitation_id, respondent_key, linked_response_id) "
    "SELECT (r->>0)::uuid, (r->>1)::integer, r->>2, r->>3, (r->>4)::timestamptz, r->>5, (r->>6)::uuid, r->>7, "
    "(r->>8)::uuid FROM jsonb_array_elements($8::jsonb) AS r "
    "ON CONFLICT (submission_key) DO NOTHING RETURNING id, submission_key), "
    "answered AS ("
    "INSERT INTO answer (response_id, question_id, row_key, position, value_text, value_number) "
    "SELECT (r->>0)::uuid, c->>0, c->1->>0, (c->1->>1)::integer, c->1->>2, (c->1->>3)::float8 "
    "FROM jsonb_array_elements($8::jsonb) AS r, jsonb_array_elements(r->9) AS c "
    "WHERE (r->>0)::uuid IN (SELECT id FROM inserted)), "
    "finished AS (DELETE FROM draft WHERE id = ANY($9::varchar[])) "
    "SELECT submission_key FROM inserted"
)

Stored = dict[str, tuple[uuid.UUID, str, str]]

_ENCODER = msgspec.json.Encoder()


def is_postgres(engine: AsyncEngine) -> bool:
    """Whether this engine talks to PostgreSQL through asyncpg (the driver these statements are for)."""
    return engine.dialect.name == "postgresql" and engine.dialect.driver == "asyncpg"


class PostgresBatchWriter:
    """Commits the writer's batches on connections it keeps, each batch in one round trip when it can.

    Why keep connections: checking one out of the pool pings it first (BEGIN, a query, ROLLBACK:
    three round trips), and every round trip waits for the busy event loop to come round again;
    those waits, not the CPU, paced the batches. After a failure no kept connection is used again.
    Batches run side by side; one touching a draft or a submission key that a batch still in flight
    touches waits for that batch first, so the later write applies after the earlier one.
    """

    def __init__(self, engine: AsyncEngine, extras: ResponseExtras | None = None) -> None:
        self.engine = engine
        self.extras = extras
        self._idle: list[AsyncConnection] = []
        #: For each draft id and submission key a batch in flight touches: that batch's end.
        self._busy: dict[str, asyncio.Future[None]] = {}

    async def write(self, batch: WriteBatch, ordered: Callable[[], None] | None = None) -> Stored:
        """Commit a batch; returns, for each key that was already taken, what is stored under it.

        `ordered` is called once the batch is sure to apply after every batch queued before it.
        """
        touched = _touched(batch)
        earlier = {future for name in touched if (future := self._busy.get(name)) is not None}
        if earlier:
            await asyncio.wait(earlier)
        end: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        for name in touched:
            self._busy[name] = end
        if ordered is not None:
            ordered()
        try:
            conn = self._idle.pop() if self._idle else await self.engine.connect()
            try:
                if _one_statement(batch, self.extras):
                    stored = await _write_one_statement(conn, batch)
                else:
                    stored = await write_postgres(conn, batch, self.extras)
            except BaseException:
                # Why the idle ones too: a failure most often means the server went away, taking them with it.
                idle, self._idle = self._idle, []
                for dead in (conn, *idle):
                    await _drop(dead)
                raise
            self._idle.append(conn)
            return stored
        finally:
            end.set_result(None)
            for name in touched:
                if self._busy.get(name) is end:
                    del self._busy[name]

    async def close(self) -> None:
        """Hand the kept connections back to the pool."""
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()


def _touched(batch: WriteBatch) -> set[str]:
    names = {f"key:{key}" for key in batch.fresh}
    names.update(f"draft:{d.id}" for d in batch.starts)
    names.update(f"draft:{d.id}" for d in batch.saves)
    names.update(f"draft:{draft}" for draft in batch.finished)
    return names


def _one_statement(batch: WriteBatch, extras: ResponseExtras | None) -> bool:
    """Whether WRITE_BATCH_SQL can commit this batch: no draft in two parts, no extras rows to add."""
    if extras is not None and any(pending.extras for _, pending in batch.fresh.values()):
        return False
    starts = {d.id for d in batch.starts}
    saves = {d.id for d in batch.saves}
    finished = set(batch.finished)
    parts = len(batch.starts) + len(batch.saves) + len(batch.finished)
    return len(starts | saves | finished) == parts


async def _drop(conn: AsyncConnection) -> None:
    """Close a connection that failed and keep it out of the pool (it may be dead, or mid-transaction)."""
    with contextlib.suppress(Exception):
        await conn.invalidate()
    with contextlib.suppress(Exception):
        await conn.close()


async def _write_one_statement(conn: AsyncConnection, batch: WriteBatch) -> Stored:
    """The batch in WRITE_BATCH_SQL, which PostgreSQL commits as it returns (synchronous_commit on)."""
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    document = _batch_document(batch)
    try:
        return await _fetch_one_statement(driver, batch, document)
    except asyncpg.IntegrityConstraintViolationError as exc:
        # Why SQLAlchemy's errors: callers (and the writer's tests) see a failed batch as on every other path.
        raise IntegrityError(WRITE_BATCH_SQL, None, exc) from exc
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise DBAPIError(WRITE_BATCH_SQL, None, exc) from exc


async def _fetch_one_statement(driver: Any, batch: WriteBatch, document: str) -> Stored:
    now, starts, saves = batch.now, batch.starts, batch.saves
    inserted = await driver.fetch(
        WRITE_BATCH_SQL,
        now,
        [d.id for d in starts],
        [d.survey_version_id for d in starts],
        [d.submission_key for d in starts],
        [d.id for d in saves],
        [json.dumps(dict(d.answers)) for d in saves],
        [json.dumps(sorted(set(d.visited))) for d in saves],
        document,
        batch.finished,
    )
    if len(inserted) == len(batch.fresh):
        return {}
    # Why a second statement: it reads a key committed by another transaction after this one began.
    kept = {record[0] for record in inserted}
    lost = [key for key in batch.fresh if key not in kept]
    found = await driver.fetch(STORED_KEYS_SQL, lost)
    return {key: (uuid.UUID(bytes=rid.bytes), slug, version) for key, rid, slug, version in found}


def _batch_document(batch: WriteBatch) -> str:
    """The batch's responses as one JSON array: each response row (RESPONSE_COLUMNS) and its answer cells.

    Why JSON rather than an array per column: asyncpg checks every element of an array parameter
    for being a nested array (two Python-level isinstance calls against abstract base classes per
    text element), about 80 calls per submission on the event loop; msgspec writes the whole
    document in C. Each answer is [question id, [row, position, text, number]] as to_cells gives it;
    its numbers are finite (the form engine refuses others), so JSON carries them exactly.
    """
    now = batch.now
    rows = [
        (*response_values(rid, pending, now), to_cells(pending.survey, pending.answers))
        for rid, pending in batch.fresh.values()
    ]
    return _ENCODER.encode(rows).decode()


def _answer_columns(batch: WriteBatch, stored: Stored) -> tuple[list[Any], ...]:
    """The answer rows of the batch's new responses (not those under a key already stored), as columns."""
    columns: tuple[list[Any], ...] = ([], [], [], [], [], [])
    ids, questions, row_keys, positions, texts, numbers = columns
    for key, (rid, pending) in batch.fresh.items():
        if key in stored:
            continue
        for qid, cell in to_cells(pending.survey, pending.answers):
            ids.append(rid)
            questions.append(qid)
            row_keys.append(cell.row)
            positions.append(cell.position)
            texts.append(cell.text)
            numbers.append(cell.number)
    return columns


async def write_postgres(conn: AsyncConnection, batch: WriteBatch, extras: ResponseExtras | None = None) -> Stored:
    """Commit a batch in one transaction of several statements (what WRITE_BATCH_SQL cannot take)."""
    async with conn.begin():
        if batch.starts:
            starts = batch.starts
            columns = [d.id for d in starts], [d.survey_version_id for d in starts], [d.submission_key for d in starts]
            await conn.exec_driver_sql(INSERT_DRAFTS_SQL, (*columns, batch.now))
        if batch.saves:
            saves = batch.saves
            answers = [json.dumps(dict(d.answers)) for d in saves]
            visited = [json.dumps(sorted(set(d.visited))) for d in saves]
            await conn.exec_driver_sql(UPDATE_DRAFTS_SQL, ([d.id for d in saves], answers, visited, batch.now))
        stored = await _insert_responses(conn, batch, extras) if batch.fresh else {}
        if batch.finished:
            await conn.exec_driver_sql(DELETE_DRAFTS_SQL, (batch.finished,))
    return stored


async def _insert_responses(conn: AsyncConnection, batch: WriteBatch, extras: ResponseExtras | None) -> Stored:
    now = batch.now
    rows = [response_values(rid, pending, now) for rid, pending in batch.fresh.values()]
    result = await conn.exec_driver_sql(INSERT_RESPONSES_SQL, tuple(list(column) for column in zip(*rows, strict=True)))
    inserted = {key for (key,) in result.all()}
    stored: Stored = {}
    if len(inserted) < len(batch.fresh):
        # Why: look up only the keys the unique index turned away (a retry, or another process's insert).
        lost = [key for key in batch.fresh if key not in inserted]
        found = await conn.exec_driver_sql(STORED_KEYS_SQL, (lost,))
        stored = {key: (uuid.UUID(bytes=rid.bytes), slug, version) for key, rid, slug, version in found.all()}
    columns = _answer_columns(batch, stored)
    if columns[0]:
        await conn.exec_driver_sql(INSERT_ANSWERS_SQL, columns)
    if extras is not None:
        # Why here: a response and its alert are committed together or not at all.
        extra = [
            row
            for key, (rid, pending) in batch.fresh.items()
            if pending.extras and key not in stored
            for row in extras.rows(rid, pending, stored_time(pending, now))
        ]
        if extra:
            await extras.insert(conn, extra)
    return stored
