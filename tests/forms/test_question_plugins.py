"""Each question type says, in its own class, its analysis columns and how to draw a sample answer."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import forms
from forms import Survey, load_surveys, validate_answers
from forms.engine import is_shown
from forms.questions import QUESTION_TYPES, AnalysisColumn, Question
from tests.forms.helpers import question, survey_of

SURVEYS = Path(forms.__file__).parent / "surveys"
SHIPPED = load_surveys(SURVEYS)
SEEDS = range(200)


def seeded(seed: int) -> random.Random:
    """A repeatable generator."""
    return random.Random(seed)  # noqa: S311 - repeatable test data, not security


def sample_response(survey: Survey, rng: random.Random) -> dict[str, Any]:
    """A sample answer to every question shown, given the answers before it."""
    answers: dict[str, Any] = {}
    for q in survey.questions:
        if is_shown(q, answers):
            answers[q.id] = q.sample_answer(rng)
    return answers


@pytest.mark.parametrize("code", sorted(QUESTION_TYPES))
def test_every_type_defines_its_columns_and_sample_answers(code: str) -> None:
    kind = QUESTION_TYPES[code]
    assert kind.analysis_columns is not Question.analysis_columns
    assert kind.sample_answer is not Question.sample_answer


@pytest.mark.parametrize("slug", sorted(SHIPPED))
def test_sample_answers_to_shipped_surveys_are_accepted(slug: str) -> None:
    survey = SHIPPED[slug]
    for seed in SEEDS:
        answers = sample_response(survey, seeded(seed))
        result = validate_answers(survey, answers)
        assert result.ok, (seed, result.errors)
        # A sample is already canonical: cleaning it changes nothing.
        assert result.answers == answers, seed


def test_sample_answers_are_repeatable_and_vary() -> None:
    survey = SHIPPED["working-together-a-evaluation"]
    assert sample_response(survey, seeded(7)) == sample_response(survey, seeded(7))
    drawn = {repr(sample_response(survey, seeded(seed))) for seed in range(20)}
    assert len(drawn) > 10


EDGE_CASES = """
- {id: n_default, type: number, label: N}
- {id: n_min, type: number, label: N, min: 100}
- {id: n_max_negative, type: number, label: N, max: -5}
- {id: n_small, type: number, label: N, min: 0.2, max: 0.3}
- {id: n_whole, type: number, label: N, integer: true, min: -3, max: -1}
- {id: n_point, type: number, label: N, integer: true, min: 7, max: 7}
- {id: m_one, type: multiple, label: M, options: {a: A}}
- {id: m_many, type: multiple, label: M, options: {a: A, b: B, c: C, d: D, e: E}, min_choices: 4}
- {id: m_max, type: multiple, label: M, options: {a: A, b: B, c: C}, max_choices: 1}
- {id: r_all, type: ranking, label: R, options: {a: A, b: B, c: C}}
- {id: r_top, type: ranking, label: R, options: {a: A, b: B, c: C}, max_choices: 2}
- {id: g, type: matrix, label: G, rows: {x: X, y: Y}, options: {lo: Lo, hi: Hi}, required: true}
- {id: t_short, type: text, label: T, max_length: 3}
- {id: t_one, type: text, label: T, max_length: 1}
- {id: ta, type: textarea, label: TA, max_length: 60}
- {id: s, type: scale, label: S, options: {one: One}}
"""


def test_sample_answers_fit_unusual_bounds() -> None:
    survey = survey_of(EDGE_CASES)
    for seed in SEEDS:
        rng = seeded(seed)
        for q in survey.questions:
            value = q.sample_answer(rng)
            assert not q.is_blank(value), (seed, q.id)
            assert q.clean(value) == value, (seed, q.id, value)
        assert validate_answers(survey, sample_response(survey, seeded(seed))).ok


def test_sample_answers_respect_what_each_type_asks() -> None:
    survey = survey_of(EDGE_CASES)
    by_id = survey.by_id
    for seed in SEEDS:
        rng = seeded(seed)
        assert 100 <= by_id["n_min"].sample_answer(rng) <= 110
        assert by_id["n_max_negative"].sample_answer(rng) == -5
        assert isinstance(by_id["n_whole"].sample_answer(rng), int)
        assert len(by_id["m_many"].sample_answer(rng)) >= 4
        assert sorted(by_id["r_all"].sample_answer(rng)) == ["a", "b", "c"]
        assert set(by_id["g"].sample_answer(rng)) == {"x", "y"}
        assert len(by_id["t_short"].sample_answer(rng)) <= 3


def test_a_one_line_box_gets_one_line_and_a_textarea_may_get_more() -> None:
    text = question("id: t\ntype: text\nlabel: T")
    area = question("id: a\ntype: textarea\nlabel: A")
    rng = seeded(1)
    assert all("\n" not in text.sample_answer(rng) for _ in range(50))
    assert any("\n" in area.sample_answer(rng) for _ in range(50))


def test_choice_samples_lean_towards_the_later_options() -> None:
    scale = question("id: s\ntype: scale\nlabel: S\noptions: {poor: Poor, fair: Fair, good: Good}")
    rng = seeded(3)
    drawn = [scale.sample_answer(rng) for _ in range(600)]
    assert drawn.count("good") > drawn.count("fair") > drawn.count("poor") > 0


COLUMNS_SURVEY = survey_of(
    """
    - {id: colour, type: single, label: C, options: {red: Red, blue: Blue}}
    - {id: safe, type: scale, label: S, options: {no: No, yes: Yes}}
    - {id: pets, type: multiple, label: P, options: {cat: Cat, dog: Dog}}
    - {id: rank, type: ranking, label: R, options: {a: A, b: B}}
    - {id: grid, type: matrix, label: G, rows: {q: Q, c: C}, options: {lo: Lo, hi: Hi}}
    - {id: times, type: number, label: T, integer: true}
    - {id: note, type: text, label: N}
    - {id: story, type: textarea, label: S}
    """
)


def test_analysis_columns_of_each_type() -> None:
    columns = {q.id: q.analysis_columns() for q in COLUMNS_SURVEY.questions}
    assert columns == {
        "colour": [AnalysisColumn("colour", "category", categories=("red", "blue"), ordered=False)],
        "safe": [AnalysisColumn("safe", "category", categories=("no", "yes"), ordered=True)],
        "pets": [AnalysisColumn("pets", "object", many=True)],
        "rank": [AnalysisColumn("rank", "object", many=True)],
        "grid": [
            AnalysisColumn("grid.q", "category", row_key="q", categories=("lo", "hi"), ordered=True),
            AnalysisColumn("grid.c", "category", row_key="c", categories=("lo", "hi"), ordered=True),
        ],
        "times": [AnalysisColumn("times", "Float64", source="value_number")],
        "note": [AnalysisColumn("note", "string")],
        "story": [AnalysisColumn("story", "string")],
    }


def test_column_names_and_dtypes_read_as_pairs() -> None:
    pairs = [(c.name, c.dtype) for q in COLUMNS_SURVEY.questions for c in q.analysis_columns()]
    assert pairs[:2] == [("colour", "category"), ("safe", "category")]
    assert ("times", "Float64") in pairs


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dtype": "string", "source": "value_json"}, "source must be one of"),
        ({"dtype": "category"}, "categories go with dtype 'category'"),
        ({"dtype": "string", "categories": ("a",)}, "categories go with dtype 'category'"),
        ({"dtype": "string", "many": True}, "a list column has dtype 'object'"),
    ],
)
def test_a_wrong_column_spec_fails_where_it_is_written(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AnalysisColumn("x", **kwargs)


def test_a_type_that_does_not_define_them_fails_loudly() -> None:
    class Stars(Question):
        """A type written without its analysis columns or sample answers (not registered)."""

    stars = Stars(id="rating", label="Rating")
    with pytest.raises(NotImplementedError, match=r"Stars.*analysis_columns\(\)"):
        stars.analysis_columns()
    with pytest.raises(NotImplementedError, match=r"Stars.*sample_answer\(\)"):
        stars.sample_answer(seeded(0))
