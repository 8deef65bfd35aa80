"""LONG_PHRASE_SUPPORT: in a long answer a phrase alerts only with the model's support (docs "phrase4")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import pytest

from voice_service.safeguarding import screening
from voice_service.safeguarding.learned import LearnedModel
from voice_service.safeguarding.phrasebook import DEFAULT_FILE
from voice_service.safeguarding.screening import LEARNED, LONG_WORDS, Screener, load_screener

#: Hand-written for this test: a long answer (29 words) with a physical-abuse phrase in passing.
LONG_HIT = (
    "in english we read a story where the dad hits me and my brother in the first chapter and then "
    "everyone learns to be kind and we wrote about it"
)
#: A long answer (27 words) with a suicidal-thoughts phrase said as a joke.
LONG_DIE = (
    "the maths test was so hard i want to die honestly and then we had football in the rain "
    "and i fell over twice in the mud"
)
#: The same physical-abuse phrase in a short answer (10 words).
SHORT_HIT = "in a story we read the dad hits me a lot"


class Flat:
    """A stand-in model that gives every answer and window the same chance."""

    def __init__(self, p: float) -> None:
        self.p, self.threshold, self.veto, self.window_threshold = p, 0.3, 0.0, 0.7

    def chance(self, words: Sequence[str]) -> float:
        return self.p

    def category_of(self, words: Sequence[str]) -> str:
        return "not_safe"


@pytest.fixture(scope="module")
def phrases_only() -> Screener:
    return load_screener(DEFAULT_FILE, None)


def screened(s: Screener, text: str, p: float | None, support: float) -> screening.Screening:
    s.model, s.long_support = (None if p is None else cast(LearnedModel, Flat(p))), support
    try:
        return s.screen(text)
    finally:
        s.model, s.long_support = None, screening.LONG_PHRASE_SUPPORT


def test_the_inputs_are_what_the_tests_say(phrases_only: Screener) -> None:
    assert len(LONG_HIT.split()) >= LONG_WORDS
    assert len(LONG_DIE.split()) >= LONG_WORDS
    assert len(SHORT_HIT.split()) < LONG_WORDS
    assert "physical_abuse" in phrases_only.screen(LONG_HIT).categories
    assert "suicidal_thoughts" in phrases_only.screen(LONG_DIE).categories


def test_a_long_answers_phrase_without_support_does_not_alert(phrases_only: Screener) -> None:
    assert not screened(phrases_only, LONG_HIT, 0.1, 0.3).flagged
    assert screened(phrases_only, LONG_HIT, 0.1, 0.05).flagged  # the chance reaches a lower support


def test_a_long_answers_phrase_with_support_alerts_with_its_phrases(phrases_only: Screener) -> None:
    out = screened(phrases_only, LONG_HIT, 0.3, 0.3)
    assert out.flagged
    assert "physical_abuse" in out.categories
    assert all(m.phrase != LEARNED for m in out.matches)


def test_shipped_at_the_models_threshold_and_at_zero_changes_nothing(phrases_only: Screener) -> None:
    assert screening.LONG_PHRASE_SUPPORT == 0.3
    assert phrases_only.long_support == 0.3
    assert screened(phrases_only, LONG_HIT, 0.0, 0.0).flagged


def test_short_answers_and_no_model_are_never_touched(phrases_only: Screener) -> None:
    assert screened(phrases_only, SHORT_HIT, 0.0, 0.3).flagged
    assert screened(phrases_only, LONG_HIT, None, 0.3).flagged


def test_wanting_to_die_always_alerts(phrases_only: Screener) -> None:
    out = screened(phrases_only, LONG_DIE, 0.0, 0.3)
    assert out.flagged
    assert "suicidal_thoughts" in out.categories
