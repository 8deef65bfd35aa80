"""The second look: a model trained on phrase-matched answers may set their phrases aside.

Declared at 0.15, with a threshold of 0.8 for long answers no phrase matched ("second look", docs/safeguarding.md),
it failed its check; most tests here hold the machinery to what was declared, on a screener fitted with it. Since
"data4" the service takes its second look at 0.05 and keeps one threshold for the model alone.
"""

from __future__ import annotations

import copy
import math
import pickle

import pytest

from tests.safeguarding.evaluation import UNTRAINED, evaluate, fitted_here, load_items, phrases_only, shipped_with
from voice_service.safeguarding.examples import EXAMPLES_FILE, training_examples
from voice_service.safeguarding.learned import (
    DISCLOSURE,
    LONG_THRESHOLD,
    MARKS,
    SECOND_LOOK_THRESHOLD,
    LearnedModel,
    _letter_analyser,
    _word_analyser,
)
from voice_service.safeguarding.screening import ALWAYS_ALERT, LONG_WORDS, Screener, _likeliest, default_screener
from voice_service.safeguarding.second_look import SECOND_LOOK_WORDS, marks, second_look_texts

#: The settings "second look" declared; it failed its check (docs/safeguarding.md): the service looks at 0.05.
DECLARED = {"second_look_threshold": 0.15, "long_threshold": 0.8}


def looking(**settings: float) -> Screener:
    """The shipped phrases and a model fitted here with its second look, at the declared settings or `settings`."""
    model = copy.copy(fitted_here())
    for name, value in {**DECLARED, **settings}.items():
        setattr(model, name, value)
    return Screener(default_screener().book, model)


def _look(text: str) -> float:
    """The shipped second look's chance for an answer some phrase matches."""
    screener = default_screener()
    assert screener.model is not None
    assert screener.model.second_look is not None
    found = screener.phrases(text)
    assert found, text
    return screener.model.second_look.chance(screener.words(text), marks(found, screener.book))


def test_the_service_takes_its_second_look_at_0_05_and_keeps_one_threshold() -> None:
    # "second look" (0.15, and 0.8 for long model-only answers) failed its check; "data4" turned it on at 0.05.
    model = default_screener().model
    assert model is not None
    assert (SECOND_LOOK_THRESHOLD, LONG_THRESHOLD, SECOND_LOOK_WORDS) == (0.05, 0.0, 11)
    assert model.second_look is not None
    assert model.second_look_threshold == SECOND_LOOK_THRESHOLD
    assert model.long_threshold == 0.0


@pytest.mark.parametrize(
    "text",
    [
        # The first model reads this as a disclosure (0.91); told which phrases matched, the second look does not.
        "my brother punched me in the arm because i beat him at fifa but we are fine now and still best mates",
    ],
)
def test_a_look_alike_its_phrases_matched_is_set_aside_by_the_second_look(text: str) -> None:
    assert phrases_only().screen(text).flagged
    screener = default_screener()
    assert screener.model is not None
    # Not the floor's or the veto's doing: without the second look the phrases alert.
    assert shipped_with(second_look=None).screen(text).flagged  # type: ignore[arg-type]
    assert _look(text) < SECOND_LOOK_THRESHOLD
    assert not screener.screen(text).flagged


@pytest.mark.parametrize(
    "text",
    [
        "my dad hits me with his belt when he is drunk and i am scared to go home",
        "the older boys at the park make me carry packages for them and say they will hurt my mum",
        "my mums boyfriend comes into my room at night and touches me and says i cant tell anyone",
    ],
)
def test_a_plain_disclosure_passes_the_second_look_easily(text: str) -> None:
    assert len(text.split()) >= SECOND_LOOK_WORDS
    assert _look(text) > 0.9
    assert default_screener().screen(text).flagged
    assert looking().screen(text).flagged


def test_a_suicidal_thoughts_phrase_is_never_set_aside() -> None:
    text = "i want to die lol this homework is so long and boring and i have three more pages"
    assert any(m.category in ALWAYS_ALERT for m in phrases_only().screen(text).matches)
    assert _look(text) < SECOND_LOOK_THRESHOLD
    assert default_screener().screen(text).flagged
    assert looking(second_look_threshold=1.0, strong_floor=0.0).screen(text).flagged


def test_an_answer_of_fewer_than_eleven_words_keeps_its_phrases_alert() -> None:
    # A short answer says little beside its phrase: the second look has nothing to judge by.
    certain = looking(second_look_threshold=1.0, strong_floor=0.0, veto=0.0)
    short = "my dad hits me when he gets home from work"
    assert len(short.split()) == SECOND_LOOK_WORDS - 1
    assert certain.screen(short).flagged
    assert not certain.screen(short + " every day").flagged


