"""The pandas-free suppression of a list of counts hides exactly what the pandas one hides."""

from __future__ import annotations

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.suppression import suppress_counts, suppress_list


def with_pandas(counts: list[int]) -> list[int | None]:
    series = suppress_counts(pd.Series(counts, index=[f"answer {i}" for i in range(len(counts))], dtype="int64"))
    return [None if pd.isna(v) else int(v) for v in series.tolist()]


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
def test_the_list_form_hides_what_the_series_form_hides(counts: list[int]) -> None:
    assert suppress_list(counts) == with_pandas(counts)


def test_a_small_count_takes_another_with_it_so_the_total_gives_nothing_away() -> None:
    # 3 alone would be worked out from the total; the next smallest (7) is hidden too.
    assert suppress_list([40, 3, 7]) == [40, None, None, 50]
    assert suppress_list([2, 1]) == [None, None, None]
    assert suppress_list([0, 12, 9]) == [0, 12, 9, 21]


def consistent_values(counts_: list[int], shown: list[int | None], threshold: int = 5) -> list[set[int]]:
    """Every value each hidden count could take, to a reader who knows the rule (brute force, not intervals).

    The reader is taken to know which hidden counts are the small ones (the worst case: other figures
    may tell): those are 1..4; a complementary one is at least 5 and no more than the smallest count
    left shown (or the total). The hidden counts add up to the total less the shown counts.
    """
    *counts, total = shown
    if total is None:
        return [set(range(1, 1000)) if v is None else {v} for v in counts]
    above_zero = [v for v in counts if v]
    most = min(above_zero, default=total)
    rest = total - sum(v for v in counts if v is not None)
    places = [i for i, v in enumerate(counts) if v is None]
    small = range(1, threshold)
    complementary = range(threshold, most + 1)
    found: list[set[int]] = [set() if v is None else {v} for v in counts]

    def walk(at: int, left: int, picked: list[int]) -> None:
        if at == len(places):
            if left == 0:
                for place, value in zip(places, picked, strict=True):
                    found[place].add(value)
            return
        for value in small if 0 < counts_[places[at]] < threshold else complementary:
            if value <= left:
                walk(at + 1, left - value, [*picked, value])

    walk(0, rest, [])
    return found


def test_the_rule_known_gives_no_small_count_away_in_the_example_that_leaked() -> None:
    # Before: [4, 6, 6] showed [_, _, 6, 16]; two hidden counts making 10, one under 5, the other no
    # more than the 6 shown: 4 and 6, nothing else. Now every count is hidden behind the total.
    assert suppress_list([4, 6, 6]) == [None, None, None, 16]
    assert suppress_list([4, 5, 5, 5]) == [None, None, None, None, 19]


@given(st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=5))
@settings(max_examples=400)
@example([4, 6, 6])
@example([40, 3, 7])
@example([3, 0, 0])
def test_no_hidden_small_count_has_only_one_possible_value(counts: list[int]) -> None:
    shown = suppress_list(counts)
    possible = consistent_values(counts, shown)
    for count, values, value in zip(counts, possible, shown, strict=False):
        if value is None and 0 < count < 5:
            assert count in values, (counts, shown)
            assert len(values) > 1, (counts, shown, values)
