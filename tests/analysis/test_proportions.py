"""Proportions, Wilson intervals and the report's rounding, against hand-worked values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.proportions import Proportion, percent, share, wilson


def test_wilson_matches_hand_worked_values() -> None:
    # 5/10: centre 0.5, half-width 1.96 * sqrt(0.025 + 3.8415/400) / 1.38415 = 0.26341
    low, high = wilson(5, 10)
    assert low == pytest.approx(0.23659, abs=1e-5)
    assert high == pytest.approx(0.76341, abs=1e-5)
    # 0/10: the lower bound is 0 and the upper z^2 / (n + z^2) = 3.8415 / 13.8415
    assert wilson(0, 10) == (0.0, pytest.approx(0.27753, abs=1e-5))
    # 10/10 mirrors it.
    assert wilson(10, 10) == (pytest.approx(0.72247, abs=1e-5), pytest.approx(1.0))


def test_wilson_with_no_answers_has_no_interval_and_refuses_impossible_counts() -> None:
    assert wilson(0, 0) == (None, None)
    with pytest.raises(ValueError, match="outside"):
        wilson(11, 10)


def test_proportion_carries_count_n_interval_and_low_numbers() -> None:
    figure = Proportion(7, 9).as_dict()
    assert figure["value"] == pytest.approx(7 / 9)
    assert (figure["count"], figure["n"], figure["low_numbers"]) == (7, 9, True)
    assert figure["low"] < 7 / 9 < figure["high"]
    assert Proportion(7, 10).low_numbers is False
    # A pooled figure (ratings) is low-numbers by the people it rests on, not the ratings.
    assert Proportion(30, 36, people=9).low_numbers is True


def test_an_empty_proportion_has_a_null_value() -> None:
    assert Proportion(0, 0).as_dict() == {
        "value": None,
        "count": 0,
        "n": 0,
        "low": None,
        "high": None,
        "low_numbers": True,
    }


def test_share_counts_only_answered_values() -> None:
    flags = pd.Series([True, False, pd.NA, True], dtype="boolean")
    assert share(flags) == Proportion(2, 3)


@pytest.mark.parametrize(
    ("value", "written"),
    [(96 / 126, "76%"), (92 / 117, "79%"), (0.785, "79%"), (0.005, "1%"), (None, "-"), (1.0, "100%")],
)
def test_percent_rounds_halves_up_as_the_report_does(value: float | None, written: str) -> None:
    assert percent(value) == written


def test_the_interval_always_holds_the_share() -> None:
    for n in range(1, 40):
        for count in range(n + 1):
            low, high = wilson(count, n)
            assert low is not None
            assert high is not None
            assert low <= count / n + 1e-12
            assert count / n - 1e-12 <= high
            assert not math.isnan(low + high)
