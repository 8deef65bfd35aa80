"""The "You Said / We Did" table for one reporting year, for the annual report: CSV, XLSX and a printable page.

Exporters in the shape of voice_service/core/exports.py. Cells a spreadsheet would run as a formula
are neutralised; how many young people a record rests on is shown only from 5 up, as when published.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.exports import csv_bytes, safe_xlsx_text
from voice_service.voice import records, workflow
from voice_service.voice.public import people_figure
from voice_service.voice.records import Record

HEADER = (
    "Group or source",
    "Theme",
    "Easy-read summary",
    "You said",
    "We did",
    "Young people",
    "Owner",
    "Due",
    "Feedback given",
)
WIDTHS = (28, 20, 40, 60, 60, 14, 30, 12, 14)


def row(record: Record) -> tuple[str, ...]:
    """One record as the report's table shows it (plain text)."""
    people = people_figure(record.people_count)
    owner = ", ".join(p for p in (record.owner_organisation, record.owner_officer) if p)
    return (
        record.source,
        record.theme,
        record.easy_read,
        record.said,
        record.done,
        people.text if people else "",
        owner,
        record.due_on.isoformat() if record.due_on else "",
        record.feedback_given_on.isoformat() if record.feedback_given_on else "",
    )


async def year_records(engine: AsyncEngine, year: str) -> list[Record]:
    """The records published (and still published or since closed) in a reporting year, by group."""
    shown = [r for r in await records.list_records(engine) if r.state in (workflow.PUBLISHED, workflow.CLOSED)]
    chosen = [r for r in shown if r.year == year]
    return sorted(chosen, key=lambda r: (r.source.casefold(), r.published_at or r.created_at))


async def report_years(engine: AsyncEngine) -> list[str]:
    """The reporting years with published records, newest first."""
    shown = [r for r in await records.list_records(engine) if r.state in (workflow.PUBLISHED, workflow.CLOSED)]
    return sorted({r.year for r in shown if r.year}, reverse=True)


def _slug(year: str) -> str:
    return year.replace("/", "-")


@dataclass
class CsvExporter:
    """The year's table as CSV (UTF-8 with a byte-order mark for Excel)."""

    year: str
    rows: Sequence[Record]
    identifier: str = "you-said-we-did-csv"
    label: str = "CSV"

    def render(self) -> tuple[str, str, bytes]:
        """The file."""
        body = csv_bytes(HEADER, [row(r) for r in self.rows])
        return f"you-said-we-did-{_slug(self.year)}.csv", "text/csv; charset=utf-8", body


@dataclass
class XlsxExporter:
    """The year's table as an Excel workbook, every cell written as text."""

    year: str
    rows: Sequence[Record]
    identifier: str = "you-said-we-did-xlsx"
    label: str = "Excel (XLSX)"

    def render(self) -> tuple[str, str, bytes]:
        """The file."""
        # Why here: XlsxWriter is only for this download; a web worker does not hold it from start.
        import xlsxwriter

        buffer = io.BytesIO()
        options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        book = xlsxwriter.Workbook(buffer, options)
        sheet = book.add_worksheet(f"You Said We Did {_slug(self.year)}")
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        for column, (title, width) in enumerate(zip(HEADER, WIDTHS, strict=True)):
            sheet.write_string(0, column, title, bold)
            sheet.set_column(column, column, width)
        for line, record in enumerate(self.rows, start=1):
            for column, value in enumerate(row(record)):
                sheet.write_string(line, column, safe_xlsx_text(value), wrap)
        sheet.freeze_panes(1, 0)
        book.close()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return f"you-said-we-did-{_slug(self.year)}.xlsx", mimetype, buffer.getvalue()
