"""A survey's answers with who answered them (the delegate's pseudonymous key), for the training reports.

Built for 100,000 responses: ids are read as the driver gives them (no UUID objects made per
answer), the report reads only the questions that carry a `measure:` tag, and exports read a
chunk of responses at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.frames import VERSION_COLUMN
from analysis.training import RESPONDENT_COLUMN, SurveyAnswers
from forms import Survey
from voice_service.core.db.plain import fetch_plain, raw, raw_value
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.results import SUBMITTED_COLUMN, UnknownSurvey
from voice_service.surveys.tables import ANSWERS, RESPONSES, SURVEY_VERSIONS

#: The columns of a long frame of answers as `long_answers` reads them.
LONG_COLUMNS = ["response", "question_id", "row_key", "position", "value_text", "value_number"]


async def versions_by_id(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> dict[int, tuple[str, Survey]]:
    """Each answered version's id, label and definition, oldest first; the current version too."""
    answered = (
        select(SURVEY_VERSIONS.c.id, SURVEY_VERSIONS.c.version)
        .where(SURVEY_VERSIONS.c.slug == slug)
        .where(SURVEY_VERSIONS.c.id.in_(select(RESPONSES.c.survey_version_id).where(RESPONSES.c.survey_slug == slug)))
        .order_by(SURVEY_VERSIONS.c.first_seen_at, SURVEY_VERSIONS.c.id)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(answered)).all()
    found: dict[int, tuple[str, Survey]] = {}
    for version_id, version in rows:
        survey = await catalog.by_version_id(engine, version_id)
        if survey is not None:
            found[version_id] = (version, survey)
    current = catalog.current(slug)
    if current is not None and current.version not in {v for v, _ in found.values()}:
        found[catalog.version_id(current)] = (current.version, current)
    return found


