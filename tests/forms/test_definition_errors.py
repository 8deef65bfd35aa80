"""Mistakes inside questions: each reported with its message, its line and its key path."""

from __future__ import annotations

import pytest

from forms.definition import MEASURES
from forms.questions import QUESTION_TYPES
from tests.forms.helpers import HEADER, line_of, one_section, only_problem, problems

Q0 = "sections[0].questions[0]"
Q1 = "sections[0].questions[1]"
COLOUR = "- {id: colour, type: single, label: Colour, options: {red: Red, blue: Blue}}\n"


# (questions YAML, expected path, expected message, a piece of the line the problem is on)
CASES = [
    pytest.param(
        "- id: a\n  type: dropdown\n  label: A\n",
        f"{Q0}.type",
        f"unknown type 'dropdown' (known types: {', '.join(QUESTION_TYPES)})",
        "type: dropdown",
        id="unknown-type",
    ),
    pytest.param(
        "- id: a\n  label: A\n",
        f"{Q0}.type",
        f"unknown type 'None' (known types: {', '.join(QUESTION_TYPES)})",
        "- id: a",
        id="missing-type",
    ),
    pytest.param(
        "- {id: a, type: text, label: A}\n- {id: b, type: text, label: B}\n- id: a\n  type: text\n  label: Again\n",
        "sections[0].questions[2].id",
        "duplicate question id 'a' (first used at sections[0].questions[0].id, line 8)",
        "- id: a",
        id="duplicate-id",
    ),
    pytest.param(
        "- id: 2nd\n  type: text\n  label: A\n",
        f"{Q0}.id",
        "'2nd' must start with a lowercase letter and use only a-z, 0-9 and _",
        "id: 2nd",
        id="bad-question-id",
    ),
    pytest.param(
        "- id: a\n  type: text\n",
        f"{Q0}.label",
        "'label' is required",
        "- id: a",
        id="missing-label",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: scale\n  label: A\n  scale: agree7\n",
        f"{Q1}.scale",
        "scale 'agree7' is not defined (known scales: none defined)",
        "scale: agree7",
        id="scale-not-defined",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  scale: s\n  options: {x: X}\n",
        f"{Q0}.scale",
        "give either 'options' or 'scale', not both",
        "scale: s",
        id="scale-and-options",
    ),
    pytest.param(
        "- id: a\n  type: multiple\n  label: A\n",
        Q0,
        "needs 'options' or 'scale'",
        "- id: a",
        id="no-options",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  options: {}\n",
        f"{Q0}.options",
        "needs at least one option",
        "options: {}",
        id="empty-options",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  options: yes\n",
        f"{Q0}.options",
        "must be a mapping of option values to labels",
        "options: yes",
        id="options-not-a-mapping",
    ),
    pytest.param(
        "- id: a\n  type: matrix\n  label: A\n  options: {x: X}\n",
        Q0,
        "a matrix needs 'rows'",
        "- id: a",
        id="matrix-without-rows",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  options:\n    yes: Yes\n    Not_sure: Not sure\n",
        f"{Q0}.options.Not_sure",
        "option value 'Not_sure' is not an identifier (use lowercase letters, digits and underscores, like very_good)",
        "Not_sure: Not sure",
        id="option-value-capital",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  options:\n    yes: Yes\n    not sure: Not sure\n",
        f"{Q0}.options.not sure",
        "option value 'not sure' is not an identifier (use lowercase letters, digits and underscores, like very_good)",
        "not sure: Not sure",
        id="option-value-space",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  options:\n"
        "    - {value: yes, label: Yes}\n    - {value: well-ish, label: W}\n",
        f"{Q0}.options.well-ish",
        "option value 'well-ish' is not an identifier (use lowercase letters, digits and underscores, like very_good)",
        "well-ish",
        id="option-value-hyphen",
    ),
    pytest.param(
        '- id: a\n  type: single\n  label: A\n  options:\n    yes: Yes\n    "ok\\n": OK\n',
        f"{Q0}.options.ok\n",
        "option value 'ok\n' is not an identifier (use lowercase letters, digits and underscores, like very_good)",
        '"ok',
        id="option-value-trailing-newline",
    ),
    pytest.param(
        "- id: a\n  type: matrix\n  label: A\n  options: {x: X}\n  rows:\n    good_row: G\n    Bad Row: B\n",
        f"{Q0}.rows.Bad Row",
        "option value 'Bad Row' is not an identifier (use lowercase letters, digits and underscores, like very_good)",
        "Bad Row: B",
        id="matrix-row-not-identifier",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  options:\n"
        "    - {value: x, label: X}\n    - {value: x, label: Also X}\n",
        f"{Q0}.options.x",
        "duplicate option value 'x'",
        "Also X",
        id="duplicate-option-value",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  options:\n    x: X\n    y:\n",
        f"{Q0}.options.y",
        "every option needs a label",
        "    y:",
        id="option-without-label",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  options:\n    - {value: x, label: X}\n    - {value: y}\n",
        f"{Q0}.options[1].label",
        "'label' is required",
        "{value: y}",
        id="list-option-without-label",
    ),
    pytest.param(
        "- id: a\n  type: text\n  label: A\n  requried: true\n",
        f"{Q0}.requried",
        "unknown key 'requried' (did you mean 'required'?)",
        "requried: true",
        id="unknown-key-suggestion",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  options: {x: X}\n  max_lenght: 5\n",
        f"{Q0}.max_lenght",
        "unknown key 'max_lenght'",
        "max_lenght: 5",
        id="key-of-another-type",
    ),
    pytest.param(
        "- id: a\n  type: text\n  label: A\n  required: maybe\n",
        f"{Q0}.required",
        "must be true or false, not 'maybe'",
        "required: maybe",
        id="required-maybe",
    ),
    pytest.param(
        "- id: a\n  type: text\n  label: A\n  required: yes\n",
        f"{Q0}.required",
        "must be true or false, not 'yes'",
        "required: yes",
        id="required-yes",
    ),
    pytest.param(
        "- id: a\n  type: text\n  label: A\n  max_length: long\n",
        f"{Q0}.max_length",
        "must be a whole number, not 'long'",
        "max_length: long",
        id="max-length-not-a-number",
    ),
    pytest.param(
        "- id: a\n  type: textarea\n  label: A\n  max_length: 10.5\n",
        f"{Q0}.max_length",
        "must be a whole number, not '10.5'",
        "max_length: 10.5",
        id="max-length-not-whole",
    ),
    pytest.param(
        "- id: a\n  type: text\n  label: A\n  max_length: 0\n",
        f"{Q0}.max_length",
        "must be at least 1",
        "max_length: 0",
        id="max-length-zero",
    ),
    pytest.param(
        "- id: a\n  type: multiple\n  label: A\n  options: {x: X, y: Y}\n  min_choices: 3\n",
        f"{Q0}.min_choices",
        "is more than the 2 options",
        "min_choices: 3",
        id="min-choices-more-than-options",
    ),
    pytest.param(
        "- id: a\n  type: multiple\n  label: A\n  options: {x: X, y: Y}\n  min_choices: 2\n  max_choices: 1\n",
        f"{Q0}.max_choices",
        "must not be less than min_choices",
        "max_choices: 1",
        id="max-choices-below-min",
    ),
    pytest.param(
        "- id: a\n  type: ranking\n  label: A\n  options: {x: X, y: Y}\n  max_choices: 0\n",
        f"{Q0}.max_choices",
        "must be at least 1",
        "max_choices: 0",
        id="ranking-max-choices-zero",
    ),
    pytest.param(
        "- id: a\n  type: ranking\n  label: A\n  options: {x: X, y: Y}\n  max_choices: 3\n",
        f"{Q0}.max_choices",
        "is more than the 2 options to rank",
        "max_choices: 3",
        id="ranking-max-choices-more-than-options",
    ),
    pytest.param(
        "- id: a\n  type: number\n  label: A\n  min: 10\n  max: 1\n",
        f"{Q0}.max",
        "must not be less than min",
        "max: 1",
        id="number-max-below-min",
    ),
    pytest.param(
        "- id: a\n  type: number\n  label: A\n  integer: true\n  min: 0.5\n",
        f"{Q0}.min",
        "must be a whole number, not '0.5'",
        "min: 0.5",
        id="integer-bound-not-whole",
    ),
    pytest.param(
        "- id: a\n  type: number\n  label: A\n  max: lots\n",
        f"{Q0}.max",
        "must be a number, not 'lots'",
        "max: lots",
        id="number-bound-not-a-number",
    ),
    pytest.param(
        "- id: a\n  type: text\n  label: A\n  measure: happiness\n",
        f"{Q0}.measure",
        f"unknown measure 'happiness' (known measures: {', '.join(MEASURES)})",
        "measure: happiness",
        id="unknown-measure",
    ),
    pytest.param(
        "- id: a\n  type: single\n  label: A\n  options: {x: X}\n  measure: element_rating\n",
        f"{Q0}.measure",
        "measure 'element_rating' needs a question of type matrix",
        "measure: element_rating",
        id="measure-on-wrong-type",
    ),
    pytest.param(
        "- id: a\n  type: text\n  label: A\n  measure: changed_practice\n",
        f"{Q0}.measure",
        "measure 'changed_practice' needs a question of type single or scale",
        "measure: changed_practice",
        id="measure-on-wrong-type-two-allowed",
    ),
    pytest.param(
        "- {id: first, type: single, label: Age, options: {young: Young}, measure: age_band}\n"
        "- id: again\n  type: single\n  label: Age again\n  options: {young: Young}\n  measure: age_band\n",
        f"{Q1}.measure",
        "measure 'age_band' is already on question 'first'",
        "  measure: age_band",
        id="same-measure-twice",
    ),
]


