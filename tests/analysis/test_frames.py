"""answers_frame: the long answer table becomes one typed row per response."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis import answers_frame
from analysis.frames import ANSWER_COLUMNS, pandas_dtype, rows_frame
from forms.engine import to_cells
from forms.questions import QUESTION_TYPES, AnalysisColumn, Question
from tests.forms.helpers import survey_of

SURVEY = survey_of(
    """
    - id: colour
      type: single
      label: Colour
      options: {red: Red, green: Green, blue: Blue}
    - id: safe
      type: scale
      label: Safe
      options: {disagree: Disagree, neutral: Not sure, agree: Agree}
    - id: pets
      type: multiple
      label: Pets
      options: {cat: Cat, dog: Dog, fish: Fish}
    - id: rank
      type: ranking
      label: Rank
      options: {a: A, b: B, c: C}
      max_choices: 3
    - id: grid
      type: matrix
      label: Grid
      rows: {quality: Quality, content: Content}
      options: {poor: Poor, fair: Fair, good: Good}
    - id: times
      type: number
      label: Times
      integer: true
    - id: note
      type: text
      label: Note
    - id: story
      type: textarea
      label: Story
    """
)

# (response_id, question_id, row_key, position, value_text, value_number), deliberately out of order
ROWS = [
    ("r2", "pets", "", 1, "fish", 3.0),
    ("r1", "colour", "", 0, "green", 2.0),
    ("r1", "safe", "", 0, "agree", 3.0),
    ("r1", "pets", "", 1, "dog", 2.0),
    ("r1", "pets", "", 0, "cat", 1.0),
    ("r1", "rank", "", 2, "a", 2.0),
    ("r1", "rank", "", 1, "c", 1.0),
    ("r1", "grid", "content", 0, "fair", 2.0),
    ("r1", "grid", "quality", 0, "good", 3.0),
    ("r1", "times", "", 0, None, 4.0),
    ("r1", "note", "", 0, "More clubs", None),
    ("r2", "safe", "", 0, "disagree", 1.0),
    ("r2", "pets", "", 0, "dog", 2.0),
    ("r2", "grid", "quality", 0, "poor", 1.0),
    ("r2", "story", "", 0, "Line one\nLine two", None),
    ("r3", "colour", "", 0, "blue", 3.0),
    ("r3", "times", "", 0, None, 0.0),
    ("r3", "unknown_question", "", 0, "ignored", None),
]


def long_frame(rows: list[tuple[Any, ...]] = ROWS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
    frame["extra_column"] = "not used"
    return frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return answers_frame(SURVEY, long_frame())


def test_one_row_per_response_in_first_seen_order(frame: pd.DataFrame) -> None:
    assert frame.index.name == "response_id"
    assert list(frame.index) == ["r2", "r1", "r3"]


def test_one_column_per_question_and_per_matrix_row(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == [
        "colour",
        "safe",
        "pets",
        "rank",
        "grid.quality",
        "grid.content",
        "times",
        "note",
        "story",
    ]


def test_single_is_an_unordered_categorical_with_the_options(frame: pd.DataFrame) -> None:
    dtype = frame["colour"].dtype
    assert isinstance(dtype, pd.CategoricalDtype)
    assert list(dtype.categories) == ["red", "green", "blue"]
    assert not dtype.ordered
    assert frame.loc["r1", "colour"] == "green"
    assert frame.loc["r3", "colour"] == "blue"
    assert pd.isna(frame.loc["r2", "colour"])


def test_scale_is_an_ordered_categorical_in_scale_order(frame: pd.DataFrame) -> None:
    dtype = frame["safe"].dtype
    assert isinstance(dtype, pd.CategoricalDtype)
    assert dtype.ordered
    assert list(dtype.categories) == ["disagree", "neutral", "agree"]
    assert list(frame["safe"] >= "neutral") == [False, True, False]
    assert list(frame["safe"].cat.codes) == [0, 2, -1]
    assert pd.isna(frame.loc["r3", "safe"])


def test_multiple_and_ranking_are_lists_in_position_order(frame: pd.DataFrame) -> None:
    assert frame.loc["r1", "pets"] == ["cat", "dog"]
    assert frame.loc["r2", "pets"] == ["dog", "fish"]
    assert frame.loc["r1", "rank"] == ["c", "a"]
    assert pd.isna(frame.loc["r3", "pets"])
    assert pd.isna(frame.loc["r2", "rank"])


def test_matrix_rows_are_ordered_categorical_columns(frame: pd.DataFrame) -> None:
    for column in ("grid.quality", "grid.content"):
        dtype = frame[column].dtype
        assert isinstance(dtype, pd.CategoricalDtype)
        assert dtype.ordered
        assert list(dtype.categories) == ["poor", "fair", "good"]
    assert frame.loc["r1", "grid.quality"] == "good"
    assert frame.loc["r1", "grid.content"] == "fair"
    assert frame.loc["r2", "grid.quality"] == "poor"
    assert pd.isna(frame.loc["r2", "grid.content"])
    assert pd.isna(frame.loc["r3", "grid.quality"])


def test_number_is_nullable_float(frame: pd.DataFrame) -> None:
    assert frame["times"].dtype == "Float64"
    assert frame.loc["r1", "times"] == 4.0
    assert frame.loc["r3", "times"] == 0.0
    assert frame.loc["r2", "times"] is pd.NA
    assert frame["times"].mean() == 2.0


def test_text_is_a_string_column(frame: pd.DataFrame) -> None:
    for column in ("note", "story"):
        assert isinstance(frame[column].dtype, pd.StringDtype)
    assert frame.loc["r1", "note"] == "More clubs"
    assert frame.loc["r2", "story"] == "Line one\nLine two"
    assert frame.loc["r2", "note"] is pd.NA
    assert frame.loc["r3", "story"] is pd.NA


def test_no_answers_at_all_gives_an_empty_typed_frame() -> None:
    frame = answers_frame(SURVEY, long_frame([]))
    assert len(frame) == 0
    assert "grid.content" in frame.columns
    assert frame["times"].dtype == "Float64"


def test_a_question_nobody_answered_is_all_missing() -> None:
    frame = answers_frame(SURVEY, long_frame([("r1", "note", "", 0, "hi", None)]))
    assert list(frame.index) == ["r1"]
    assert frame.loc["r1", "note"] == "hi"
    assert frame[["colour", "safe", "pets", "rank", "grid.quality", "times", "story"]].isna().all().all()


def test_frame_from_the_engines_own_cells_matches_the_answers() -> None:
    answers = {
        "r1": {"colour": "red", "pets": ["fish", "cat"], "rank": ["b", "c", "a"], "grid": {"content": "good"}},
        "r2": {"safe": "neutral", "times": 12, "note": "Quieter buses"},
    }
    rows = []
    for response_id, given in answers.items():
        clean = {qid: SURVEY.by_id[qid].clean(value) for qid, value in given.items()}
        for qid, cell in to_cells(SURVEY, clean):
            rows.append((response_id, qid, cell.row, cell.position, cell.text, cell.number))
    frame = answers_frame(SURVEY, long_frame(rows))
    assert frame.loc["r1", "pets"] == ["cat", "fish"]
    assert frame.loc["r1", "rank"] == ["b", "c", "a"]
    assert frame.loc["r1", "grid.content"] == "good"
    assert frame.loc["r2", "safe"] == "neutral"
    assert frame.loc["r2", "times"] == 12
    assert frame.loc["r2", "note"] == "Quieter buses"
    assert pd.isna(frame.loc["r2", "colour"])


def test_every_column_has_the_dtype_its_question_type_names(frame: pd.DataFrame) -> None:
    specs = [spec for q in SURVEY.questions for spec in q.analysis_columns()]
    assert list(frame.columns) == [spec.name for spec in specs]
    assert {name: frame[name].dtype for name in frame.columns} == {spec.name: pandas_dtype(spec) for spec in specs}
    assert {spec.name: spec.dtype for spec in specs} == {
        "colour": "category",
        "safe": "category",
        "pets": "object",
        "rank": "object",
        "grid.quality": "category",
        "grid.content": "category",
        "times": "Float64",
        "note": "string",
        "story": "string",
    }


@pytest.fixture
def stars_type() -> Iterator[type[Question]]:
    """A question type added as a plugin, registered for one test only."""

    class StarsQuestion(Question):
        """Up to five stars, stored as a number."""

        type_code = "stars"

        def clean(self, value: Any) -> Any:
            return value

        def analysis_columns(self) -> list[AnalysisColumn]:
            return [AnalysisColumn(self.id, "Int64", source="value_number")]

    try:
        yield StarsQuestion
    finally:
        QUESTION_TYPES.pop("stars")


def test_a_new_question_type_gets_its_columns_without_changing_analysis(stars_type: type[Question]) -> None:
    survey = survey_of("- {id: rating, type: stars, label: Rating}\n- {id: note, type: text, label: Note}")
    rows = [("r1", "rating", "", 0, None, 4.0), ("r2", "note", "", 0, "ok", None)]
    frame = answers_frame(survey, long_frame(rows))
    assert list(frame.columns) == ["rating", "note"]
    assert frame["rating"].dtype == "Int64"
    assert frame.loc["r1", "rating"] == 4
    assert frame.loc["r2", "rating"] is pd.NA


def test_a_question_type_without_analysis_columns_fails_loudly() -> None:
    class Unanalysed(Question):
        """A type that forgot to say how its answers are analysed (not registered)."""

    survey = survey_of("- {id: note, type: text, label: Note}")
    odd = Unanalysed(id="odd", label="Odd")
    broken = dataclasses.replace(
        survey, sections=(dataclasses.replace(survey.sections[0], questions=(*survey.questions, odd)),)
    )
    with pytest.raises(NotImplementedError, match=r"Unanalysed.*analysis_columns\(\)"):
        answers_frame(broken, long_frame([("r1", "odd", "", 0, "x", None)]))


class _Record:
    """A driver's row that is neither a tuple nor a list (as asyncpg's records are)."""

    def __init__(self, *values: Any) -> None:
        self._values = values

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, at: int) -> Any:
        return self._values[at]


@pytest.mark.parametrize("make", [tuple, list, lambda row: _Record(*row)], ids=["tuples", "lists", "records"])
def test_rows_frame_keeps_every_value_as_given_in_object_columns(make: Any) -> None:
    rows = [
        (b"\x00\x01", 1, "key-1", None, ("a", "b"), ["c"], 2.5),
        (b"\x00\x02", 2, "", "text", None, [], float("nan")),
    ]
    frame = rows_frame([make(row) for row in rows], list("abcdefg"))
    assert frame.shape == (2, 7)
    assert list(frame.columns) == list("abcdefg")
    assert all(dtype == np.dtype(object) for dtype in frame.dtypes)
    for at, row in enumerate(rows):
        for column, value in zip("abcdefg", row, strict=True):
            cell = frame[column].iloc[at]
            if isinstance(value, float) and value != value:
                assert cell != cell
            else:
                assert type(cell) is type(value)
                assert cell == value


def test_rows_frame_of_no_rows_has_the_columns() -> None:
    frame = rows_frame([], ["a", "b"])
    assert frame.shape == (0, 2)
    assert list(frame.columns) == ["a", "b"]
    assert all(dtype == np.dtype(object) for dtype in frame.dtypes)
