"""Did giving views make a difference? The share answering yes, with count, n and a Wilson 95% interval.

Answers come from any young people's survey question tagged `measure: made_a_difference` and from
the public "You Said / We Did" page; each is compared with the baseline of a public-health survey
of over 4,000 young people, where 21% thought giving their views made a difference.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from analysis.lazy import LazyModule
from analysis.periods import financial_year
from analysis.proportions import wilson

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

BASELINE = 0.21
BASELINE_LABEL = "Public-health survey of over 4,000 young people (baseline)"
OVERALL = "All sources"
#: The frame the functions read: where an answer came from, when, and whether it was yes.
COLUMNS = ("source", "answered_on", "yes")
RESULT_COLUMNS = ["source", "period", "count", "n", "share", "low", "high"]


def answer_frame(source: str, answered_on: pd.Series, yes: pd.Series) -> pd.DataFrame:
    """One source's answers (unanswered ones dropped) in the shape `difference_table` reads."""
    frame = pd.DataFrame({"answered_on": answered_on, "yes": yes}).dropna()
    frame.insert(0, "source", source)
    frame["yes"] = frame["yes"].astype(bool)
    return frame.reset_index(drop=True)


def _row(source: str, period: str, yes: pd.Series) -> dict[str, object]:
    count, n = int(yes.sum()), int(yes.size)
    low, high = wilson(count, n)
    return {
        "source": source,
        "period": period,
        "count": count,
        "n": n,
        "share": count / n if n else None,
        "low": low,
        "high": high,
    }


def difference_table(answers: pd.DataFrame) -> pd.DataFrame:
    """Per source and financial year, then per source overall, then all sources together: count, n, share, interval."""
    rows: list[dict[str, object]] = []
    if answers.empty:
        return pd.DataFrame(rows, columns=RESULT_COLUMNS)
    years = answers["answered_on"].map(lambda d: financial_year(d if isinstance(d, date) else pd.Timestamp(d).date()))
    framed = answers.assign(period=years)
    for (source, period), group in framed.groupby(["source", "period"], sort=True):
        rows.append(_row(str(source), str(period), group["yes"]))
    for source, group in framed.groupby("source", sort=True):
        rows.append(_row(str(source), "All years", group["yes"]))
    for period, group in framed.groupby("period", sort=True):
        rows.append(_row(OVERALL, str(period), group["yes"]))
    rows.append(_row(OVERALL, "All years", framed["yes"]))
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)
