"""Training facts: one row per delegate with what their evaluation and follow-up said.

The loader hands over plain frames (courses, sessions, delegates, follow-up invitations) and each
survey's answers; every figure in the report is then a count over these facts, so a course, a
session, a period or a sector is only a different subset of the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from analysis import measures
from analysis.lazy import LazyModule
from analysis.periods import financial_year, quarter
from forms import Survey

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

#: The column of a survey frame holding each response's respondent key (the delegate's pseudonym).
RESPONDENT_COLUMN = "_respondent"
#: The column of a survey frame holding when each response was stored.
SUBMITTED_COLUMN = "_submitted_at"

COURSE_COLUMNS = ["course_id", "course", "evaluation_survey", "follow_up_survey"]
SESSION_COLUMNS = ["session_id", "course_id", "date", "mode"]
DELEGATE_COLUMNS = ["delegate_id", "session_id", "sector", "organisation", "attended", "pseudonym"]
#: Follow-up invitations: one row per delegate with one, `sent` when its email has gone.
INVITATION_COLUMNS = ["delegate_id", "sent"]


@dataclass(frozen=True)
class SurveyAnswers:
    """A survey's responses (one row each, with RESPONDENT_COLUMN) and the definition of each version."""

    frame: pd.DataFrame
    versions: Mapping[str, Survey]


@dataclass(frozen=True)
class TrainingData:
    """Everything the training report reads, as plain frames."""

    courses: pd.DataFrame
    sessions: pd.DataFrame
    delegates: pd.DataFrame
    follow_up_invitations: pd.DataFrame
    #: Answers by survey slug: each course's evaluation and follow-up surveys.
    surveys: Mapping[str, SurveyAnswers]


@dataclass(frozen=True)
class ElementSpec:
    """A rated course element as the newest definition words it."""

    label: str
    options: tuple[tuple[str, str], ...]
    good: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    """Sessions, delegate facts and element ratings, ready to count."""

    #: SESSION_COLUMNS plus course, financial_year and quarter.
    sessions: pd.DataFrame
    #: One row per delegate: their session's columns, and what their answers said (see DELEGATE_FACTS).
    delegates: pd.DataFrame
    #: One row per element rating: delegate_id, element, rating, good.
    ratings: pd.DataFrame
    #: Elements by id, in the order the newest definitions list them.
    elements: dict[str, ElementSpec] = field(default_factory=dict)

    def where_sessions(self, mask: pd.Series) -> Facts:
        """The facts of the sessions `mask` selects (a boolean series over `sessions`)."""
        sessions = self.sessions[mask]
        delegates = self.delegates[self.delegates["session_id"].isin(sessions["session_id"])]
        return self._with(sessions, delegates)

    def where_delegates(self, mask: pd.Series) -> Facts:
        """The facts of the delegates `mask` selects, and only the sessions they were on."""
        delegates = self.delegates[mask]
        sessions = self.sessions[self.sessions["session_id"].isin(delegates["session_id"])]
        return self._with(sessions, delegates)

    def _with(self, sessions: pd.DataFrame, delegates: pd.DataFrame) -> Facts:
        ratings = self.ratings[self.ratings["delegate_id"].isin(delegates["delegate_id"])]
        return Facts(sessions, delegates, ratings, self.elements)


def _first_per_respondent(answers: SurveyAnswers) -> pd.DataFrame:
    """Responses with a respondent key, the first one each (a repeat never counts twice)."""
    frame = answers.frame
    keyed = frame[frame[RESPONDENT_COLUMN].notna()]
    if SUBMITTED_COLUMN in keyed:
        keyed = keyed.sort_values(SUBMITTED_COLUMN, kind="stable")
    return keyed.drop_duplicates(RESPONDENT_COLUMN)


def _evaluation_table(
    slug: str, answers: SurveyAnswers, first_row: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, ElementSpec]]:
    """Per respondent: intention and confidence; and their element ratings, long.

    Each evaluation is numbered from `first_row` ("evaluation_row"); its ratings carry that number,
    so they are joined to delegates by an integer rather than by key and survey.
    """
    frame = _first_per_respondent(answers)
    versions = answers.versions
    numbers = np.arange(first_row, first_row + len(frame), dtype=np.int64)
    table = pd.DataFrame(
        {
            "pseudonym": frame[RESPONDENT_COLUMN].astype(str),
            "evaluation_survey": slug,
            "evaluated": True,
            "intends": measures.favourable(frame, versions, "change_intent"),
            "confidence_before": measures.ordinals(frame, versions, "confidence_before"),
            "evaluation_row": numbers,
        },
        index=frame.index,
    )
    specs: dict[str, ElementSpec] = {}
    pieces = []
    for element in measures.elements(frame, versions):
        specs[element.id] = ElementSpec(element.label, element.options, element.good)
        rated = element.ratings.to_numpy(dtype=object)
        present = pd.notna(rated)
        values = rated[present].astype(str)
        pieces.append(
            pd.DataFrame(
                {
                    "evaluation_row": numbers[present],
                    "element": element.id,
                    "rating": values,
                    "good": np.isin(values, list(element.good)),
                }
            )
        )
    ratings = pd.concat(pieces, ignore_index=True) if pieces else _empty_ratings(with_row=True)
    return table, ratings, specs


