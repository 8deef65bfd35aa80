"""The response-level export of a training survey: one row per response, one column per question, labels not codes.

Read a chunk of responses at a time, the database doing the pivot and the labels, and written as
it goes (CSV streams; XLSX rows are streamed into a temporary file by `StreamedSheet`, then the
file is streamed), so memory stays flat however many responses there are.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from forms import Survey
from forms.questions._choice import ChoiceQuestion
from forms.questions.matrix import MatrixQuestion
from voice_service.core.exports import FORMULA_STARTS, csv_bytes
from voice_service.impact.streamed_sheet import StreamedSheet
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.measured import layout_of
from voice_service.surveys.respondents import measured_cells, versions_by_id
from voice_service.surveys.response_rows import (
    Cell,
    Copies,
    csv_quoted,
    id_text,
    lines_query,
    response_rows,
    rows_query,
)
from voice_service.training.reporting import delegate_places

#: Only delegates' surveys: young people's answers are not for the training role to download.
PURPOSES = ("course_evaluation", "follow_up")
FIXED = ("Response", "Submitted (UTC)", "Survey version", "Course", "Session date")


class NotExportable(LookupError):
    """No training survey has that slug."""


@dataclass(frozen=True)
class Column:
    """One column of the export: the frame column it reads, its heading, and each code's label."""

    name: str
    heading: str
    labels: dict[str, str]
    many: bool = False
    number: bool = False


def columns_of(versions: dict[str, Survey]) -> list[Column]:
    """Every question's columns, newest version's order and wording first, then older-only ones.

    A question whose answers changed between text and number keeps one column for each, so no version's
    answers are left out; one that changed between one option and several is read as several.
    """
    found: dict[tuple[str, bool], Column] = {}
    for survey in reversed(list(versions.values())):
        for question in survey.questions:
            labels = dict(question.options.items) if isinstance(question, ChoiceQuestion) else {}
            for spec in question.analysis_columns():
                number = spec.source == "value_number"
                known = found.get((spec.name, number))
                if known is not None:
                    merged = {**labels, **known.labels}
                    found[spec.name, number] = Column(spec.name, known.heading, merged, known.many or spec.many, number)
                    continue
                heading = question.label
                if isinstance(question, MatrixQuestion):
                    heading = f"{question.label}: {question.rows.label(spec.row_key)}"
                if (spec.name, not number) in found:
                    # Why: its answers were stored as the other kind (text or number) in a newer version.
                    heading = f"{found[spec.name, not number].heading} (earlier version)"
                found[spec.name, number] = Column(spec.name, heading, labels, spec.many, number)
    return list(found.values())


