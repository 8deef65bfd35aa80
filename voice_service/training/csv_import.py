"""Attendee lists as CSV, from booking and video-call tools or Excel: decoded, mapped by header, checked.

Pure functions on bytes. Line numbers are physical lines in the file (1 is the header); a row
whose quoted field spans lines is reported at its first line. Problems with the file as a whole
are reported at line 0 (size, encoding, emptiness) or line 1 (the header).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from voice_service.training.rows import FIELDS, MAX_ROWS, RowError, Rows, check_rows

#: 500 kB holds thousands of delegates; the confirm page carries the file back, inside the 1 MiB body limit.
MAX_FILE_BYTES = 500_000
BOMS = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
DELIMITERS = (",", ";", "\t")
NOT_WORD = re.compile(r"[^0-9a-z]+")
#: Excel's hint line naming the separator ("sep=;"), written before the header by exports meant for Excel.
SEPARATOR_HINT = re.compile(r'"?sep=(.)"?', re.IGNORECASE)

#: Header names (lower-cased, letters and digits only) as booking and video-call exports spell them.
ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ("name", "fullname", "delegatename", "attendeename", "participantname", "nameoriginalname"), "name"
    ),
    **dict.fromkeys(
        ("email", "emailaddress", "workemail", "workemailaddress", "useremail", "attendeeemail", "delegateemail"),
        "email",
    ),
    **dict.fromkeys(
        ("organisation", "organization", "employer", "organisationname", "organizationname", "company", "agency"),
        "organisation",
    ),
    **dict.fromkeys(("sector", "workforcesector"), "sector"),
    **dict.fromkeys(("attended", "attendance", "checkedin", "present"), "attended"),
    **dict.fromkeys(("firstname", "forename", "givenname"), "first_name"),
    **dict.fromkeys(("lastname", "surname", "familyname"), "last_name"),
}


class FileProblem(ValueError):
    """The file cannot be read as an attendee list at all."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.error = RowError(line, "file", message)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), UTF-16 with a BOM, else Excel's Windows-1252."""
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(0, f"The file is larger than {MAX_FILE_BYTES // 1000} kB: split it into smaller files")
    for bom, encoding in BOMS.items():
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                raise FileProblem(0, "The file is not readable text: save it as CSV (UTF-8)") from None
    if b"\x00" in data:
        raise FileProblem(0, "The file is not a CSV file: save the list as CSV (UTF-8) and try again")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileProblem(0, "The file is not readable text: save it as CSV (UTF-8)") from None


def sniff_delimiter(header_line: str) -> str:
    """Comma, semicolon (Excel where the decimal mark is a comma) or tab: whichever the header uses most."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def map_header(header: Sequence[str], line: int = 1) -> dict[str, int]:
    """Which column holds which field, by name (case, spacing and punctuation ignored); `line` is the header's."""
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        field = ALIASES.get(NOT_WORD.sub("", title.casefold()))
        if field is None:
            continue  # Why: exports carry many other columns (join time, duration, ...): they are ignored.
        if field in columns:
            raise FileProblem(line, f"Two columns give the {field.replace('_', ' ')}: keep one of them")
        columns[field] = index
    if "name" not in columns and {"first_name", "last_name"} <= columns.keys():
        columns["name"] = -1
    missing = [f for f in FIELDS if f not in columns]
    if missing:
        raise FileProblem(
            line,
            "The first line must name the columns: "
            + ", ".join(FIELDS)
            + f". This file has no column for: {', '.join(missing)}",
        )
    return columns


def _values(record: Sequence[str], columns: Mapping[str, int]) -> dict[str, Any]:
    def cell(field: str) -> str:
        index = columns.get(field, -1)
        return record[index] if 0 <= index < len(record) else ""

    values: dict[str, Any] = {f: cell(f) for f in FIELDS}
    if columns["name"] == -1:
        values["name"] = f"{cell('first_name').strip()} {cell('last_name').strip()}".strip()
    return values


def parse_attendees(data: bytes, sectors: Sequence[str]) -> Rows:
    """Every delegate in the file, or every problem (by line, field and reason)."""
    try:
        return _parse(decode(data), sectors)
    except FileProblem as problem:
        return Rows([], [problem.error])


def _parse(text: str, sectors: Sequence[str]) -> Rows:
    if not text.strip():
        raise FileProblem(0, "The file is empty: it needs a first line naming the columns, then one line per delegate")
    lines = text.splitlines()
    hint = SEPARATOR_HINT.fullmatch(lines[0].strip(" ")) if lines else None
    # Why: an export meant for Excel may start with "sep=;"; read as the header, it named no column at all.
    first_line = lines[1] if hint and len(lines) > 1 else lines[0] if lines else ""
    delimiter = hint.group(1) if hint else sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        if hint:
            next(reader)
        header = next(reader, [])
        columns = map_header(header, reader.line_num)
        candidates: list[tuple[int, dict[str, Any]]] = []
        line = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                candidates.append((line, _values(record, columns)))
            if len(candidates) > MAX_ROWS:
                raise FileProblem(0, f"The file has more than {MAX_ROWS} delegates: split it into smaller files")
            line = reader.line_num + 1
    except csv.Error:
        raise FileProblem(reader.line_num, "This line cannot be read as CSV: check its quotation marks") from None
    if not candidates:
        raise FileProblem(1, "The file has a header line but no delegates")
    return check_rows(candidates, sectors)
