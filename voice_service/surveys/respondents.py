"""A survey's answers with who answered them (the delegate's pseudonymous key), for the training reports.

Built for 100,000 responses: ids are read as the driver gives them (no UUID objects made per
answer), and the report reads only the questions that carry a `measure:` tag, a row per response.
Response-level exports read through `response_rows`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Select, func, null, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.frames import VERSION_COLUMN, rows_frame
from analysis.lazy import LazyModule
from analysis.training import RESPONDENT_COLUMN, SurveyAnswers
from forms import Survey
from voice_service.core.db.plain import fetch_plain, raw
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.measured import (
    UNANSWERED,
    MeasuredCell,
    as_json_array,
    layout_of,
    looked_up,
    measured_select,
    store_measures,
)
from voice_service.surveys.results import SUBMITTED_COLUMN, UnknownSurvey
from voice_service.surveys.tables import ANSWERS, RESPONSES, SURVEY_VERSIONS

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")


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


def _cell_options(versions: dict[int, tuple[str, Survey]]) -> dict[str, list[str]]:
    """The options of each measured cell that every version asks as a choice, newest version's first."""
    options: dict[str, dict[str, None]] = {}
    texts: set[str] = set()
    for _, survey in reversed(list(versions.values())):
        for question in survey.questions:
            if not question.measure:
                continue
            for spec in question.analysis_columns():
                if spec.categories:
                    options.setdefault(spec.name, {}).update(dict.fromkeys(spec.categories))
                else:
                    texts.add(spec.name)
    return {name: list(found) for name, found in options.items() if name not in texts}


def _as_categories(codes: np.ndarray[Any, Any], texts: np.ndarray[Any, Any], options: list[str]) -> pd.Categorical[Any]:
    """A cell as a categorical of its options: `codes` their places (-1 none), -2 where `texts` holds the value.

    A stored value outside the options is kept as one more category, so nothing is lost or renamed.
    Why: the report then counts by category codes; only the values not coded (responses not copied
    yet, strays) are looked at one by one (a factorize).
    """
    rest = codes == -2
    found_codes, found = pd.factorize(texts[rest])
    known = set(options)
    categories = pd.Index([*options, *(value for value in found if value not in known)], dtype=object)
    recoded = categories.get_indexer(pd.Index(found, dtype=object))
    codes = codes.copy()
    codes[rest] = np.where(found_codes >= 0, recoded[found_codes] if len(recoded) else -1, -1)
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))


def _decoded(cells: list[MeasuredCell], codes: np.ndarray[Any, Any], texts: np.ndarray[Any, Any]) -> dict[str, Any]:
    """Each cell's column from the rows' codes (None: not copied) and texts (a JSON array or None).

    Why numpy: the codes of 100,000 copies are one string, read as bytes, where 700,000 values were.
    """
    rows, width = len(codes), len(cells)
    coded = pd.notna(codes)
    joined = "".join(codes[coded]).encode("ascii") if width else b""
    packed = np.frombuffer(joined, dtype=np.uint8).reshape(-1, width) if joined else np.zeros((0, width), np.uint8)
    spelled = pd.notna(texts)
    parsed = [json.loads(found) for found in texts[spelled]]
    # Why: a live read of more cells than one JSON array function takes comes as an array of arrays.
    parsed = [row if len(row) == width else [value for part in row for value in part] for row in parsed]
    written = np.empty((len(parsed), width), dtype=object)
    for place, values in enumerate(parsed):
        written[place, :] = values
    columns: dict[str, Any] = {}
    for place, cell in enumerate(cells):
        values = np.full(rows, None, dtype=object)
        values[spelled] = written[:, place]
        if cell.options is None:
            columns[cell.name] = pd.Series(values, dtype=object)
            continue
        table = np.full(256, -2, dtype=np.int64)
        table[ord(UNANSWERED)] = -1
        for index, character in enumerate(cell.coded().values()):
            table[ord(character)] = index
        places = np.full(rows, -2, dtype=np.int64)
        if len(packed):
            places[coded] = table[packed[:, place]]
        columns[cell.name] = _as_categories(places, values, list(cell.options))
    return columns


def measured_cells(versions: dict[int, tuple[str, Survey]]) -> list[MeasuredCell]:
    """Every cell a `measure:`-tagged question stores, any version, by column name, with its options if a choice."""
    options = _cell_options(versions)
    cells: dict[str, MeasuredCell] = {}
    for _, survey in versions.values():
        for question in survey.questions:
            if not question.measure:
                continue
            for spec in question.analysis_columns():
                chosen = tuple(options[spec.name]) if spec.name in options else None
                cells.setdefault(spec.name, MeasuredCell(spec.name, question.id, spec.row_key, chosen))
    return sorted(cells.values(), key=lambda cell: cell.name)


#: How many connections read a survey's answers at once on SQLite (one per core of the reference machine).
SQLITE_READERS = 2


async def _read_in_parts(engine: AsyncEngine, query: Select[Any]) -> list[Sequence[Any]]:
    """A query's rows; on SQLite read as interleaved parts over several connections at once.

    Why: SQLite works out a query on the thread of its connection, and lets go of the interpreter
    while it does, so two connections read on two cores. PostgreSQL already works apart from us.
    """
    parts = SQLITE_READERS if engine.dialect.name == "sqlite" else 1

    async def read(part: int) -> Sequence[Sequence[Any]]:
        # Why rowid: every SQLite table without WITHOUT ROWID has one, and its parity splits it evenly.
        piece = query if parts == 1 else query.where(text(f"response.rowid % {parts:d} = {part:d}"))
        async with engine.connect() as conn:
            return await fetch_plain(conn, piece)

    return [row for found in await asyncio.gather(*(read(p) for p in range(parts))) for row in found]


