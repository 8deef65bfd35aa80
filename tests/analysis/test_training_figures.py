"""Training figures on the hand-worked data set in training_fixtures (every number worked by hand)."""

from __future__ import annotations

import pytest

from analysis.figures import breakdown, by_course, by_session, figures, trend
from analysis.proportions import Proportion
from analysis.training import TrainingData, build_facts
from tests.analysis.training_fixtures import (
    COURSES,
    DELEGATES,
    INVITATIONS,
    RATING,
    SESSIONS,
    survey_answers,
    training_data,
)
from tests.analysis.training_fixtures import _text as answer
from tests.forms.helpers import survey_of


def alpha_figures(**kwargs: bool) -> dict:
    facts = build_facts(training_data(**kwargs))
    (cid, name, result), beta = by_course(facts)
    assert (cid, name) == ("c1", "Alpha")
    assert beta[1] == "Beta"
    return result.as_dict()


def test_sessions_attendees_evaluations_and_response_rate() -> None:
    course = alpha_figures()
    # d5 did not attend; p999 is nobody's key; p1's second evaluation is not counted twice.
    assert (course["sessions"], course["attendees"], course["evaluations"]) == (2, 4, 3)
    assert (course["response_rate"]["count"], course["response_rate"]["n"]) == (3, 4)


def test_elements_are_found_by_tag_across_versions_with_every_point_counted() -> None:
    elements = alpha_figures()["elements"]
    # The newest version's rows first (quality, venue), then the row only version 1 had (content).
    assert list(elements) == ["quality", "venue", "content"]
    assert elements["quality"]["label"] == "Overall quality"
    assert elements["quality"]["counts"] == {"poor": 1, "fair": 0, "good": 1, "very_good": 1}
    assert (elements["quality"]["good_or_better"]["count"], elements["quality"]["good_or_better"]["n"]) == (2, 3)
    assert elements["content"]["counts"] == {"poor": 0, "fair": 1, "good": 0, "very_good": 0}
    assert elements["venue"]["good_or_better"]["value"] == 0


def test_change_intent_reads_each_version_through_its_own_tag() -> None:
    intent = alpha_figures()["change_intent"]
    # p1 likely (v1 `intent`), p2 neutral (v2 `will_change`; its untagged `intent` is ignored), p4 very likely.
    assert (intent["count"], intent["n"]) == (2, 3)
    assert intent["low_numbers"] is True


def test_follow_up_figures_use_matched_pairs() -> None:
    follow = alpha_figures()["follow_up"]
    assert (follow["sent"], follow["received"]) == (3, 3)
    assert (follow["response_rate"]["count"], follow["response_rate"]["n"]) == (3, 3)
    # yes_a_little and yes_significantly are the first half of the single choice; not_yet is not.
    assert (follow["changed_practice"]["count"], follow["changed_practice"]["n"]) == (2, 3)
    # p2 changed but wrote only spaces: no example.
    assert (follow["gave_example"]["count"], follow["gave_example"]["n"]) == (1, 3)
    # Pairs: p1 low (evaluation) -> very high (+3); p2 moderate -> moderate (0); p4 very low -> very low (0).
    assert (follow["confidence_improved"]["count"], follow["confidence_improved"]["n"]) == (1, 3)
    assert follow["confidence_mean_change"] == {"value": 1.0, "n": 3, "low_numbers": True}


def test_impact_score_is_the_weighted_mean_of_its_components() -> None:
    impact = alpha_figures()["impact"]
    components = {name: (c["count"], c["n"]) for name, c in impact["components"].items()}
    # Reaction pools the ratings: very good and good are 2 of 5.
    assert components == {"reaction": (2, 5), "intention": (2, 3), "confidence": (1, 3), "behaviour": (1, 3)}
    # 100 * (0.15 * 2/5 + 0.2 * 2/3 + 0.25 * 1/3 + 0.4 * 1/3) = 41
    assert impact["complete"] is True
    assert impact["score"] == pytest.approx(41.0)
    assert impact["low"] < 41 < impact["high"]
    # Worst case: one attendee of four changed practice with an example.
    assert (impact["behaviour_worst_case"]["count"], impact["behaviour_worst_case"]["n"]) == (1, 4)


def test_weights_are_a_parameter() -> None:
    facts = build_facts(training_data())
    alpha = facts.where_sessions(facts.sessions["course_id"] == "c1")
    only_behaviour = figures(alpha, {"reaction": 0, "intention": 0, "confidence": 0, "behaviour": 1})
    assert only_behaviour.impact.score == pytest.approx(100 / 3)
    with pytest.raises(ValueError, match="exactly"):
        figures(alpha, {"reaction": 1})


def test_without_follow_ups_the_score_is_incomplete_not_lower() -> None:
    impact = alpha_figures(with_follow_ups=False)["impact"]
    assert impact["complete"] is False
    assert impact["score"] is None
    assert impact["low"] is None
    assert impact["components"]["intention"]["count"] == 2
    assert impact["components"]["behaviour"]["value"] is None


