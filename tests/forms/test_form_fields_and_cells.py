"""HTML form fields in and out, stored cells in and out, and answers shown to people."""

from __future__ import annotations

import random
from typing import Any

import pytest

from forms.engine import from_cells, to_cells
from forms.questions import AnswerError, Cell
from tests.forms.helpers import survey_of

SURVEY = survey_of(
    """
    - id: colour
      type: single
      label: Colour
      options: {red: Red, green: Green, blue: Blue}
    - id: agree
      type: scale
      label: Agree
      options: {disagree: Disagree, neutral: Not sure, agree: Agree}
    - id: pets
      type: multiple
      label: Pets
      options: {cat: Cat, dog: Dog, fish: Fish}
    - id: rank
      type: ranking
      label: Rank
      options: {a: Apples, b: Bananas, c: Cherries}
      max_choices: 2
    - id: grid
      type: matrix
      label: Grid
      rows: {quality: Quality, content: Content}
      options: {poor: Poor, fair: Fair, good: Good}
    - id: times
      type: number
      label: Times
      integer: true
      suffix: times
    - id: hours
      type: number
      label: Hours
    - id: note
      type: text
      label: Note
    - id: story
      type: textarea
      label: Story
    """
)
Q = SURVEY.by_id

#: One clean answer per question.
ANSWERS: dict[str, Any] = {
    "colour": "green",
    "agree": "agree",
    "pets": ["cat", "fish"],
    "rank": ["c", "a"],
    "grid": {"quality": "good", "content": "poor"},
    "times": 1500,
    "hours": 2.5,
    "note": "More clubs",
    "story": "Line one\nLine two",
}


# -- field names and anchors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "names", "anchor"),
    [
        ("colour", ["colour"], "colour"),
        ("pets", ["pets"], "pets"),
        ("rank", ["rank-1", "rank-2"], "rank-1"),
        ("grid", ["grid-quality", "grid-content"], "grid-quality"),
        ("times", ["times"], "times"),
        ("note", ["note"], "note"),
    ],
)
def test_field_names_and_anchor(qid: str, names: list[str], anchor: str) -> None:
    assert Q[qid].field_names() == names
    assert Q[qid].anchor == anchor


def test_template_partial_is_named_after_the_type() -> None:
    assert Q["grid"].template == "questions/matrix.html"


# -- from_form ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "form", "expected"),
    [
        ("colour", {"colour": ["blue"]}, "blue"),
        ("colour", {"colour": [""]}, None),
        ("colour", {"colour": ["  "]}, None),
        ("colour", {}, None),
        ("pets", {"pets": ["fish", "cat"]}, ["fish", "cat"]),
        ("pets", {"pets": ["dog"]}, ["dog"]),
        ("pets", {"pets": []}, None),
        ("pets", {"pets": [""]}, None),
        ("rank", {"rank-1": ["b"], "rank-2": ["a"]}, ["b", "a"]),
        ("rank", {"rank-1": ["b"], "rank-2": [""]}, ["b"]),
        ("rank", {"rank-1": [""], "rank-2": [""]}, None),
        ("grid", {"grid-quality": ["good"]}, {"quality": "good"}),
        ("grid", {"grid-quality": ["good"], "grid-content": ["fair"]}, {"quality": "good", "content": "fair"}),
        ("grid", {"grid-quality": [""], "grid": ["good"], "quality": ["good"]}, None),
        ("times", {"times": [" 4 "]}, 4),
        ("times", {"times": [""]}, None),
        ("times", {"times": ["   "]}, None),
        ("hours", {"hours": ["2.5"]}, 2.5),
        ("hours", {"hours": ["-0.5"]}, -0.5),
        ("note", {"note": ["  hello "]}, "  hello "),
        ("note", {"note": ["   "]}, None),
        ("note", {}, None),
    ],
)
def test_from_form(qid: str, form: dict[str, list[str]], expected: Any) -> None:
    assert Q[qid].from_form(form) == expected


@pytest.mark.parametrize("typed", ["abc", "4 apples", "inf", "nan", "1e400", "--1"])
def test_number_from_form_rejects_words(typed: str) -> None:
    with pytest.raises(AnswerError, match=r"^Enter a number, like 3$"):
        Q["times"].from_form({"times": [typed]})


def test_ranking_from_form_with_a_gap_is_an_error() -> None:
    with pytest.raises(AnswerError) as caught:
        Q["rank"].from_form({"rank-1": [""], "rank-2": ["a"]})
    assert str(caught.value) == "Choose your 1st choice before your 2nd"


def test_from_form_then_clean_canonicalises() -> None:
    assert Q["pets"].clean(Q["pets"].from_form({"pets": ["fish", "cat"]})) == ["cat", "fish"]
    assert Q["note"].clean(Q["note"].from_form({"note": ["  hello "]})) == "hello"
    times = Q["times"].clean(Q["times"].from_form({"times": ["4"]}))
    assert times == 4
    assert type(times) is int


