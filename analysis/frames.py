"""Turn stored answer rows (one row per answer piece) into a DataFrame of one row per response."""

from __future__ import annotations

import pandas as pd

from forms import Survey
from forms.questions import Question

#: The columns of the long answer table, as stored.
ANSWER_COLUMNS = ["response_id", "question_id", "row_key", "position", "value_text", "value_number"]


def _categories(question: Question) -> pd.CategoricalDtype:
    options = getattr(question, "options", None)
    values = options.values if options is not None else []
    return pd.CategoricalDtype(categories=values, ordered=question.type_code in ("scale", "matrix"))


def answers_frame(survey: Survey, answers: pd.DataFrame) -> pd.DataFrame:
    """One row per response, one column per question (per row for a matrix), typed by question type.

    single/scale: categorical (ordered for scales); multiple/ranking: list of values in order;
    number: float; text/textarea: string; matrix: an ordered categorical column per row named
    `question.row`. Works on vectorised group-bys, never on JSON.
    """
    long = answers.loc[:, ANSWER_COLUMNS]
    responses = pd.Index(long["response_id"].unique(), name="response_id")
    columns: dict[str, pd.Series] = {}
    for question in survey.questions:
        rows = long[long["question_id"] == question.id]
        if question.dtype == "category":
            series = rows.set_index("response_id")["value_text"].astype(_categories(question))
            columns[question.id] = series.reindex(responses)
        elif question.dtype == "number":
            columns[question.id] = rows.set_index("response_id")["value_number"].astype("Float64").reindex(responses)
        elif question.dtype == "text":
            columns[question.id] = rows.set_index("response_id")["value_text"].astype("string").reindex(responses)
        elif question.dtype == "categories":
            ordered = rows.sort_values(["response_id", "position"])
            lists = ordered.groupby("response_id", sort=False)["value_text"].agg(list)
            columns[question.id] = lists.reindex(responses)
        elif question.dtype == "matrix":
            for row in question.rows.values:  # type: ignore[attr-defined]
                cells = rows[rows["row_key"] == row].set_index("response_id")["value_text"]
                columns[f"{question.id}.{row}"] = cells.astype(_categories(question)).reindex(responses)
    return pd.DataFrame(columns, index=responses)
