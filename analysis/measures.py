"""Questions found by their `measure:` tag in each version answered, never by their ids.

Every version of a definition may put a measure on a different question (or leave it out); a
response is read through the question its own version tagged, so older answers count under the
version they answered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.frames import VERSION_COLUMN
from analysis.lazy import LazyModule
from forms import Survey
from forms.questions import Options, Question
from forms.questions._choice import ChoiceQuestion, SingleChoiceQuestion
from forms.questions.matrix import MatrixQuestion

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")


#: Measures whose options are written lowest first on a plain single choice as on a scale.
LOWEST_FIRST = frozenset({"change_intent"})


def favourable_options(question: ChoiceQuestion) -> list[str]:
    """The options that count as the good end: the upper half of a scale, the first half of a list.

    A rating or likelihood scale runs worst to best (poor ... very good), so "good or better" is its
    top half (2 of 4, 2 of 5: the middle of an odd scale is neutral). A plain single choice is
    written best first ("Yes, significantly", "Yes, a little", "Not yet", "No"), so its first half,
    except for a measure docs/forms.md writes lowest first whatever the type (`change_intent`:
    very unlikely ... very likely).
    """
    values = question.options.values
    half = len(values) // 2
    lowest_first = question.measure in LOWEST_FIRST or (isinstance(question, SingleChoiceQuestion) and question.ordered)
    if isinstance(question, MatrixQuestion) or lowest_first:
        return values[len(values) - half :]
    return values[:half]


def _per_version(
    frame: pd.DataFrame,
    versions: Mapping[str, Survey],
    read: Callable[[Survey, pd.DataFrame], pd.Series | None],
    dtype: Any = "object",
    version_rows: Mapping[str, np.ndarray[Any, Any]] | None = None,
) -> pd.Series:
    """One value per response, read by each version's own reader from that version's rows.

    `read` gives values of `dtype` ("boolean", "Float64" or "object"; NA when unanswered). With
    "object", a categorical read by one version answered by every response is kept as it is.
    `version_rows` (from `_version_rows`) saves comparing the version column again.
    """
    out: pd.Series = pd.Series(pd.NA, index=frame.index, dtype=dtype)
    if frame.empty:
        return out
    rows_of = version_rows if version_rows is not None else _version_rows(frame, versions)
    for version, survey in versions.items():
        rows = rows_of[version]
        if not rows.any():
            continue
        every = bool(rows.all())
        values = read(survey, frame if every else frame.loc[rows])
        if values is None:
            continue
        if dtype == "object" and not (every and isinstance(values.dtype, pd.CategoricalDtype)):
            values = values.astype(object).where(values.notna(), pd.NA)
        if every:
            # Why: one version answered by every response (the usual case) needs no masked assignment,
            # which costs about a tenth of a second per measure at 100,000 responses.
            return values.rename(None)
        out.loc[rows] = values.to_numpy(dtype=object) if dtype == "object" else values.array
    return out


def _version_rows(frame: pd.DataFrame, versions: Mapping[str, Survey]) -> dict[str, np.ndarray[Any, Any]]:
    """Which responses answered each version (a comparison of 100,000 versions costs about 9 ms)."""
    version_of = frame[VERSION_COLUMN]
    return {version: (version_of == version).to_numpy(dtype=bool) for version in versions}


def _coded(column: pd.Series) -> tuple[np.ndarray[Any, Any], pd.Index] | None:
    """A categorical column's codes (-1 when missing) and categories; None for any other column."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return None
    return column.cat.codes.to_numpy(), column.cat.categories


def _choice(survey: Survey, measure: str) -> ChoiceQuestion | None:
    question = survey.by_measure(measure)
    return question if isinstance(question, ChoiceQuestion) else None


def answers(frame: pd.DataFrame, versions: Mapping[str, Survey], measure: str) -> pd.Series:
    """The answer to the question tagged `measure` in each response's version (NA if none)."""

    def read(survey: Survey, rows: pd.DataFrame) -> pd.Series | None:
        question = survey.by_measure(measure)
        return rows[question.id] if question is not None and question.id in rows else None

    values = _per_version(frame, versions, read)
    if isinstance(values.dtype, pd.CategoricalDtype):
        # Why plain values: callers fill, compare and map answers; a categorical (how the frames
        # hold measured choices) refuses a fill value outside its options, such as "Not answered".
        values = values.astype(object).where(values.notna(), pd.NA)
    return values


def favourable(frame: pd.DataFrame, versions: Mapping[str, Survey], measure: str) -> pd.Series:
    """Whether each answer to `measure` is at the good end (a nullable boolean: NA when unanswered)."""

    def read(survey: Survey, rows: pd.DataFrame) -> pd.Series | None:
        question = _choice(survey, measure)
        if question is None or question.id not in rows:
            return None
        return _in(rows[question.id], favourable_options(question))

    return _per_version(frame, versions, read, "boolean")


