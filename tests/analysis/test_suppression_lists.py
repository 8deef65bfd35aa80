"""The pandas-free suppression of a list of counts hides exactly what the pandas one hides."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
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
