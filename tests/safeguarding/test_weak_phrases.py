"""Weak phrases: a veto lets the learned model overrule an answer only they matched (0.1 since "data2")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.safeguarding.evaluation import (
    UNTRAINED,
    evaluate,
    load_items,
    phrases_only,
    set_name,
    shipped_chance,
    shipped_with,
)
from tests.safeguarding.loso import Setting, forward, grid, leave_one_set_out
from voice_service.safeguarding.learned import THRESHOLD, VETO, C
from voice_service.safeguarding.screening import default_screener

#: The veto shipped until the ten-part leave-one-set-out round (docs/safeguarding.md).
OLD_VETO = 0.05


def _only_weak(text: str) -> bool:
    screener = phrases_only()
    matches = screener.screen(text).matches
    return bool(matches) and all(m.phrase in screener.categories[m.category].weak for m in matches)


LOOK_ALIKES = [
    "i got hit by a football at break",
    # Not "the teachers deal with bullying ...": since the "phrases" round an exception spares that frame.
    "teachers take bullying seriously at my school",
    "we learned how to help a friend who self harms",
    "i got kicked by accident in the football match",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_the_shipped_veto_overrules_a_look_alike_only_weak_phrases_match(text: str) -> None:
    # Why 0.1: declared on the eight later sets left out in turn and confirmed once on the nineteenth and
    # twentieth ("data2", docs/safeguarding.md). With no veto (shipped before) each of these alerted.
    assert VETO == 0.1
    assert _only_weak(text)
    assert shipped_chance(text) < VETO
    assert not default_screener().screen(text).flagged
    assert shipped_with(veto=0.0).screen(text).flagged


@pytest.mark.parametrize(
    "text",
    [
        "i dont feel safe at home",
        "i get bullied every day at school",
        "someone keeps asking for my pics online",
        "i am home alone every night",
        "i have cuts all over my arms",
        "i have nowhere to sleep tonight",
    ],
)
def test_a_disclosure_only_weak_phrases_match_still_alerts(text: str) -> None:
    assert _only_weak(text)
    result = default_screener().screen(text)
    assert result.flagged
    assert result.matches == phrases_only().screen(text).matches


def test_a_short_answer_is_never_overruled() -> None:
    # Word statistics need words to judge by: under four words the phrases decide alone.
    assert _only_weak("i feel unsafe")
    assert shipped_with(veto=OLD_VETO).screen("i feel unsafe").flagged
    assert default_screener().screen("i feel unsafe").flagged


def test_wanting_to_die_alerts_even_as_a_joke() -> None:
    assert default_screener().screen("this lesson is so boring i want to die lol").flagged


def test_the_examples_alone_picked_no_veto_the_model_trained_on_eighteen_sets_needs_one() -> None:
    # Why: the rule (fewest missed disclosures, then fewest false alarms) decides, not a set's score. `grid`
    # fits the model on the examples file alone, the basis on which 0.3 and no veto were chosen: there a
    # veto of 0.05 sets aside a ninth-set disclosure. The shipped model trains on eighteen sets, and for
    # it the later sets left out in turn (`loso_training --later`) lost none at 0.1 ("data2").
    results = grid((C,))
    missed = {s: sum(d - c for c, d, _, _ in r.values()) for s, r in results.items()}
    alarms = {s: sum(a for _, _, a, _ in r.values()) for s, r in results.items()}
    picked = min(results, key=lambda s: (missed[s], alarms[s]))
    assert picked == Setting(C, THRESHOLD, 0.0)
    assert missed[Setting(C, THRESHOLD, OLD_VETO)] > missed[picked]


@pytest.mark.parametrize("path", UNTRAINED, ids=set_name)
def test_on_a_set_nobody_trained_on_the_veto_loses_no_disclosure_and_spares_look_alikes(path: Path) -> None:
    items = load_items(path)
    vetoed, unvetoed = evaluate(items)["all"], evaluate(items, shipped_with(veto=0.0))["all"]
    assert vetoed.caught == unvetoed.caught
    assert vetoed.false_alarms < unvetoed.false_alarms


def test_leaving_one_set_out_picks_on_the_other_sets_fewest_misses_first() -> None:
    careful, loose = Setting(16, 0.3, 0.0), Setting(16, 0.5, 0.2)
    results = {
        # caught, disclosures, false alarms, ordinary answers per part
        careful: {"a": (10, 10, 5, 20), "b": (9, 10, 6, 20), "c": (10, 10, 4, 20)},
        loose: {"a": (9, 10, 1, 20), "b": (10, 10, 1, 20), "c": (10, 10, 1, 20)},
    }
    lines = leave_one_set_out(results)
    # Left out a: loose misses none of b and c with fewer false alarms; left out b: careful misses
    # fewer of a and c; left out c: one miss each, so the fewer false alarms (loose).
    assert lines[2:5] == [
        "| a | 16, 0.5, 0.2 | 9/10 | 1/20 |",
        "| b | 16, 0.3, 0 | 9/10 | 6/20 |",
        "| c | 16, 0.5, 0.2 | 10/10 | 1/20 |",
    ]
    assert lines[5] == "| **all, each left out** | | 93% (28/30) | 13% (8/60) |"
    # In order: b with the pick of a alone (careful misses none of it), c with that of a and b (one miss
    # each, loose has fewer false alarms).
    assert forward(results, first=1)[2:] == [
        "| b | 16, 0.3, 0 | 9/10 | 6/20 |",
        "| c | 16, 0.5, 0.2 | 10/10 | 1/20 |",
        "| **all, each after those before** | | 95% (19/20) | 18% (7/40) |",
    ]
