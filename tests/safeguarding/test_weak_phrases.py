"""Weak phrases: the learned model may overrule an answer only they matched; strong phrases always alert."""

from __future__ import annotations

import pytest

from tests.safeguarding.evaluation import phrases_only
from voice_service.safeguarding.learned import VETO
from voice_service.safeguarding.screening import default_screener


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
        # (was "people selling drugs in the park ...": an exception now clears that before the model is asked)
        "theres drug dealing on our estate and the police should do more",
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