@pytest.mark.parametrize(("questions", "path", "message", "on_line"), CASES)
def test_question_problem(questions: str, path: str, message: str, on_line: str) -> None:
    text = one_section(questions)
    assert only_problem(text) == (path, message, line_of(text, on_line))


def test_problem_text_is_file_line_path_message() -> None:
    text = one_section("- id: a\n  type: text\n  label: A\n  requried: true\n")
    [problem] = problems(text, file="forms/surveys/x.yaml")
    assert str(problem) == (
        f"forms/surveys/x.yaml:{line_of(text, 'requried')}: {Q0}.requried: "
        "unknown key 'requried' (did you mean 'required'?)"
    )


def test_scale_not_defined_lists_the_known_scales() -> None:
    text = (
        HEADER
        + """\
scales:
  agree5: {sd: SD, d: D, n: N, a: A, sa: SA}
  rating4: {poor: Poor, fair: Fair, good: Good, very_good: Very good}
sections:
  - title: One
    questions:
      - {id: a, type: scale, label: A, scale: agree5}
      - id: b
        type: scale
        label: B
        scale: agree7
"""
    )
    assert only_problem(text) == (
        "sections[0].questions[1].scale",
        "scale 'agree7' is not defined (known scales: agree5, rating4)",
        line_of(text, "scale: agree7"),
    )


def test_a_bad_scale_is_reported_where_it_is_defined() -> None:
    text = (
        HEADER
        + "scales:\n  agree:\n    Yes: Yes\n"
        + "sections:\n  - title: S\n    questions:\n      - {id: a, type: text, label: A}\n"
    )
    path, message, line = only_problem(text)
    assert (path, line) == ("scales.agree.Yes", line_of(text, "Yes: Yes"))
    assert message.startswith("option value 'Yes' is not an identifier")


def test_show_if_on_a_question_that_failed_is_not_reported_twice() -> None:
    text = one_section(
        "- id: a\n  type: dropdown\n  label: A\n"
        "- id: b\n  type: text\n  label: B\n  show_if: {question: a, equals: x}\n"
    )
    assert [p.path for p in problems(text)] == [f"{Q0}.type"]
