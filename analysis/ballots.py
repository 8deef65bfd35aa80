"""Ballot results (`purpose: ballot`): votes and rank per option, turnout, and breakdowns, fit to publish.

Every figure goes through the same suppression as any public figure (analysis.suppression): a
count of 1 to 4 is hidden, and so is the next smallest where a total would give it away. A hidden
option has no rank either and is listed by label after the shown ones above zero: two hidden options tied at
rank 3 beside a total told that each had exactly half of what the total left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.lazy import LazyModule
from analysis.proportions import Proportion, wilson
from analysis.suppression import THRESHOLD, suppress_counts, suppress_table

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

NOT_ANSWERED = "Not answered"


@dataclass(frozen=True)
class OptionResult:
    """One option: its votes, its rank by votes (ties share a rank) and its share; all None when hidden."""

    option: str
    label: str
    votes: int | None
    rank: int | None
    share: float | None


@dataclass(frozen=True)
class BallotResult:
    """A ballot's options by rank, the votes cast, and turnout against the expected electorate."""

    options: list[OptionResult]
    votes: int | None
    electorate: int | None
    turnout: Proportion | None
    #: Why the electorate given cannot be used (smaller than the votes cast), or None.
    electorate_error: str | None = None

    @property
    def turnout_interval(self) -> tuple[float, float] | tuple[None, None]:
        """The Wilson 95% interval of the turnout (None, None without an electorate)."""
        if self.turnout is None:
            return None, None
        return wilson(self.turnout.count, self.turnout.n)


def vote_counts(votes: pd.Series, options: Mapping[str, str]) -> pd.Series:
    """Votes per option, every option listed (unanswered and unknown answers left out)."""
    counted = votes.dropna().value_counts()
    return pd.Series({option: int(counted.get(option, 0)) for option in options}, dtype="int64")


def electorate_error(votes_cast: int | None, electorate: int | None) -> str | None:
    """Why an electorate cannot be used for turnout: fewer than the votes cast (shown ones only); None if fine."""
    # Why only a shown total is compared: the message names it, and a hidden total must stay hidden.
    if electorate is None or votes_cast is None or electorate >= votes_cast:
        return None
    return f"The electorate must be at least the {votes_cast:,} votes cast"


def ballot_result(votes: pd.Series, options: Mapping[str, str], electorate: int | None = None) -> BallotResult:
    """Counts, ranks and shares per option (ranked on the true counts), suppressed for publication."""
    counts = vote_counts(votes, options)
    total = int(counts.sum())
    shown = suppress_counts(counts)
    ranks = counts.rank(method="min", ascending=False).astype(int)
    results = []
    for option, label in options.items():
        hidden = pd.isna(shown[option])
        votes_shown = None if hidden else int(shown[option])
        share = None if hidden or total == 0 else counts[option] / total
        # Why a shown option keeps its true rank: every hidden count is at most the smallest shown one above
        # zero (analysis.suppression hides the smallest as the complement), so no hidden count moves it.
        results.append(OptionResult(option, label, votes_shown, None if hidden else int(ranks[option]), share))
    # Why hidden options by label, after the shown ones above zero and before the zeros (their place by votes
    # whatever they hold): their order by votes would tell which of them had more.
    results.sort(key=lambda r: (r.votes == 0, r.rank is None, r.rank or 0, r.label))
    total_shown = None if pd.isna(shown.iloc[-1]) else int(shown.iloc[-1])
    turnout = None
    refused = electorate_error(total_shown, electorate)
    if refused is None and electorate is not None and electorate > 0 and total_shown is not None:
        turnout = Proportion(total, electorate) if total >= THRESHOLD else None
    return BallotResult(results, total_shown, electorate, turnout, refused)


def ballot_breakdown(
    votes: pd.Series, groups: pd.Series, options: Mapping[str, str], group_labels: Mapping[str, str]
) -> pd.DataFrame:
    """Votes per option (rows, by label) and group (columns, by label, unanswered last) with totals, suppressed."""
    frame = pd.DataFrame({"vote": votes, "group": groups.fillna(NOT_ANSWERED)}).dropna(subset=["vote"])
    frame = frame[frame["vote"].isin(list(options))]
    columns = [*group_labels, NOT_ANSWERED]
    table = pd.crosstab(frame["vote"], frame["group"]).reindex(index=list(options), columns=columns, fill_value=0)
    table = table.loc[:, (table.sum(axis=0) > 0) | (table.columns != NOT_ANSWERED)]
    table.index = [options[o] for o in table.index]
    table.columns = [group_labels.get(c, c) for c in table.columns]
    return suppress_table(table)
