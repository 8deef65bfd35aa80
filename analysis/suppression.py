"""Suppression for figures that leave the staff area: nothing resting on fewer than 5 people.

A count of 1 to 4 is suppressed (primary); then, because the totals are shown, a row or column whose
hidden figures could be worked out from its total has its next smallest figure hidden too
(complementary), over and over. "Worked out" assumes the reader knows this rule: a hidden figure is
1 to 4 or a complementary one, which is at least 5 and no more than the smallest figure left shown
beside it; with the line's total, each hidden figure then lies in an interval, and one interval of a
single value gives that figure away. Zero stays shown: it is nobody, and hiding it would not protect
anyone a total could reveal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.lazy import LazyModule
from analysis.proportions import Proportion

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

#: A figure resting on fewer people than this is not published.
THRESHOLD = 5
TOTAL = "Total"


def _is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def _given_away(values: list[int], hidden: list[bool], total_at: int, threshold: int) -> bool:
    """Whether someone who knows the rule could work out a hidden figure of a line from its shown total."""
    if hidden[total_at]:
        return False
    cells = [i for i in range(len(values)) if i != total_at]
    secret = [i for i in cells if hidden[i]]
    if not secret:
        return False
    rest = values[total_at] - sum(values[i] for i in cells if not hidden[i])
    # Why the smallest shown figure bounds a complementary one: it was the smallest when it was chosen.
    # In a table it may have been chosen for the crossing line; a bound too tight only hides more.
    most = min((values[i] for i in cells if not hidden[i] and values[i] > 0), default=rest)
    bounds = [(1, threshold - 1) if _is_small(values[i], threshold) else (threshold, most) for i in secret]
    low_sum, high_sum = sum(lo for lo, _ in bounds), sum(hi for _, hi in bounds)
    for lo, hi in bounds:
        low, high = max(lo, rest - (high_sum - hi)), min(hi, rest - (low_sum - lo))
        if low >= high:
            return True
    return False


def _hide_one_more(values: list[int], hidden: list[bool], total_at: int, threshold: int) -> int | None:
    """In a line whose totals must add up, the place to hide when its hidden figures could be worked out."""
    if not any(hidden) or not _given_away(values, hidden, total_at, threshold):
        return None
    shown = [i for i in range(len(values)) if not hidden[i] and i != total_at]
    if not shown:
        shown = [i for i in range(len(values)) if not hidden[i]]
    if not shown:
        return None
    # Why prefer a figure above zero: hiding a known zero protects nothing (it is often guessable).
    return min(shown, key=lambda i: (values[i] == 0, values[i], i))


def hidden_cells(values: list[list[int]], threshold: int = THRESHOLD) -> list[list[bool]]:
    """Which figures of a table whose last row and column are its totals must be hidden (plain lists)."""
    rows, cols = len(values), len(values[0])
    hidden = [[_is_small(values[r][c], threshold) for c in range(cols)] for r in range(rows)]
    changed = True
    while changed:
        changed = False
        for r in range(rows):
            at = _hide_one_more(values[r], hidden[r], cols - 1, threshold)
            if at is not None:
                hidden[r][at] = changed = True
        for c in range(cols):
            column = [values[r][c] for r in range(rows)]
            at = _hide_one_more(column, [hidden[r][c] for r in range(rows)], rows - 1, threshold)
            if at is not None:
                hidden[at][c] = changed = True
    return hidden


def suppress_table(counts: pd.DataFrame, threshold: int = THRESHOLD) -> pd.DataFrame:
    """The table with a Total row and column, each hidden figure as NA (a nullable integer frame)."""
    table = counts.astype(int).copy()
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    rows, cols = table.shape
    hidden = hidden_cells(table.to_numpy().tolist(), threshold)
    result = table.astype("Int64")
    for r in range(rows):
        for c in range(cols):
            if hidden[r][c]:
                result.iat[r, c] = pd.NA
    return result


def suppress_counts(counts: pd.Series, threshold: int = THRESHOLD) -> pd.Series:
    """A list of counts and their total (last), each hidden figure as NA."""
    table = suppress_table(counts.to_frame("count"), threshold)
    result: pd.Series = table["count"]
    result.name = counts.name
    return result


def suppress_list(counts: list[int], threshold: int = THRESHOLD) -> list[int | None]:
    """`suppress_counts` without pandas: the counts and their total (last), each hidden figure as None.

    Why: the public "You Said / We Did" page shows three counts per record; pandas (about 33 MiB)
    stays out of the web worker for them.
    """
    total = sum(counts)
    values = [[count, count] for count in counts] + [[total, total]]
    hidden = hidden_cells(values, threshold)
    return [None if hidden[r][0] else values[r][0] for r in range(len(values))]


def publishable(proportion: Proportion, threshold: int = THRESHOLD) -> Proportion | None:
    """The proportion, or None when it, its count or the rest of its n rest on fewer than 5 people."""
    n, count = proportion.n, proportion.count
    if n < threshold or _is_small(count, threshold) or _is_small(n - count, threshold):
        return None
    return proportion
