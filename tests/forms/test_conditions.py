"""`show_if`: every form, what it means for each answer shape, and what hiding does to answers."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from forms.conditions import AllOf, Answered, AnyOf, Equals, In
from forms.definition import Survey
from forms.engine import is_shown, prune_hidden, validate_answers
from tests.forms.helpers import survey_of

BASE = """
- id: colour
  type: single
  label: Colour
  options: {red: Red, green: Green, blue: Blue}
- id: pets
  type: multiple
  label: Pets
  options: {cat: Cat, dog: Dog, fish: Fish}
- id: rank
  type: ranking
  label: Rank
  options: {a: A, b: B, c: C}
  max_choices: 2
- id: grid
  type: matrix
  label: Grid
  rows: {x: X, y: Y}
  options: {lo: Low, hi: High}
- id: note
  type: text
  label: Note
- id: count
  type: number
  label: Count
"""


def with_target(show_if: str) -> Survey:
    """The base questions, then a `target` text question shown by `show_if` (YAML)."""
    target = "- id: target\n  type: text\n  label: Target\n  show_if:\n" + textwrap.indent(
        textwrap.dedent(show_if).strip("\n"), "    "
    )
    return survey_of(BASE + target)


EQ_RED = "{question: colour, equals: red}"
IN_WARM = "{question: colour, in: [red, green]}"
HAS_DOG = "{question: pets, equals: dog}"
NOTE_GIVEN = "{question: note, answered: true}"


@pytest.mark.parametrize(
    ("show_if", "answers", "shown"),
    [
        (EQ_RED, {"colour": "red"}, True),
        (EQ_RED, {"colour": "blue"}, False),
        (EQ_RED, {}, False),
        (EQ_RED, {"colour": None}, False),
        (IN_WARM, {"colour": "green"}, True),
        (IN_WARM, {"colour": "red"}, True),
        (IN_WARM, {"colour": "blue"}, False),
        (IN_WARM, {}, False),
        # on a multiple question, equals means "is among the ticked"
        (HAS_DOG, {"pets": ["cat", "dog"]}, True),
        (HAS_DOG, {"pets": ["dog"]}, True),
        (HAS_DOG, {"pets": ["cat", "fish"]}, False),
        (HAS_DOG, {}, False),
        ("{question: pets, in: [dog, fish]}", {"pets": ["cat", "fish"]}, True),
        ("{question: pets, in: [dog, fish]}", {"pets": ["cat"]}, False),
        # on a ranking question, equals/in mean "was ranked"
        ("{question: rank, equals: b}", {"rank": ["a", "b"]}, True),
        ("{question: rank, equals: b}", {"rank": ["a"]}, False),
        ("{question: rank, in: [b, c]}", {"rank": ["c"]}, True),
        (NOTE_GIVEN, {"note": "hello"}, True),
        (NOTE_GIVEN, {}, False),
        (NOTE_GIVEN, {"note": None}, False),
        ("{question: grid, answered: true}", {"grid": {"x": "lo"}}, True),
        ("{question: count, answered: true}", {"count": 0}, True),
        ("{question: note, answered: false}", {}, True),
        ("{question: note, answered: false}", {"note": "hello"}, False),
        (f"all: [{EQ_RED}, {NOTE_GIVEN}]", {"colour": "red", "note": "x"}, True),
        (f"all: [{EQ_RED}, {NOTE_GIVEN}]", {"colour": "red"}, False),
        (f"all: [{EQ_RED}]", {"colour": "red"}, True),
        (f"any: [{EQ_RED}, {HAS_DOG}]", {"pets": ["dog"]}, True),
        (f"any: [{EQ_RED}, {HAS_DOG}]", {"colour": "red"}, True),
        (f"any: [{EQ_RED}, {HAS_DOG}]", {"colour": "green", "pets": ["cat"]}, False),
        (f"any: [{EQ_RED}, {HAS_DOG}]", {}, False),
    ],
)
def test_show_if_holds(show_if: str, answers: dict[str, Any], shown: bool) -> None:
    target = with_target(show_if).by_id["target"]
    assert is_shown(target, answers) is shown


NESTED = f"""
any:
  - all:
      - {EQ_RED}
      - {{question: count, answered: true}}
  - all:
      - {HAS_DOG}
      - any:
          - {{question: rank, equals: a}}
          - {{question: grid, answered: false}}
