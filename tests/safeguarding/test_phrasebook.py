"""The phrase file is checked at load: every problem is reported with file:line, and the shipped file is valid."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from voice_service.safeguarding.patterns import PatternError, compile_phrase
from voice_service.safeguarding.phrasebook import DEFAULT_FILE, PhrasebookError, load_phrasebook, parse_phrasebook
from voice_service.safeguarding.screening import Screener

GOOD = """\
words:
  adult: [dad, mum]
categories:
  physical_abuse:
    description: Someone hurts the child.
    phrases:
      - "[adult] ... hits me"
"""


def problems(text: str) -> str:
    with pytest.raises(PhrasebookError) as info:
        parse_phrasebook(text, "phrases.yaml")
    return str(info.value)


def test_the_shipped_file_loads_and_every_category_has_a_description_and_phrases() -> None:
    book = load_phrasebook(DEFAULT_FILE)
    assert len(book.categories) == 11
    for category in book.categories.values():
        assert category.description
        assert category.patterns


def test_the_shipped_file_loads_quickly() -> None:
    start = time.perf_counter()
    load_phrasebook(DEFAULT_FILE)
    assert time.perf_counter() - start < 2.0


def test_a_small_file_works() -> None:
    screener = Screener(parse_phrasebook(GOOD, "phrases.yaml"))
    assert screener.screen("my dad always hits me").categories == ["physical_abuse"]


def test_an_unknown_key_is_reported_with_its_line_and_a_suggestion() -> None:
    message = problems(GOOD.replace("    phrases:", "    phrase:"))
    assert "phrases.yaml:6: categories.physical_abuse.phrase: unknown key 'phrase' (did you mean 'phrases'?)" in message


def test_an_unknown_top_level_key_is_reported() -> None:
    assert "phrases.yaml:1: wordz: unknown key 'wordz'" in problems(GOOD.replace("words:", "wordz:"))


def test_an_empty_category_is_reported() -> None:
    text = GOOD + "  neglect:\n    description: Needs not met.\n"
    assert "phrases.yaml:8: categories.neglect.phrases: a category needs at least one phrase" in problems(text)


def test_an_empty_phrase_list_is_reported() -> None:
    text = GOOD + "  neglect:\n    description: Needs not met.\n    phrases: []\n"
    assert "categories.neglect.phrases: must be a non-empty list" in problems(text)


def test_a_missing_description_is_reported() -> None:
    text = GOOD.replace("    description: Someone hurts the child.\n", "")
    assert "categories.physical_abuse.description: 'description' is required" in problems(text)


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("[nobody] hits", "unknown word list [nobody]"),
        ("... hits", "cannot start with '...'"),
        ("hits ...", "cannot end with '...'"),
        ("hits ... ... me", "two '...' in a row"),
        ("(my)", "at least one part that is not optional"),
        ("hi* me", "at least 3 letters"),
        ("hits (me", "no partner"),
        ("hits {me|}", "empty choice"),
        ("hits (me ... you)", "cannot stand inside brackets"),
        ("hits me!", "not a word"),
        ("restraining order|refuge", "write the choice in braces, {order|refuge}"),
    ],
)
def test_a_bad_phrase_is_reported_with_its_line(phrase: str, message: str) -> None:
    text = GOOD.replace('"[adult] ... hits me"', f'"{phrase}"')
    reported = problems(text)
    assert "phrases.yaml:7: categories.physical_abuse.phrases[0]: bad phrase" in reported
    assert message in reported


def test_an_unquoted_list_phrase_is_reported() -> None:
    # Why: in YAML an unquoted [adult] is a list, not text; the lead must be told to quote it.
    reported = problems(GOOD.replace('"[adult] ... hits me"', "[adult]"))
    assert 'phrases.yaml:7: categories.physical_abuse.phrases[0]: must be non-empty text in "double quotes"' in reported


def test_a_phrase_must_use_the_spelled_out_form() -> None:
    text = "spellings:\n  kms: kill myself\n" + GOOD.replace('"[adult] ... hits me"', '"kms"')
    assert "'kms' is read as 'kil myself'" in problems(text)


def test_every_problem_is_reported_at_once() -> None:
    text = GOOD.replace("    phrases:", "    phrase:").replace("words:", "wordz:")
    assert problems(text).count("phrases.yaml:") >= 2


def test_bad_yaml_is_reported_with_its_line() -> None:
    assert re.search(r"phrases\.yaml:\d+: not valid YAML", problems("categories:\n  a: [\n  b: c\n"))


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PhrasebookError, match="cannot read file"):
        load_phrasebook(tmp_path / "missing.yaml")


def test_negation_window_must_be_a_small_number() -> None:
    text = "negation:\n  window: lots\n" + GOOD
    assert "negation.window: must be a whole number from 0 to 10" in problems(text)


def test_optional_parts_and_choices_expand_into_variants() -> None:
    variants = compile_phrase("(my) {step dad|dad} hits me", "x", {}, lambda w: w)
    assert len(variants) == 4
    assert {len(v.slots) for v in variants} == {3, 4, 5}


def test_pattern_error_names_the_word() -> None:
    with pytest.raises(PatternError, match="'hit!'"):
        compile_phrase("hit! me", "x", {}, lambda w: w)


def test_weak_phrases_are_read_per_category() -> None:
    text = GOOD + '      - "got hit"\n    weak:\n      - "got hit"\n'
    book = parse_phrasebook(text, "phrases.yaml")
    assert book.categories["physical_abuse"].weak == frozenset({"got hit"})


def test_a_weak_phrase_must_be_one_of_the_categorys_phrases() -> None:
    text = GOOD + '    weak:\n      - "got hit"\n'
    assert "phrases.yaml:9: categories.physical_abuse.weak[0]: 'got hit' is not one of this category's phrases" in (
        problems(text)
    )


def test_the_shipped_file_marks_some_phrases_weak_and_keeps_the_strongest_strong() -> None:
    book = load_phrasebook(DEFAULT_FILE)
    weak = {(name, phrase) for name, c in book.categories.items() for phrase in c.weak}
    assert len(weak) >= 20
    sources = {(name, p.source) for name, c in book.categories.items() for p in c.patterns}
    assert weak <= sources
    # Wanting to die is taken seriously however it is said (docs/safeguarding.md): never weak.
    assert not [phrase for name, phrase in weak if name == "suicidal_thoughts"]
