"""A survey's answers with who answered them (the delegate's pseudonymous key), for the training reports."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis import versions_frame
from analysis.frames import VERSIONED_ANSWER_COLUMNS
from analysis.training import RESPONDENT_COLUMN, SurveyAnswers
from forms import Survey
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.results import SUBMITTED_COLUMN, load_results
from voice_service.surveys.tables import ANSWERS, RESPONSES, SURVEY_VERSIONS


async def answered_versions(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> dict[str, Survey]:
    """The definition of every version of `slug` that has responses, oldest first, then the current one."""
    answered = (
        select(SURVEY_VERSIONS.c.id, SURVEY_VERSIONS.c.version)
        .where(SURVEY_VERSIONS.c.slug == slug)
        .where(SURVEY_VERSIONS.c.id.in_(select(RESPONSES.c.survey_version_id).where(RESPONSES.c.survey_slug == slug)))
        .order_by(SURVEY_VERSIONS.c.first_seen_at, SURVEY_VERSIONS.c.id)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(answered)).all()
    versions: dict[str, Survey] = {}
    for version_id, version in rows:
        survey = await catalog.by_version_id(engine, version_id)
        if survey is not None:
            versions[version] = survey
    current = catalog.current(slug)
    if current is not None and current.version not in versions:
        versions[current.version] = current
    return versions


async def survey_answers(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> SurveyAnswers:
    """Every response to `slug` (one row each) with its respondent key, and each version's definition."""
    frame = await load_results(engine, catalog, slug)
    keys = select(RESPONSES.c.id, RESPONSES.c.respondent_key).where(
        RESPONSES.c.survey_slug == slug, RESPONSES.c.respondent_key.is_not(None)
    )
    async with engine.connect() as conn:
        key_of = {rid: key for rid, key in (await conn.execute(keys)).all()}
    frame.insert(2, RESPONDENT_COLUMN, pd.Series(frame.index.map(key_of), index=frame.index, dtype=object))
    return SurveyAnswers(frame, await answered_versions(engine, catalog, slug))


async def response_chunks(
    engine: AsyncEngine, catalog: SurveyCatalog, slug: str, versions: dict[str, Survey], size: int = 5000
) -> AsyncIterator[pd.DataFrame]:
    """Every response to `slug` as analysis frames of at most `size` responses, oldest id first.

    Each frame has `_version`, `_submitted_at` and RESPONDENT_COLUMN and the columns of every
    version in `versions`, so chunks line up; memory holds one chunk, however many responses there are.
    """
    after = None
    while True:
        listed = (
            select(RESPONSES.c.id, RESPONSES.c.submitted_at, RESPONSES.c.respondent_key)
            .where(RESPONSES.c.survey_slug == slug)
            .order_by(RESPONSES.c.id)
            .limit(size)
        )
        if after is not None:
            listed = listed.where(RESPONSES.c.id > after)
        async with engine.connect() as conn:
            heads = (await conn.execute(listed)).all()
            if not heads:
                return
            ids = [row[0] for row in heads]
            cells = (
                select(
                    ANSWERS.c.response_id,
                    SURVEY_VERSIONS.c.version,
                    ANSWERS.c.question_id,
                    ANSWERS.c.row_key,
                    ANSWERS.c.position,
                    ANSWERS.c.value_text,
                    ANSWERS.c.value_number,
                )
                .join(RESPONSES, RESPONSES.c.id == ANSWERS.c.response_id)
                .join(SURVEY_VERSIONS, SURVEY_VERSIONS.c.id == RESPONSES.c.survey_version_id)
                .where(RESPONSES.c.survey_slug == slug, RESPONSES.c.id >= ids[0], RESPONSES.c.id <= ids[-1])
            )
            answer_rows = (await conn.execute(cells)).all()
        after = ids[-1]
        long = pd.DataFrame.from_records([tuple(r) for r in answer_rows], columns=VERSIONED_ANSWER_COLUMNS)
        frame = versions_frame(versions, long).reindex(pd.Index(ids, name="response_id"))
        frame.insert(1, SUBMITTED_COLUMN, pd.to_datetime([row[1] for row in heads], utc=True))
        frame.insert(2, RESPONDENT_COLUMN, pd.Series([row[2] for row in heads], index=frame.index, dtype=object))
        yield frame