"""


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ({"colour": "red", "count": 2}, True),
        ({"colour": "red"}, False),
        ({"pets": ["dog"]}, True),
        ({"pets": ["dog"], "grid": {"x": "hi"}}, False),
        ({"pets": ["dog"], "grid": {"x": "hi"}, "rank": ["a"]}, True),
        ({"pets": ["cat"], "rank": ["a"]}, False),
    ],
)
def test_nested_conditions(answers: dict[str, Any], shown: bool) -> None:
    assert is_shown(with_target(NESTED).by_id["target"], answers) is shown


def test_conditions_parse_into_their_structures() -> None:
    target = with_target(NESTED).by_id["target"]
    assert target.show_if == AnyOf(
        (
            AllOf((Equals("colour", "red"), Answered("count", True))),
            AllOf((Equals("pets", "dog"), AnyOf((Equals("rank", "a"), Answered("grid", False))))),
        )
    )
    assert with_target(IN_WARM).by_id["target"].show_if == In("colour", ("red", "green"))
    assert target.show_if.refers_to() == [
        ("colour", ["red"]),
        ("count", []),
        ("pets", ["dog"]),
        ("rank", ["a"]),
        ("grid", []),
    ]


def test_show_if_in_block_style_means_the_same() -> None:
    block = with_target(
        """
        question: colour
        in:
          - red
          - green
        """
    )
    assert block.by_id["target"].show_if == with_target(IN_WARM).by_id["target"].show_if


# -- what hiding does to answers ------------------------------------------------------------

CHAIN = survey_of(
    """
    - id: colour
      type: single
      label: Colour
      options: {red: Red, blue: Blue}
    - id: why_red
      type: text
      label: Why red?
      required: true
      show_if: {question: colour, equals: red}
    - id: more
      type: number
      label: How much?
      required: true
      show_if: {question: why_red, answered: true}
    - id: if_no_reason
      type: text
      label: No reason?
      show_if: {question: why_red, answered: false}
    """
)


def test_hidden_required_question_is_not_required() -> None:
    result = validate_answers(CHAIN, {"colour": "blue"})
    assert result.ok
    assert result.answers == {"colour": "blue"}


def test_shown_required_question_is_required() -> None:
    result = validate_answers(CHAIN, {"colour": "red"})
    assert result.errors == {"why_red": "Write your answer to 'Why red?'"}
    assert not result.ok


def test_answer_to_a_hidden_question_is_discarded_not_checked() -> None:
    result = validate_answers(CHAIN, {"colour": "blue", "why_red": 12345, "more": "not a number"})
    assert result.ok
    assert result.answers == {"colour": "blue"}


def test_hiding_cascades_in_validate_answers() -> None:
    result = validate_answers(CHAIN, {"colour": "blue", "why_red": "pretty", "more": 3, "if_no_reason": "none"})
    assert result.ok
    assert result.answers == {"colour": "blue", "if_no_reason": "none"}


def test_validate_answers_keeps_shown_answers_clean() -> None:
    result = validate_answers(CHAIN, {"colour": "red", "why_red": "  pretty ", "more": 3.0})
    assert result.ok
    assert result.answers == {"colour": "red", "why_red": "pretty", "more": 3.0}


def test_an_invalid_answer_hides_what_depends_on_it() -> None:
    result = validate_answers(CHAIN, {"colour": "purple", "why_red": "x"})
    assert result.errors == {"colour": "Choose one of the answers shown"}
    assert result.answers == {}


def test_validate_answers_reports_unknown_question_ids() -> None:
    result = validate_answers(CHAIN, {"colour": "red", "why_red": "x", "nope": 1, "Colour": "red"})
    assert result.errors == {
        "nope": "'nope' is not a question in this survey",
        "Colour": "'Colour' is not a question in this survey",
        "more": "Enter a number for 'How much?'",
    }


@pytest.mark.parametrize(
    ("answers", "kept"),
    [
        ({"colour": "red", "why_red": "x", "more": 1}, {"colour": "red", "why_red": "x", "more": 1}),
        ({"colour": "blue", "why_red": "x", "more": 1}, {"colour": "blue"}),
        ({"why_red": "x", "more": 1}, {}),
        (
            {"colour": "blue", "why_red": "x", "more": 1, "if_no_reason": "y"},
            {"colour": "blue", "if_no_reason": "y"},
        ),
        ({"colour": "red", "why_red": "x", "if_no_reason": "y"}, {"colour": "red", "why_red": "x"}),
    ],
)
def test_prune_hidden_cascades(answers: dict[str, Any], kept: dict[str, Any]) -> None:
    assert prune_hidden(CHAIN, answers) == kept


def test_prune_hidden_keeps_survey_order_and_ignores_unknown_ids() -> None:
    pruned = prune_hidden(CHAIN, {"more": 1, "why_red": "x", "colour": "red", "stray": 1})
    assert list(pruned) == ["colour", "why_red", "more"]
