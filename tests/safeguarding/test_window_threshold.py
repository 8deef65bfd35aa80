"""LearnedModel.window_threshold: a window of a long answer counts only if convincing on its own (docs "long2")."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import pytest

from voice_service.safeguarding import learned
from voice_service.safeguarding.examples import Example
from voice_service.safeguarding.learned import WINDOW_THRESHOLD, LearnedModel
from voice_service.safeguarding.screening import LEARNED, WINDOW, WINDOWED_FROM, Screener, _likeliest, default_screener

#: 23 ordinary words; "piano" marks the one clause a scripted model finds likely.
LONG = str.split(
    "we went to the park on saturday and then we piano had tea at my nans house and watched a film after that"
)
#: A long answer no phrase matches, about a week at school (written for this test).
ORDINARY = (
    "on monday we had maths and english and then in the afternoon we did art with paint and on tuesday "
    "we went swimming at the leisure centre and i got a certificate for my length"
)


class Scripted:
    """A stand-in model: the whole answer scores `whole`, a window with "piano" scores `window`, others 0.05."""

    def __init__(self, whole: float, window: float, floor: float) -> None:
        self.whole, self.window_chance = whole, window
        self.threshold, self.veto, self.window_threshold = 0.3, 0.0, floor

    def chance(self, words: Sequence[str]) -> float:
        if len(words) > WINDOW:
            return self.whole
        return self.window_chance if "piano" in words else 0.05

    def category_of(self, words: Sequence[str]) -> str:
        return "general"


@pytest.mark.parametrize(
    ("whole", "window", "floor", "expected"),
    [
        (0.1, 0.45, 0.0, 0.45),  # off: any window above the whole counts, as today
        (0.1, 0.45, 0.4, 0.45),  # the window reaches the floor
        (0.1, 0.45, 0.5, 0.1),  # below the floor: ignored, the whole answer's chance stands
        (0.35, 0.45, 0.5, 0.35),  # the whole answer still alerts at the usual threshold
        (0.1, 0.5, 0.5, 0.5),  # exactly at the floor counts
    ],
)
def test_a_window_counts_only_at_the_floor(whole: float, window: float, floor: float, expected: float) -> None:
    chance, read = _likeliest(Scripted(whole, window, floor), LONG)  # type: ignore[arg-type]
    assert chance == expected
    assert ("piano" in read and len(read) == WINDOW) == (expected == window)


@pytest.mark.parametrize("count", [4, 12, WINDOWED_FROM])
def test_answers_of_one_reading_ignore_the_floor(count: int) -> None:
    words = ["piano", *LONG][:count]
    on, off = Scripted(0.1, 0.9, 0.99), Scripted(0.1, 0.9, 0.0)
    assert _likeliest(on, words) == _likeliest(off, words)  # type: ignore[arg-type]


def test_the_screener_alerts_on_a_window_only_above_the_floor() -> None:
    book = default_screener().book
    assert not Screener(book).screen(" ".join(LONG)).flagged  # no phrase matches
    assert Screener(book, Scripted(0.1, 0.45, 0.0)).screen(" ".join(LONG)).matches[0].phrase == LEARNED  # type: ignore[arg-type]
    assert not Screener(book, Scripted(0.1, 0.45, 0.5)).screen(" ".join(LONG)).flagged  # type: ignore[arg-type]


def test_off_by_default_and_after_unpickling_old_parts() -> None:
    shipped = default_screener().model
    assert shipped is not None
    assert shipped.window_threshold == WINDOW_THRESHOLD
    state = shipped.__getstate__()
    state.pop("window_threshold")
    old = LearnedModel.__new__(LearnedModel)
    old.__setstate__(state)
    assert old.window_threshold == 0.0


def test_the_shipped_model_on_a_long_ordinary_answer_only_loses_windows_below_the_floor() -> None:
    screener = default_screener()
    shipped = screener.model
    assert shipped is not None
    words = screener.words(ORDINARY)
    assert len(words) > WINDOWED_FROM
    model = copy.copy(shipped)
    model.window_threshold = 1.0  # no window can count
    assert _likeliest(model, words) == (shipped.chance(words), words)
    model.window_threshold = 0.0
    off, on = _likeliest(model, words), _likeliest(shipped, words)
    assert off[0] >= on[0]  # the floor only ever sets windows aside
    assert off == on or off[0] < shipped.window_threshold  # and only those below it


#: Hand-made training answers: two disclosures in two categories and two ordinary answers.
TINY = [
    Example("my dad hits me when he is drunk", "physical_abuse", True),
    Example("i cut my arms at night", "self_harm", True),
    Example("we played football at the park", "general", False),
    Example("i like maths and art at school", "general", False),
]


def test_a_freshly_trained_model_takes_the_module_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    assert learned.train(TINY, str.split, in_child=False).window_threshold == WINDOW_THRESHOLD
    monkeypatch.setattr(learned, "WINDOW_THRESHOLD", 0.7)
    fresh = learned.train(TINY, str.split, in_child=False)
    assert fresh.window_threshold == 0.7
    copied = copy.copy(fresh)
    copied.__setstate__(fresh.__getstate__())  # kept parts carry the floor they were made with
    assert copied.window_threshold == 0.7
