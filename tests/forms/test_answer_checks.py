"""Validation and storage cells worked out once per survey give what the per-question rules give."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms import Survey, Validation, parse_survey, validate_answers
from forms.conditions import In
from forms.engine import NOTHING_ANSWERED, is_shown, to_cells
from forms.questions import AnswerError, Cell, Question
from forms.questions.matrix import MatrixQuestion
from forms.questions.multiple import MultipleQuestion
from tests.forms.helpers import survey_of
from tests.properties.strategies import JSON_JUNK, definitions, valid_answers
from voice_service.core.settings import DEFAULT_FORMS_DIR
from voice_service.surveys.catalog import SurveyCatalog

QUICK = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHIPPED = SurveyCatalog.from_folder(DEFAULT_FORMS_DIR)


def reference_validation(survey: Survey, submitted: Mapping[str, Any]) -> Validation:
    """The rule as each question states it, one call at a time (validate_answers before it was worked out once)."""
    result = Validation()
    for key in submitted:
        if key not in survey.by_id:
            result.errors[str(key)] = f"'{key}' is not a question in this survey"
    for question in survey.questions:
        if not is_shown(question, result.answers):
            continue
        try:
            clean = question.clean(submitted.get(question.id))
        except AnswerError as exc:
            result.errors[question.id] = str(exc)
            continue
        if clean is None:
            if question.required:
                result.errors[question.id] = question.required_message()
            continue
        result.answers[question.id] = clean
    if result.ok and not result.answers:
        result.errors[NOTHING_ANSWERED] = "Answer at least one question"
    return result


def reference_cells(question: Question, value: Any) -> list[Cell]:
    """The cells each choice type stores, computed from the option's position."""
    options = question.options  # type: ignore[attr-defined]
    if isinstance(question, MatrixQuestion):
        return [Cell(row, 0, option, options.ordinal(option)) for row, option in value.items()]
    if isinstance(question, MultipleQuestion):
        return [Cell("", i, v, options.ordinal(v)) for i, v in enumerate(value)]
    return [Cell("", 0, value, options.ordinal(value))]


def reference_multiple(question: MultipleQuestion, value: Any) -> Any:
    """A multiple-choice answer checked one option at a time and put in option order by a scan."""
    if question.is_blank(value):
        return None
    if not isinstance(value, list):
        raise question.error("not_a_list")
    chosen = [question.check_option(v) for v in value]
    if len(set(chosen)) != len(chosen):
        raise question.error("repeated")
    if question.options.exclusive and len(chosen) > 1:
        alone = next((v for v in chosen if v in question.options.exclusive), None)
        if alone is not None:
            raise question.error("exclusive", option=question.options.label(alone))
    if question.min_choices is not None and len(chosen) < question.min_choices:
        raise question.error("too_few", min_choices=question.min_choices)
    if question.max_choices is not None and len(chosen) > question.max_choices:
        raise question.error("too_many", max_choices=question.max_choices)
    return [v for v in question.options.values if v in chosen]


def outcome(check: Any, value: Any) -> tuple[str, Any]:
    try:
        return "ok", check(value)
    except AnswerError as exc:
        return "error", str(exc)


def assert_same(survey: Survey, submitted: Mapping[str, Any]) -> None:
    result, expected = validate_answers(survey, submitted), reference_validation(survey, submitted)
    # Lists, not dicts: the order of answers and of error messages is what a person is shown.
    assert list(result.errors.items()) == list(expected.errors.items())
    assert list(result.answers.items()) == list(expected.answers.items())


@QUICK
@given(st.data())
def test_any_json_gets_the_same_answers_and_messages_as_the_per_question_rules(data: st.DataObject) -> None:
    survey = parse_survey(data.draw(definitions()))
    ids = [q.id for q in survey.questions]
    submitted = data.draw(st.dictionaries(st.sampled_from([*ids, "zz"]), JSON_JUNK))
    assert_same(survey, submitted)


@QUICK
@given(st.data())
def test_valid_answers_with_some_changed_get_the_same_result(data: st.DataObject) -> None:
    survey = parse_survey(data.draw(definitions()))
    answers = data.draw(valid_answers(survey))
    for qid in data.draw(st.lists(st.sampled_from([q.id for q in survey.questions]), max_size=3)):
        answers[qid] = data.draw(JSON_JUNK | st.sampled_from(["", [], {}, None]))
    assert_same(survey, answers)
    clean = validate_answers(survey, answers).answers
    expected = [(qid, cell) for qid, value in clean.items() for cell in survey.by_id[qid].to_cells(value)]
    assert to_cells(survey, clean) == expected


