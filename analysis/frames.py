"""Turn stored answer rows (one row per answer piece) into a DataFrame of one row per response."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from forms import Survey
from forms.questions import AnalysisColumn

#: The columns of the long answer table, as stored.
ANSWER_COLUMNS = ["response_id", "question_id", "row_key", "position", "value_text", "value_number"]


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
