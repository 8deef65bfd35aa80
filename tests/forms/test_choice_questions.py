"""Answers to single, scale, multiple, ranking and matrix questions: what is accepted, what is not."""

from __future__ import annotations

from typing import Any

import pytest

from forms import DefinitionError, parse_survey
from forms.questions import AnswerError
from forms.questions.ranking import RankingQuestion
from tests.forms.helpers import question, survey

SINGLE = question(
    """
    id: colour
    type: single
    label: Favourite colour?
    options: {red: Red, green: Green, blue: Blue}
    """
)
SCALE = question(
    """
    id: agree
    type: scale
    label: I feel safe.
    options: {disagree: Disagree, neutral: Not sure, agree: Agree}
    """
)
MULTIPLE = question(
    """
    id: pets
    type: multiple
    label: Which pets?
    options: {cat: Cat, dog: Dog, fish: Fish, bird: Bird}
    min_choices: 2
    max_choices: 3
    """
)
RANK_ALL = question(
    """
    id: order
    type: ranking
    label: Put these in order
    options: {a: A, b: B, c: C}
    """
)
RANK_TOP = question(
    """
    id: top
    type: ranking
    label: Your top two
    options: {a: A, b: B, c: C, d: D}
    max_choices: 2
    """
)
MATRIX = question(
    """
    id: grid
    type: matrix
    label: Rate the course
    rows: {quality: Quality, content: Content}
    options: {poor: Poor, good: Good}
    """
)
MATRIX_REQUIRED = question(
    """
    id: grid
    type: matrix
    label: Rate the course
    required: true
    rows: {quality: Quality, content: Content}
    options: {poor: Poor, good: Good}
    """
)


def rejects(q: Any, value: Any) -> str:
    with pytest.raises(AnswerError) as caught:
        q.clean(value)
    return str(caught.value)


# -- single and scale -------------------------------------------------------------------


@pytest.mark.parametrize("q", [SINGLE, SCALE], ids=["single", "scale"])
def test_single_choice_accepts_each_option(q: Any) -> None:
    for value in q.options.values:
        assert q.clean(value) == value


@pytest.mark.parametrize("q", [SINGLE, SCALE], ids=["single", "scale"])
@pytest.mark.parametrize("blank", [None, ""])
def test_single_choice_blank_is_no_answer(q: Any, blank: Any) -> None:
    assert q.clean(blank) is None


@pytest.mark.parametrize("value", ["purple", "Red", "red ", ["red"], 1, {"red": "Red"}])
def test_single_rejects_anything_but_one_option_value(value: Any) -> None:
    assert rejects(SINGLE, value) == "Choose one of the answers shown"


def test_scale_rejects_a_label_instead_of_a_value() -> None:
    assert rejects(SCALE, "Agree") == "Choose one of the answers shown"


def test_scale_question_keeps_option_order() -> None:
    assert SCALE.options.values == ["disagree", "neutral", "agree"]
    assert SCALE.type_code == "scale"
    assert SINGLE.type_code == "single"


# -- multiple -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [
        (["fish", "cat"], ["cat", "fish"]),
        (["bird", "dog", "cat"], ["cat", "dog", "bird"]),
        (["dog", "cat"], ["cat", "dog"]),
    ],
)
def test_multiple_returns_ticked_options_in_option_order(ticked: list[str], expected: list[str]) -> None:
    assert MULTIPLE.clean(ticked) == expected


@pytest.mark.parametrize("blank", [None, []])
def test_multiple_blank_is_no_answer(blank: Any) -> None:
    assert MULTIPLE.clean(blank) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("cat", "Choose one or more of the answers shown"),
        ({"cat": True}, "Choose one or more of the answers shown"),
        (["cat", "hamster"], "Choose one of the answers shown"),
        (["cat", None], "Choose one of the answers shown"),
        (["cat", "cat"], "Choose each answer only once"),
        (["cat", "dog", "cat"], "Choose each answer only once"),
        (["cat"], "Choose at least 2 answers"),
        (["cat", "dog", "fish", "bird"], "Choose no more than 3 answers"),
    ],
)
def test_multiple_rejections(value: Any, message: str) -> None:
    assert rejects(MULTIPLE, value) == message


def test_multiple_without_bounds_accepts_one_or_all() -> None:
    q = question(
        """
        id: m
        type: multiple
        label: Any?
        options: {x: X, y: Y}
        """
    )
    assert q.clean(["y"]) == ["y"]
    assert q.clean(["y", "x"]) == ["x", "y"]


# -- ranking ------------------------------------------------------------------------------


def test_ranking_keeps_the_order_given() -> None:
    assert RANK_ALL.clean(["c", "a", "b"]) == ["c", "a", "b"]
    assert RANK_ALL.clean(["b", "c", "a"]) == ["b", "c", "a"]


@pytest.mark.parametrize("value", [["d"], ["d", "a"], ["b", "a"]])
def test_ranking_top_n_accepts_one_to_n_places(value: list[str]) -> None:
    assert RANK_TOP.clean(value) == value


