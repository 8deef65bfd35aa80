"""Forgetting what is kept no longer: anonymous responses' submission keys, and typed answers after their time.

Plain service functions over the survey tables; the retention job (safeguarding) calls them and
records how many rows each changed in its deletion log.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.surveys.tables import ANSWERS, RESPONSES, SURVEY_VERSIONS

#: A dropped submission key is replaced by this prefix and random characters (the column is unique).
FORGOTTEN = "forgotten:"
TYPED = frozenset({"text", "textarea"})
BATCH = 5000


def typed_questions(definition: Mapping[str, Any]) -> set[str]:
    """The ids of the typed-answer questions (`text`, `textarea`) in a stored definition."""
    return {
        question["id"]
        for section in definition.get("sections", [])
        for question in section.get("questions", [])
        if question.get("type") in TYPED
    }


async def forget_submission_keys(engine: AsyncEngine, before: datetime) -> int:
    """Replace the submission key of anonymous responses stored before `before` with a random value.

    Why: the key also sits in the browser's cached check page; once retries are over it would only
    tie a response to that browser. Returns how many keys were dropped.
    """
    done = 0
    while True:
        async with engine.begin() as conn:
            ids = list(
                await conn.scalars(
                    select(RESPONSES.c.id)
                    .where(
                        RESPONSES.c.respondent == "anonymous",
                        RESPONSES.c.submitted_at < before,
                        RESPONSES.c.submission_key.not_like(f"{FORGOTTEN}%"),
                    )
                    .limit(BATCH)
                )
            )
            if not ids:
                return done
            statement = (
                update(RESPONSES).where(RESPONSES.c.id == bindparam("rid")).values(submission_key=bindparam("new_key"))
            )
            await conn.execute(
                statement, [{"rid": rid, "new_key": FORGOTTEN + secrets.token_urlsafe(24)} for rid in ids]
            )
        done += len(ids)


async def delete_typed_answers(engine: AsyncEngine, cutoffs: Mapping[str, datetime], default: datetime) -> int:
    """Delete typed answers of responses stored before their survey's cutoff (`default` for others).

    Returns how many answers were deleted. The response and its other answers stay.
    """
    async with engine.connect() as conn:
        versions = (
            await conn.execute(select(SURVEY_VERSIONS.c.id, SURVEY_VERSIONS.c.slug, SURVEY_VERSIONS.c.definition))
        ).all()
    conditions = []
    for version_id, slug, definition in versions:
        questions = typed_questions(definition)
        if questions:
            cutoff = cutoffs.get(slug, default)
            old = select(RESPONSES.c.id).where(
                RESPONSES.c.survey_version_id == version_id, RESPONSES.c.submitted_at < cutoff
            )
            conditions.append(and_(ANSWERS.c.question_id.in_(sorted(questions)), ANSWERS.c.response_id.in_(old)))
    if not conditions:
        return 0
    async with engine.begin() as conn:
        result = await conn.execute(delete(ANSWERS).where(or_(*conditions)))
    return int(result.rowcount or 0)
