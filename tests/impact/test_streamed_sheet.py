"""The streamed sheet writes the same cells as XlsxWriter would, and opens in a spreadsheet reader."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import xlsxwriter

from voice_service.impact.streamed_sheet import MAX_TEXT, SHEET_PART, StreamedSheet

HEADER = ["Response", "=Not a formula", "Number", "Text"]
ROWS: list[tuple[Any, ...]] = [
    ("a", "plain", 3, "Good"),
    ("b", None, 2.5, "Fish & chips <b>bold</b> \"quoted\" 'single'"),
    ("c", " leading space", 0.1 + 0.2, "trailing tab\t"),
    ("d", "control \x01\x07\x1f and \x0b", -7, "an escape already _x0041_ and _X004a_"),
    ("e", "line\nbreak\r\nand CR", 1e20, "non-characters \ufffe\uffff"),
    ("f", "é ü 中文 😀", 123456789012345678, "'=SUM(A1)"),
    ("g", "x" * (MAX_TEXT + 10), None, "😀" * (MAX_TEXT // 2 + 5)),
    ("h", "", True, None),
]


def xlsxwriter_file(rows: list[tuple[Any, ...]]) -> bytes:
    """The same rows written cell by cell with XlsxWriter's constant-memory mode, as the export used to."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("Responses")
    sheet.write_row(0, 0, HEADER, book.add_format({"bold": True}))
    for line, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(line, col, value)
            elif value is not None:
                sheet.write_number(line, col, value)
    book.close()
    return out.getvalue()


def streamed_file(rows: list[tuple[Any, ...]], chunk: int) -> bytes:
    out = io.BytesIO()
    sheet = StreamedSheet(out, "Responses", HEADER)
    for start in range(0, len(rows), chunk):
        sheet.write_rows(rows[start : start + chunk])
    sheet.close()
    return out.getvalue()


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return book.read(SHEET_PART).decode("utf-8")


def test_the_sheet_xml_is_what_xlsxwriter_writes() -> None:
    assert sheet_xml(streamed_file(ROWS, chunk=3)) == sheet_xml(xlsxwriter_file(ROWS))
    assert sheet_xml(streamed_file([], chunk=1)) == sheet_xml(xlsxwriter_file([]))


def test_the_other_parts_are_xlsxwriters() -> None:
    ours = zipfile.ZipFile(io.BytesIO(streamed_file(ROWS, chunk=100)))
    theirs = zipfile.ZipFile(io.BytesIO(xlsxwriter_file(ROWS)))
    assert ours.namelist() == theirs.namelist()
    # No ZIP64 records in a small file: Excel may offer to repair one that has them.
    assert all(not info.extra for info in ours.infolist())
    for name in ours.namelist():
        # Why not the core properties: they hold the second each file was made in.
        if name != "docProps/core.xml":
            assert ours.read(name) == theirs.read(name), name


def test_it_opens_with_the_values_written() -> None:
    content = streamed_file(ROWS, chunk=2)
    for read_only in (True, False):
        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=read_only)["Responses"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == tuple(HEADER)
        assert len(rows) == len(ROWS) + 1
        assert rows[1] == ("a", "plain", 3, "Good")
        assert rows[2][3] == "Fish & chips <b>bold</b> \"quoted\" 'single'"
        assert rows[3][1] == " leading space"
        assert rows[3][3] == "trailing tab\t"
        assert rows[6][3] == "'=SUM(A1)"
        assert rows[6][1] == "é ü 中文 😀"
        assert len(rows[7][1]) == MAX_TEXT
        assert rows[8][3] is None


def test_no_rows_still_makes_a_workbook() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(streamed_file([], chunk=1)))["Responses"]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [HEADER]
    assert sheet.cell(1, 1).font.b
