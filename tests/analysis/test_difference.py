"""The made-a-difference share by source and year, worked by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.difference import BASELINE, OVERALL, answer_frame, difference_table


def test_shares_by_source_and_year_with_wilson_intervals() -> None:
    survey = answer_frame(
        "Survey",
        pd.Series([date(2023, 3, 31), date(2023, 4, 1), date(2023, 5, 1), date(2023, 6, 1), None]),
        pd.Series([True, False, True, None, True]),
    )
    page = answer_frame("Page", pd.Series([date(2023, 4, 2)] * 4), pd.Series([True, True, False, False]))
    table = difference_table(pd.concat([survey, page], ignore_index=True))
    rows = {(r["source"], r["period"]): (r["count"], r["n"]) for r in table.to_dict("records")}
    assert rows == {
        ("Page", "2023/24"): (2, 4),
        ("Survey", "2022/23"): (1, 1),
        ("Survey", "2023/24"): (1, 2),
        ("Page", "All years"): (2, 4),
        ("Survey", "All years"): (2, 3),
        (OVERALL, "2022/23"): (1, 1),
        (OVERALL, "2023/24"): (3, 6),
        (OVERALL, "All years"): (4, 7),
    }
    overall = table[(table.source == OVERALL) & (table.period == "All years")].iloc[0]
    assert overall.share == pytest.approx(4 / 7)
    # Wilson 95% for 4 of 7, by hand: 0.2505 to 0.8418.
    assert (round(overall.low, 4), round(overall.high, 4)) == (0.2505, 0.8418)
    assert BASELINE == 0.21


def test_no_answers_make_an_empty_table() -> None:
    assert difference_table(answer_frame("x", pd.Series([], dtype=object), pd.Series([], dtype=object))).empty
