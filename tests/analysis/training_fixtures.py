"""A small hand-worked training data set: two versions of an evaluation, a follow-up, five delegates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from analysis import versions_frame
from analysis.frames import VERSIONED_ANSWER_COLUMNS
from analysis.training import RESPONDENT_COLUMN, SUBMITTED_COLUMN, SurveyAnswers, TrainingData
from forms import Survey
from tests.forms.helpers import survey_of

RATING = "{poor: Poor, fair: Fair, good: Good, very_good: Very good}"
LIKELY = (
    "{very_unlikely: Very unlikely, unlikely: Unlikely, neutral: Neither, likely: Likely, very_likely: Very likely}"
)
CONFIDENCE = "{very_low: Very low, low: Low, moderate: Moderate, high: High, very_high: Very high}"

#: Version 1: intention on `intent`, elements on `grid` (quality, content).
EVAL_V1 = survey_of(
    f"""
    - {{id: grid, type: matrix, label: Rate, rows: {{quality: Quality, content: Content}}, options: {RATING},
        measure: element_rating}}
    - {{id: before, type: scale, label: Before, options: {CONFIDENCE}, measure: confidence_before}}
    - {{id: after, type: scale, label: After, options: {CONFIDENCE}, measure: confidence_after}}
    - {{id: intent, type: scale, label: Will you change, options: {LIKELY}, measure: change_intent}}
    """
)
#: Version 2: the tags moved to new ids (`will_change`, `elements` with quality and venue), and a
#: question that kept the old id `intent` without the tag must not be read as intention.
EVAL_V2 = survey_of(
    f"""
    - {{id: elements, type: matrix, label: Rate these, rows: {{quality: Overall quality, venue: Venue}},
        options: {RATING}, measure: element_rating}}
    - {{id: before, type: scale, label: Before, options: {CONFIDENCE}, measure: confidence_before}}
    - {{id: will_change, type: scale, label: How likely, options: {LIKELY}, measure: change_intent}}
    - {{id: intent, type: scale, label: Would you recommend it, options: {LIKELY}}}
    """
)
FOLLOW_UP = survey_of(
    f"""
    - {{id: changed, type: single, label: Changed, measure: changed_practice,
        options: {{yes_significantly: Yes a lot, yes_a_little: Yes a little, not_yet: Not yet, no: No}}}}
    - {{id: example, type: textarea, label: Example, measure: practice_example}}
    - {{id: then, type: scale, label: Then, options: {CONFIDENCE}, measure: confidence_before}}
    - {{id: now, type: scale, label: Now, options: {CONFIDENCE}, measure: confidence_after}}
    """
)


def survey_answers(
    versions: dict[str, Survey], rows: list[tuple[Any, ...]], respondents: dict[str, str]
) -> SurveyAnswers:
    """A survey frame as load_results makes it, with each response's respondent key."""
    long = pd.DataFrame(rows, columns=VERSIONED_ANSWER_COLUMNS)
    frame = versions_frame(versions, long)
    order = {rid: i for i, rid in enumerate(dict.fromkeys(r[0] for r in rows))}
    stored = [f"2023-01-01 00:00:{order[r]:02d}" for r in frame.index]
    frame.insert(1, SUBMITTED_COLUMN, pd.to_datetime(stored, utc=True))
    frame.insert(2, RESPONDENT_COLUMN, frame.index.map(respondents))
    return SurveyAnswers(frame, versions)


def _text(rid: str, version: str, qid: str, value: str, row: str = "") -> tuple[Any, ...]:
    return (rid, version, qid, row, 0, value, None)


EVALUATION = survey_answers(
    {"v1": EVAL_V1, "v2": EVAL_V2},
    [
        _text("r1", "v1", "grid", "very_good", "quality"),
        _text("r1", "v1", "grid", "fair", "content"),
        _text("r1", "v1", "before", "low"),
        _text("r1", "v1", "after", "high"),
        _text("r1", "v1", "intent", "likely"),
        _text("r2", "v2", "elements", "good", "quality"),
        _text("r2", "v2", "elements", "poor", "venue"),
        _text("r2", "v2", "before", "moderate"),
        _text("r2", "v2", "will_change", "neutral"),
        _text("r2", "v2", "intent", "very_likely"),
        _text("r3", "v2", "elements", "poor", "quality"),
        _text("r3", "v2", "before", "very_low"),
        _text("r3", "v2", "will_change", "very_likely"),
        # A key no delegate holds, and a second answer from p1 (only the first counts).
        _text("r4", "v2", "will_change", "very_likely"),
        _text("r5", "v1", "intent", "very_unlikely"),
    ],
    {"r1": "p1", "r2": "p2", "r3": "p4", "r4": "p999", "r5": "p1"},
)
FOLLOW_UPS = survey_answers(
    {"f1": FOLLOW_UP},
    [
        _text("f1", "f1", "changed", "yes_a_little"),
        _text("f1", "f1", "example", "I referred a concern sooner"),
        _text("f1", "f1", "then", "low"),
        _text("f1", "f1", "now", "very_high"),
        _text("f2", "f1", "changed", "not_yet"),
        _text("f2", "f1", "then", "very_low"),
        _text("f2", "f1", "now", "very_low"),
        _text("f3", "f1", "changed", "yes_significantly"),
        _text("f3", "f1", "example", "   "),
        _text("f3", "f1", "now", "moderate"),
    ],
    {"f1": "p1", "f2": "p4", "f3": "p2"},
)

COURSES = pd.DataFrame(
    {
        "course_id": ["c1", "c2"],
        "course": ["Alpha", "Beta"],
        "evaluation_survey": ["eval", "eval-beta"],
        "follow_up_survey": ["fu", "fu"],
    }
)
SESSIONS = pd.DataFrame(
    {
        "session_id": ["s1", "s2", "s3"],
        "course_id": ["c1", "c1", "c2"],
        "date": [date(2022, 5, 10), date(2023, 4, 20), date(2022, 9, 1)],
        "mode": ["online", "face_to_face", "online"],
    }
)
DELEGATES = pd.DataFrame(
    {
        "delegate_id": ["d1", "d2", "d3", "d4", "d5", "d6"],
        "session_id": ["s1", "s1", "s1", "s2", "s2", "s3"],
        "sector": ["schools", "health", "schools", "health", "schools", "police"],
        "organisation": ["A School", "A Trust", "A School", None, "B School", "Police"],
        "attended": [True, True, True, True, False, True],
        "pseudonym": ["p1", "p2", "p3", "p4", "p5", "p6"],
    }
)
INVITATIONS = pd.DataFrame({"delegate_id": ["d1", "d2", "d3", "d4"], "sent": [True, True, False, True]})


def training_data(*, with_follow_ups: bool = True) -> TrainingData:
    """The data set (optionally before any follow-up came back)."""
    surveys = {"eval": EVALUATION, "fu": FOLLOW_UPS} if with_follow_ups else {"eval": EVALUATION}
    return TrainingData(COURSES, SESSIONS, DELEGATES, INVITATIONS, surveys)