async def answered_versions(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> dict[str, Survey]:
    """The definition of every version of `slug` that has responses, oldest first, then the current one."""
    return dict((await versions_by_id(engine, catalog, slug)).values())


def _long(rows: Sequence[Sequence[Any]], columns: list[str]) -> pd.DataFrame:
    """Rows as a frame (empty with the columns when there are none)."""
    if not rows:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    return pd.DataFrame.from_records(cast(Any, rows), columns=columns)


def _wide(long: pd.DataFrame, ids: list[Any], many: Collection[str]) -> pd.DataFrame:
    """One row per response id (in `ids` order), one column per analysis column name (`q` or `q.row`).

    Why numpy and not pivot: placing each value by (response, column) position is several times
    quicker than a pivot on a million answers.
    """
    index = pd.Index(ids, name="response")
    if long.empty:
        return pd.DataFrame(index=index, dtype=object)
    values = long["value_text"].to_numpy(dtype=object)
    if "value_number" in long:
        numbers = long["value_number"].to_numpy(dtype=object)
        values = np.where(pd.isna(values), numbers, values)
    q_codes, questions = pd.factorize(long["question_id"])
    r_codes, row_keys = pd.factorize(long["row_key"])
    pair_codes, pairs = pd.factorize(q_codes * len(row_keys) + r_codes)
    names = []
    for pair in pairs:
        question, row = questions[int(pair) // len(row_keys)], row_keys[int(pair) % len(row_keys)]
        names.append(f"{question}.{row}" if row else str(question))
    where = index.get_indexer(long["response"])
    is_many = np.isin(pair_codes, [i for i, name in enumerate(names) if name in many])
    placed = (where >= 0) & ~is_many
    cells = np.full((len(index), len(names)), None, dtype=object)
    cells[where[placed], pair_codes[placed]] = values[placed]
    wide = pd.DataFrame(cells, index=index, columns=names, dtype=object)
    for i, name in enumerate(names):
        if name in many:
            picked = long[(pair_codes == i) & (where >= 0)].assign(value=values[(pair_codes == i) & (where >= 0)])
            lists = picked.sort_values(["response", "position"]).groupby("response", sort=False)["value"].agg(list)
            wide[name] = lists.reindex(index).astype(object)
    return wide


async def survey_answers(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> SurveyAnswers:
    """Answers to the questions carrying a `measure:` tag, one row per response given through a delegate's link.

    Each row has `_version`, `_submitted_at` and RESPONDENT_COLUMN; values are the stored codes.
    """
    versions = await versions_by_id(engine, catalog, slug)
    if not versions:
        raise UnknownSurvey(slug)
    measured = sorted({q.id for _, survey in versions.values() for q in survey.questions if q.measure})
    keyed = (RESPONSES.c.survey_slug == slug, RESPONSES.c.respondent_key.is_not(None))
    heads = select(
        raw(RESPONSES.c.id), RESPONSES.c.survey_version_id, RESPONSES.c.respondent_key, raw(RESPONSES.c.submitted_at)
    ).where(*keyed)
    # Why only these four: measures are choices and texts (value_text), one cell each.
    cells = (
        select(raw(ANSWERS.c.response_id), ANSWERS.c.question_id, ANSWERS.c.row_key, ANSWERS.c.value_text)
        .join(RESPONSES, RESPONSES.c.id == ANSWERS.c.response_id)
        .where(*keyed, ANSWERS.c.question_id.in_(measured))
    )
    async with engine.connect() as conn:
        head_rows = await fetch_plain(conn, heads)
        long = _long(await fetch_plain(conn, cells), ["response", "question_id", "row_key", "value_text"])
    ids = [row[0] for row in head_rows]
    frame = _wide(long, ids, ())
    labels = {version_id: version for version_id, (version, _) in versions.items()}
    frame.insert(0, VERSION_COLUMN, [labels.get(row[1]) for row in head_rows])
    frame.insert(1, SUBMITTED_COLUMN, pd.to_datetime([row[3] for row in head_rows], utc=True, format="mixed"))
    frame.insert(2, RESPONDENT_COLUMN, pd.Series([row[2] for row in head_rows], index=frame.index, dtype=object))
    return SurveyAnswers(frame, dict(versions.values()))


async def response_chunks(
    engine: AsyncEngine, slug: str, versions: dict[int, tuple[str, Survey]], many: Collection[str], size: int = 10_000
) -> AsyncIterator[pd.DataFrame]:
    """Every response to `slug` as frames of at most `size` responses (stored codes), in id order.

    Each frame has `_version`, `_submitted_at` and RESPONDENT_COLUMN; `many` names the columns that
    hold several answers (kept as lists). The responses' ids and keys are read once (a few dozen
    bytes each); their answers a chunk at a time, so the answers in memory never pass one chunk.
    """
    labels = {version_id: version for version_id, (version, _) in versions.items()}
    raw_id = raw(RESPONSES.c.id)
    listed = (
        select(raw_id, RESPONSES.c.survey_version_id, RESPONSES.c.respondent_key, raw(RESPONSES.c.submitted_at))
        .where(RESPONSES.c.survey_slug == slug)
        .order_by(raw_id)
    )
    async with engine.connect() as conn:
        every = await fetch_plain(conn, listed)
    response_id = raw(ANSWERS.c.response_id)
    for start in range(0, len(every), size):
        heads = every[start : start + size]
        # Why a range of ids and no join: the answers' primary key starts with the response id, so this
        # reads one stretch of it; answers of other surveys' responses in the range are dropped below.
        cells = select(
            response_id,
            ANSWERS.c.question_id,
            ANSWERS.c.row_key,
            ANSWERS.c.position,
            ANSWERS.c.value_text,
            ANSWERS.c.value_number,
        ).where(response_id >= raw_value(heads[0][0]), response_id <= raw_value(heads[-1][0]))
        async with engine.connect() as conn:
            rows = await fetch_plain(conn, cells)
        long = _long(rows, LONG_COLUMNS)
        frame = _wide(long, [row[0] for row in heads], many)
        frame.insert(0, VERSION_COLUMN, [labels.get(row[1]) for row in heads])
        frame.insert(1, SUBMITTED_COLUMN, pd.to_datetime([row[3] for row in heads], utc=True, format="mixed"))
        frame.insert(2, RESPONDENT_COLUMN, pd.Series([row[2] for row in heads], index=frame.index, dtype=object))
        yield frame
