"""Reporting periods: the partnership's financial year (April to March) and its quarters."""

from __future__ import annotations

import re
from datetime import date

_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def financial_year_start(day: date) -> int:
    """The calendar year in which the financial year holding `day` starts."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year(day: date) -> str:
    """The financial year holding `day`, as the report writes it ("2022/23")."""
    start = financial_year_start(day)
    return f"{start}/{(start + 1) % 100:02d}"


def quarter(day: date) -> str:
    """The financial quarter holding `day` ("2022/23 Q1" is April to June 2022)."""
    return f"{financial_year(day)} Q{(day.month - 4) % 12 // 3 + 1}"


def financial_year_bounds(label: str) -> tuple[date, date]:
    """The first and last day of a financial year given as "2022/23"; ValueError otherwise."""
    match = _YEAR.match(label.strip())
    if match is None:
        raise ValueError(f"'{label}' is not a financial year written like 2022/23")
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        raise ValueError(f"'{label}' is not a financial year: the second year must follow the first")
    return date(start, 4, 1), date(start + 1, 3, 31)
