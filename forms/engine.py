"""The form engine: which questions show, what counts as a valid answer, how answers are stored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.definition import Page, Survey
from forms.questions import AnswerError, Cell, Question
from forms.questions.base import FormData

#: The error key used when a response answers nothing at all.
NOTHING_ANSWERED = "answers"


@dataclass
class Validation:
    """Clean answers that passed, and a message for each question that did not."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every answer was valid."""
        return not self.errors


def is_shown(question: Question, answers: Mapping[str, Any]) -> bool:
    """Whether a question is shown, given the answers before it."""
    return question.show_if is None or question.show_if.holds(answers)


def prune_hidden(survey: Survey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Drop answers to questions that are hidden, in survey order (so hiding cascades)."""
    kept: dict[str, Any] = {}
    for question in survey.questions:
        if question.id in answers and is_shown(question, kept):
            kept[question.id] = answers[question.id]
    return kept


def _check(question: Question, value: Any, result: Validation) -> None:
    try:
        clean = question.clean(value)
    except AnswerError as exc:
        result.errors[question.id] = str(exc)
        return
    if clean is None:
        if question.required:
            result.errors[question.id] = question.required_message()
        return
    result.answers[question.id] = clean


def validate_answers(survey: Survey, submitted: Mapping[str, Any]) -> Validation:
    """Check a whole set of API-shaped answers: the rule for every submission, HTML or JSON."""
    result = Validation()
    errors, answers = result.errors, result.answers
    by_id = survey.by_id
    # Why the set comparison first: it runs in C, and an unknown key is rare.
    if not submitted.keys() <= by_id.keys():
        for key in submitted:
            if key not in by_id:
                errors[str(key)] = f"'{key}' is not a question in this survey"
    # Why a loop over checks worked out once: this runs on every submission, and the per-question
    # calls (is_shown, _check, the message for a blank required answer) cost more than the checks.
    for qid, show_if, clean, required_message in survey.answer_checks:
        if show_if is not None and not show_if.holds(answers):
            continue
        try:
            value = clean(submitted.get(qid))
        except AnswerError as exc:
            errors[qid] = str(exc)
            continue
        if value is None:
            if required_message is not None:
                errors[qid] = required_message
        else:
            answers[qid] = value
    if not errors and not answers:
        # Why: a response with no answer at all tells nobody anything and would skew response rates.
        errors[NOTHING_ANSWERED] = "Answer at least one question"
    return result


def validate_page(survey: Survey, page: Page, saved: Mapping[str, Any], form: FormData) -> Validation:
    """Check one posted page against the answers already saved from other pages."""
    context = {k: v for k, v in saved.items() if k not in {q.id for q in page.questions}}
    result = Validation()
    for question in page.questions:
        if not is_shown(question, {**context, **result.answers}):
            continue
        try:
            value = question.from_form(form)
        except AnswerError as exc:
            result.errors[question.id] = str(exc)
            continue
        _check(question, value, result)
    return result


def merge_page(survey: Survey, page: Page, saved: Mapping[str, Any], page_answers: Mapping[str, Any]) -> dict[str, Any]:
    """Saved answers with one page's answers replaced, hidden answers dropped."""
    merged = {k: v for k, v in saved.items() if k not in {q.id for q in page.questions}}
    merged.update(page_answers)
    return prune_hidden(survey, merged)


def shown_pages(survey: Survey, answers: Mapping[str, Any]) -> list[Page]:
    """The pages a person goes through, given their answers so far."""
    return [page for page in survey.pages if page.is_shown(answers)]


def next_page(survey: Survey, answers: Mapping[str, Any], after: int) -> Page | None:
    """The next shown page after page number `after`, or None at the end."""
    return next((p for p in shown_pages(survey, answers) if p.number > after), None)


def previous_page(survey: Survey, answers: Mapping[str, Any], before: int) -> Page | None:
    """The shown page before page number `before`, or None at the start."""
    earlier = [p for p in shown_pages(survey, answers) if p.number < before]
    return earlier[-1] if earlier else None


def first_unfinished_page(survey: Survey, answers: Mapping[str, Any], visited: Iterable[int] = ()) -> Page | None:
    """The first shown page not yet visited or with a required question unanswered."""
    seen = set(visited)
    for page in shown_pages(survey, answers):
        if page.number not in seen:
            return page
        for question in page.questions:
            if question.required and is_shown(question, answers) and question.id not in answers:
                return page
    return None


def to_cells(survey: Survey, answers: Mapping[str, Any]) -> list[tuple[str, Cell]]:
    """Clean answers as stored cells, each with its question id."""
    return [(qid, cell) for qid, value in answers.items() for cell in survey.by_id[qid].to_cells(value)]


def from_cells(survey: Survey, rows: Iterable[tuple[str, Cell]]) -> dict[str, Any]:
    """Answers rebuilt from stored cells, in survey order."""
    grouped: dict[str, list[Cell]] = {}
    for qid, cell in rows:
        grouped.setdefault(qid, []).append(cell)
    return {q.id: q.from_cells(grouped[q.id]) for q in survey.questions if q.id in grouped}
