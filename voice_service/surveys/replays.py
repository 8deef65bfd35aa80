"""A repeated submission key: the same answers again (a retry), or different answers (a client's mistake)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from forms import Survey
from forms.engine import from_cells, validate_answers
from forms.questions import Cell
from voice_service.surveys.tables import ANSWERS


async def stored_answers(engine: AsyncEngine, survey: Survey, response_id: uuid.UUID) -> dict[str, Any]:
    """The answers stored for a response, rebuilt as clean answers of `survey`."""
    query = select(
        ANSWERS.c.question_id, ANSWERS.c.row_key, ANSWERS.c.position, ANSWERS.c.value_text, ANSWERS.c.value_number
    ).where(ANSWERS.c.response_id == response_id)
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    known = [
        (qid, Cell(row, position, text, number)) for qid, row, position, text, number in rows if qid in survey.by_id
    ]
    return from_cells(survey, known)


async def replays_the_same_answers(
    engine: AsyncEngine, survey: Survey, response_id: uuid.UUID, submitted: Mapping[str, Any]
) -> bool:
    """Whether answers sent again under a stored key are the ones stored (after the same cleaning).

    Only a repeated key reaches this, so the extra read never slows the usual submission.
    """
    clean = validate_answers(survey, submitted).answers
    return clean == await stored_answers(engine, survey, response_id)