def test_a_course_with_no_answers_has_null_values() -> None:
    facts = build_facts(training_data())
    beta = by_course(facts)[1][2]
    assert (beta.sessions, beta.attendees, beta.evaluations) == (1, 1, 0)
    assert beta.change_intent == Proportion(0, 0)
    assert beta.as_dict()["change_intent"]["value"] is None
    assert beta.elements == {}


def test_per_session() -> None:
    facts = build_facts(training_data())
    sessions = {sid: (f.attendees, f.evaluations) for sid, f in by_session(facts)}
    assert sessions == {"s1": (3, 2), "s3": (1, 0), "s2": (1, 1)}


def test_breakdowns_by_sector_organisation_and_mode() -> None:
    facts = build_facts(training_data())
    sectors = {name: (f.attendees, f.evaluations, f.change_intent.count) for name, f in breakdown(facts, "sector")}
    assert sectors == {"health": (2, 2, 1), "police": (1, 0, 0), "schools": (2, 1, 1)}
    organisations = dict(breakdown(facts, "organisation"))
    assert organisations["Not known"].attendees == 1
    modes = {name: f.sessions for name, f in breakdown(facts, "mode")}
    assert modes == {"face_to_face": 1, "online": 2}


def test_trend_across_financial_years_and_quarters() -> None:
    facts = build_facts(training_data())
    years = {label: (f.sessions, f.attendees) for label, f in trend(facts)}
    assert years == {"2022/23": (2, 4), "2023/24": (1, 1)}
    quarters = [label for label, _ in trend(facts, "quarter")]
    assert quarters == ["2022/23 Q1", "2022/23 Q2", "2023/24 Q1"]
    with pytest.raises(ValueError, match="period"):
        trend(facts, "month")


RATING5 = "{very_poor: Very poor, poor: Poor, average: Average, good: Good, excellent: Excellent}"


def test_a_course_rating_an_element_on_its_own_scale_keeps_its_own_points() -> None:
    # Beta's form rates "quality" (the id Alpha's uses) from very poor to excellent: its one
    # answer was counted against Alpha's poor ... very good, so its table showed four zeros.
    beta_form = survey_of(
        f"- {{id: grid, type: matrix, label: Rate, rows: {{quality: Quality of the day}}, options: {RATING5},"
        " measure: element_rating}"
    )
    beta = survey_answers({"b1": beta_form}, [answer("x1", "b1", "grid", "excellent", "quality")], {"x1": "p6"})
    data = training_data()
    facts = build_facts(TrainingData(COURSES, SESSIONS, DELEGATES, INVITATIONS, {**data.surveys, "eval-beta": beta}))
    (_, _, alpha), (_, _, beta_figures) = by_course(facts)
    quality = beta_figures.elements["quality"]
    assert quality.counts == {"very_poor": 0, "poor": 0, "average": 0, "good": 0, "excellent": 1}
    assert quality.label == "Quality of the day"
    assert (quality.good_or_better.count, quality.good_or_better.n) == (1, 1)
    assert alpha.elements["quality"].counts == {"poor": 1, "fair": 0, "good": 1, "very_good": 1}


def test_each_rating_is_good_or_not_on_the_scale_its_version_rated() -> None:
    # Version 1 rated on five points, version 2 on four: "excellent" (v1's best) was not among the
    # newest version's good options, so a top rating counted as not good (1 of 2 instead of 2 of 2).
    matrix = (
        "- {{id: grid, type: matrix, label: Rate, rows: {{quality: Quality}}, options: {}, measure: element_rating}}"
    )
    versions = {"v1": survey_of(matrix.format(RATING5)), "v2": survey_of(matrix.format(RATING))}
    rows = [answer("r1", "v1", "grid", "excellent", "quality"), answer("r2", "v2", "grid", "very_good", "quality")]
    evaluation = survey_answers(versions, rows, {"r1": "p1", "r2": "p2"})
    facts = build_facts(TrainingData(COURSES, SESSIONS, DELEGATES, INVITATIONS, {"eval": evaluation}))
    (_, _, alpha), _beta = by_course(facts)
    assert (alpha.elements["quality"].good_or_better.count, alpha.elements["quality"].good_or_better.n) == (2, 2)
    assert (alpha.reaction.count, alpha.reaction.n) == (2, 2)


def test_courses_and_breakdowns_are_in_name_order_whatever_the_case() -> None:
    # Capitals sorted first, so "Zed course" came before "apple course" (the course list has them the other way).
    data = training_data()
    courses = COURSES.assign(course=["apple course", "Zed course"])
    delegates = DELEGATES.assign(organisation=["a School", "B Trust", "a School", None, "b school", "Police"])
    facts = build_facts(TrainingData(courses, SESSIONS, delegates, INVITATIONS, data.surveys))
    assert [name for _, name, _ in by_course(facts)] == ["apple course", "Zed course"]
    assert [name for name, _ in breakdown(facts, "organisation")] == [
        "a School",
        "b school",
        "B Trust",
        "Not known",
        "Police",
    ]
