"""Financial years run April to March; quarters count from April."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.periods import financial_year, financial_year_bounds, quarter


@pytest.mark.parametrize(
    ("day", "year", "q"),
    [
        (date(2022, 4, 1), "2022/23", "2022/23 Q1"),
        (date(2022, 6, 30), "2022/23", "2022/23 Q1"),
        (date(2022, 7, 1), "2022/23", "2022/23 Q2"),
        (date(2022, 12, 31), "2022/23", "2022/23 Q3"),
        (date(2023, 1, 1), "2022/23", "2022/23 Q4"),
        (date(2023, 3, 31), "2022/23", "2022/23 Q4"),
        (date(2099, 4, 1), "2099/00", "2099/00 Q1"),
    ],
)
def test_financial_year_and_quarter(day: date, year: str, q: str) -> None:
    assert financial_year(day) == year
    assert quarter(day) == q


def test_bounds_of_a_financial_year() -> None:
    assert financial_year_bounds("2022/23") == (date(2022, 4, 1), date(2023, 3, 31))
    assert financial_year_bounds(" 1999/00 ") == (date(1999, 4, 1), date(2000, 3, 31))


@pytest.mark.parametrize("bad", ["2022", "2022/24", "22/23", "2022-23", ""])
def test_bounds_refuse_anything_else(bad: str) -> None:
    with pytest.raises(ValueError, match="financial year"):
        financial_year_bounds(bad)
