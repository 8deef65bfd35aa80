"""Reports as exporters (as in pretix): an identifier, a label, and render() -> (filename, mimetype, bytes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

#: Characters that make a spreadsheet read a cell as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Exporter(Protocol):
    """One downloadable report."""

    identifier: str
    label: str

    def render(self) -> tuple[str, str, bytes]:
        """The file: its name, its media type and its bytes."""
        ...


def safe_cell(value: Any) -> str:
    """A value as CSV text that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel opens names with accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # Why the header too: a response export heads its columns with questions' labels, which a survey's author
    # may start with '-', '+' or '=' ("- Quality of the training"); a spreadsheet ran those too.
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def safe_xlsx_text(value: str) -> str:
    """A text cell for XLSX: written as a string it never runs, but a leading formula character still gets a quote.

    Why both: a person who copies the cell into a CSV or a formula bar would otherwise carry the formula on.
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value
