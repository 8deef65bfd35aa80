"""Pages: how sections split, which pages are shown, and how one page is checked and merged."""

from __future__ import annotations

from typing import Any

import pytest

from forms.definition import Survey
from forms.engine import first_unfinished_page, merge_page, next_page, previous_page, shown_pages, validate_page
from tests.forms.helpers import HEADER, survey


def page_ids(s: Survey) -> list[list[str]]:
    return [[q.id for q in page.questions] for page in s.pages]


SIMPLE = survey(
    HEADER
    + """
sections:
  - title: First
    questions:
      - {id: a, type: text, label: A}
      - {id: b, type: text, label: B}
  - title: Second
    description: More questions.
    questions:
      - {id: c, type: text, label: C}
"""
)


def test_each_section_is_one_page() -> None:
    assert page_ids(SIMPLE) == [["a", "b"], ["c"]]
    assert [p.number for p in SIMPLE.pages] == [1, 2]
    assert [p.section.title for p in SIMPLE.pages] == ["First", "Second"]
    assert SIMPLE.pages[1].section.description == "More questions."


SPLIT = survey(
    HEADER
    + """
sections:
  - title: Feelings
    questions:
      - {id: feel, type: single, label: Feel, options: {good: Good, bad: Bad}, required: true}
      - {id: why_bad, type: text, label: Why, required: true, show_if: {question: feel, equals: bad}}
      - {id: other, type: text, label: Other, show_if: {question: feel, in: [bad]}}
      - id: worse
        type: text
        label: Worse?
        show_if: {all: [{question: other, answered: true}, {question: feel, equals: bad}]}
  - title: Help
    questions:
      - {id: help, type: text, label: Help, show_if: {question: feel, equals: bad}}
  - title: End
    questions:
      - {id: last, type: text, label: Last, required: true}
"""
)


def test_a_question_depending_on_one_on_the_same_page_starts_a_new_page() -> None:
    assert page_ids(SPLIT) == [["feel"], ["why_bad", "other"], ["worse"], ["help"], ["last"]]
    assert [p.number for p in SPLIT.pages] == [1, 2, 3, 4, 5]
    assert [p.section.title for p in SPLIT.pages] == ["Feelings", "Feelings", "Feelings", "Help", "End"]


def test_a_dependency_on_an_earlier_page_does_not_split() -> None:
    s = survey(
        HEADER
        + """
sections:
  - title: One
    questions:
      - {id: a, type: single, label: A, options: {y: Y, n: N}}
      - {id: b, type: text, label: B, show_if: {question: a, equals: y}}
      - {id: c, type: text, label: C, show_if: {question: a, equals: n}}
      - {id: d, type: text, label: D, show_if: {any: [{question: a, equals: n}, {question: c, answered: true}]}}
"""
    )
    # c depends on a, which is no longer on the current page; d depends on c, which is.
    assert page_ids(s) == [["a"], ["b", "c"], ["d"]]
    # page 2 is shown when either of its questions is
    assert s.pages[1].is_shown({"a": "y"})
    assert s.pages[1].is_shown({"a": "n"})
    assert not s.pages[1].is_shown({})


def test_a_page_is_shown_when_any_question_on_it_is() -> None:
    page = SPLIT.pages[1]
    assert not page.is_shown({"feel": "good"})
    assert page.is_shown({"feel": "bad"})
    assert SPLIT.pages[0].is_shown({})


@pytest.mark.parametrize(
    ("answers", "numbers"),
    [
        ({"feel": "good"}, [1, 5]),
        ({"feel": "bad"}, [1, 2, 4, 5]),
        ({"feel": "bad", "other": "x"}, [1, 2, 3, 4, 5]),
        ({}, [1, 5]),
    ],
)
def test_shown_pages(answers: dict[str, Any], numbers: list[int]) -> None:
    assert [p.number for p in shown_pages(SPLIT, answers)] == numbers


def number(page: Any) -> int | None:
    return None if page is None else page.number


