"""One stored response read back with its questions, for a member of staff who must act on it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from forms import Survey
from forms.engine import from_cells
from forms.questions.base import Cell
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.tables import ANSWERS, RESPONSES


@dataclass(frozen=True)
class StoredAnswer:
    """One answered question: its id, its label and the answer as lines of text."""

    question_id: str
    label: str
    lines: list[str]


@dataclass(frozen=True)
class StoredResponse:
    """A response as it was stored: the survey version it answered, when, and every answer."""

    id: uuid.UUID
    survey: Survey
    submitted_at: datetime
    answers: list[StoredAnswer]
    #: The answers as the form engine holds them (a typed answer is its text, exactly as stored).
    values: dict[str, Any]

    def answer(self, question_id: str) -> StoredAnswer | None:
        """The answer to one question, if it was answered (and not yet deleted)."""
        return next((a for a in self.answers if a.question_id == question_id), None)


async def stored_response(engine: AsyncEngine, catalog: SurveyCatalog, response_id: uuid.UUID) -> StoredResponse | None:
    """The response with this id and its answers in survey order; None when there is none."""
    async with engine.connect() as conn:
        found = (
            await conn.execute(
                select(RESPONSES.c.survey_version_id, RESPONSES.c.submitted_at).where(RESPONSES.c.id == response_id)
            )
        ).first()
        if found is None:
            return None
        cells = (
            await conn.execute(
                select(
                    ANSWERS.c.question_id,
                    ANSWERS.c.row_key,
                    ANSWERS.c.position,
                    ANSWERS.c.value_text,
                    ANSWERS.c.value_number,
                )
                .where(ANSWERS.c.response_id == response_id)
                .order_by(ANSWERS.c.question_id, ANSWERS.c.row_key, ANSWERS.c.position)
            )
        ).all()
    survey = await catalog.by_version_id(engine, found.survey_version_id)
    if survey is None:
        return None
    known = [(qid, Cell(row, pos, text, number)) for qid, row, pos, text, number in cells if qid in survey.by_id]
    answers = from_cells(survey, known)
    return StoredResponse(
        response_id,
        survey,
        found.submitted_at,
        [
            StoredAnswer(qid, survey.by_id[qid].label, survey.by_id[qid].display(value))
            for qid, value in answers.items()
        ],
        answers,
    )
