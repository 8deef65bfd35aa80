"""Demo data: realistic responses so a new installation has something to look at."""

from __future__ import annotations

import random
from typing import Any

from forms import Survey
from forms.engine import is_shown
from forms.questions import Question
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.submissions import SubmissionWriter, submit_response

#: Typed answers used for demo free text; short and plausible, never real people's words.
DEMO_TEXT = [
    "More places to go in the evening that feel safe.",
    "Teachers who listen when you tell them something is wrong.",
    "Shorter waits to talk to someone about how I feel.",
    "I will check the local protocol before making a referral.",
    "Share information with school nurses earlier.",
    "Better buses at night.",
]


def _demo_answer(question: Question, rng: random.Random) -> Any:
    """A plausible answer of the right shape, built from the question's own definition."""
    options = getattr(question, "options", None)
    kind = question.type_code
    if kind in ("single", "scale") and options is not None:
        # Why: skew towards the positive end so demo charts look like real evaluations.
        values = options.values
        weights = [1 + i for i in range(len(values))]
        return rng.choices(values, weights=weights)[0]
    if kind == "multiple" and options is not None:
        top = question.max_choices or len(options.values)  # type: ignore[attr-defined]
        low = question.min_choices or 1  # type: ignore[attr-defined]
        return rng.sample(options.values, rng.randint(low, max(low, min(top, 3))))
    if kind == "ranking" and options is not None:
        return rng.sample(options.values, question.places)  # type: ignore[attr-defined]
    if kind == "matrix" and options is not None:
        values = options.values
        return {row: rng.choices(values, weights=range(1, len(values) + 1))[0] for row in question.rows.values}  # type: ignore[attr-defined]
    if kind == "number":
        low = int(question.min or 0)  # type: ignore[attr-defined]
        high = int(question.max or 10)  # type: ignore[attr-defined]
        return rng.randint(low, min(high, low + 10))
    return rng.choice(DEMO_TEXT)


def demo_answers(survey: Survey, rng: random.Random) -> dict[str, Any]:
    """One response's answers: required questions always, optional ones most of the time."""
    answers: dict[str, Any] = {}
    for question in survey.questions:
        if not is_shown(question, answers):
            continue
        # The first question is always answered: a response must answer something.
        if question.required or not answers or rng.random() < 0.7:
            answers[question.id] = _demo_answer(question, rng)
    return answers


async def load_demo(catalog: SurveyCatalog, writer: SubmissionWriter, per_survey: int = 30, seed: int = 2023) -> int:
    """Submit `per_survey` demo responses to every survey through the normal write path."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    stored = 0
    for survey in catalog.surveys.values():
        for n in range(per_survey):
            answers = demo_answers(survey, rng)
            await submit_response(writer, survey, catalog.version_id(survey), answers, f"demo-{survey.slug}-{n:04d}")
            stored += 1
    return stored
