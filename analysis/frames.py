"""Turn stored answer rows (one row per answer piece) into a DataFrame of one row per response."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis.lazy import LazyModule
from forms import Survey
from forms.questions import AnalysisColumn

if TYPE_CHECKING:
    import pandas as pd
    from pandas.api.extensions import ExtensionDtype
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

#: The columns of the long answer table, as stored.
ANSWER_COLUMNS = ["response_id", "question_id", "row_key", "position", "value_text", "value_number"]
#: The same across versions: each row also names the survey version its response answered.
VERSIONED_ANSWER_COLUMNS = ["response_id", "version", *ANSWER_COLUMNS[1:]]
#: The column of a multi-version frame that holds each response's version.
#: Why the underscore: question ids start with a letter, so no question can take this name.
VERSION_COLUMN = "_version"


def rows_frame(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Rows as a database driver gives them as a frame of object columns (no type guessing: text stays str).

    Why object columns: pandas would otherwise check every value into its own string type, which
    costs more than reading 100,000 rows. Why rows handed to pandas as they are: it places them in
    one pass without looking into the values (0.03 s for 100,000 rows of 11, against 0.06 s through
    a 2-D numpy array, which also looks into each value in case it is a sequence to unpack).
    """
    if not rows:
        return pd.DataFrame(np.empty((0, len(columns)), dtype=object), columns=list(columns), dtype=object)
    # Why tuples: pandas reads rows that are tuples or lists as rows; a driver's own record type is made one.
    table = rows if isinstance(rows[0], tuple | list) else [tuple(row) for row in rows]
    return pd.DataFrame(table, columns=list(columns), dtype=object)


class IncompatibleVersions(ValueError):
    """Two versions of a survey hold a question's answers in ways one column cannot."""


def pandas_dtype(column: AnalysisColumn) -> ExtensionDtype | np.dtype[Any]:
    """The pandas dtype a column spec names."""
    if column.categories:
        return pd.CategoricalDtype(categories=list(column.categories), ordered=column.ordered)
    return pd.api.types.pandas_dtype(column.dtype)


def _column(column: AnalysisColumn, cells: pd.DataFrame | None, responses: pd.Index) -> pd.Series:
    """One typed column over every response, from the cells of one question (and matrix row)."""
    if cells is None:
        cells = pd.DataFrame({"response_id": [], "position": [], column.source: []})
    if column.many:
        ordered = cells.sort_values(["response_id", "position"])
        series = ordered.groupby("response_id", sort=False)[column.source].agg(list)
    else:
        series = cells.set_index("response_id")[column.source]
    # Typed after reindexing, so a column nobody answered still has its dtype.
    return series.reindex(responses).astype(pandas_dtype(column)).rename(column.name)


def _frame(columns: Iterable[tuple[str, AnalysisColumn]], long: pd.DataFrame, responses: pd.Index) -> pd.DataFrame:
    """The typed columns, each filled from the cells of its (question id, row key)."""
    cells = {key: group for key, group in long.groupby(["question_id", "row_key"], sort=False)}
    data = {spec.name: _column(spec, cells.get((qid, spec.row_key)), responses) for qid, spec in columns}
    return pd.DataFrame(data, index=responses)


def answers_frame(survey: Survey, answers: pd.DataFrame) -> pd.DataFrame:
    """One row per response, one column per analysis column of each question, in survey order.

    Each question type says which columns it becomes and their dtypes (`analysis_columns()`):
    single/scale are categoricals (ordered for scales), multiple/ranking lists in order,
    number nullable floats, text/textarea strings, a matrix one ordered categorical per row
    named `question.row`. Answers to questions not in the survey are ignored; a question type
    that does not define its columns raises NotImplementedError rather than being dropped.
    """
    long = answers.loc[:, ANSWER_COLUMNS]
    responses = pd.Index(long["response_id"].unique(), name="response_id")
    columns = [(q.id, spec) for q in survey.questions for spec in q.analysis_columns()]
    return _frame(columns, long, responses)


def _shape(spec: AnalysisColumn) -> tuple[str, str, bool, str]:
    """What must agree for two versions' answers to share a column."""
    return spec.dtype, spec.source, spec.many, spec.row_key


def _merge(name: str, specs: list[tuple[str, AnalysisColumn]]) -> AnalysisColumn:
    """One column for every version's spec of it (newest first): categories joined, newest order first."""
    newest_version, newest = specs[0]
    for version, spec in specs[1:]:
        if _shape(spec) != _shape(newest):
            raise IncompatibleVersions(
                f"column '{name}' is {spec.dtype} in version {version} but {newest.dtype} in version "
                f"{newest_version}: a question whose answers change kind needs a new id"
            )
    categories = tuple(dict.fromkeys(c for _, spec in specs for c in spec.categories))
    return replace(newest, categories=categories)


def versions_frame(
    versions: Mapping[str, Survey], answers: pd.DataFrame, questions: Collection[str] | None = None
) -> pd.DataFrame:
    """One frame for responses to several versions of a survey, each response with its version.

    `versions` maps each stored version to its definition, oldest first (the last is the
    current one); `answers` has VERSIONED_ANSWER_COLUMNS. Columns follow the current version,
    then columns only older versions had (newest first), so old answers keep their column.
    A column's categories join every version's options (current order first) and take the
    newest version's ordering; answers that change kind (say text to number) raise
    IncompatibleVersions. `_version` is an ordered categorical of the versions, oldest first.
    A cell is read only when its version asked its question; a version missing from
    `versions` raises ValueError. Given `questions` (ids), only their columns are built, so a report
    of some questions is not stopped by another question whose answers changed kind.
    """
    if not versions:
        raise ValueError("versions_frame needs the definition of at least one version")
    long = answers.loc[:, VERSIONED_ANSWER_COLUMNS]
    unknown = sorted(set(long["version"].unique()) - set(versions))
    if unknown:
        raise ValueError(f"answers to versions with no definition given: {', '.join(map(str, unknown))}")
    newest_first = list(reversed(list(versions.items())))
    by_name: dict[str, list[tuple[str, AnalysisColumn]]] = {}
    question_of: dict[str, str] = {}
    for version, survey in newest_first:
        for question in survey.questions:
            if questions is not None and question.id not in questions:
                continue
            for spec in question.analysis_columns():
                by_name.setdefault(spec.name, []).append((version, spec))
                question_of.setdefault(spec.name, question.id)
    asked = pd.MultiIndex.from_tuples(
        [(version, q.id) for version, survey in versions.items() for q in survey.questions],
        names=["version", "question_id"],
    )
    first = long.drop_duplicates("response_id").set_index("response_id")["version"]
    responses = pd.Index(first.index, name="response_id")
    # Why: a cell whose version never asked its question is not an answer to the column of that name.
    long = long[pd.MultiIndex.from_frame(long[["version", "question_id"]]).isin(asked)]
    columns = [(question_of[name], _merge(name, specs)) for name, specs in by_name.items()]
    frame = _frame(columns, long, responses)
    version_dtype = pd.CategoricalDtype(categories=list(versions), ordered=True)
    frame.insert(0, VERSION_COLUMN, first.astype(version_dtype).reindex(responses))
    return frame
