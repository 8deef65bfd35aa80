"""Weak phrases: the learned model may overrule an answer only they matched; strong phrases always alert."""

from __future__ import annotations

import copy

import pytest

from tests.safeguarding.evaluation import evaluate, held_out_parts, phrases_only
from tests.safeguarding.loso import Setting, forward, leave_one_set_out
from voice_service.safeguarding.learned import VETO
from voice_service.safeguarding.screening import Screener, default_screener


def _only_weak(text: str) -> bool:
    screener = phrases_only()
    matches = screener.screen(text).matches
    return bool(matches) and all(m.phrase in screener.categories[m.category].weak for m in matches)


def _chance(text: str) -> float:
    screener = default_screener()
    assert screener.model is not None
    return screener.model.chance(screener.words(text))


@pytest.mark.parametrize(
    "text",
    [
        "i got hit by a football at break",
        "the teachers deal with bullying well at my school",
        "we learned how to help a friend who self harms",
        # (was "people selling drugs in the park ...": an exception now clears that before the model is asked;
        # then "theres drug dealing on our estate ...", 0.12, which alerts since the veto is 0.05)
        "i got kicked by accident in the football match",
    ],
)
def test_a_look_alike_only_weak_phrases_match_is_overruled_by_the_model(text: str) -> None:
    assert _only_weak(text)
    assert _chance(text) < VETO
    assert not default_screener().screen(text).flagged


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
    assert _chance(text) < VETO
    assert default_screener().screen(text).flagged


def test_a_short_answer_is_never_overruled() -> None:
    # Word statistics need words to judge by: under four words the phrases decide alone.
    assert _only_weak("i feel unsafe")
    assert default_screener().screen("i feel unsafe").flagged


def test_wanting_to_die_alerts_even_as_a_joke() -> None:
    assert default_screener().screen("this lesson is so boring i want to die lol").flagged


def test_the_veto_sets_aside_no_disclosure_of_the_parts_it_was_chosen_on() -> None:
    # Why: a verifier may only overrule where it loses nothing on sets it was not chosen on; at 0.2 it
    # set aside 6 real disclosures across four parts (docs/safeguarding.md, leave one set out).
    shipped = default_screener()
    assert shipped.model is not None
    unvetoed = copy.copy(shipped.model)
    unvetoed.veto = 0.0
    without = Screener(shipped.book, unvetoed)
    for name, items in held_out_parts().items():
        told = [i for i in items if i.disclosure]
        # The ninth set, scored after 0.05 was chosen, is the one where it set aside a disclosure (1 of 159);
        # on the tenth, scored likewise, it set aside none (147 of 156 caught with and without it).
        allowed = 1 if name == "ninth (all)" else 0
        assert evaluate(told, without)["all"].caught - evaluate(told)["all"].caught <= allowed, name


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
