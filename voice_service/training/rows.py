"""Delegate rows from any source (a CSV line, a JSON item, a form): checked alike, every problem kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from voice_service.training import rules

#: The fields of a delegate, in the order problems are reported.
FIELDS = ("name", "email", "organisation", "sector", "attended")
#: The most delegates one import takes (a session holds at most 1,000).
MAX_ROWS = 2000


@dataclass(frozen=True)
class DelegateIn:
    """A checked delegate row: `line` is where it came from (CSV: physical line; JSON: position from 1)."""

    line: int
    name: str
    email: str
    organisation: str
    sector: str
    attended: bool


@dataclass(frozen=True)
class RowError:
    """One problem: the line, the field ("file" for the file as a whole) and what to fix."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class Rows:
    """What a source gave: the good rows, and every problem (a non-empty list means import nothing)."""

    rows: list[DelegateIn]
    errors: list[RowError]


def clean_row(line: int, values: Mapping[str, Any], sectors: Sequence[str]) -> tuple[DelegateIn | None, list[RowError]]:
    """One row checked against the rules: the delegate, or every problem in it."""
    errors: rules.Errors = {}
    name = rules.text(values.get("name"), "Name", errors, "name")
    address = rules.email(values.get("email", ""), errors)
    organisation = rules.text(values.get("organisation"), "Organisation", errors, "organisation")
    sector = rules.sector(values.get("sector"), sectors, errors)
    attended = rules.attended(values.get("attended"), errors)
    if errors:
        return None, [RowError(line, f, errors[f]) for f in FIELDS if f in errors]
    return DelegateIn(line, name, address, organisation, sector, attended), []


def check_rows(candidates: Sequence[tuple[int, Mapping[str, Any]]], sectors: Sequence[str]) -> Rows:
    """Every row checked, and an email given twice reported on its second line."""
    good: list[DelegateIn] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for line, values in candidates:
        row, problems = clean_row(line, values, sectors)
        errors.extend(problems)
        if row is None:
            continue
        if row.email in first_line:
            message = f"This email address is already on line {first_line[row.email]}: give each delegate once"
            errors.append(RowError(line, "email", message))
            continue
        first_line[row.email] = line
        good.append(row)
    return Rows(good, errors)


def rows_from_json(items: Any, sectors: Sequence[str]) -> Rows:
    """A JSON list of delegate objects; `line` is each item's position, counting from 1."""
    if not isinstance(items, list):
        return Rows([], [RowError(0, "body", "Send a JSON list of delegates, or a text/csv body")])
    if not items:
        return Rows([], [RowError(0, "body", "The list has no delegates")])
    if len(items) > MAX_ROWS:
        return Rows([], [RowError(0, "body", f"Send at most {MAX_ROWS} delegates at a time")])
    candidates: list[tuple[int, Mapping[str, Any]]] = []
    errors: list[RowError] = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, dict):
            candidates.append((position, item))
        else:
            errors.append(RowError(position, "item", "Each delegate must be an object with " + ", ".join(FIELDS)))
    checked = check_rows(candidates, sectors)
    return Rows(checked.rows, sorted([*errors, *checked.errors], key=lambda e: e.line))
