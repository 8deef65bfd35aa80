"""Ballot counts, ranks, turnout and breakdowns, worked by hand, with small numbers hidden."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.ballots import NOT_ANSWERED, ballot_breakdown, ballot_result, vote_counts

OPTIONS = {
    "health": "Health and Wellbeing",
    "jobs": "Jobs, Money, Homes",
    "education": "Education",
    "transport": "Transport",
}
AGES = {"11_15": "11 to 15", "16_18": "16 to 18"}


def votes(**counts: int) -> pd.Series:
    return pd.Series([option for option, n in counts.items() for _ in range(n)], dtype="object")


def test_counts_list_every_option_and_ignore_unanswered_and_unknown() -> None:
    series = pd.concat([votes(health=3, jobs=1), pd.Series([None, "spam"], dtype="object")], ignore_index=True)
    assert vote_counts(series, OPTIONS).to_dict() == {"health": 3, "jobs": 1, "education": 0, "transport": 0}


def test_ranks_and_shares_of_a_ballot_with_no_small_numbers() -> None:
    result = ballot_result(votes(health=20, jobs=12, education=12, transport=6), OPTIONS, electorate=400)
    assert [(r.option, r.votes, r.rank) for r in result.options] == [
        ("health", 20, 1),
        ("education", 12, 2),  # ties share a rank, then go by label
        ("jobs", 12, 2),
        ("transport", 6, 4),
    ]
    assert result.options[0].share == pytest.approx(0.4)
    assert result.votes == 50
    assert result.turnout is not None
    assert (result.turnout.count, result.turnout.n) == (50, 400)
    low, high = result.turnout_interval
    assert low is not None
    assert high is not None
    assert low < 0.125 < high


def test_a_small_count_and_its_complement_are_hidden() -> None:
    result = ballot_result(votes(health=20, jobs=9, education=3, transport=6), OPTIONS)
    shown = {r.option: r.votes for r in result.options}
    assert shown == {"health": 20, "jobs": 9, "education": None, "transport": None}
    assert result.votes == 38
    assert {r.option: r.share for r in result.options}["education"] is None
    assert result.turnout is None


def test_hidden_options_have_no_rank_and_no_order_by_votes() -> None:
    # Found by an outsider: ranks were of the true counts, so two hidden options tied at rank 3 beside a total of
    # 33 (29 shown) had 2 votes each, and ranks 3 and 4 with 4 left could only be 3 and 1.
    for education, transport in ((2, 2), (3, 1), (1, 3)):
        result = ballot_result(votes(health=20, jobs=9, education=education, transport=transport), OPTIONS)
        assert [(r.option, r.votes, r.rank, r.share) for r in result.options] == [
            ("health", 20, 1, pytest.approx(20 / 33)),
            ("jobs", 9, 2, pytest.approx(9 / 33)),
            ("education", None, None, None),  # by label, whichever had more
            ("transport", None, None, None),
        ]


def test_a_shown_option_keeps_its_true_rank_beside_a_hidden_complement() -> None:
    result = ballot_result(votes(health=20, jobs=9, education=3, transport=0), OPTIONS)
    assert [(r.option, r.votes, r.rank) for r in result.options] == [
        ("health", 20, 1),
        ("education", None, None),
        ("jobs", None, None),
        ("transport", 0, 4),
    ]


def test_fewer_than_5_votes_in_all_show_nothing() -> None:
    result = ballot_result(votes(health=3), OPTIONS, electorate=100)
    assert result.votes is None
    assert result.turnout is None
    assert [r.votes for r in result.options] == [None, 0, 0, 0]


def test_breakdown_by_age_band_is_suppressed_both_ways() -> None:
    vote = votes(health=10, jobs=8)
    ages = pd.Series(["11_15"] * 7 + ["16_18"] * 3 + ["11_15"] * 6 + [None] * 2, dtype="object")
    table = ballot_breakdown(vote, ages, OPTIONS, AGES)
    assert list(table.columns) == ["11 to 15", "16 to 18", NOT_ANSWERED, "Total"]
    hidden = {(row, column) for row in table.index for column in table.columns if pd.isna(table.loc[row, column])}
    # 3 aged 16 to 18 and 2 unanswered are hidden, and with them the figures that would give them away.
    assert hidden == {
        ("Health and Wellbeing", "11 to 15"),
        ("Health and Wellbeing", "16 to 18"),
        ("Jobs, Money, Homes", "11 to 15"),
        ("Jobs, Money, Homes", NOT_ANSWERED),
        ("Total", "16 to 18"),
        ("Total", NOT_ANSWERED),
    }
    assert (table.loc["Total", "11 to 15"], table.loc["Total", "Total"]) == (13, 18)
    # No row or column is left with exactly one hidden figure beside a shown total.
    for _, row in table.iterrows():
        assert row.isna().sum() != 1
    for column in table.columns:
        assert table[column].isna().sum() != 1


def test_an_electorate_smaller_than_the_votes_cast_gives_no_turnout_and_says_why() -> None:
    result = ballot_result(votes(health=20, jobs=12, education=12, transport=6), OPTIONS, electorate=49)
    assert result.turnout is None
    assert result.electorate_error == "The electorate must be at least the 50 votes cast"
    # A hidden total is never named, and gives no turnout anyway.
    assert ballot_result(votes(health=3), OPTIONS, electorate=2).electorate_error is None
    assert ballot_result(votes(health=20, jobs=12, education=12, transport=6), OPTIONS, 50).electorate_error is None
