"""The response-level export of a training survey: one row per response, one column per question, labels not codes.

Read a chunk of responses at a time and written as it goes (CSV streams; XLSX is written to a
temporary file with XlsxWriter's constant-memory mode, then streamed), so memory stays flat
however many responses there are.
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import xlsxwriter
from sqlalchemy.ext.asyncio import AsyncEngine
from xlsxwriter.worksheet import Worksheet

from analysis.frames import VERSION_COLUMN
from analysis.training import RESPONDENT_COLUMN, SUBMITTED_COLUMN
from forms import Survey
from forms.questions._choice import ChoiceQuestion
from forms.questions.matrix import MatrixQuestion
from voice_service.core.exports import FORMULA_STARTS, csv_bytes
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.respondents import response_chunks, versions_by_id
from voice_service.training.reporting import courses_of, id_text

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
    """Every question's columns, newest version's order and wording first, then older-only ones."""
    found: dict[str, Column] = {}
    for survey in reversed(list(versions.values())):
        for question in survey.questions:
            labels = dict(question.options.items) if isinstance(question, ChoiceQuestion) else {}
            for spec in question.analysis_columns():
                number = spec.source == "value_number"
                if spec.name in found:
                    merged = {**labels, **found[spec.name].labels}
                    found[spec.name] = Column(spec.name, found[spec.name].heading, merged, spec.many, number)
                    continue
                heading = question.label
                if isinstance(question, MatrixQuestion):
                    heading = f"{question.label}: {question.rows.label(spec.row_key)}"
                found[spec.name] = Column(spec.name, heading, labels, spec.many, number)
    return list(found.values())


def _labelled(values: pd.Series, column: Column) -> pd.Series:
    """A column as the export writes it: labels for codes, lists joined with '; ', whole numbers as integers."""
    labels = column.labels
    if column.many:
        return values.map(
            lambda cell: "; ".join(str(labels.get(v, v)) for v in cell) if isinstance(cell, list) else None
        )
    if column.number:
        numbers = pd.to_numeric(values, errors="coerce")
        whole = numbers.dropna()
        return numbers.astype("Int64") if bool((whole == whole.round()).all()) else numbers
    if labels:
        named = values.map(labels)
        return named.where(named.notna(), values)
    return values


def _neutralised(values: pd.Series) -> pd.Series:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (see core.exports.safe_cell)."""
    if values.dtype != object:
        return values
    present = values.notna()
    text = values[present].astype(str)
    risky = text.str.startswith(FORMULA_STARTS)
    if not bool(risky.any()):
        return values
    out = values.copy()
    out.loc[risky[risky].index] = "'" + text[risky]
    return out


@dataclass
class ResponseExport:
    """A survey's responses, ready to write as CSV or XLSX."""

    engine: AsyncEngine
    catalog: SurveyCatalog
    survey: Survey
    versions: dict[int, tuple[str, Survey]]
    columns: list[Column]
    chunk_size: int = 10_000

    @property
    def header(self) -> list[str]:
        """The heading row."""
        return [*FIXED, *(c.heading for c in self.columns)]

    def filename(self, extension: str, today: date) -> str:
        """responses-SLUG-YYYY-MM-DD.EXT."""
        return f"responses-{self.survey.slug}-{today.isoformat()}.{extension}"

    async def tables(self) -> AsyncIterator[pd.DataFrame]:
        """The export a chunk at a time: one row per response, the columns in `header` order (by position)."""
        many = {c.name for c in self.columns if c.many}
        async for frame in response_chunks(self.engine, self.survey.slug, self.versions, many, self.chunk_size):
            keys = frame[RESPONDENT_COLUMN]
            where = await courses_of(self.engine, [k for k in keys.dropna().unique().tolist()])
            places = [where.get(k) if isinstance(k, str) else None for k in keys.tolist()]
            parts: list[pd.Series] = [
                pd.Series([id_text(raw) for raw in frame.index.tolist()], dtype=object),
                pd.Series(frame[SUBMITTED_COLUMN].dt.strftime("%Y-%m-%d %H:%M:%S").tolist(), dtype=object),
                pd.Series(frame[VERSION_COLUMN].astype(str).tolist(), dtype=object),
                _neutralised(pd.Series([p[0] if p else None for p in places], dtype=object)),
                pd.Series([p[1].isoformat() if p else None for p in places], dtype=object),
            ]
            for column in self.columns:
                if column.name in frame:
                    values = frame[column.name].reset_index(drop=True)
                    parts.append(_neutralised(_labelled(values, column)))
                else:
                    parts.append(pd.Series([None] * len(frame), dtype=object))
            yield pd.DataFrame(dict(enumerate(parts)))

    async def rows(self) -> AsyncIterator[list[list[Any]]]:
        """The rows as lists (None for a blank), a chunk at a time."""
        async for table in self.tables():
            cells = table.astype(object)
            yield cells.where(cells.notna(), None).to_numpy().tolist()

    async def csv(self) -> AsyncIterator[bytes]:
        """UTF-8 CSV with a byte-order mark, every cell neutralised, a chunk at a time."""
        yield csv_bytes(self.header, [])
        async for table in self.tables():
            buffer = io.StringIO()
            table.to_csv(buffer, header=False, index=False, lineterminator="\r\n")
            yield buffer.getvalue().encode("utf-8")

    async def xlsx_file(self) -> str:
        """An XLSX file written with constant memory; the caller streams it and deletes it."""
        handle, path = tempfile.mkstemp(prefix="voice-export-", suffix=".xlsx")
        os.close(handle)
        options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        book = xlsxwriter.Workbook(path, options)
        try:
            sheet = book.add_worksheet("Responses")
            sheet.write_row(0, 0, self.header, book.add_format({"bold": True}))
            line = 1
            async for chunk in self.rows():
                # Why a thread: writing 5,000 rows takes long enough to hold up other requests.
                await asyncio.to_thread(_write_rows, sheet, line, chunk)
                line += len(chunk)
        finally:
            await asyncio.to_thread(book.close)
        return path


def _write_rows(sheet: Worksheet, first: int, rows: list[list[Any]]) -> None:
    """Rows into the sheet from line `first`: strings as text (never formulas), numbers as numbers."""
    write_string, write_number = sheet.write_string, sheet.write_number
    for line, row in enumerate(rows, start=first):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                # Already neutralised (`_neutralised`): written as text, never as a formula.
                write_string(line, col, value)
            else:
                write_number(line, col, value)


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
