"""The strong-phrase floor ("data3"): a strong phrase is overruled only when the model is all but sure."""

from __future__ import annotations

import pickle

import pytest

from tests.safeguarding.evaluation import (
    UNTRAINED,
    evaluate,
    load_items,
    phrases_only,
    shipped_chance,
    shipped_with,
)
from voice_service.safeguarding.learned import STRONG_FLOOR, LearnedModel
from voice_service.safeguarding.screening import ALWAYS_ALERT, default_screener


def _strong(text: str) -> bool:
    screener = phrases_only()
    matches = screener.screen(text).matches
    return bool(matches) and any(m.phrase not in screener.categories[m.category].weak for m in matches)


def test_the_floor_is_the_declared_one() -> None:
    assert STRONG_FLOOR == 0.03
    assert default_screener().model.strong_floor == STRONG_FLOOR  # type: ignore[union-attr]


@pytest.mark.parametrize("text", ["i cut my leg falling off my scooter"])
def test_a_strong_phrase_the_model_finds_nothing_like_a_disclosure_is_overruled(text: str) -> None:
    assert _strong(text)
    assert shipped_chance(text) < STRONG_FLOOR
    assert not default_screener().screen(text).flagged
    # Before "data3" (no floor) it alerted.
    assert shipped_with(strong_floor=0.0).screen(text).flagged


@pytest.mark.parametrize(
    "text",
    ["kill me now we have double maths", "the bus is so late i want to die lol", "i want to die lol this homework"],
)
def test_a_suicidal_thoughts_phrase_is_never_overruled(text: str) -> None:
    # Why: guidance is to take every statement of wanting to die seriously; the alert costs the lead a minute.
    matches = phrases_only().screen(text).matches
    assert any(m.category in ALWAYS_ALERT for m in matches)
    assert shipped_chance(text) < STRONG_FLOOR
    assert default_screener().screen(text).flagged
    assert shipped_with(strong_floor=1.0).screen(text).flagged


def test_an_answer_of_fewer_than_four_words_is_never_overruled() -> None:
    # Word statistics need words to judge by: under four words the phrases decide alone.
    certain = shipped_with(strong_floor=1.0)
    assert _strong("he hits me")
    assert certain.screen("he hits me").flagged
    assert not certain.screen("he hits me again").flagged


@pytest.mark.parametrize(
    "text", ["my mums bf hits me", "my stepdad touches me and says its our secret", "they make me sell drugs for them"]
)
def test_a_plain_disclosure_is_far_above_the_floor(text: str) -> None:
    assert _strong(text)
    assert shipped_chance(text) > 10 * STRONG_FLOOR
    assert default_screener().screen(text).flagged


def test_on_the_sets_nobody_trained_on_the_floor_spares_far_more_look_alikes_than_it_loses_disclosures() -> None:
    # On each of the eight untrained sets of "data3" it lost none; with "data4", 2 of 2,233 on the twelve then
    # untrained (19th, 20th, 27th, 28th, 41st-48th), sparing 43. With "data5", over the twelve untrained sets
    # (19th, 20th, 27th, 28th, 57th-64th) it loses none of 2,149 disclosures and spares 41 of 2,848 look-alikes.
    items = [i for path in UNTRAINED for i in load_items(path)]
    floored, unfloored = evaluate(items)["all"], evaluate(items, shipped_with(strong_floor=0.0))["all"]
    assert unfloored.caught - floored.caught <= 2
    assert unfloored.false_alarms - floored.false_alarms >= 40


def test_a_model_pickled_before_the_floor_lets_every_strong_phrase_alert() -> None:
    model = default_screener().model
    assert model is not None
    state = model.__getstate__()
    del state["strong_floor"]
    old = LearnedModel.__new__(LearnedModel)
    old.__setstate__(pickle.loads(pickle.dumps(state)))  # noqa: S301 - our own bytes  # nosec B301
    assert old.strong_floor == 0.0
    assert old.chance(["i", "cut"]) == model.chance(["i", "cut"])
