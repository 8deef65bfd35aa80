"""Mistakes in `show_if`: each reported with its message, its line and its key path."""

from __future__ import annotations

import pytest

from tests.forms.helpers import line_of, one_section, only_problem

Q0 = "sections[0].questions[0]"
Q1 = "sections[0].questions[1]"
COLOUR = "- {id: colour, type: single, label: Colour, options: {red: Red, blue: Blue}}\n"

# (questions YAML, expected path, expected message, a piece of the line the problem is on)
CASES = [
    pytest.param(
        "- id: a\n  type: text\n  label: A\n  show_if: {question: nope, equals: x}\n",
        f"{Q0}.show_if",
        "refers to an unknown question 'nope' (show_if may only use earlier questions)",
        "show_if:",
        id="show-if-unknown-question",
    ),
    pytest.param(
        "- id: a\n  type: text\n  label: A\n  show_if: {question: b, answered: true}\n"
        "- {id: b, type: text, label: B}\n",
        f"{Q0}.show_if",
        "refers to a later question 'b' (show_if may only use earlier questions)",
        "show_if:",
        id="show-if-later-question",
    ),
    pytest.param(
        "- id: a\n  type: text\n  label: A\n  show_if: {question: a, answered: true}\n",
        f"{Q0}.show_if",
        "refers to its own question 'a' (show_if may only use earlier questions)",
        "show_if:",
        id="show-if-itself",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: text\n  label: A\n  show_if: {question: colour, in: [red, purple]}\n",
        f"{Q1}.show_if",
        "'purple' is not an option of question 'colour'",
        "show_if:",
        id="show-if-value-not-an-option",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: text\n  label: A\n  show_if:\n    any:\n      - {question: colour, equals: Red}\n",
        f"{Q1}.show_if",
        "'Red' is not an option of question 'colour'",
        "show_if:",
        id="show-if-nested-value-not-an-option",
    ),
    pytest.param(
        "- {id: t, type: text, label: T}\n- id: a\n  type: text\n  label: A\n  show_if: {question: t, equals: hi}\n",
        f"{Q1}.show_if",
        "question 't' has no options; use {question: t, answered: true}",
        "show_if:",
        id="show-if-value-on-text",
    ),
    pytest.param(
        "- {id: m, type: matrix, label: M, rows: {r: R}, options: {x: X}}\n"
        "- id: a\n  type: text\n  label: A\n  show_if: {question: m, in: [x]}\n",
        f"{Q1}.show_if",
        "question 'm' has no options; use {question: m, answered: true}",
        "show_if:",
        id="show-if-value-on-matrix",
    ),
    pytest.param(
        "- {id: n, type: number, label: N}\n- id: a\n  type: text\n  label: A\n  show_if: {question: n, equals: '3'}\n",
        f"{Q1}.show_if",
        "question 'n' has no options; use {question: n, answered: true}",
        "show_if:",
        id="show-if-value-on-number",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: text\n  label: A\n  show_if: {question: colour}\n",
        f"{Q1}.show_if",
        "show_if must be one of {question: ID, equals: V}, {question: ID, in: [..]}, "
        "{question: ID, answered: true}, {all: [..]} or {any: [..]}",
        "show_if:",
        id="show-if-without-a-test",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: text\n  label: A\n  show_if: {question: colour, equals: red, in: [blue]}\n",
        f"{Q1}.show_if",
        "show_if must be one of {question: ID, equals: V}, {question: ID, in: [..]}, "
        "{question: ID, answered: true}, {all: [..]} or {any: [..]}",
        "show_if:",
        id="show-if-two-tests",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: text\n  label: A\n  show_if: colour == red\n",
        f"{Q1}.show_if",
        "must be a mapping of keys to values",
        "show_if:",
        id="show-if-expression-string",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: text\n  label: A\n  show_if: {all: []}\n",
        f"{Q1}.show_if.all",
        "'all' needs a list of one or more conditions",
        "show_if:",
        id="show-if-empty-all",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: text\n  label: A\n  show_if: {question: colour, equals: [red]}\n",
        f"{Q1}.show_if.equals",
        "must be one option value",
        "show_if:",
        id="show-if-equals-a-list",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: text\n  label: A\n  show_if: {question: colour, in: red}\n",
        f"{Q1}.show_if.in",
        "must be a list of one or more option values",
        "show_if:",
        id="show-if-in-not-a-list",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: text\n  label: A\n  show_if:\n    question: colour\n    answered: maybe\n",
        f"{Q1}.show_if.answered",
        "must be true or false, not 'maybe'",
        "answered: maybe",
        id="show-if-answered-not-boolean",
    ),
    pytest.param(
        COLOUR + "- id: a\n  type: text\n  label: A\n  show_if:\n    all:\n      - {question: colour, equals: red}\n"
        "      - {question: colour, equal: blue}\n",
        f"{Q1}.show_if.all[1]",
        "show_if must be one of {question: ID, equals: V}, {question: ID, in: [..]}, "
        "{question: ID, answered: true}, {all: [..]} or {any: [..]}",
        "equal: blue",
        id="show-if-bad-item-in-all",
    ),
]


@pytest.mark.parametrize(("questions", "path", "message", "on_line"), CASES)
def test_show_if_problem(questions: str, path: str, message: str, on_line: str) -> None:
    text = one_section(questions)
    assert only_problem(text) == (path, message, line_of(text, on_line))
