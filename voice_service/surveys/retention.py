"""Forgetting what is kept no longer: anonymous responses' submission keys, and typed answers after their time.

Plain service functions over the survey tables; the retention job (safeguarding) calls them and
records how many rows each changed in its deletion log.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.surveys.tables import ANSWERS, RESPONSES, SURVEY_VERSIONS

#: A dropped submission key is replaced by this prefix and random characters (the column is unique).
FORGOTTEN = "forgotten:"
TYPED = frozenset({"text", "textarea"})
#: Rows changed per transaction: small enough that the write lock is held for milliseconds, so a
#: submission waiting for it is not held up noticeably (SQLite has one writer at a time).
BATCH = 1000
#: How far before a survey's mark each typed-answer walk starts again. Why a day: the write path
#: stamps a response at most an hour before it commits; a day covers that with room for a stalled
#: writer, and re-reading a day of responses costs milliseconds.
LATE = timedelta(days=1)


def typed_questions(definition: Mapping[str, Any]) -> set[str]:
    """The ids of the typed-answer questions (`text`, `textarea`) in a stored definition."""
    return {
        question["id"]
        for section in definition.get("sections", [])
        for question in section.get("questions", [])
        if question.get("type") in TYPED
    }


def _key_order(dialect: str) -> Any:
    """The submission key compared in code-point order (PostgreSQL's own collation may ignore punctuation)."""
    return RESPONSES.c.submission_key.collate("C") if dialect == "postgresql" else RESPONSES.c.submission_key


async def forget_submission_keys(engine: AsyncEngine, before: datetime, batch: int = BATCH) -> int:
    """Replace the submission key of anonymous responses stored before `before` with a random value.

    Why: the key also sits in the browser's cached check page; once retries are over it would only
    tie a response to that browser. Returns how many keys were dropped.

    Why by key ranges: every key outside [FORGOTTEN, the next prefix) is one not forgotten yet, so
    on SQLite the unique key's index visits only those (the last day's responses on a running
    service), not every stored response. Each batch is its own short transaction, and the walk
    goes forward from the last key seen, so the whole run is linear however many keys are due.
    """
    key = _key_order(engine.dialect.name)
    after_prefix = FORGOTTEN[:-1] + chr(ord(FORGOTTEN[-1]) + 1)
    done = 0
    for low, high in ((None, FORGOTTEN), (after_prefix, None)):
        last: str | None = None
        while True:
            query = (
                select(RESPONSES.c.id, RESPONSES.c.submission_key)
                .where(RESPONSES.c.respondent == "anonymous", RESPONSES.c.submitted_at < before)
                .order_by(key)
                .limit(batch)
            )
            if high is not None:
                query = query.where(key < high)
            if last is not None:
                query = query.where(key > last)
            elif low is not None:
                query = query.where(key >= low)
            # Why read and write apart: on SQLite a read transaction that then writes fails at once if
            # the submission writer committed in between; a lone UPDATE waits its turn. Nothing else
            # changes an old response's key, so the rows read are still the ones to change.
            async with engine.connect() as conn:
                rows = (await conn.execute(query)).all()
            if rows:
                async with engine.begin() as conn:
                    await conn.execute(
                        update(RESPONSES)
                        .where(RESPONSES.c.id == bindparam("rid"))
                        .values(submission_key=bindparam("new_key")),
                        [{"rid": rid, "new_key": FORGOTTEN + secrets.token_urlsafe(24)} for rid, _key in rows],
                    )
            done += len(rows)
            if len(rows) < batch:
                break
            last = rows[-1][1]
    return done


async def delete_typed_answers(
    engine: AsyncEngine, cutoffs: Mapping[str, datetime], default: datetime, batch: int = BATCH
) -> int:
    """Delete typed answers of responses stored before their survey's cutoff (`default` for others).

    Returns how many answers were deleted. The response and its other answers stay. Why in batches
    of responses, each deleted in its own transaction: a shorter retention period (or a service
    that was down) can make months of answers due at once, and one transaction deleting them all
    would hold SQLite's only write lock, and with it every submission, for seconds.
    """
    return (await delete_typed_answers_since(engine, cutoffs, default, {}, batch=batch)).count


@dataclass(frozen=True)
class TypedDeletion:
    """What a typed-answer run deleted, and per survey the time before which nothing typed is left."""

    count: int
    done_before: dict[str, datetime]


async def delete_typed_answers_since(
    engine: AsyncEngine,
    cutoffs: Mapping[str, datetime],
    default: datetime,
    done_before: Mapping[str, datetime],
    *,
    settled: datetime | None = None,
    batch: int = BATCH,
) -> TypedDeletion:
    """Delete typed answers as `delete_typed_answers` does, walking each survey from its mark on.

    `done_before[slug]` is a mark an earlier run returned: every typed answer of that survey's
    responses stored before it was deleted then. Why a mark: once old texts are gone, a walk from
    the start would visit every old response again each hour (1.3 s of CPU at 415,000) to find
    nothing. The walk starts LATE before the mark, so a response committed after that run with an
    earlier time (anonymous ones are stamped to the hour; a writer may be held up) is still reached.
    A new mark is never later than `settled` (the real time of the run; default: now), so a
    rehearsal with a clock moved ahead cannot mark as done the time responses are still arriving
    in, and never earlier than the old one (a longer retention period does not bring texts back).
    """
    settled = settled if settled is not None else datetime.now(UTC)
    async with engine.connect() as conn:
        versions = (
            await conn.execute(select(SURVEY_VERSIONS.c.id, SURVEY_VERSIONS.c.slug, SURVEY_VERSIONS.c.definition))
        ).all()
    done = 0
    reached: dict[str, datetime] = {}
    for version_id, slug, definition in versions:
        questions = sorted(typed_questions(definition))
        if not questions:
            continue
        cutoff = cutoffs.get(slug, default)
        mark = done_before.get(slug)
        start = mark - LATE if mark is not None else None
        done += await _delete_typed_of_version(engine, version_id, slug, questions, cutoff, batch, start)
        reached[slug] = min(cutoff, settled)
    for slug, mark in done_before.items():
        reached[slug] = max(mark, reached[slug]) if slug in reached else mark
    return TypedDeletion(done, reached)


async def _delete_typed_of_version(
    engine: AsyncEngine,
    version_id: int,
    slug: str,
    questions: list[str],
    cutoff: datetime,
    batch: int,
    since: datetime | None = None,
) -> int:
    """Delete one survey version's typed answers stored from `since` to `cutoff`, `batch` responses at a time."""
    typed = (
        select(ANSWERS.c.response_id)
        .where(ANSWERS.c.response_id == RESPONSES.c.id, ANSWERS.c.question_id.in_(questions))
        .exists()
    )
    done = 0
    while True:
        # Why forward from the last time seen (the index on slug and time), not from the start: the
        # responses already done stay, and searching past them again each batch would be quadratic.
        # The last time is read again: anonymous responses share whole hours.
        query = (
            select(RESPONSES.c.id, RESPONSES.c.submitted_at)
            .where(
                RESPONSES.c.survey_slug == slug,
                RESPONSES.c.submitted_at < cutoff,
                RESPONSES.c.survey_version_id == version_id,
                typed,
            )
            .order_by(RESPONSES.c.submitted_at)
            .limit(batch)
        )
        if since is not None:
            query = query.where(RESPONSES.c.submitted_at >= since)
        async with engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        if not rows:
            return done
        async with engine.begin() as conn:
            result = await conn.execute(
                delete(ANSWERS).where(
                    ANSWERS.c.response_id.in_([rid for rid, _at in rows]), ANSWERS.c.question_id.in_(questions)
                )
            )
        done += int(result.rowcount or 0)
        if len(rows) < batch:
            return done
        since = rows[-1][1]
