"""The results reader: one frame per survey across every version its responses answered."""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
import pytest

from analysis import VERSION_COLUMN
from tests.support.apps import ClientFactory, edit_definition
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.results import SUBMITTED_COLUMN, UnknownSurvey, load_results

SLUG = "make-your-mark"


def vote(client: object, answers: dict[str, object]) -> str:
    response = client.post(f"/api/surveys/{SLUG}/responses", json={"answers": answers})  # type: ignore[attr-defined]
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def results(settings: Settings, folder: Path, slug: str = SLUG) -> pd.DataFrame:
    catalog = SurveyCatalog.from_folder(folder)
    engine = create_engine(settings)
    try:
        await catalog.sync(engine)
        return await load_results(engine, catalog, slug)
    finally:
        await engine.dispose()


async def test_answers_to_an_old_and_a_new_version_come_back_in_one_frame(
    make_client: ClientFactory, settings: Settings, forms_copy: Path
) -> None:
    with make_client(forms_dir=forms_copy) as client:
        old_id = vote(client, {"vote": "international"})
        old_version = client.get(f"/api/surveys/{SLUG}").json()["version"]
    # The new version drops an option and renames nothing: old answers keep their category.
    edit_definition(forms_copy, SLUG, "          international: International\n", "")
    edit_definition(
        forms_copy, SLUG, "label: Which issue matters most to you?",
        f"label: Which issue matters most to you? ({uuid.uuid4().hex[:6]})",
    )  # fmt: skip
    with make_client(forms_dir=forms_copy) as client:
        new_id = vote(client, {"vote": "environment"})
        new_version = client.get(f"/api/surveys/{SLUG}").json()["version"]
    assert old_version != new_version

    frame = await results(settings, forms_copy)

    assert {str(i) for i in frame.index} == {old_id, new_id}
    by_id = {str(i): row for i, row in frame.iterrows()}
    assert by_id[old_id]["vote"] == "international"
    assert by_id[new_id]["vote"] == "environment"
    assert by_id[old_id][VERSION_COLUMN] == old_version
    assert by_id[new_id][VERSION_COLUMN] == new_version
    assert "international" in list(frame["vote"].cat.categories), "an old option keeps its category"
    assert str(frame[SUBMITTED_COLUMN].dtype).startswith("datetime64")


async def test_a_survey_with_no_answers_gives_an_empty_frame_with_its_columns(
    settings: Settings, forms_copy: Path
) -> None:
    frame = await results(settings, forms_copy)
    assert len(frame) == 0
    assert "vote" in frame.columns


async def test_an_unknown_survey_is_refused(settings: Settings, forms_copy: Path) -> None:
    with pytest.raises(UnknownSurvey):
        await results(settings, forms_copy, "no-such-survey")
