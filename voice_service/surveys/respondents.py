"""A survey's answers with who answered them (the delegate's pseudonymous key), for the training reports."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.training import RESPONDENT_COLUMN, SurveyAnswers
from forms import Survey
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.results import load_results
from voice_service.surveys.tables import RESPONSES, SURVEY_VERSIONS


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
