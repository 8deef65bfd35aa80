"""A one-sheet XLSX whose data rows are streamed as XML: XlsxWriter makes the workbook, rows are written here.

Why: XlsxWriter spends about 10 microseconds of Python per cell (a call, a tuple and a row table
per cell, then the XML), 8 s for a million cells. Here a row's XML is one string join, with the
same escaping XlsxWriter applies to inline strings, kept in a temporary file until the sheet's
head (which names the last row) can be written; memory holds no more than the chunk being written.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

SHEET_PART = "xl/worksheets/sheet1.xml"
#: Excel's limit on a cell's text, in UTF-16 code units (XlsxWriter truncates to it too).
MAX_TEXT = 32_767
#: Anything in a string that needs more than copying: XML specials, control characters, Excel's own
#: _xHHHH_ escapes, the two non-characters, and whitespace at either end (kept with xml:space).
SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
EDGE_SPACE = re.compile(r"^\s|\s$")


def _truncated(text: str) -> str:
    """Text cut to MAX_TEXT UTF-16 units, as XlsxWriter's write_string cuts it."""
    if len(text) <= MAX_TEXT // 2:
        return text
    encoded = text.encode("utf-16-le")
    if len(encoded) <= 2 * MAX_TEXT:
        return text
    return encoded[: 2 * MAX_TEXT].decode("utf-16-le", errors="ignore")


def _special_text(text: str) -> str:
    """The <is> body of a string that needs escaping (XlsxWriter's rules for inline strings)."""
    text = ESCAPED_ESCAPE.sub(r"_x005F\1", text)
    text = CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    preserve = ' xml:space="preserve"' if EDGE_SPACE.search(text) else ""
    return f"<t{preserve}>{text}</t>"


class StreamedSheet:
    """An XLSX file with one sheet: a bold heading row, then rows added a chunk at a time, then `close`."""

    def __init__(self, target: str | IO[bytes], sheet_name: str, header: Sequence[str]) -> None:
        # Why here: XlsxWriter is only for exports; a web worker does not hold it from start.
        import xlsxwriter

        frame = io.BytesIO()
        options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        book = xlsxwriter.Workbook(frame, options)
        sheet = book.add_worksheet(sheet_name)
        bold = book.add_format({"bold": True})
        for col, heading in enumerate(header):
            sheet.write_string(0, col, heading, bold)
        book.close()
        with zipfile.ZipFile(frame) as made:
            # In XlsxWriter's order; the sheet's part is None here and written in `close`.
            self._parts = [(info, None if info.filename == SHEET_PART else made.read(info)) for info in made.infolist()]
            head, tail = made.read(SHEET_PART).decode("utf-8").split("</sheetData>", 1)
        self._head, self._tail = head, "</sheetData>" + tail
        self._target = target
        self._width = len(header)
        # Why a file first: the sheet's head names its last row and column, known only at the end.
        self._rows = tempfile.TemporaryFile(prefix="voice-sheet-")  # noqa: SIM115 - closed in close()
        self._line = 2
        self._columns: list[str] = []

    def _column_names(self, width: int) -> list[str]:
        """Column letters A, B, ... for at least `width` columns."""
        while len(self._columns) < width:
            # Why in the loop: this runs for every row, the import only when a column is added.
            from xlsxwriter.utility import xl_col_to_name

            self._columns.append(xl_col_to_name(len(self._columns)))
        return self._columns

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows after the last: str as text (never a formula), numbers as numbers, None as a blank cell."""
        parts: list[str] = []
        append = parts.append
        line = self._line
        for row in rows:
            names = self._column_names(len(row))
            self._width = max(self._width, len(row))
            at = str(line)
            append(f'<row r="{at}">')
            for name, value in zip(names, row, strict=False):
                if value is None:
                    continue
                if isinstance(value, str):
                    if len(value) > MAX_TEXT // 2:
                        value = _truncated(value)
                    body = _special_text(value) if SPECIAL.search(value) else f"<t>{value}</t>"
                    append(f'<c r="{name}{at}" t="inlineStr"><is>{body}</is></c>')
                else:
                    append(f'<c r="{name}{at}"><v>{value:.16G}</v></c>')
            append("</row>")
            line += 1
        self._line = line
        self._rows.write("".join(parts).encode("utf-8"))

    def close(self) -> None:
        """Write the file: XlsxWriter's parts, and the sheet with its dimension, then the rows."""
        from xlsxwriter.utility import xl_rowcol_to_cell

        last = xl_rowcol_to_cell(self._line - 2, max(self._width - 1, 0))
        span = "A1" if last == "A1" else f"A1:{last}"
        head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{span}"/>', self._head)
        try:
            with zipfile.ZipFile(self._target, "w", zipfile.ZIP_DEFLATED) as book:
                for info, data in self._parts:
                    if data is not None:
                        book.writestr(info, data, zipfile.ZIP_DEFLATED)
                        continue
                    start, end = head.encode("utf-8"), self._tail.encode("utf-8")
                    # Why the size up front: zipfile then adds ZIP64 records only to a sheet that needs
                    # them (Excel may offer to repair a small file that has them).
                    info.file_size = len(start) + self._rows.tell() + len(end)
                    with book.open(info, "w") as entry:
                        entry.write(start)
                        self._rows.seek(0)
                        shutil.copyfileobj(self._rows, entry, 1 << 20)
                        entry.write(end)
        finally:
            self._rows.close()