def test_marks_name_each_phrase_and_category_once_and_whether_only_weak_phrases_matched() -> None:
    screener = phrases_only()
    found = screener.phrases("my dad hits me and hits me and i am scared to go home")
    made = marks(found, screener.book)
    assert len(made) == len(set(made))
    assert {m for m in made if m.startswith("category:")} == {f"category:{m.category}" for m in found}
    assert "phrases:strong" in made
    assert all(" " not in m and "|" not in m for m in made)


def test_marks_are_whole_columns_never_pairs_or_letters() -> None:
    text = "dad hits me" + MARKS + "phrase:physical_abuse:hits_me category:physical_abuse"
    assert _word_analyser(text) == [
        *("dad", "hits", "me", "dad hits", "hits me"),
        *("phrase:physical_abuse:hits_me", "category:physical_abuse"),
    ]
    assert _letter_analyser(text) == _letter_analyser("dad hits me")


def test_the_second_look_is_fitted_only_on_answers_a_phrase_matches() -> None:
    screener = phrases_only()
    examples = training_examples(EXAMPLES_FILE, screener.categories)
    looked = second_look_texts(examples, screener.words, screener.phrases, screener.book)
    matched = [e for e in examples if screener.phrases(e.text)]
    assert 0 < len(looked) == len(matched) < len(examples)
    assert all(MARKS in t for t, _ in looked)
    assert [d for _, d in looked] == [e.disclosure for e in matched]


def test_the_fast_second_look_gives_scikit_learns_probability() -> None:
    screener = phrases_only()
    look = fitted_here().second_look
    assert look is not None
    texts = [
        "my dad hits me with his belt",
        "my sister hits the gym every morning",
        "i want to die lol",
        "he made me carry a bag to the flats and said he would hurt my mum",
    ]
    column = list(look.decision.classes_).index(DISCLOSURE)
    for text in texts:
        words, made = screener.words(text), marks(screener.phrases(text), screener.book)
        expected = look.decision.predict_proba([" ".join(words) + MARKS + " ".join(made)])[0, column]
        assert math.isclose(look.chance(words, made), float(expected), rel_tol=1e-9, abs_tol=1e-12), text


def test_a_second_look_names_no_category() -> None:
    look = fitted_here().second_look
    assert look is not None
    with pytest.raises(ValueError, match="without categories"):
        look.category_of(["hits", "me"])


def test_a_model_pickled_before_the_second_look_takes_none_and_keeps_one_threshold() -> None:
    model = looking().model
    assert model is not None
    state = model.__getstate__()
    del state["second_look"], state["second_look_threshold"], state["long_threshold"]
    old = LearnedModel.__new__(LearnedModel)
    old.__setstate__(pickle.loads(pickle.dumps(state)))  # noqa: S301 - our own bytes  # nosec B301
    assert old.second_look is None
    assert old.long_threshold == 0.0
    assert old.chance(["he", "hits", "me"]) == model.chance(["he", "hits", "me"])


#: A young carer's everyday answer: the model leans towards it (0.59), but a long answer needed it sure.
LONG_MODEL_ONLY = (
    "at home things are ok most of the time, my mum works nights so i look after my little brother and make "
    "his tea and put him to bed and sometimes i am tired at school"
)


def test_a_long_answer_no_phrase_matched_alerts_only_when_the_model_is_sure() -> None:
    screener = looking()
    assert screener.model is not None
    assert len(LONG_MODEL_ONLY.split()) >= LONG_WORDS
    assert not phrases_only().screen(LONG_MODEL_ONLY).flagged
    chance = _likeliest(screener.model, screener.words(LONG_MODEL_ONLY))[0]
    assert screener.model.threshold <= chance < DECLARED["long_threshold"]
    assert not screener.screen(LONG_MODEL_ONLY).flagged
    assert looking(long_threshold=0.0).screen(LONG_MODEL_ONLY).flagged
    assert default_screener().screen(LONG_MODEL_ONLY).flagged


def test_on_the_sets_nobody_trained_on_the_second_look_spares_look_alikes_and_loses_at_most_one() -> None:
    # "data4", over the twelve then untrained (19th, 20th, 27th, 28th, 41st-48th): 1 of 2,233 disclosures lost,
    # 32 look-alikes spared. "data5", over the 19th, 20th, 27th, 28th and 57th-64th: 1 of 2,149 lost (on the
    # 59th, not read), 35 of 2,848 spared.
    items = [i for path in UNTRAINED for i in load_items(path)]
    looked, unlooked = evaluate(items)["all"], evaluate(items, shipped_with(second_look=None))["all"]  # type: ignore[arg-type]
    assert unlooked.caught - looked.caught <= 1
    assert unlooked.false_alarms - looked.false_alarms >= 30
