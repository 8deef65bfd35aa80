"""Suppression: counts under 5 hidden, and any figure a total would reveal hidden too."""

from __future__ import annotations

import pandas as pd

from analysis.proportions import Proportion
from analysis.suppression import TOTAL, publishable, suppress_counts, suppress_table


def hidden(table: pd.DataFrame) -> set[tuple[str, str]]:
    return {(str(r), str(c)) for r in table.index for c in table.columns if pd.isna(table.loc[r, c])}


def test_nothing_is_hidden_when_every_count_is_five_or_more() -> None:
    counts = pd.DataFrame({"online": [10, 5], "face_to_face": [7, 20]}, index=["schools", "health"])
    table = suppress_table(counts)
    assert hidden(table) == set()
    assert table.loc[TOTAL, TOTAL] == 42
    assert table.loc["schools", TOTAL] == 17


def test_a_small_count_and_its_complement_are_hidden_in_its_row_and_column() -> None:
    # schools/online is 3: hidden. Its row total 13 would give it away from schools/f2f (10),
    # so 10 is hidden too; the online column total 23 would give it away from health/online (20), so
    # 20 too; then health's row has one hidden figure, so health/f2f (8) as well.
    counts = pd.DataFrame({"online": [3, 20], "face_to_face": [10, 8]}, index=["schools", "health"])
    table = suppress_table(counts)
    assert hidden(table) == {
        ("schools", "online"),
        ("schools", "face_to_face"),
        ("health", "online"),
        ("health", "face_to_face"),
    }
    # Totals are all 5 or more and stay shown.
    assert table.loc["schools", TOTAL] == 13
    assert table.loc[TOTAL, TOTAL] == 41


def test_no_hidden_cell_can_be_worked_out_from_a_total() -> None:
    counts = pd.DataFrame({"a": [1, 12, 30, 6], "b": [9, 2, 14, 8], "c": [15, 11, 4, 0]}, index=["w", "x", "y", "z"])
    table = suppress_table(counts)
    lines = [table.loc[r] for r in table.index] + [table[c] for c in table.columns]
    for line in lines:
        assert line.isna().sum() != 1, line
    for r, c in [("w", "a"), ("x", "b"), ("y", "c")]:
        assert pd.isna(table.loc[r, c])
    # A zero stays shown: it is nobody.
    assert table.loc["z", "c"] == 0


def test_a_total_under_five_is_hidden_with_what_makes_it_up() -> None:
    series = suppress_counts(pd.Series({"yes": 2, "no": 1}, name="n"))
    assert series.isna().all()


def test_one_list_of_counts_hides_the_next_smallest() -> None:
    series = suppress_counts(pd.Series({"yes": 40, "no": 3, "not yet": 7}))
    # "no" (3) is hidden; the total would give it away from "not yet" (7), so that goes too.
    assert series.isna().tolist() == [False, True, True, False]
    assert (series["yes"], series[TOTAL]) == (40, 50)


def test_publishable_proportions() -> None:
    assert publishable(Proportion(3, 4)) is None
    assert publishable(Proportion(3, 40)) is None
    # 37 of 40 leaves 3 who did not: recoverable from n, so hidden too.
    assert publishable(Proportion(37, 40)) is None
    assert publishable(Proportion(0, 40)) == Proportion(0, 40)
    assert publishable(Proportion(20, 40)) == Proportion(20, 40)
