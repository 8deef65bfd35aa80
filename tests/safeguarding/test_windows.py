"""LearnedModel.window: a long answer read only in windows of W words, off by default (docs/safeguarding.md)."""

from __future__ import annotations

import asyncio
import copy
import pickle

import pytest

from tests.safeguarding.test_screening_process import evaluation_texts, wait_until
from voice_service.safeguarding.kept_screener import rebuild, screener_parts
from voice_service.safeguarding.learned import LearnedModel, windows_of
from voice_service.safeguarding.screening import Screener, _likeliest, default_screener
from voice_service.safeguarding.screening_process import ScreeningProcess, screen_here

WORDS = [f"w{i}" for i in range(11)]
#: A disclosure told in the middle of a long ordinary answer (written for this test).
BURIED = (
    "our school is ok and i like art and music and the teachers are mostly kind but "
    "my mums boyfriend hits me when she is at work and "
    "at weekends i play football with my friends in the park near the shops"
)


def windowed(width: int) -> LearnedModel:
    """A copy of the shipped model with windows of `width` words."""
    shipped = default_screener().model
    assert shipped is not None
    model = copy.copy(shipped)
    model.window = width
    return model


@pytest.mark.parametrize(
    ("count", "width", "starts"),
    [
        (10, 4, [0, 2, 4, 6]),  # the last window already ends at the last word
        (11, 4, [0, 2, 4, 6, 7]),  # one more window, ending at the last word
        (5, 4, [0, 1]),
        (9, 3, [0, 1, 2, 3, 4, 5, 6]),  # odd width: a stride of 1
    ],
)
def test_windows_are_width_words_half_a_window_apart_and_the_last_ends_the_answer(
    count: int, width: int, starts: list[int]
) -> None:
    words = WORDS[:count]
    assert windows_of(words, width) == [words[s : s + width] for s in starts]


@pytest.mark.parametrize(("count", "width"), [(4, 4), (3, 4), (0, 4), (11, 0)])
def test_an_answer_no_longer_than_a_window_or_no_window_is_read_whole(count: int, width: int) -> None:
    assert windows_of(WORDS[:count], width) == [WORDS[:count]]


def test_the_model_reads_windows_off_by_default_and_after_unpickling_old_parts() -> None:
    shipped = default_screener().model
    assert shipped is not None
    assert shipped.window == 0
    state = shipped.__getstate__()
    state.pop("window")  # parts pickled before windows existed
    old = LearnedModel.__new__(LearnedModel)
    old.__setstate__(state)
    assert old.window == 0


def test_a_long_answer_is_scored_only_in_its_windows_and_named_by_the_likeliest() -> None:
    screener = default_screener()
    words = screener.words(BURIED)
    model = windowed(8)
    chance, read = _likeliest(model, words)
    chances = [model.chance(w) for w in windows_of(words, 8)]
    assert len(chances) > 3
    assert chance == max(chances)
    assert read == list(windows_of(words, 8)[chances.index(max(chances))])
    assert "hits" in read  # the clause that discloses, not the ordinary talk around it
    assert chance != model.chance(words)  # the whole answer was not what counted


def test_answers_no_longer_than_a_window_score_exactly_as_today() -> None:
    screener = default_screener()
    today, model = screener.model, windowed(16)
    assert today is not None
    short = [w for w in map(screener.words, evaluation_texts()) if len(w) <= 16]
    assert len(short) > 1000
    assert all(_likeliest(model, w) == _likeliest(today, w) for w in short)


def test_the_kept_parts_and_the_screening_child_carry_the_window() -> None:
    screener = Screener(default_screener().book, windowed(8))
    rebuilt = rebuild(screener_parts(screener))
    assert rebuilt.model is not None
    assert rebuilt.model.window == 8
    assert pickle.loads(pickle.dumps(screener.model)).window == 8  # noqa: S301 - our own bytes  # nosec B301
    texts = [t for t in evaluation_texts() if len(t.split()) > 20]
    here = screen_here(screener, texts)
    # Windows of 8 change some long answers' outcome, so the child must be reading them too.
    assert here != screen_here(default_screener(), texts)

    async def run() -> None:
        process = ScreeningProcess(screener)
        await process.start()
        try:
            await wait_until(lambda: process.ready)
            assert await process.screen(texts) == here
            assert process.batches_sent > 0
        finally:
            await process.stop()

    asyncio.run(run())
