"""Demo data: realistic responses so a new installation has something to look at."""

from __future__ import annotations

import random
from typing import Any

from forms import Survey
from forms.engine import is_shown
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.gate import needs_link
from voice_service.surveys.submissions import SubmissionWriter, submit_response


def demo_answers(survey: Survey, rng: random.Random) -> dict[str, Any]:
    """One response's answers: required questions always, optional ones most of the time."""
    answers: dict[str, Any] = {}
    for question in survey.questions:
        if not is_shown(question, answers):
            continue
        # The first question is always answered: a response must answer something.
        if question.required or not answers or rng.random() < 0.7:
            # Why: each question type knows its own plausible answers (forms/questions), so no type codes here.
            answers[question.id] = question.sample_answer(rng)
    return answers


async def load_demo(catalog: SurveyCatalog, writer: SubmissionWriter, per_survey: int = 30, seed: int = 2023) -> int:
    """Submit `per_survey` demo responses to every survey anyone may answer, through the normal write path.

    Course evaluations and follow-ups are answered by the training demo's delegates instead.
    """
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    stored = 0
    for survey in catalog.surveys.values():
        if needs_link(survey):
            continue
        for n in range(per_survey):
            answers = demo_answers(survey, rng)
            await submit_response(writer, catalog, survey, answers, f"demo-{survey.slug}-{n:04d}")
            stored += 1
    return stored
