"""versions_frame: responses to every version of a survey in one typed frame."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from analysis import VERSION_COLUMN, IncompatibleVersions, answers_frame, versions_frame
from analysis.frames import VERSIONED_ANSWER_COLUMNS
from tests.forms.helpers import survey_of

#: The older version: `purple` and `old_note` and the grid's `content` row are gone in V2.
V1 = survey_of(
    """
    - {id: colour, type: single, label: Colour, options: {red: Red, green: Green, purple: Purple}}
    - {id: old_note, type: text, label: Anything else}
    - {id: safe, type: scale, label: Safe, options: {no: No, yes: Yes}}
    - id: grid
      type: matrix
      label: Grid
      rows: {quality: Quality, content: Content}
      options: {poor: Poor, good: Good}
    """
)
#: The current version: `blue`, the `venue` row and `times` are new; `safe` moved after `grid`.
V2 = survey_of(
    """
    - {id: colour, type: single, label: Colour, options: {red: Red, green: Green, blue: Blue}}
    - id: grid
      type: matrix
      label: Grid
      rows: {quality: Quality, venue: Venue}
      options: {poor: Poor, good: Good}
    - {id: safe, type: scale, label: Safe, options: {no: No, yes: Yes}}
    - {id: times, type: number, label: Times, integer: true}
    """
)
VERSIONS = {"v1": V1, "v2": V2}

# (response_id, version, question_id, row_key, position, value_text, value_number)
ROWS = [
    ("r1", "v1", "colour", "", 0, "purple", 3.0),
    ("r1", "v1", "old_note", "", 0, "Bring back the old room", None),
    ("r1", "v1", "grid", "content", 0, "good", 2.0),
    ("r1", "v1", "grid", "quality", 0, "poor", 1.0),
    ("r2", "v2", "colour", "", 0, "blue", 3.0),
    ("r2", "v2", "grid", "venue", 0, "good", 2.0),
    ("r2", "v2", "safe", "", 0, "yes", 2.0),
    ("r2", "v2", "times", "", 0, None, 3.0),
    # v1 never asked `times`, and v2 no longer asks `old_note`: neither cell is read.
    ("r3", "v1", "times", "", 0, None, 9.0),
    ("r3", "v1", "safe", "", 0, "no", 1.0),
    ("r4", "v2", "old_note", "", 0, "stale", None),
]


def long_frame(rows: list[tuple[Any, ...]] = ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=VERSIONED_ANSWER_COLUMNS)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return versions_frame(VERSIONS, long_frame())


def test_columns_follow_the_current_version_then_the_older_ones(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == [
        VERSION_COLUMN,
        "colour",
        "grid.quality",
        "grid.venue",
        "safe",
        "times",
        "old_note",
        "grid.content",
    ]


def test_every_response_has_a_row_with_its_version(frame: pd.DataFrame) -> None:
    assert frame.index.name == "response_id"
    assert list(frame.index) == ["r1", "r2", "r3", "r4"]
    assert list(frame[VERSION_COLUMN]) == ["v1", "v2", "v1", "v2"]
    dtype = frame[VERSION_COLUMN].dtype
    assert isinstance(dtype, pd.CategoricalDtype)
    assert dtype.ordered
    assert list(dtype.categories) == ["v1", "v2"]


def test_a_question_only_older_versions_asked_keeps_its_answers(frame: pd.DataFrame) -> None:
    assert frame.loc["r1", "old_note"] == "Bring back the old room"
    assert isinstance(frame["old_note"].dtype, pd.StringDtype)
    assert frame.loc["r1", "grid.content"] == "good"
    assert frame["grid.content"].dtype.ordered


def test_categories_join_every_versions_options(frame: pd.DataFrame) -> None:
    dtype = frame["colour"].dtype
    assert list(dtype.categories) == ["red", "green", "blue", "purple"]
    assert not dtype.ordered
    assert frame.loc["r1", "colour"] == "purple"
    assert frame.loc["r2", "colour"] == "blue"


def test_cells_a_version_never_asked_are_not_read(frame: pd.DataFrame) -> None:
    assert frame.loc["r3", "times"] is pd.NA
    assert frame.loc["r3", "safe"] == "no"
    assert frame.loc["r4"].drop(VERSION_COLUMN).isna().all()
    assert frame.loc["r2", "times"] == 3


def test_one_version_gives_the_single_version_frame_plus_the_version() -> None:
    rows = [row for row in ROWS if row[1] == "v2"]
    frame = versions_frame({"v2": V2}, long_frame(rows))
    plain = answers_frame(V2, long_frame(rows).drop(columns="version"))
    # r4 answered only a question v2 does not ask, so the plain frame has no answer for it either.
    pd.testing.assert_frame_equal(frame.drop(columns=VERSION_COLUMN), plain)


def test_no_answers_gives_an_empty_typed_frame() -> None:
    frame = versions_frame(VERSIONS, long_frame([]))
    assert len(frame) == 0
    assert frame["times"].dtype == "Float64"
    assert "grid.content" in frame.columns


def test_answers_to_a_version_with_no_definition_are_an_error() -> None:
    with pytest.raises(ValueError, match="no definition given: v0"):
        versions_frame(VERSIONS, long_frame([*ROWS, ("r9", "v0", "colour", "", 0, "red", 1.0)]))


def test_no_versions_at_all_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one version"):
        versions_frame({}, long_frame([]))


def test_a_question_whose_answers_change_kind_is_an_error() -> None:
    numbers = survey_of("- {id: old_note, type: number, label: How many}")
    with pytest.raises(IncompatibleVersions, match="'old_note' is string in version v1 but Float64 in version v3"):
        versions_frame({**VERSIONS, "v3": numbers}, long_frame())


def test_a_scale_that_became_a_single_takes_the_newest_ordering() -> None:
    single = survey_of("- {id: safe, type: single, label: Safe, options: {no: No, yes: Yes, unsure: Not sure}}")
    frame = versions_frame({**VERSIONS, "v3": single}, long_frame())
    dtype = frame["safe"].dtype
    assert not dtype.ordered
    assert list(dtype.categories) == ["no", "yes", "unsure"]
    assert frame.loc["r2", "safe"] == "yes"