@pytest.mark.parametrize("slug", sorted(s.slug for s in SHIPPED.public()))
def test_every_option_of_every_shipped_choice_question_stores_the_cell_its_position_gives(slug: str) -> None:
    survey = SHIPPED.current(slug)
    assert survey is not None
    for question in survey.questions:
        if isinstance(question, MatrixQuestion):
            values: list[Any] = [{row: option} for row in question.rows.values for option in question.options.values]
            values.append(dict(zip(question.rows.values, question.options.values, strict=False)))
        elif isinstance(question, MultipleQuestion):
            values = [[v] for v in question.options.values] + [list(question.options.values)]
        elif question.type_code in ("single", "scale"):
            values = list(question.options.values)  # type: ignore[attr-defined]
        else:
            continue
        for value in values:
            assert question.to_cells(value) == reference_cells(question, value), (question.id, value)


def test_a_blank_single_choice_is_no_answer_and_anything_else_not_an_option_is_refused() -> None:
    survey = survey_of(
        """
        - id: colour
          type: single
          label: Colour
          required: true
          options: {red: Red, blue: Blue}
        - id: size
          type: single
          label: Size
          options: {small: Small}
        """
    )
    blanks: list[Any] = [None, "", [], {}]
    for blank in blanks:
        assert_same(survey, {"colour": blank, "size": "small"})
        result = validate_answers(survey, {"colour": blank, "size": "small"})
        assert result.errors == {"colour": "Choose an answer to 'Colour'"}
    for wrong in ("green", "Red", " red", 1, True, ["red"], {"red": 1}):
        assert_same(survey, {"colour": wrong})
        assert validate_answers(survey, {"colour": wrong}).errors == {"colour": "Choose one of the answers shown"}


def test_a_matrix_answer_with_a_row_the_cells_were_not_made_for_is_still_stored() -> None:
    survey = survey_of(
        """
        - id: rate
          type: matrix
          label: Rate
          rows: {a: A}
          options: {low: Low, high: High}
        """
    )
    question = survey.by_id["rate"]
    # Why: an answer kept from an older version may name a row this version no longer has.
    assert question.to_cells({"gone": "high"}) == [Cell("gone", 0, "high", 2.0)]


def test_the_checks_are_worked_out_once_per_survey_with_the_messages_of_each_question() -> None:
    survey = SHIPPED.current("sexual-health-young-people")
    assert survey is not None
    assert survey.answer_checks is survey.answer_checks
    for check, question in zip(survey.answer_checks, survey.questions, strict=True):
        assert check.id == question.id
        assert check.show_if == question.show_if
        assert check.required_message == (question.required_message() if question.required else None)


MULTIPLE = survey_of(
    """
    - id: help
      type: multiple
      label: Help
      min_choices: 2
      max_choices: 3
      options:
        - {value: school, label: School}
        - {value: family, label: Family}
        - {value: friends, label: Friends}
        - {value: online, label: Online}
        - {value: nobody, label: Nobody, exclusive: true}
    """
).by_id["help"]
OPTION_OR_NOT = st.sampled_from(["school", "family", "friends", "online", "nobody", "School", ""]) | JSON_JUNK


@QUICK
@given(st.none() | st.just([]) | st.lists(OPTION_OR_NOT, max_size=6) | JSON_JUNK)
def test_a_multiple_choice_answer_gets_what_the_option_by_option_rule_gives(value: Any) -> None:
    assert isinstance(MULTIPLE, MultipleQuestion)
    assert outcome(MULTIPLE.clean, value) == outcome(lambda v: reference_multiple(MULTIPLE, v), value)


@QUICK
@given(
    st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3),
    st.sampled_from(["a", "b", "d"]) | st.lists(st.sampled_from(["a", "b", "d"]), max_size=3) | OPTION_OR_NOT,
)
def test_an_in_condition_holds_exactly_when_the_answer_equals_or_contains_one_of_its_values(
    values: list[str], answer: Any
) -> None:
    condition = In("q", tuple(values))
    if isinstance(answer, list):
        expected = any(value in answer for value in values)
    else:
        expected = any(bool(answer == value) for value in values)
    assert condition.holds({"q": answer}) is expected
    assert condition.holds({"q": [*values[:1], 7]}) is True
    assert condition.holds({}) is False