def _in(column: pd.Series, good: list[str]) -> pd.Series:
    """Whether each answer is one of `good` (a nullable boolean: NA when unanswered)."""
    coded = _coded(column)
    if coded is not None:
        # Why by category: each category is tested once, not each of 100,000 answers.
        codes, categories = coded
        flags = np.asarray(categories.isin(good), dtype=bool)
        values = np.where(codes >= 0, flags[codes], False)
        return pd.Series(pd.arrays.BooleanArray(values, codes < 0), index=column.index)
    plain = column.astype(object)
    return plain.isin(good).astype(object).where(plain.notna()).astype("boolean")


def ordinals(frame: pd.DataFrame, versions: Mapping[str, Survey], measure: str) -> pd.Series:
    """The 1-based position of each answer to `measure` on its version's scale (NA when unanswered)."""

    def read(survey: Survey, rows: pd.DataFrame) -> pd.Series | None:
        question = _choice(survey, measure)
        if question is None or question.id not in rows:
            return None
        options: Options = question.options
        ordinal = {v: options.ordinal(v) for v in options.values}
        coded = _coded(rows[question.id])
        if coded is not None:
            # Why by category: each category is looked up once, not each of 100,000 answers.
            codes, categories = coded
            points = np.array([ordinal.get(c, np.nan) for c in categories], dtype=float)
            values = np.where(codes >= 0, points[codes] if len(points) else np.nan, np.nan)
            return pd.Series(pd.arrays.FloatingArray(np.nan_to_num(values), np.isnan(values)), index=rows.index)
        # Why a mapping and not a call per answer: it is looked up for every response at once.
        return rows[question.id].astype(object).map(ordinal).astype("Float64")

    return _per_version(frame, versions, read, "Float64")


def has_text(frame: pd.DataFrame, versions: Mapping[str, Survey], measure: str) -> pd.Series:
    """Whether each response wrote something other than spaces for the text tagged `measure`."""
    text = answers(frame, versions, measure)
    return text.map(lambda v: bool(str(v).strip()), na_action="ignore").fillna(False).astype(bool)


@dataclass(frozen=True)
class Element:
    """A rated course element (a row of the `element_rating` matrix) and its ratings."""

    id: str
    label: str
    #: The scale's options, worst first, as (value, label).
    options: tuple[tuple[str, str], ...]
    good: tuple[str, ...]
    #: Each response's rating (NA when not rated or not asked).
    ratings: pd.Series
    #: Whether each rating is at the good end of the scale its own version rated on (NA when not rated).
    rated_good: pd.Series


def elements(frame: pd.DataFrame, versions: Mapping[str, Survey]) -> list[Element]:
    """Every element any answered version rated, newest version's order and labels first."""
    found: dict[str, tuple[str, MatrixQuestion]] = {}
    for survey in reversed(list(versions.values())):
        question = survey.by_measure("element_rating")
        if isinstance(question, MatrixQuestion):
            for row, label in question.rows.items:
                found.setdefault(row, (label, question))
    result = []
    version_rows = _version_rows(frame, versions) if not frame.empty else {}
    for row, (label, newest) in found.items():

        def read(survey: Survey, rows: pd.DataFrame, row: str = row) -> pd.Series | None:
            question = survey.by_measure("element_rating")
            column = f"{question.id}.{row}" if question is not None else ""
            return rows[column] if isinstance(question, MatrixQuestion) and column in rows else None

        def read_good(survey: Survey, rows: pd.DataFrame, row: str = row) -> pd.Series | None:
            # Why each version's own scale: an older version rated on five points (... good, excellent)
            # and a newer on four (... good, very good); "excellent" is good though the newest lacks it.
            question = survey.by_measure("element_rating")
            column = f"{question.id}.{row}" if question is not None else ""
            if not isinstance(question, MatrixQuestion) or column not in rows:
                return None
            return _in(rows[column], favourable_options(question))

        options = dict(newest.options.items)
        for survey in versions.values():
            question = survey.by_measure("element_rating")
            if isinstance(question, MatrixQuestion):
                for value, option_label in question.options.items:
                    options.setdefault(value, option_label)
        good = tuple(favourable_options(newest))
        ratings = _per_version(frame, versions, read, version_rows=version_rows)
        rated_good = _per_version(frame, versions, read_good, "boolean", version_rows)
        result.append(Element(row, label, tuple(options.items()), good, ratings, rated_good))
    return result


def question_label(versions: Mapping[str, Survey], measure: str) -> str | None:
    """The newest wording of the question tagged `measure`."""
    for survey in reversed(list(versions.values())):
        question: Question | None = survey.by_measure(measure)
        if question is not None:
            return question.label
    return None
