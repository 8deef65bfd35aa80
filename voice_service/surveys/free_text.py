"""Free-text answers for other domains to read (sentiment, themes, quotes): the one way out for typed words.

Free text means answers to `text` and `textarea` questions, as each response's own version defines them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.surveys.tables import ANSWERS, RESPONSES, SURVEY_VERSIONS

FREE_TEXT_TYPES = frozenset({"text", "textarea"})


@dataclass(frozen=True)
class FreeText:
    """One typed answer with where it came from; `text` is exactly what the person typed."""

    response_id: uuid.UUID
    survey_slug: str
    question_id: str
    row_key: str
    position: int
    text: str
    submitted_at: datetime


def free_text_questions(definition: Mapping[str, Any]) -> set[str]:
    """The ids of the text and textarea questions in a stored (JSON) definition."""
    return {
        question["id"]
        for section in definition.get("sections", [])
        for question in section.get("questions", [])
        if question.get("type") in FREE_TEXT_TYPES
    }


async def _text_questions_by_version(engine: AsyncEngine, version_ids: Iterable[int]) -> dict[int, set[str]]:
    wanted = sorted(set(version_ids))
    if not wanted:
        return {}
    query = select(SURVEY_VERSIONS.c.id, SURVEY_VERSIONS.c.definition).where(SURVEY_VERSIONS.c.id.in_(wanted))
    async with engine.connect() as conn:
        return {vid: free_text_questions(definition) for vid, definition in (await conn.execute(query)).all()}


async def free_text_versions(engine: AsyncEngine) -> dict[int, set[str]]:
    """For every stored survey version with typed-answer questions, those questions' ids."""
    query = select(SURVEY_VERSIONS.c.id, SURVEY_VERSIONS.c.definition)
    async with engine.connect() as conn:
        found = {vid: free_text_questions(definition) for vid, definition in (await conn.execute(query)).all()}
    return {vid: questions for vid, questions in found.items() if questions}


def _typed_of(versions: Mapping[int, set[str]]) -> Any:
    """Answers to one of these versions' typed questions (the response joined)."""
    return or_(
        *(
            and_(RESPONSES.c.survey_version_id == vid, ANSWERS.c.question_id.in_(sorted(questions)))
            for vid, questions in sorted(versions.items())
        )
    )


async def unread_free_text(
    engine: AsyncEngine, read: Table, limit: int, since: datetime | None = None
) -> list[FreeText]:
    """Up to `limit` typed answers with no row in `read`, a table keyed like an answer (another domain's record).

    Why an anti-join rather than a time cursor: anonymous responses are stamped only to the hour, so
    responses committed later can carry an earlier time than ones already read. `since` narrows the
    search to responses stamped from then on. Why one query per survey then: with every version in
    one OR, SQLite scanned all of `response` (0.1 s at 500,000) even for the last hours; one survey
    and a time range go through the index on slug and time (3 ms). Without `since` the one scan is
    the quicker (1.3 s, against 8 s through the index).
    """
    versions = await free_text_versions(engine)
    if not versions:
        return []
    async with engine.connect() as conn:
        slug_rows = await conn.execute(
            select(SURVEY_VERSIONS.c.id, SURVEY_VERSIONS.c.slug).where(SURVEY_VERSIONS.c.id.in_(sorted(versions)))
        )
        slug_of = dict(slug_rows.tuples().all())
    already = (
        select(read.c.response_id)
        .where(
            read.c.response_id == ANSWERS.c.response_id,
            read.c.question_id == ANSWERS.c.question_id,
            read.c.row_key == ANSWERS.c.row_key,
            read.c.position == ANSWERS.c.position,
        )
        .exists()
    )
    if since is None:
        searches = [(sorted(set(slug_of.values())), versions)]
    else:
        by_slug: dict[str, dict[int, set[str]]] = {}
        for vid, questions in versions.items():
            by_slug.setdefault(slug_of[vid], {})[vid] = questions
        searches = [([slug], by_slug[slug]) for slug in sorted(by_slug)]
    found: list[FreeText] = []
    for slugs, typed in searches:
        query = (
            select(RESPONSES.c.survey_slug, RESPONSES.c.submitted_at, ANSWERS)
            .join(RESPONSES, RESPONSES.c.id == ANSWERS.c.response_id)
            .where(RESPONSES.c.survey_slug.in_(slugs), _typed_of(typed), ANSWERS.c.value_text.is_not(None), ~already)
            .limit(limit - len(found))
        )
        if since is not None:
            query = query.where(RESPONSES.c.submitted_at >= since)
        async with engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        found += (
            FreeText(r.response_id, r.survey_slug, r.question_id, r.row_key, r.position, r.value_text, r.submitted_at)
            for r in rows
        )
        if len(found) >= limit:
            break
    return found


async def survey_free_text(engine: AsyncEngine, slug: str, question_id: str | None = None) -> list[FreeText]:
    """Every free-text answer to one survey (or one of its questions), oldest first."""
    query = (
        select(RESPONSES.c.id, RESPONSES.c.survey_version_id, RESPONSES.c.submitted_at, ANSWERS)
        .join(ANSWERS, ANSWERS.c.response_id == RESPONSES.c.id)
        .where(RESPONSES.c.survey_slug == slug, ANSWERS.c.value_text.is_not(None))
        .order_by(RESPONSES.c.submitted_at, RESPONSES.c.id)
    )
    if question_id is not None:
        query = query.where(ANSWERS.c.question_id == question_id)
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    questions = await _text_questions_by_version(engine, (r.survey_version_id for r in rows))
    return [
        FreeText(r.response_id, slug, r.question_id, r.row_key, r.position, r.value_text, r.submitted_at)
        for r in rows
        if r.question_id in questions.get(r.survey_version_id, set()) and r.value_text.strip()
    ]


__all__ = [
    "FREE_TEXT_TYPES",
    "FreeText",
    "free_text_questions",
    "free_text_versions",
    "survey_free_text",
    "unread_free_text",
]