def safe_text(value: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (see core.exports.safe_cell)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cell(column: Column) -> Cell:
    """What the database reads for a column; labels are made safe here, once, rather than per row."""
    question_id, _, row_key = column.name.partition(".")
    source = "value_number" if column.number else "value_text"
    labels = {code: safe_text(str(label)) for code, label in column.labels.items()}
    return Cell(question_id, row_key, source, column.many, labels)


def _number(value: Any) -> Any:
    """A whole number as an integer (3, not 3.0); others as they are."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _number_text(value: Any) -> str:
    """A number as the csv module writes `_number`'s value; empty for none."""
    return "" if value is None else str(_number(value))


def _line(row: Sequence[Any], place: str) -> str:
    """A CSV line from `lines_query`'s row and the course columns."""
    parts = [id_text(row[1]), row[2], place, row[3]]
    for i in range(4, len(row), 2):
        parts += [_number_text(row[i]), row[i + 1]]
    parts.append("\r\n")
    return "".join(parts)


def _whole(row: tuple[Any, ...], numbers: list[int]) -> tuple[Any, ...]:
    """A row with its number cells (by position, counted before the course columns) as `_number` writes them."""
    cells = list(row)
    for i in numbers:
        cells[i + 1] = _number(cells[i + 1])
    return tuple(cells)


_Place = TypeVar("_Place")


@dataclass
class ResponseExport:
    """A survey's responses, ready to write as CSV or XLSX."""

    engine: AsyncEngine
    catalog: SurveyCatalog
    survey: Survey
    versions: dict[int, tuple[str, Survey]]
    columns: list[Column]
    chunk_size: int = 5_000

    @property
    def header(self) -> list[str]:
        """The heading row."""
        return [*FIXED, *(c.heading for c in self.columns)]

    def filename(self, extension: str, today: date) -> str:
        """responses-SLUG-YYYY-MM-DD.EXT."""
        return f"responses-{self.survey.slug}-{today.isoformat()}.{extension}"

    def _copies(self) -> Copies | None:
        """Where the current copies of measured cells keep each choice, as due work lays them out (None: no copies)."""
        cells = measured_cells(self.versions)
        layout = layout_of(cells)
        if layout is None:
            return None
        places = {(cell.question_id, cell.row_key): (place, cell.coded()) for place, cell in enumerate(cells, start=1)}
        return Copies(layout, places)

    def _versions(self) -> dict[int, str]:
        return {version_id: version for version_id, (version, _) in self.versions.items()}

    async def _places(self, shown: Callable[[str, str], _Place]) -> dict[str, _Place]:
        """Each delegate key's course (neutralised) and session date, as `shown` puts them, for the whole export."""
        found = await delegate_places(self.engine, self.survey.slug)
        # Why by place: a survey's 100,000 delegates share a few courses and sessions, each shown once.
        places = {place: shown(safe_text(place[0]), place[1].isoformat()) for place in set(found.values())}
        return {key: places[place] for key, place in found.items()}

    async def rows(self) -> AsyncIterator[list[tuple[Any, ...]]]:
        """The rows in `header` order (None for a blank), a chunk at a time."""
        cells = [_cell(column) for column in self.columns]
        numbers = [i for i, column in enumerate(self.columns, start=4) if column.number]
        places: dict[str, Any] = await self._places(lambda course, day: (course, day))
        nowhere = (None, None)
        query = rows_query(self.survey.slug, self._versions(), cells, self.engine.dialect.name)
        async for found in response_rows(self.engine, self.survey.slug, query, self.chunk_size):
            # Each row: id, submitted, version, respondent key, then the cells (labelled and neutralised).
            rows = [(*row[:3], *places.get(row[3], nowhere), *row[4:]) for row in found]
            if numbers:
                rows = [_whole(row, numbers) for row in rows]
            yield rows

    async def csv(self) -> AsyncIterator[bytes]:
        """UTF-8 CSV with a byte-order mark, every cell neutralised, a chunk at a time.

        The database sends each line but for the course columns and the numbers (`lines_query`), its
        choices from the copies the report reads where current, so Python only puts the pieces
        together, byte for byte what the csv module would write.
        """
        yield csv_bytes(self.header, [])
        cells = [_cell(column) for column in self.columns]
        places = await self._places(lambda course, day: f"{csv_quoted(course)},{day}")
        query = lines_query(self.survey.slug, self._versions(), cells, self.engine.dialect.name, self._copies())
        async for found in response_rows(self.engine, self.survey.slug, query, self.chunk_size):
            # Each row: respondent key, id, head, then text pieces with a number between each two.
            if len(found) and len(found[0]) == 4:
                lines = [f"{id_text(rid)}{head}{places.get(key, ',')}{text}\r\n" for key, rid, head, text in found]
            else:
                lines = [_line(row, places.get(row[0], ",")) for row in found]
            yield "".join(lines).encode("utf-8")

    async def xlsx_file(self) -> str:
        """An XLSX file written a chunk at a time (memory stays flat); the caller streams it and deletes it."""
        handle, path = tempfile.mkstemp(prefix="voice-export-", suffix=".xlsx")
        os.close(handle)
        try:
            sheet = await asyncio.to_thread(StreamedSheet, path, "Responses", self.header)
            try:
                async for chunk in self.rows():
                    # Why a thread: writing 5,000 rows takes long enough to hold up other requests.
                    await asyncio.to_thread(sheet.write_rows, chunk)
            finally:
                await asyncio.to_thread(sheet.close)
        except BaseException:
            os.unlink(path)
            raise
        return path


def stream_file(path: str, block: int = 1 << 16) -> Iterator[bytes]:
    """A file's bytes in blocks, deleting the file when done (or when the download stops)."""
    try:
        with open(path, "rb") as handle:
            while data := handle.read(block):
                yield data
    finally:
        os.unlink(path)


async def response_export(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> ResponseExport:
    """The export of a course evaluation or follow-up survey; NotExportable for any other slug."""
    survey = catalog.current(slug)
    if survey is None or survey.purpose not in PURPOSES:
        raise NotExportable(slug)
    versions = await versions_by_id(engine, catalog, slug)
    return ResponseExport(engine, catalog, survey, versions, columns_of(dict(versions.values())))