def _measured_query(slug: str, cells: list[MeasuredCell], dialect: str) -> Select[Any]:
    """(id, version id, respondent key, submitted, codes, texts) of each keyed response to `slug`.

    Measures are choices and texts (value_text), one cell each (position 0). Cells come from the
    responses' copies in `response_measures` where current (`measured_select`); otherwise codes are
    None and texts a JSON array of every cell, read live.
    """
    keyed = (RESPONSES.c.survey_slug == slug, RESPONSES.c.respondent_key.is_not(None))
    fixed = [
        raw(RESPONSES.c.id),
        RESPONSES.c.survey_version_id,
        RESPONSES.c.respondent_key,
        raw(RESPONSES.c.submitted_at),
    ]
    layout = layout_of(cells)
    if layout is not None:
        # Why on PostgreSQL too: with 1,000 of 100,000 responses not yet copied it takes 0.36-0.45 s of
        # server time, against 1.5-1.9 s grouped and 0.71-0.77 s for copies plus the rest grouped (before
        # due work first copies them, 3.4-3.9 s against 1.1-1.3 s: the price of the simpler read).
        return measured_select(slug, cells, layout, fixed, dialect)
    uncoded = null().label("codes")
    if dialect == "postgresql":
        # Why grouped on PostgreSQL: it reads the answers once (with parallel workers) and sorts them,
        # 0.5 s of server time for 100,000 responses against 1.4 s for a lookup per cell.
        per_cell = [
            func.max(ANSWERS.c.value_text).filter(
                ANSWERS.c.question_id == cell.question_id, ANSWERS.c.row_key == cell.row_key, ANSWERS.c.position == 0
            )
            for cell in cells
        ]
        questions = sorted({cell.question_id for cell in cells})
        answered = (ANSWERS.c.response_id == RESPONSES.c.id) & ANSWERS.c.question_id.in_(questions)
        return (
            select(*fixed, uncoded, as_json_array(dialect, per_cell))
            .select_from(RESPONSES.outerjoin(ANSWERS, answered))
            .where(*keyed)
            .group_by(RESPONSES.c.id)
        )
    # Why a lookup per cell on SQLite rather than reading answer rows: each is one probe of the answers'
    # primary key, and a row per response (not per answer) is what costs least to turn into Python values.
    return select(*fixed, uncoded, as_json_array(dialect, [looked_up(cell) for cell in cells])).where(*keyed)


@dataclass(frozen=True)
class MeasuredRows:
    """A survey's measured rows as the driver gives them, with its versions and cells: a frame apart (`answers`)."""

    versions: dict[int, tuple[str, Survey]]
    cells: list[MeasuredCell]
    rows: list[Sequence[Any]]

    def answers(self) -> SurveyAnswers:
        """The rows as `survey_answers` gives them (this is where pandas is first needed)."""
        versions = self.versions
        names = [cell.name for cell in self.cells]
        table = rows_frame(self.rows, ["response", "version_id", "key", "submitted", "codes", "texts"])
        index = pd.Index(table["response"].to_numpy(), name="response", dtype=object)
        columns = _decoded(self.cells, table["codes"].to_numpy(), table["texts"].to_numpy())
        frame = pd.DataFrame({name: columns[name] for name in names}).set_axis(index)
        # Why drop empty columns: a column nobody answered reads as absent, as the question would be.
        frame = frame.loc[:, frame.notna().any()] if len(frame) else frame.iloc[:, :0]
        labels = {version_id: version for version_id, (version, _) in versions.items()}
        frame.insert(0, VERSION_COLUMN, table["version_id"].map(labels).to_numpy(dtype=object))
        frame.insert(1, SUBMITTED_COLUMN, pd.to_datetime(table["submitted"].to_numpy(), utc=True, format="mixed"))
        frame.insert(2, RESPONDENT_COLUMN, pd.Series(table["key"].to_numpy(), index=frame.index, dtype=object))
        return SurveyAnswers(frame, dict(versions.values()))


async def measured_rows(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> MeasuredRows:
    """The rows `survey_answers` makes its frame of, read without pandas (see `MeasuredRows`)."""
    versions = await versions_by_id(engine, catalog, slug)
    if not versions:
        raise UnknownSurvey(slug)
    cells = measured_cells(versions)
    rows = await _read_in_parts(engine, _measured_query(slug, cells, engine.dialect.name))
    return MeasuredRows(versions, cells, rows)


async def survey_answers(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> SurveyAnswers:
    """Answers to the questions carrying a `measure:` tag, one row per response given through a delegate's link.

    Each row has `_version`, `_submitted_at` and RESPONDENT_COLUMN; values are the stored codes.
    """
    return (await measured_rows(engine, catalog, slug)).answers()


async def refresh_measures(engine: AsyncEngine, catalog: SurveyCatalog) -> int:
    """Copy the measured cells of every keyed response not yet copied, for each survey; how many were copied.

    Due work (impact.jobs): what it has not copied yet, the report looks up live.
    """
    copied = 0
    for slug in sorted(catalog.surveys):
        versions = await versions_by_id(engine, catalog, slug)
        copied += await store_measures(engine, slug, measured_cells(versions))
    return copied
