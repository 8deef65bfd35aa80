"""build_facts against the plain merges it replaced: the same facts on hand-made and generated frames.

The reference below is the earlier build_facts (one merge per join, text keys), kept here so the
look-ups that replaced it are checked row for row, column for column, on data with repeats,
unknown keys, several courses and surveys, and answers held as text or as categories.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from analysis import measures
from analysis.periods import financial_year, quarter
from analysis.training import (
    COURSE_COLUMNS,
    DELEGATE_COLUMNS,
    INVITATION_COLUMNS,
    RESPONDENT_COLUMN,
    SESSION_COLUMNS,
    SUBMITTED_COLUMN,
    Facts,
    SurveyAnswers,
    TrainingData,
    build_facts,
)
from tests.analysis.training_fixtures import EVAL_V1, EVAL_V2, FOLLOW_UP, training_data


def _first(answers: SurveyAnswers) -> pd.DataFrame:
    keyed = answers.frame[answers.frame[RESPONDENT_COLUMN].notna()]
    return keyed.sort_values(SUBMITTED_COLUMN, kind="stable").drop_duplicates(RESPONDENT_COLUMN)


def reference_facts(data: TrainingData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(delegates, ratings) by plain merges on key and survey, as build_facts did before."""
    sessions = data.sessions[SESSION_COLUMNS].merge(data.courses[COURSE_COLUMNS], on="course_id", how="left")
    days = pd.to_datetime(sessions["date"])
    sessions = sessions.assign(
        financial_year=[financial_year(d.date()) for d in days], quarter=[quarter(d.date()) for d in days]
    )
    delegates = data.delegates[DELEGATE_COLUMNS].merge(sessions, on="session_id", how="inner")
    evaluations, ratings, follow_ups = [], [], []
    for slug in sorted(set(sessions["evaluation_survey"].dropna()) & set(data.surveys)):
        frame, versions = _first(data.surveys[slug]), data.surveys[slug].versions
        keys = frame[RESPONDENT_COLUMN].astype(object).map(str)
        evaluations.append(
            pd.DataFrame(
                {
                    "pseudonym": keys,
                    "evaluation_survey": slug,
                    "evaluated": True,
                    "intends": measures.favourable(frame, versions, "change_intent").astype(object),
                    "confidence_before": measures.ordinals(frame, versions, "confidence_before").astype(object),
                }
            )
        )
        for element in measures.elements(frame, versions):
            rated = element.ratings.astype(object)
            present = rated.notna().to_numpy()
            ratings.append(
                pd.DataFrame(
                    {
                        "pseudonym": keys[present].to_numpy(),
                        "evaluation_survey": slug,
                        "element": element.id,
                        "rating": rated[present].map(str).to_numpy(),
                        "good": element.rated_good[present].to_numpy(dtype=bool),
                    }
                )
            )
    for slug in sorted(set(sessions["follow_up_survey"].dropna()) & set(data.surveys)):
        frame, versions = _first(data.surveys[slug]), data.surveys[slug].versions
        follow_ups.append(
            pd.DataFrame(
                {
                    "pseudonym": frame[RESPONDENT_COLUMN].astype(object).map(str),
                    "follow_up_survey": slug,
                    "followed_up": True,
                    "changed": measures.favourable(frame, versions, "changed_practice").astype(object),
                    "example": measures.has_text(frame, versions, "practice_example"),
                    "confidence_recalled": measures.ordinals(frame, versions, "confidence_before").astype(object),
                    "confidence_now": measures.ordinals(frame, versions, "confidence_after").astype(object),
                }
            )
        )
    empty_evaluation = pd.DataFrame(
        columns=["pseudonym", "evaluation_survey", "evaluated", "intends", "confidence_before"]
    )
    empty_follow_up = pd.DataFrame(
        columns=[
            "pseudonym",
            "follow_up_survey",
            "followed_up",
            "changed",
            "example",
            "confidence_recalled",
            "confidence_now",
        ]
    )
    facts = delegates.merge(
        pd.concat(evaluations) if evaluations else empty_evaluation, on=["pseudonym", "evaluation_survey"], how="left"
    )
    facts = facts.merge(
        pd.concat(follow_ups) if follow_ups else empty_follow_up, on=["pseudonym", "follow_up_survey"], how="left"
    )
    sent = data.follow_up_invitations[INVITATION_COLUMNS].rename(columns={"sent": "follow_up_sent"})
    facts = facts.merge(sent, on="delegate_id", how="left")
    long = (
        pd.concat(ratings)
        .merge(facts[["pseudonym", "evaluation_survey", "delegate_id"]], on=["pseudonym", "evaluation_survey"])
        .loc[:, ["delegate_id", "element", "rating", "good"]]
        if ratings
        else pd.DataFrame(columns=["delegate_id", "element", "rating", "good"])
    )
    facts = facts.assign(
        attended=facts["attended"].astype(bool),
        evaluated=facts["evaluated"].astype("boolean").fillna(False).astype(bool),
        intends=facts["intends"].astype("boolean"),
        confidence_before=facts["confidence_before"].astype("Float64"),
        followed_up=facts["followed_up"].astype("boolean").fillna(False).astype(bool),
        changed=facts["changed"].astype("boolean"),
        example=facts["example"].astype("boolean").fillna(False).astype(bool),
        confidence_recalled=facts["confidence_recalled"].astype("Float64"),
        confidence_now=facts["confidence_now"].astype("Float64"),
        follow_up_sent=facts["follow_up_sent"].astype("boolean").fillna(False).astype(bool),
    )
    return facts.drop(columns=["pseudonym"]), long