@pytest.mark.parametrize(
    ("q", "value", "message"),
    [
        (RANK_ALL, ["a", "b"], "Put all 3 answers in order"),
        (RANK_ALL, ["a"], "Put all 3 answers in order"),
        (RANK_ALL, ["a", "b", "b"], "You chose 'B' more than once: choose each one only once"),
        (RANK_ALL, ["a", "b", "z"], "Choose one of the answers shown"),
        (RANK_ALL, "a", "Put the answers in order"),
        (RANK_TOP, ["a", "b", "c"], "Choose no more than 2"),
        (RANK_TOP, ["a", "a"], "You chose 'A' more than once: choose each one only once"),
    ],
)
def test_ranking_rejections(q: Any, value: Any, message: str) -> None:
    assert rejects(q, value) == message


def test_a_version_stored_before_the_places_check_still_reads_capped() -> None:
    # A ranking with more places than options was capped silently before `forms check` refused it; a version
    # stored then must still read, or its responses would stop analysing.
    definition = {
        "slug": "s", "title": "S", "audience": "young_people", "purpose": "voice",
        "sections": [{"title": "P", "questions": [
            {"id": "r", "type": "ranking", "label": "R", "options": {"a": "A", "b": "B"}, "max_choices": 5}
        ]}],
    }  # fmt: skip
    with pytest.raises(DefinitionError, match="is more than the 2 options to rank"):
        parse_survey(definition)
    ranking = parse_survey(definition, "survey_version 1", stored=True).by_id["r"]
    assert isinstance(ranking, RankingQuestion)
    assert ranking.places == 2


def test_ranking_places_as_many_as_the_options() -> None:
    # More places than options is refused by `forms check` (tests/forms/test_definition_errors.py).
    q = question(
        """
        id: r
        type: ranking
        label: Rank
        options: {a: A, b: B}
        max_choices: 2
        """
    )
    assert q.places == 2
    assert q.field_names() == ["r-1", "r-2"]
    assert q.clean(["b", "a"]) == ["b", "a"]
    assert rejects(q, ["b", "a", "a"]) == "You chose 'A' more than once: choose each one only once"


# -- matrix -------------------------------------------------------------------------------


def test_matrix_returns_answered_rows_in_row_order() -> None:
    clean = MATRIX.clean({"content": "good", "quality": "poor"})
    assert clean == {"quality": "poor", "content": "good"}
    assert list(clean) == ["quality", "content"]


def test_matrix_not_required_accepts_some_rows_and_skips_null_rows() -> None:
    assert MATRIX.clean({"content": "good"}) == {"content": "good"}
    assert MATRIX.clean({"content": "good", "quality": None}) == {"content": "good"}
    assert MATRIX.clean({"quality": None}) is None


@pytest.mark.parametrize("blank", [None, {}])
def test_matrix_blank_is_no_answer(blank: Any) -> None:
    assert MATRIX.clean(blank) is None


@pytest.mark.parametrize(
    ("q", "value", "message"),
    [
        (MATRIX, {"price": "good"}, "'price' is not one of the rows"),
        (MATRIX, {"quality": "good", "venue": "poor"}, "'venue' is not one of the rows"),
        (MATRIX, ["quality", "good"], "Choose an answer in each row"),
        (MATRIX, "good", "Choose an answer in each row"),
        (MATRIX, {"quality": "excellent"}, "Choose one of the answers shown"),
        (MATRIX, {"quality": ["good"]}, "Choose one of the answers shown"),
        (MATRIX_REQUIRED, {"quality": "good"}, "Choose an answer for 'Content'"),
        (MATRIX_REQUIRED, {"content": "good"}, "Choose an answer for 'Quality'"),
    ],
)
def test_matrix_rejections(q: Any, value: Any, message: str) -> None:
    assert rejects(q, value) == message


def test_required_matrix_accepts_every_row() -> None:
    assert MATRIX_REQUIRED.clean({"quality": "good", "content": "poor"}) == {"quality": "good", "content": "poor"}


def test_matrix_has_no_option_values_for_show_if() -> None:
    assert MATRIX.option_values() is None
    assert SINGLE.option_values() == ["red", "green", "blue"]


# -- shared ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "message"),
    [
        (SINGLE, "Choose an answer to 'Favourite colour?'"),
        (SCALE, "Choose an answer to 'I feel safe.'"),
        (MULTIPLE, "Choose an answer to 'Which pets?'"),
        (MATRIX, "Choose an answer in each row of 'Rate the course'"),
        (RANK_ALL, "Choose your 1st choice"),
    ],
)
def test_required_messages(q: Any, message: str) -> None:
    assert q.required_message() == message


def test_options_from_a_named_scale_are_the_scale_in_order() -> None:
    s = survey(
        """
        slug: s
        title: T
        audience: delegates
        purpose: voice
        scales:
          rating4: {poor: Poor, fair: Fair, good: Good, very_good: Very good}
        sections:
          - title: One
            questions:
              - {id: a, type: scale, label: A, scale: rating4}
              - {id: b, type: multiple, label: B, scale: rating4}
              - {id: c, type: matrix, label: C, scale: rating4, rows: {x: X}}
        """
    )
    for q in s.questions:
        assert q.options.values == ["poor", "fair", "good", "very_good"]
        assert q.options.label("very_good") == "Very good"
