"""Weak phrases: a veto lets the learned model overrule an answer only they matched; none is shipped."""

from __future__ import annotations

import copy

import pytest

from tests.safeguarding.evaluation import phrases_only
from tests.safeguarding.loso import Setting, forward, grid, leave_one_set_out
from voice_service.safeguarding.learned import THRESHOLD, VETO, C
from voice_service.safeguarding.screening import Screener, default_screener

#: The veto shipped until the ten-part leave-one-set-out round (docs/safeguarding.md).
OLD_VETO = 0.05
#: A veto of that grid (tests/safeguarding/loso.py VETOES) that overrules every look-alike below.
GRID_VETO = 0.1


def _only_weak(text: str) -> bool:
    screener = phrases_only()
    matches = screener.screen(text).matches
    return bool(matches) and all(m.phrase in screener.categories[m.category].weak for m in matches)


def _chance(text: str) -> float:
    screener = default_screener()
    assert screener.model is not None
    return screener.model.chance(screener.words(text))


def _with_veto(veto: float) -> Screener:
    """The shipped phrases and model with another veto."""
    shipped = default_screener()
    model = copy.copy(shipped.model)
    assert model is not None
    model.veto = veto
    return Screener(shipped.book, model)


LOOK_ALIKES = [
    "i got hit by a football at break",
    # Not "the teachers deal with bullying ...": since the "phrases" round an exception spares that frame.
    "teachers take bullying seriously at my school",
    "we learned how to help a friend who self harms",
    "i got kicked by accident in the football match",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_a_look_alike_only_weak_phrases_match_alerts_with_no_veto(text: str) -> None:
    # Why: recall first; leaving one set out picked no veto (docs/safeguarding.md), so a weak phrase alerts.
    assert VETO == 0.0
    assert _only_weak(text)
    assert default_screener().screen(text).flagged


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_a_veto_still_lets_the_model_overrule_a_look_alike_only_weak_phrases_match(text: str) -> None:
    # The grid leaving one set out chooses from (tests/safeguarding/loso.py) still tries vetoes. Its
    # 0.1, not the old 0.05: trained on the ten sets ("ship"), the model gives the self-harm lesson 0.052.
    assert _chance(text) < GRID_VETO
    assert not _with_veto(GRID_VETO).screen(text).flagged


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


def test_a_strong_phrase_alerts_however_unlikely_the_model_finds_the_answer() -> None:
    text = "i cut my leg falling off my scooter"
    assert phrases_only().screen(text).flagged
    assert not _only_weak(text)
    assert _chance(text) < OLD_VETO
    assert _with_veto(OLD_VETO).screen(text).flagged
    assert default_screener().screen(text).flagged


def test_a_short_answer_is_never_overruled() -> None:
    # Word statistics need words to judge by: under four words the phrases decide alone.
    assert _only_weak("i feel unsafe")
    assert _with_veto(OLD_VETO).screen("i feel unsafe").flagged
    assert default_screener().screen("i feel unsafe").flagged


def test_wanting_to_die_alerts_even_as_a_joke() -> None:
    assert default_screener().screen("this lesson is so boring i want to die lol").flagged


def test_the_shipped_threshold_and_veto_are_what_leaving_one_set_out_picks_on_every_part() -> None:
    # Why: the rule (fewest missed disclosures, then fewest false alarms) decides, not a set's score;
    # over all eleven held-out parts at the shipped C it picks 0.3 and no veto (docs/safeguarding.md).
    # `grid` fits the model on the examples file alone, the basis on which the setting was chosen: the
    # shipped model also trains on the ten earlier sets ("ship" round), which would make this pick
    # in-sample; for that model `tests.safeguarding.loso_training`'s nested pick chose 0.3 and no veto
    # in 9 of 10 folds.
    results = grid((C,))
    missed = {s: sum(d - c for c, d, _, _ in r.values()) for s, r in results.items()}
    alarms = {s: sum(a for _, _, a, _ in r.values()) for s, r in results.items()}
    picked = min(results, key=lambda s: (missed[s], alarms[s]))
    assert picked == Setting(C, THRESHOLD, VETO)
    # The veto dropped sets aside a disclosure (the ninth set's) that no veto catches.
    assert missed[Setting(C, THRESHOLD, OLD_VETO)] > missed[picked]


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