def assert_same(facts: Facts, data: TrainingData) -> None:
    delegates, ratings = reference_facts(data)
    pd.testing.assert_frame_equal(facts.delegates, delegates, check_dtype=False)
    for column in ("evaluated", "followed_up", "follow_up_sent", "example", "attended"):
        assert facts.delegates[column].dtype == bool
    for column in ("intends", "changed"):
        assert facts.delegates[column].dtype == "boolean"
    got = facts.ratings.astype({"delegate_id": object, "element": object, "rating": object})

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.astype(object).sort_values(["delegate_id", "element"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(ordered(got), ordered(ratings))
    for column in ("delegate_id", "element", "rating"):
        assert isinstance(facts.ratings[column].dtype, pd.CategoricalDtype)


@pytest.mark.parametrize("with_follow_ups", [True, False])
def test_the_hand_worked_data_gives_the_same_facts_as_the_merges(with_follow_ups: bool) -> None:
    data = training_data(with_follow_ups=with_follow_ups)
    assert_same(build_facts(data), data)


def _generated(seed: int, *, as_categories: bool) -> TrainingData:
    """Two courses, their sessions and delegates, answers with repeats, unknown keys and gaps."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    courses = pd.DataFrame(
        {"course_id": ["A", "B"], "course": ["Alpha", "Beta"], "evaluation_survey": ["ea", "eb"],
         "follow_up_survey": ["fu", None]}
    )  # fmt: skip
    sessions = pd.DataFrame(
        {
            "session_id": [f"s{i}" for i in range(6)],
            "course_id": ["A", "A", "B", "B", "A", "C"],
            "date": [date(2022, 4, 1) + timedelta(days=70 * i) for i in range(6)],
            "mode": [rng.choice(["online", "face_to_face"]) for _ in range(6)],
        }
    )
    delegates = pd.DataFrame(
        {
            "delegate_id": [f"d{i}" for i in range(60)],
            "session_id": [rng.choice([*sessions["session_id"], "gone"]) for _ in range(60)],
            "sector": [rng.choice(["schools", "health", None]) for _ in range(60)],
            "organisation": [rng.choice(["X", "Y"]) for _ in range(60)],
            "attended": [rng.random() < 0.8 for _ in range(60)],
            "pseudonym": [f"p{i}" for i in range(60)],
        }
    )
    invited = rng.sample(range(60), 30)
    invitations = pd.DataFrame(
        {"delegate_id": [f"d{i}" for i in invited], "sent": [rng.random() < 0.7 for _ in invited]}
    )
    rating = ["poor", "fair", "good", "very_good", "dreadful"]
    confidence = ["very_low", "low", "moderate", "high", "very_high"]
    likely = ["very_unlikely", "unlikely", "neutral", "likely", "very_likely"]

    def maybe(values: list[str]) -> str | None:
        return rng.choice([*values, None])

    def answers(versions: dict, columns: dict, keys: list[str]) -> SurveyAnswers:
        version_names = list(versions)
        frame = pd.DataFrame({name: [make() for _ in keys] for name, make in columns.items()})
        if as_categories:
            frame = frame.astype("category")
        frame.insert(0, "_version", [rng.choice(version_names) for _ in keys])
        frame.insert(
            1,
            SUBMITTED_COLUMN,
            pd.to_datetime([f"2023-01-01 00:{i // 60:02d}:{i % 60:02d}" for i in range(len(keys))], utc=True),
        )
        frame.insert(2, RESPONDENT_COLUMN, keys)
        return SurveyAnswers(frame, versions)

    def keys(count: int) -> list[str]:
        return [rng.choice([f"p{rng.randrange(70)}", f"p{rng.randrange(60)}"]) for _ in range(count)]

    evaluation_columns = {
        "grid.quality": lambda: maybe(rating),
        "grid.content": lambda: maybe(rating),
        "elements.quality": lambda: maybe(rating),
        "elements.venue": lambda: maybe(rating),
        "before": lambda: maybe(confidence),
        "after": lambda: maybe(confidence),
        "intent": lambda: maybe(likely),
        "will_change": lambda: maybe(likely),
    }
    follow_up_columns = {
        "changed": lambda: maybe(["yes_significantly", "yes_a_little", "not_yet", "no"]),
        "example": lambda: maybe(["I rang sooner", "   ", "x"]),
        "then": lambda: maybe(confidence),
        "now": lambda: maybe(confidence),
    }
    surveys = {
        "ea": answers({"v1": EVAL_V1, "v2": EVAL_V2}, evaluation_columns, keys(50)),
        "eb": answers({"v2": EVAL_V2}, evaluation_columns, keys(20)),
        "fu": answers({"f1": FOLLOW_UP}, follow_up_columns, keys(40)),
    }
    return TrainingData(courses, sessions, delegates, invitations, surveys)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("as_categories", [False, True])
def test_generated_data_gives_the_same_facts_as_the_merges(seed: int, as_categories: bool) -> None:
    data = _generated(seed, as_categories=as_categories)
    facts = build_facts(data)
    assert facts.delegates["evaluated"].any()
    assert facts.delegates["followed_up"].any()
    assert len(facts.ratings) > 0
    assert_same(facts, data)


def test_a_repeat_counts_its_first_answer_only() -> None:
    data = _generated(1, as_categories=False)
    frame = data.surveys["ea"].frame
    repeated = frame[RESPONDENT_COLUMN].duplicated(keep=False)
    assert repeated.any(), "the generated answers repeat some keys"
    assert_same(build_facts(data), data)
    assert np.array_equal(build_facts(data).delegates["evaluated"], reference_facts(data)[0]["evaluated"])
