"""Committing a batch through SQLAlchemy Core: the path for engines without a batch writer of their own.

Used for in-memory SQLite (the file and PostgreSQL paths are `sqlite_batches` and `postgres_batches`).
"""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, delete, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from forms.engine import to_cells
from voice_service.core.db.upsert import insert_ignoring_conflicts
from voice_service.surveys.extras import ResponseExtras
from voice_service.surveys.pending import RESPONSE_COLUMNS, WriteBatch, response_values, stored_time
from voice_service.surveys.tables import ANSWERS, DRAFTS, KEY_HOLDERS, RESPONSES

Stored = dict[str, tuple[uuid.UUID, str, str]]

_SAVE_DRAFT = (
    update(DRAFTS)
    .where(DRAFTS.c.id == bindparam("draft_id"))
    .values(answers=bindparam("answers"), visited=bindparam("visited"), updated_at=bindparam("updated_at"))
)


async def write_portable(engine: AsyncEngine, batch: WriteBatch, extras: ResponseExtras | None = None) -> Stored:
    """Commit a batch in one transaction; returns, for each key that was already taken, what is stored under it."""
    stored: Stored = {}
    now = batch.now
    async with engine.begin() as conn:
        if batch.starts:
            await conn.execute(
                DRAFTS.insert(),
                [
                    {
                        "id": d.id,
                        "survey_version_id": d.survey_version_id,
                        "answers": {},
                        "visited": [],
                        "submission_key": d.submission_key,
                        "updated_at": now,
                    }
                    for d in batch.starts
                ],
            )
        if batch.saves:
            await conn.execute(
                _SAVE_DRAFT,
                [
                    {"draft_id": d.id, "answers": dict(d.answers), "visited": sorted(set(d.visited)), "updated_at": now}
                    for d in batch.saves
                ],
            )
        if batch.fresh:
            stored = await _insert_responses(conn, batch, extras)
        if batch.finished:
            await conn.execute(delete(DRAFTS).where(DRAFTS.c.id.in_(batch.finished)))
    return stored


async def _insert_responses(conn: AsyncConnection, batch: WriteBatch, extras: ResponseExtras | None) -> Stored:
    fresh, now = batch.fresh, batch.now
    rows = [dict(zip(RESPONSE_COLUMNS, response_values(rid, p, now), strict=True)) for rid, p in fresh.values()]
    statement = insert_ignoring_conflicts(RESPONSES, conn.dialect.name, ["submission_key"])
    result = await conn.execute(statement.returning(RESPONSES.c.submission_key), rows)
    inserted = set(result.scalars().all())
    stored: Stored = {}
    if len(inserted) < len(fresh):
        # Why: look up only the keys the unique index turned away (a retry, or another process's insert).
        lost = [key for key in fresh if key not in inserted]
        found = await conn.execute(KEY_HOLDERS.where(RESPONSES.c.submission_key.in_(lost)))
        stored = {key: (rid, slug, version) for key, rid, slug, version in found}
    answer_rows = [
        {
            "response_id": rid,
            "question_id": qid,
            "row_key": cell.row,
            "position": cell.position,
            "value_text": cell.text,
            "value_number": cell.number,
        }
        for key, (rid, pending) in fresh.items()
        if key not in stored
        for qid, cell in to_cells(pending.survey, pending.answers)
    ]
    if answer_rows:
        await conn.execute(ANSWERS.insert(), answer_rows)
    if extras is not None:
        # Why here: a response and its alert are committed together or not at all.
        extra = [
            row
            for key, (rid, pending) in fresh.items()
            if pending.extras and key not in stored
            for row in extras.rows(rid, pending, stored_time(pending, now))
        ]
        if extra:
            await extras.insert(conn, extra)
    return stored
