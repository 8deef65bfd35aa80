"""The report's loader: one row per keyed response, its measured cells, on SQLite (lookups) and PostgreSQL (grouped)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import insert

from analysis.training import RESPONDENT_COLUMN
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.respondents import survey_answers
from voice_service.surveys.tables import ANSWERS, RESPONSES

SLUG = "working-together-a-evaluation"


def stored(settings: Settings, responses: dict[str | None, list[tuple[str, str, int, str]]]) -> pd.DataFrame:
    """Store responses (respondent key: answer cells) as they are kept, then read the survey's frame."""

    async def run() -> pd.DataFrame:
        engine = create_engine(settings)
        catalog = SurveyCatalog.from_folder(settings.forms_dir)
        await catalog.sync(engine)
        survey = catalog.current(SLUG)
        assert survey is not None
        try:
            async with engine.begin() as conn:
                for key, cells in responses.items():
                    rid = uuid.uuid4()
                    await conn.execute(
                        insert(RESPONSES).values(
                            id=rid, survey_version_id=catalog.version_id(survey), survey_slug=SLUG,
                            submission_key=uuid.uuid4().hex, submitted_at=datetime.now(UTC),
                            respondent="delegate" if key else "anonymous", respondent_key=key,
                        )
                    )  # fmt: skip
                    rows: list[dict[str, Any]] = [
                        {"response_id": rid, "question_id": q, "row_key": r, "position": p, "value_text": v}
                        for q, r, p, v in cells
                    ]
                    if rows:
                        await conn.execute(insert(ANSWERS), rows)
            return (await survey_answers(engine, catalog, SLUG)).frame
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_each_keyed_response_is_a_row_with_its_measured_cells_even_with_none_answered(settings: Settings) -> None:
    frame = stored(
        settings,
        {
            "rated": [
                ("course_elements", "quality", 0, "good"),
                ("course_elements", "content", 0, "poor"),
                ("change_intent", "", 0, "likely"),
                ("most_useful", "", 0, "The case studies"),
            ],
            "only-text": [("most_useful", "", 0, "Nothing measured")],
            "nothing": [],
            None: [("change_intent", "", 0, "very_likely")],
        },
    )
    by_key = frame.set_index(RESPONDENT_COLUMN)
    assert sorted(by_key.index) == ["nothing", "only-text", "rated"]
    assert by_key.loc["rated", "course_elements.quality"] == "good"
    assert by_key.loc["rated", "course_elements.content"] == "poor"
    assert by_key.loc["rated", "change_intent"] == "likely"
    for key in ("only-text", "nothing"):
        assert pd.isna(by_key.loc[key, "change_intent"])
        assert pd.isna(by_key.loc[key, "course_elements.quality"])
    # Unmeasured questions are not read; a cell nobody answered is absent, as before.
    assert "most_useful" not in frame.columns
    assert "confidence_before" not in frame.columns
