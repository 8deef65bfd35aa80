"""Matching that reaches phrasings nobody wrote down: other endings, one-slip typos, fillers, alike words."""

from __future__ import annotations

import pytest

from tests.safeguarding.evaluation import EXTRA, SET, load_items
from tests.safeguarding.robustness import VARIATIONS, score, varied
from voice_service.safeguarding.normalise import Normaliser, key, stem
from voice_service.safeguarding.phrasebook import PhrasebookError, parse_phrasebook
from voice_service.safeguarding.screening import Screener, screen
from voice_service.safeguarding.typos import Typos, english_words, one_slip

SMALL = """\
fillers: [really, just, always]
alike:
  - [me, her, him]
  - [myself, herself, himself]
words:
  adult: [dad, mum]
exceptions:
  - "hurts me to say"
categories:
  physical_abuse:
    description: Someone hurts the child.
    phrases:
      - "[adult] ... hits me"
      - "hurts me"
  self_harm:
    description: The child hurts themselves.
    phrases:
      - "cutting"
      - "harm myself"
  neglect:
    description: Nobody feeds the child.
    phrases:
      - "always hungry"
"""


@pytest.fixture(scope="module")
def small() -> Screener:
    return Screener(parse_phrasebook(SMALL, "phrases.yaml"))


def problems(text: str) -> str:
    with pytest.raises(PhrasebookError) as info:
        parse_phrasebook(text, "phrases.yaml")
    return str(info.value)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("hit", "hit"),
        ("hits", "hit"),
        ("hiting", "hit"),
        ("hited", "hit"),
        ("abuse", "abus"),
        ("abused", "abus"),
        ("abusing", "abus"),
        ("bulies", "buly"),
        ("bulied", "buly"),
        ("touches", "touch"),
        ("bus", "bus"),
        ("this", "this"),
        ("me", "me"),
    ],
)
def test_stem_takes_off_one_ending(written: str, expected: str) -> None:
    assert stem(written) == expected


def test_a_phrase_of_several_words_finds_other_endings_of_its_words(small: Screener) -> None:
    assert small.screen("my dad keeps hitting me").categories == ["physical_abuse"]
    assert small.screen("my mum hitted me").categories == ["physical_abuse"]
    assert small.screen("dad is hurting me").categories == ["physical_abuse"]


def test_a_one_word_phrase_matches_only_the_form_written(small: Screener) -> None:
    assert small.screen("i have been cutting again").categories == ["self_harm"]
    assert not small.screen("i cut the cake").flagged


@pytest.mark.parametrize(("a", "b"), [("touch", "toch"), ("touch", "touhc"), ("touch", "touchh"), ("touch", "tauch")])
def test_one_slip_is_one_letter_missing_added_changed_or_swapped(a: str, b: str) -> None:
    assert one_slip(a, b)
    assert one_slip(b, a)


@pytest.mark.parametrize(("a", "b"), [("touch", "touch"), ("touch", "tuhc"), ("touch", "toches"), ("hit", "h")])
def test_two_slips_or_none_are_not_one_slip(a: str, b: str) -> None:
    assert not one_slip(a, b)


def test_a_misspelt_long_word_is_read_as_the_phrase_word_one_slip_away(small: Screener) -> None:
    assert small.screen("i want to harm mysefl").categories == ["self_harm"]
    assert small.screen("my dad hurst me").categories == ["physical_abuse"]


def test_ordinary_english_words_and_short_words_are_never_corrected() -> None:
    typos = Typos({"touch", "strangled"}, {"punch"}, english_words())
    assert typos.readings("couch") == (set(), set())  # a real word, one slip from "touch"
    assert typos.readings("tuch") == (set(), set())  # too short to guess from
    assert typos.readings("touch") == (set(), set())  # the word itself
    assert typos.readings("strangeld") == ({"strangled"}, set())
    assert typos.readings("pucnhed") == (set(), {"punch"})
    assert key("couch") in english_words()


def test_fillers_may_stand_between_the_words_of_a_phrase(small: Screener) -> None:
    assert small.screen("it really hurts just me").flagged
    assert small.screen("i harm really just myself").categories == ["self_harm"]
    # A filler can still be a word of the phrase.
    assert small.screen("im always hungry").categories == ["neglect"]


def test_at_most_two_fillers_and_never_other_words(small: Screener) -> None:
    assert not small.screen("it hurts really just always me").flagged
    assert not small.screen("it hurts everyone but me").flagged


def test_alike_words_carry_a_phrase_to_the_third_person(small: Screener) -> None:
    assert small.screen("my dad hits her").categories == ["physical_abuse"]
    assert small.screen("she wants to harm herself").categories == ["self_harm"]


def test_alike_words_carry_exceptions_to_the_third_person_too(small: Screener) -> None:
    assert not small.screen("it hurts me to say it").flagged
    assert not small.screen("it hurts her to say it").flagged


def test_an_exception_takes_other_endings_as_its_phrase_does(small: Screener) -> None:
    assert not small.screen("it hurt me to say it").flagged
    assert not small.screen("it is hurting him to say it").flagged
    assert small.screen("it is hurting him").flagged


def test_alike_groups_are_checked_with_their_lines() -> None:
    assert "phrases.yaml:4: alike[1]: a group needs at least two words" in problems(
        SMALL.replace("  - [myself, herself, himself]", "  - [myself]")
    )
    assert "phrases.yaml:4: alike[1][0]: 'me' is already in group 1; a word can be in one group" in problems(
        SMALL.replace("  - [myself, herself, himself]", "  - [me, you]")
    )
    assert "phrases.yaml:4: alike[1][1]: 'her*' must be one plain word" in problems(
        SMALL.replace("  - [myself, herself, himself]", "  - [myself, her*]")
    )
    assert "phrases.yaml:2: alike: must be a list of groups of words" in problems(
        SMALL.replace("  - [me, her, him]\n  - [myself, herself, himself]\n", "  me: her\n")
    )


def test_fillers_must_be_a_list() -> None:
    assert "phrases.yaml:1: fillers: must be a non-empty list" in problems(SMALL.replace("[really, just, always]", "x"))


def test_the_dev_halves_varied_as_children_vary_them_are_still_caught() -> None:
    """Recall on re-written dev phrasings (typo, ending, filler, third person) stays high."""
    rows = {name: score(items) for name, items in varied(load_items(SET) + load_items(EXTRA)).items()}
    assert set(rows) == set(VARIATIONS)
    for name, row in rows.items():
        assert row.recall >= 0.92, f"{name}: recall {row.recall:.0%}"
        assert row.false_alarm_rate <= 0.10, f"{name}: false alarms {row.false_alarm_rate:.0%}"


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("he doesnt hit me", False),
        ("i dont think nobody would believe me", True),
        ("i never said he doesnt hit me", True),
        ("i never dont feel safe", True),
        ("he doesnt hit me anymore", True),
    ],
)
def test_a_double_negative_is_never_read_as_a_denial(text: str, flagged: bool) -> None:
    assert screen(text).flagged is flagged


def test_a_slip_in_a_text_speak_word_is_read_as_the_spelling_it_misses() -> None:
    assert screen("i want to unailve myself").categories == ["suicidal_thoughts"]
    assert screen("i wnana die").categories == ["suicidal_thoughts"]
    spelt = Typos({key("wanna")}, (), english_words())
    assert Normaliser({key("wanna"): ("want", "to")}, spelt.only_reading).keys("wnana") == ("want", "to")
    # An English word one slip from a spelling is left alone.
    assert spelt.only_reading(key("manna")) is None
