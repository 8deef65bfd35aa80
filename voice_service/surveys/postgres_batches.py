"""Committing a batch of submissions and drafts to PostgreSQL: one transaction, one statement per table.

Why: through SQLAlchemy's compiled statements every row's parameters are processed in Python on
the event loop, and executemany sends a round trip per chunk. Here each table gets one statement
whose parameters are arrays (`unnest`), which asyncpg encodes in C; a batch of a hundred responses
and their answers is five round trips including BEGIN and COMMIT. The statements go through the
SQLAlchemy connection (`exec_driver_sql`), so the transaction is SQLAlchemy's and the response
extras (safeguarding alerts) are inserted in it with their own Core statements.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

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

Stored = dict[str, tuple[uuid.UUID, str, str]]


def is_postgres(engine: AsyncEngine) -> bool:
    """Whether this engine talks to PostgreSQL through asyncpg (the driver these statements are for)."""
    return engine.dialect.name == "postgresql" and engine.dialect.driver == "asyncpg"


async def write_postgres(
    engine: AsyncEngine,
    batch: WriteBatch,
    extras: ResponseExtras | None = None,
    statements_done: Callable[[], None] | None = None,
) -> Stored:
    """Commit a batch in one transaction; returns, for each key that was already taken, what is stored under it.

    `statements_done` is called when every statement has run and only the COMMIT is left.
    """
    async with engine.begin() as conn:
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
        if statements_done is not None:
            statements_done()
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
    if ids:
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
