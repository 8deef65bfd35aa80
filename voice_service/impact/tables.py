"""The report's tables (per course; sector, organisation and mode; year and quarter) and their CSV and XLSX exporters.

A table marked for publication hides any count of 1 to 4 people and any figure a total would reveal
(analysis.suppression), and any share resting on fewer than 5 people.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from analysis.figures import Figures
from analysis.lazy import LazyModule
from analysis.proportions import Proportion, percent
from analysis.suppression import THRESHOLD, TOTAL, publishable, suppress_counts
from voice_service.core.exports import csv_bytes, safe_xlsx_text
from voice_service.impact.service import TrainingReport

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

HIDDEN = "suppressed"
BREAKDOWNS = {
    "sectors": ("sector", "Sector"),
    "organisations": ("organisation", "Organisation"),
    "modes": ("mode", "Delivery"),
}
TABLES = {
    "courses": "Courses",
    "sectors": "By sector",
    "organisations": "By organisation",
    "modes": "By delivery mode",
    "years": "By financial year",
    "quarters": "By quarter",
}
#: The trend table of each dashboard period (see rules.PERIODS).
TREND_TABLES = {"year": "years", "quarter": "quarters"}
FIGURE_HEADER = (
    "Sessions",
    "Attendees",
    "Evaluations",
    "Response rate",
    "Likely to change practice",
    "Follow-ups sent",
    "Follow-ups received",
    "Changed practice (6 months)",
    "Changed with an example",
    "Confidence rose",
    "Course Impact Score",
    "Behaviour worst case",
)


@dataclass(frozen=True)
class Table:
    """A titled table of text and numbers."""

    identifier: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def share(p: Proportion, publication: bool = False) -> str:
    """A share as a table cell: "76% (96 of 126)", flagged when resting on few, hidden for publication when needed."""
    if publication and publishable(p) is None:
        return HIDDEN
    if p.n == 0:
        return "no answers"
    flag = " low numbers" if p.low_numbers else ""
    return f"{percent(p.value)} ({p.count} of {p.n}){flag}"


def score(f: Figures) -> str:
    """The score with its interval, or "incomplete"."""
    low, high = f.impact.interval
    if f.impact.score is None or low is None or high is None:
        return "incomplete (no follow-ups yet)"
    return f"{f.impact.score:.0f} ({low:.0f} to {high:.0f})"


def score_publishable(f: Figures) -> bool:
    """Whether the score may leave the staff area: every component it weighs rests on 5 or more people.

    Why every component: the components' weights are public, so beside the published intention a score
    resting on one follow-up gives that person's answers back (each combination lands in its own band).
    """
    return f.attendees >= THRESHOLD and all(
        publishable(p) is not None and (p.n if p.people is None else p.people) >= THRESHOLD
        for p in f.impact.components.values()
    )


def figure_row(f: Figures, publication: bool = False) -> tuple[Any, ...]:
    """The figures of one row, in FIGURE_HEADER order."""
    return (
        f.sessions,
        f.attendees,
        f.evaluations,
        share(f.response_rate, publication),
        share(f.change_intent, publication),
        f.follow_up.sent,
        f.follow_up.received,
        share(f.follow_up.changed_practice, publication),
        share(f.follow_up.gave_example, publication),
        share(f.follow_up.confidence_improved, publication),
        HIDDEN if publication and f.impact.score is not None and not score_publishable(f) else score(f),
        share(f.impact.behaviour_worst_case, publication),
    )


def _suppress_columns(rows: list[list[Any]], columns: Sequence[int]) -> None:
    """Hide people counts of 1 to 4 in the given columns, and whatever the total row would give away."""
    for column in columns:
        counts = pd.Series([int(row[column]) for row in rows[:-1]], index=[str(i) for i in range(len(rows) - 1)])
        hidden = suppress_counts(counts)
        for i, row in enumerate(rows[:-1]):
            if pd.isna(hidden[str(i)]):
                row[column] = HIDDEN
        if pd.isna(hidden[TOTAL]):
            rows[-1][column] = HIDDEN


def _table(identifier: str, first: str, named: list[tuple[str, Figures]], total: Figures, publication: bool) -> Table:
    rows = [[name, *figure_row(f, publication)] for name, f in named]
    rows.append(["Total", *figure_row(total, publication)])
    if publication:
        # Attendees, evaluations, follow-ups sent and received count people.
        _suppress_columns(rows, (2, 3, 6, 7))
    return Table(identifier, TABLES[identifier], (first, *FIGURE_HEADER), tuple(tuple(r) for r in rows))


def report_tables(report: TrainingReport, publication: bool = False) -> dict[str, Table]:
    """Every table of the report."""
    tables = {
        "courses": _table(
            "courses", "Course", [(c.name, c.figures) for c in report.courses], report.totals, publication
        ),
        "years": _table("years", "Financial year", report.trend(), report.totals, publication),
        "quarters": _table("quarters", "Quarter", report.trend("quarter"), report.totals, publication),
    }
    for identifier, (column, heading) in BREAKDOWNS.items():
        tables[identifier] = _table(identifier, heading, report.breakdown(column), report.totals, publication)
    return {key: tables[key] for key in TABLES}


class TableCsv:
    """One report table as CSV."""

    def __init__(self, table: Table, start: date, end: date, publication: bool = False) -> None:
        self.table = table
        self.identifier = f"training-{table.identifier}-csv"
        self.label = f"{table.title} (CSV)"
        suffix = "-for-publication" if publication else ""
        self.filename = f"training-{table.identifier}-{start.isoformat()}-to-{end.isoformat()}{suffix}.csv"

    def render(self) -> tuple[str, str, bytes]:
        """The CSV, every cell neutralised."""
        return self.filename, "text/csv; charset=utf-8", csv_bytes(self.table.header, self.table.rows)


class TableXlsx:
    """One report table as an XLSX workbook."""

    def __init__(self, table: Table, start: date, end: date, publication: bool = False) -> None:
        self.table = table
        self.identifier = f"training-{table.identifier}-xlsx"
        self.label = f"{table.title} (XLSX)"
        suffix = "-for-publication" if publication else ""
        self.filename = f"training-{table.identifier}-{start.isoformat()}-to-{end.isoformat()}{suffix}.xlsx"
        self.subtitle = f"Sessions from {start.isoformat()} to {end.isoformat()}"

    def render(self) -> tuple[str, str, bytes]:
        """The workbook: a title line, then the table with its heading row."""
        # Why here: XlsxWriter is only for this download; a web worker does not hold it from start.
        import xlsxwriter

        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet(self.table.title[:31])
        bold = book.add_format({"bold": True})
        sheet.write_string(0, 0, f"{self.table.title}: {self.subtitle}", bold)
        sheet.write_row(2, 0, self.table.header, bold)
        for r, row in enumerate(self.table.rows, start=3):
            for c, value in enumerate(row):
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, safe_xlsx_text(str(value)))
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, len(self.table.header), 18)
        book.close()
        return self.filename, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buffer.getvalue()


def exporter(report: TrainingReport, identifier: str, fmt: str, publication: bool = False) -> TableCsv | TableXlsx:
    """The exporter of one table in one format; KeyError for an unknown table or format."""
    table = report_tables(report, publication)[identifier]
    if fmt == "csv":
        return TableCsv(table, report.start, report.end, publication)
    if fmt == "xlsx":
        return TableXlsx(table, report.start, report.end, publication)
    raise KeyError(fmt)
