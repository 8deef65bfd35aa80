"""A disclosure in the middle of a long answer, and this round's everyday senses of the phrases' words.

Written for this round (not taken from any evaluation set).
"""

from __future__ import annotations

import pytest

from voice_service.safeguarding import screening
from voice_service.safeguarding.phrasebook import DEFAULT_FILE
from voice_service.safeguarding.screening import LEARNED, default_screener, load_screener

#: Ordinary sentences a long answer wraps around a disclosure; no phrase matches any of them.
BEFORE = "school is alright i like art and pe and my friends are nice and we go to the park after school"
AFTER = "and the buses are always late so more buses please and a bigger library with computers"
#: A disclosure no phrase says: only the learned model reads it.
TOLD = "my step dad says ill end up in care like my brother if im bad"


def test_the_wrapped_disclosure_is_one_no_phrase_reads() -> None:
    phrases = load_screener(DEFAULT_FILE, None)
    assert not phrases.screen(f"{BEFORE} {TOLD} {AFTER}").flagged
    assert not phrases.screen(f"{BEFORE} {AFTER}").flagged
    assert default_screener().screen(TOLD).flagged


def test_a_disclosure_in_the_middle_of_a_long_ordinary_answer_is_flagged_by_the_model() -> None:
    result = default_screener().screen(f"{BEFORE} {TOLD} {AFTER}")
    assert result.flagged
    assert [m.phrase for m in result.matches] == [LEARNED]


def test_without_windows_the_long_answer_averages_the_disclosure_away(monkeypatch: pytest.MonkeyPatch) -> None:
    # Why this test: it shows the windows are what flag the answer above, so that test can fail.
    monkeypatch.setattr(screening, "WINDOWED_FROM", 10_000)
    assert not default_screener().screen(f"{BEFORE} {TOLD} {AFTER}").flagged


def test_the_long_ordinary_answer_alone_is_not_flagged() -> None:
    assert not default_screener().screen(f"{BEFORE} {AFTER}").flagged


def test_an_answer_of_up_to_windowed_from_words_is_scored_whole_only() -> None:
    screener = default_screener()
    model = screener.model
    assert model is not None
    words = screener.words("my mum helps me with reading i feel safe at home and at school")
    assert len(words) <= screening.WINDOWED_FROM
    assert screening._likeliest(model, words) == (model.chance(words), words)


def test_a_long_answer_counts_its_likeliest_window() -> None:
    screener = default_screener()
    model = screener.model
    assert model is not None
    words = screener.words(f"{BEFORE} {TOLD} {AFTER}")
    chance, window = screening._likeliest(model, words)
    assert len(window) == screening.WINDOW
    assert chance == model.chance(window) > model.chance(words)
    assert chance >= model.threshold > model.chance(words)


@pytest.mark.parametrize(
    "answer",
    [
        "my mum gets cross and i get nagged about homework",
        "my dad always tells us to put our seat belts on",
        "our team got beaten in the cup final on penalties",
        "my aunt threw a birthday party for me and my cousin",
        "the netball hit me right on the nose in the match",
        "she hurt herself doing gymnastics at the weekend",
        "i burnt myself on a sparkler at the fireworks",
        "i stopped eating meat last year because of the planet",
        "sometimes i just want to disappear under my duvet with a book",
        "i dont want to live in this village when im grown up",
        "my grandad drinks too much coffee and cant sleep",
        "nobody listens to teenagers about what the park needs",
        "the football coach shouts a lot during matches",
    ],
)
def test_an_everyday_sense_of_this_rounds_words_matches_no_phrase(answer: str) -> None:
    assert not load_screener(DEFAULT_FILE, None).screen(answer).flagged


@pytest.mark.parametrize(
    ("answer", "category"),
    [
        ("my step dad belts me when hes angry", "physical_abuse"),
        ("i get beaten at home", "physical_abuse"),
        ("he threw me against the wall", "physical_abuse"),
        ("i want to disappear forever", "suicidal_thoughts"),
        ("i dont want to live in this world anymore", "suicidal_thoughts"),
        ("i stopped eating so i can be thin", "self_harm"),
        ("i burn myself with a lighter", "self_harm"),
        ("mum drinks too much vodka and passes out", "neglect"),
        ("nobody listens to me at home", "neglect"),
    ],
)
def test_the_disclosures_beside_those_senses_still_match(answer: str, category: str) -> None:
    assert category in load_screener(DEFAULT_FILE, None).screen(answer).categories