def test_next_and_previous_skip_hidden_pages() -> None:
    good, bad = {"feel": "good"}, {"feel": "bad"}
    assert number(next_page(SPLIT, good, 1)) == 5
    assert number(next_page(SPLIT, bad, 1)) == 2
    assert number(next_page(SPLIT, bad, 2)) == 4
    assert number(next_page(SPLIT, bad | {"other": "x"}, 2)) == 3
    assert number(next_page(SPLIT, bad, 3)) == 4
    assert number(next_page(SPLIT, good, 5)) is None
    assert number(next_page(SPLIT, good, 0)) == 1
    assert number(previous_page(SPLIT, good, 5)) == 1
    assert number(previous_page(SPLIT, bad, 5)) == 4
    assert number(previous_page(SPLIT, bad, 4)) == 2
    assert number(previous_page(SPLIT, bad | {"other": "x"}, 4)) == 3
    assert number(previous_page(SPLIT, bad, 2)) == 1
    assert number(previous_page(SPLIT, good, 1)) is None


@pytest.mark.parametrize(
    ("answers", "visited", "expected"),
    [
        ({}, [], 1),
        ({"feel": "good"}, [], 1),
        ({"feel": "good"}, [1], 5),
        ({"feel": "good", "last": "x"}, [1, 5], None),
        ({"feel": "good"}, [1, 5], 5),
        ({}, [1, 5], 1),
        ({"feel": "bad"}, [1], 2),
        ({"feel": "bad", "last": "x"}, [1, 2, 3, 4, 5], 2),
        ({"feel": "bad", "why_bad": "x", "last": "x"}, [1, 2, 3, 4, 5], None),
        # a hidden page is never unfinished, visited or not
        ({"feel": "good", "last": "x"}, [1, 2, 5], None),
    ],
)
def test_first_unfinished_page(answers: dict[str, Any], visited: list[int], expected: int | None) -> None:
    assert number(first_unfinished_page(SPLIT, answers, visited)) == expected


# -- one page at a time -----------------------------------------------------------------------


def test_validate_page_reads_the_form_and_uses_saved_answers_from_other_pages() -> None:
    page2 = SPLIT.pages[1]
    result = validate_page(SPLIT, page2, {"feel": "bad"}, {"why_bad": [" tired "], "other": [""]})
    assert result.ok
    assert result.answers == {"why_bad": "tired"}
    result = validate_page(SPLIT, page2, {"feel": "bad"}, {})
    assert result.errors == {"why_bad": "Write your answer to 'Why'"}


def test_validate_page_skips_questions_hidden_by_saved_answers() -> None:
    page2 = SPLIT.pages[1]
    result = validate_page(SPLIT, page2, {"feel": "good"}, {"why_bad": ["posted anyway"], "other": ["o"]})
    assert result.ok
    assert result.answers == {}


def test_validate_page_ignores_saved_answers_to_its_own_questions() -> None:
    page1 = SPLIT.pages[0]
    result = validate_page(SPLIT, page1, {"feel": "bad"}, {})
    assert result.errors == {"feel": "Choose an answer to 'Feel'"}


def test_validate_page_reports_form_errors() -> None:
    s = survey(
        HEADER
        + """
sections:
  - title: One
    questions:
      - {id: n, type: number, label: N}
      - {id: r, type: ranking, label: R, options: {a: A, b: B}}
      - {id: m, type: multiple, label: M, options: {a: A, b: B}}
"""
    )
    result = validate_page(s, s.pages[0], {}, {"n": ["abc"], "r-2": ["a"], "m": ["a", "b", "c"]})
    assert result.errors == {
        "n": "Enter a number, like 3",
        "r": "Choose your 1st choice before your 2nd",
        "m": "Choose one of the answers shown",
    }
    assert result.answers == {}


def test_merge_page_replaces_that_page_and_prunes_what_it_hides() -> None:
    saved = {"feel": "bad", "why_bad": "tired", "other": "x", "worse": "y", "help": "z", "last": "end"}
    merged = merge_page(SPLIT, SPLIT.pages[0], saved, {"feel": "good"})
    assert merged == {"feel": "good", "last": "end"}


def test_merge_page_drops_answers_cleared_on_that_page() -> None:
    saved = {"feel": "bad", "why_bad": "tired", "other": "x", "worse": "y"}
    merged = merge_page(SPLIT, SPLIT.pages[1], saved, {"why_bad": "sad"})
    assert merged == {"feel": "bad", "why_bad": "sad"}