# -- to_form ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "value", "fields"),
    [
        ("colour", "red", {"colour": "red"}),
        ("pets", ["cat", "dog"], {"pets": ["cat", "dog"]}),
        ("rank", ["c"], {"rank-1": "c", "rank-2": None}),
        ("rank", None, {"rank-1": None, "rank-2": None}),
        ("grid", {"content": "fair"}, {"grid-quality": None, "grid-content": "fair"}),
        ("grid", None, {"grid-quality": None, "grid-content": None}),
        ("times", 3, {"times": "3"}),
        ("times", None, {"times": None}),
        ("hours", 2.5, {"hours": "2.5"}),
        ("hours", 3.0, {"hours": "3"}),
        ("note", "hi", {"note": "hi"}),
    ],
)
def test_to_form(qid: str, value: Any, fields: dict[str, Any]) -> None:
    assert Q[qid].to_form(value) == fields


def as_posted(fields: dict[str, Any]) -> dict[str, list[str]]:
    """What a browser posts back for re-displayed fields."""
    posted: dict[str, list[str]] = {}
    for name, value in fields.items():
        if value is None:
            continue
        posted[name] = value if isinstance(value, list) else [value]
    return posted


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_to_form_then_from_form_gives_the_answer_back(qid: str) -> None:
    q = Q[qid]
    assert q.clean(q.from_form(as_posted(q.to_form(ANSWERS[qid])))) == ANSWERS[qid]


@pytest.mark.parametrize("value", [1234567.0, 1234567.5, 0.1234567, 98765.4321, 1e-7, 123456789012.25])
def test_a_redisplayed_decimal_is_not_rounded(value: float) -> None:
    q = Q["hours"]
    assert q.from_form(as_posted(q.to_form(value))) == value


# -- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "cells"),
    [
        ("colour", [Cell("", 0, "green", 2.0)]),
        ("agree", [Cell("", 0, "agree", 3.0)]),
        ("pets", [Cell("", 0, "cat", 1.0), Cell("", 1, "fish", 3.0)]),
        ("rank", [Cell("", 1, "c", 1.0), Cell("", 2, "a", 2.0)]),
        ("grid", [Cell("quality", 0, "good", 3.0), Cell("content", 0, "poor", 1.0)]),
        ("times", [Cell("", 0, None, 1500.0)]),
        ("hours", [Cell("", 0, None, 2.5)]),
        ("note", [Cell("", 0, "More clubs", None)]),
        ("story", [Cell("", 0, "Line one\nLine two", None)]),
    ],
)
def test_to_cells(qid: str, cells: list[Cell]) -> None:
    assert Q[qid].to_cells(ANSWERS[qid]) == cells


@pytest.mark.parametrize("qid", list(ANSWERS))
def test_cells_round_trip_whatever_order_they_come_back_in(qid: str) -> None:
    cells = Q[qid].to_cells(ANSWERS[qid])
    random.Random(qid).shuffle(cells)  # noqa: S311 - a repeatable shuffle, not a secret
    for order in (cells, list(reversed(cells))):
        rebuilt = Q[qid].from_cells(order)
        assert rebuilt == ANSWERS[qid]
        assert type(rebuilt) is type(ANSWERS[qid])
        if isinstance(rebuilt, dict):
            assert list(rebuilt) == [r for r in Q[qid].rows.values if r in rebuilt]


def test_integer_from_cells_is_an_int() -> None:
    value = Q["times"].from_cells([Cell("", 0, None, 7.0)])
    assert value == 7
    assert type(value) is int


def test_matrix_from_cells_keeps_rows_no_longer_defined_after_the_known_ones() -> None:
    cells = [Cell("retired_row", 0, "good", 3.0), Cell("content", 0, "fair", 2.0)]
    assert list(Q["grid"].from_cells(cells)) == ["content", "retired_row"]


def test_survey_cells_round_trip_in_survey_order() -> None:
    rows = to_cells(SURVEY, ANSWERS)
    assert {qid for qid, _ in rows} == set(ANSWERS)
    assert sum(1 for qid, _ in rows if qid == "pets") == 2
    rebuilt = from_cells(SURVEY, reversed(rows))
    assert rebuilt == ANSWERS
    assert list(rebuilt) == [q.id for q in SURVEY.questions]


def test_from_cells_ignores_nothing_and_invents_nothing() -> None:
    assert from_cells(SURVEY, []) == {}
    assert from_cells(SURVEY, [("note", Cell("", 0, "hi", None))]) == {"note": "hi"}


# -- display --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qid", "value", "lines"),
    [
        ("colour", "green", ["Green"]),
        ("agree", "neutral", ["Not sure"]),
        ("pets", ["cat", "fish"], ["Cat", "Fish"]),
        ("rank", ["c", "a"], ["1. Cherries", "2. Apples"]),
        ("grid", {"quality": "good", "content": "poor"}, ["Quality: Good", "Content: Poor"]),
        ("times", 1500, ["1,500 times"]),
        ("times", 1, ["1 times"]),
        ("hours", 2.5, ["2.5"]),
        ("hours", 1234.5, ["1,234.5"]),
        ("note", "More clubs", ["More clubs"]),
        ("story", "Line one\nLine two", ["Line one\nLine two"]),
    ],
)
def test_display(qid: str, value: Any, lines: list[str]) -> None:
    assert Q[qid].display(value) == lines


def test_display_of_a_value_no_longer_an_option_shows_the_value() -> None:
    assert Q["colour"].display("purple") == ["purple"]
