"""The results reader: a survey's answers across all its versions, as one analysis frame.

The one place voice_service turns stored answers into the frames `analysis/` works on, so
every report reads responses the same way, whichever version of the YAML they answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis import versions_frame
from analysis.frames import VERSIONED_ANSWER_COLUMNS
from analysis.lazy import LazyModule
from forms import Survey
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.tables import ANSWERS, RESPONSES, SURVEY_VERSIONS

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

#: When each response was stored (UTC), beside the answers.
SUBMITTED_COLUMN = "_submitted_at"


class UnknownSurvey(LookupError):
    """No survey has that slug, now or in any stored version."""


async def load_results(
    engine: AsyncEngine, catalog: SurveyCatalog, slug: str, measures: Collection[str] | None = None
) -> pd.DataFrame:
    """Every response to `slug`, one row each (indexed by response id), across all versions answered.

    Given `measures`, only the questions tagged with them (in any version) become columns.
    """
    answered = (
        select(SURVEY_VERSIONS.c.id, SURVEY_VERSIONS.c.version)
        .where(SURVEY_VERSIONS.c.slug == slug)
        .where(SURVEY_VERSIONS.c.id.in_(select(RESPONSES.c.survey_version_id).where(RESPONSES.c.survey_slug == slug)))
        .order_by(SURVEY_VERSIONS.c.first_seen_at, SURVEY_VERSIONS.c.id)
    )
    cells = (
        select(
            RESPONSES.c.id.label("response_id"),
            SURVEY_VERSIONS.c.version,
            ANSWERS.c.question_id,
            ANSWERS.c.row_key,
            ANSWERS.c.position,
            ANSWERS.c.value_text,
            ANSWERS.c.value_number,
        )
        .join(SURVEY_VERSIONS, SURVEY_VERSIONS.c.id == RESPONSES.c.survey_version_id)
        .join(ANSWERS, ANSWERS.c.response_id == RESPONSES.c.id)
        .where(RESPONSES.c.survey_slug == slug)
    )
    when = select(RESPONSES.c.id, RESPONSES.c.submitted_at).where(RESPONSES.c.survey_slug == slug)
    async with engine.connect() as conn:
        version_rows = (await conn.execute(answered)).all()
        answer_rows = (await conn.execute(cells)).all()
        submitted = {rid: at for rid, at in (await conn.execute(when)).all()}
    versions: dict[str, Survey] = {}
    for version_id, version in version_rows:
        survey = await catalog.by_version_id(engine, version_id)
        if survey is not None:
            versions[version] = survey
    current = catalog.current(slug)
    if current is not None and current.version not in versions:
        # Why: with no answers yet, the frame still has the current questions as its columns.
        versions[current.version] = current
    if not versions:
        raise UnknownSurvey(slug)
    long = pd.DataFrame.from_records([tuple(row) for row in answer_rows], columns=VERSIONED_ANSWER_COLUMNS)
    # Why: a report of one measure (the difference dashboard, a ballot) must not fail because another question
    # of the survey changed kind between versions (textarea to number), which no column can hold.
    wanted = (
        None if measures is None else {q.id for v in versions.values() for q in v.questions if q.measure in measures}
    )
    frame = versions_frame(versions, long, wanted)
    when_stored = pd.Series(frame.index.map(submitted), index=frame.index)
    frame.insert(1, SUBMITTED_COLUMN, pd.to_datetime(when_stored, utc=True))
    return frame


async def responses_by_invitation(
    engine: AsyncEngine, invitation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """The stored response of each invitation that has one: how due work finds answers it missed hearing of."""
    if not invitation_ids:
        return {}
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(RESPONSES.c.invitation_id, RESPONSES.c.id).where(RESPONSES.c.invitation_id.in_(list(invitation_ids)))
        )
        return {invitation: response for invitation, response in rows}


async def versions_answered(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> dict[str, Survey]:
    """The definition of each version of `slug` that has responses, and the current one: what `load_results` reads."""
    answered = (
        select(SURVEY_VERSIONS.c.id, SURVEY_VERSIONS.c.version)
        .where(SURVEY_VERSIONS.c.slug == slug)
        .where(SURVEY_VERSIONS.c.id.in_(select(RESPONSES.c.survey_version_id).where(RESPONSES.c.survey_slug == slug)))
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(answered)).all()
    versions: dict[str, Survey] = {}
    for version_id, version in rows:
        survey = await catalog.by_version_id(engine, version_id)
        if survey is not None:
            versions[version] = survey
    current = catalog.current(slug)
    if current is not None:
        versions.setdefault(current.version, current)
    return versions