def _empty_ratings(*, with_row: bool = False) -> pd.DataFrame:
    key = "evaluation_row" if with_row else "delegate_id"
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in [key, "element", "rating"]})
    return frame.assign(good=pd.Series(dtype=bool)).astype({key: "int64"} if with_row else {})


def _follow_up_table(slug: str, answers: SurveyAnswers) -> pd.DataFrame:
    """Per respondent: changed practice, a concrete example, confidence six months on."""
    frame = _first_per_respondent(answers)
    versions = answers.versions
    return pd.DataFrame(
        {
            "pseudonym": frame[RESPONDENT_COLUMN].astype(str),
            "follow_up_survey": slug,
            "followed_up": True,
            "changed": measures.favourable(frame, versions, "changed_practice"),
            "example": measures.has_text(frame, versions, "practice_example"),
            "confidence_recalled": measures.ordinals(frame, versions, "confidence_before"),
            "confidence_now": measures.ordinals(frame, versions, "confidence_after"),
        },
        index=frame.index,
    )


def _concat(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)


def build_facts(data: TrainingData) -> Facts:
    """Join delegates to their sessions, courses, evaluations and follow-ups (by pseudonym)."""
    sessions = data.sessions[SESSION_COLUMNS].merge(data.courses[COURSE_COLUMNS], on="course_id", how="left")
    days = pd.to_datetime(sessions["date"])
    sessions = sessions.assign(
        financial_year=[financial_year(d.date()) for d in days],
        quarter=[quarter(d.date()) for d in days],
    )
    delegates = data.delegates[DELEGATE_COLUMNS].merge(sessions, on="session_id", how="inner")
    evaluation_slugs = sorted(set(sessions["evaluation_survey"].dropna()))
    follow_up_slugs = sorted(set(sessions["follow_up_survey"].dropna()))
    evaluations: list[pd.DataFrame] = []
    ratings: list[pd.DataFrame] = []
    specs: dict[str, ElementSpec] = {}
    numbered = 0
    for slug in evaluation_slugs:
        if slug in data.surveys:
            table, rated, found = _evaluation_table(slug, data.surveys[slug], numbered)
            numbered += len(table)
            evaluations.append(table)
            ratings.append(rated)
            for key, spec in found.items():
                specs.setdefault(key, spec)
    follow_ups = [_follow_up_table(slug, data.surveys[slug]) for slug in follow_up_slugs if slug in data.surveys]
    evaluation = _concat(
        evaluations, ["pseudonym", "evaluation_survey", "evaluated", "intends", "confidence_before", "evaluation_row"]
    )
    follow_up = _concat(
        follow_ups,
        ["pseudonym", "follow_up_survey", "followed_up", "changed", "example", "confidence_recalled", "confidence_now"],
    )
    # Why join on the survey too: a delegate's key answers only their own course's surveys.
    facts = delegates.merge(evaluation, on=["pseudonym", "evaluation_survey"], how="left")
    facts = facts.merge(follow_up, on=["pseudonym", "follow_up_survey"], how="left")
    sent = data.follow_up_invitations[INVITATION_COLUMNS].rename(columns={"sent": "follow_up_sent"})
    facts = facts.merge(sent, on="delegate_id", how="left")
    facts = facts.assign(
        attended=facts["attended"].astype(bool),
        evaluated=facts["evaluated"].astype("boolean").fillna(False).astype(bool),
        followed_up=facts["followed_up"].astype("boolean").fillna(False).astype(bool),
        follow_up_sent=facts["follow_up_sent"].astype("boolean").fillna(False).astype(bool),
        intends=facts["intends"].astype("boolean"),
        changed=facts["changed"].astype("boolean"),
        example=facts["example"].astype("boolean").fillna(False).astype(bool),
        confidence_before=facts["confidence_before"].astype("Float64"),
        confidence_recalled=facts["confidence_recalled"].astype("Float64"),
        confidence_now=facts["confidence_now"].astype("Float64"),
    )
    long = _concat(ratings, ["evaluation_row", "element", "rating", "good"])
    if long.empty:
        long = _empty_ratings(with_row=True)
    # Why an integer join: a rating names its evaluation by number, and 400,000 ratings join quickly so.
    numbered_facts = facts[["evaluation_row"]].assign(_at=np.arange(len(facts))).dropna(subset=["evaluation_row"])
    long = long.merge(numbered_facts.astype({"evaluation_row": "int64"}), on="evaluation_row", how="inner")
    delegate_ids = pd.Index(facts["delegate_id"].to_numpy(dtype=object))
    # Why categories: figures count ratings per element and value, and filter them by delegate, many times.
    if delegate_ids.is_unique:
        delegate = pd.Categorical.from_codes(long["_at"].to_numpy(), categories=delegate_ids)
    else:
        delegate = pd.Categorical(delegate_ids[long["_at"].to_numpy()])
    long = pd.DataFrame(
        {
            "delegate_id": delegate,
            "element": long["element"].astype("category"),
            "rating": long["rating"].astype("category"),
            "good": long["good"].astype(bool),
        }
    )
    return Facts(sessions, facts.drop(columns=["pseudonym", "evaluation_row"]), long, specs)
