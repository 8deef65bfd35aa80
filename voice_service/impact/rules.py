"""The report's inputs: a date range or a financial year, checked with a message per field."""

from __future__ import annotations

import re
from datetime import date

from analysis.periods import financial_year_bounds

#: The longest range one report covers: 20 years of sessions is more than any partnership keeps.
MAX_DAYS = 366 * 20
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Invalid(ValueError):
    """Input that breaks a rule, with a message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _day(value: str | None, field: str, errors: dict[str, str]) -> date | None:
    text = (value or "").strip()
    if not text:
        errors[field] = f"Enter the '{field}' date as YYYY-MM-DD"
        return None
    try:
        if _ISO_DAY.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    errors[field] = f"'{field}' must be a real date written YYYY-MM-DD, for example 2022-04-01"
    return None


def date_range(start: str | None, end: str | None) -> tuple[date, date]:
    """The from and to dates (both included); Invalid when missing, malformed or the wrong way round."""
    errors: dict[str, str] = {}
    first, last = _day(start, "from", errors), _day(end, "to", errors)
    if first is not None and last is not None:
        if last < first:
            errors["to"] = "'to' must be the same as or after 'from'"
        elif (last - first).days > MAX_DAYS:
            errors["to"] = "A report covers at most 20 years"
    if errors or first is None or last is None:
        raise Invalid(errors)
    return first, last


def financial_year(label: str | None) -> tuple[date, date]:
    """The first and last day of a financial year written 2022/23; Invalid otherwise."""
    try:
        return financial_year_bounds(label or "")
    except ValueError:
        raise Invalid({"year": "Choose a financial year written like 2022/23"}) from None


#: The dashboard's trend periods: the query value, and the name `analysis.figures.trend` knows it by.
PERIODS = {"year": "financial_year", "quarter": "quarter"}


def period(value: str | None) -> str:
    """The trend period asked for ("year" when none is given); Invalid for anything else."""
    text = (value or "").strip() or "year"
    if text not in PERIODS:
        raise Invalid({"period": "Choose trends by financial year or by quarter"})
    return text
