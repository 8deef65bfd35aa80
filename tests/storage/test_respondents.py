"""Who answered: anonymous, or a delegate's invitation; the write path refuses closed surveys itself."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import pytest

from tests.conftest import FORMS_DIR
from tests.support import database
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.submissions import (
    ANONYMOUS,
    LinkRequired,
    RespondentNotAllowed,
    SubmissionWriter,
    SurveyClosed,
    delegate,
    submit_response,
)

EVALUATION = "working-together-a-evaluation"


async def _responses(settings: Settings) -> int:
    return int((await database.query_async(settings.database_url, "SELECT COUNT(*) FROM response"))[0][0])


@pytest.fixture
async def running(settings: Settings) -> AsyncIterator[tuple[SurveyCatalog, SubmissionWriter]]:
    """A synced catalog and a running writer on the test's database (each engine's own write path)."""
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    engine = create_engine(settings)
    await catalog.sync(engine)
    writer = SubmissionWriter(engine)
    await writer.start()
    try:
        yield catalog, writer
    finally:
        await writer.stop()
        await engine.dispose()


def _answers(catalog: SurveyCatalog, slug: str) -> dict[str, object]:
    import random

    survey = catalog.surveys[slug]
    rng = random.Random(7)  # noqa: S311 - sample answers, not security
    return {q.id: q.sample_answer(rng) for q in survey.questions if q.required and not q.show_if}


async def test_a_delegates_evaluation_and_follow_up_share_the_pseudonymous_key(
    running: tuple[SurveyCatalog, SubmissionWriter], settings: Settings
) -> None:
    catalog, writer = running
    invitation, follow_up_invitation = uuid.uuid4(), uuid.uuid4()
    evaluation = catalog.surveys[EVALUATION]
    first = await submit_response(
        writer, catalog, evaluation, _answers(catalog, EVALUATION), "eval-key-0001",
        respondent=delegate(invitation, "pseudo-abc"),
    )  # fmt: skip
    follow_up = catalog.surveys["training-follow-up"]
    second = await submit_response(
        writer, catalog, follow_up, _answers(catalog, "training-follow-up"), "follow-key-0001",
        respondent=delegate(follow_up_invitation, "pseudo-abc", follows=first.id),
    )  # fmt: skip

    rows = await database.query_async(
        settings.database_url,
        "SELECT id, respondent, invitation_id, respondent_key, linked_response_id FROM response ORDER BY survey_slug",
    )
    by_id = {database.as_uuid(row[0]): row for row in rows}
    assert by_id[first.id][1] == "delegate"
    assert database.as_uuid(by_id[first.id][2]) == invitation
    assert by_id[first.id][3] == by_id[second.id][3] == "pseudo-abc"
    assert by_id[first.id][4] is None
    assert database.as_uuid(by_id[second.id][4]) == first.id
    assert database.as_uuid(by_id[second.id][2]) == follow_up_invitation


async def test_an_anonymous_response_stores_nothing_about_who_answered(
    running: tuple[SurveyCatalog, SubmissionWriter], settings: Settings
) -> None:
    catalog, writer = running
    survey = catalog.surveys["make-your-mark"]
    await submit_response(writer, catalog, survey, {"vote": "transport"}, "anon-key-0001", respondent=ANONYMOUS)
    rows = await database.query_async(
        settings.database_url, "SELECT respondent, invitation_id, respondent_key, linked_response_id FROM response"
    )
    assert [tuple(row) for row in rows] == [("anonymous", None, None, None)]


async def test_a_named_respondent_is_refused_on_an_anonymous_survey(
    running: tuple[SurveyCatalog, SubmissionWriter], settings: Settings
) -> None:
    catalog, writer = running
    survey = catalog.surveys["make-your-mark"]
    with pytest.raises(RespondentNotAllowed):
        await submit_response(
            writer, catalog, survey, {"vote": "transport"}, "named-key-0001",
            respondent=delegate(uuid.uuid4(), "pseudo-xyz"),
        )  # fmt: skip
    assert await _responses(settings) == 0


async def test_submit_response_refuses_a_survey_whose_current_definition_is_closed(
    running: tuple[SurveyCatalog, SubmissionWriter], settings: Settings
) -> None:
    catalog, writer = running
    open_version = catalog.surveys["make-your-mark"]
    # The current file says closed; answers started on the open version must not slip in.
    catalog.surveys["make-your-mark"] = dataclasses.replace(open_version, open=False)
    with pytest.raises(SurveyClosed):
        await submit_response(writer, catalog, open_version, {"vote": "transport"}, "closed-key-0001")
    assert await _responses(settings) == 0


async def test_submit_response_refuses_a_survey_that_no_longer_exists(
    running: tuple[SurveyCatalog, SubmissionWriter], settings: Settings
) -> None:
    catalog, writer = running
    survey = catalog.surveys.pop("make-your-mark")
    with pytest.raises(SurveyClosed):
        await submit_response(writer, catalog, survey, {"vote": "transport"}, "gone-key-0001", version_id=1)
    assert await _responses(settings) == 0


async def test_a_course_survey_refuses_an_anonymous_response_on_the_write_path(
    running: tuple[SurveyCatalog, SubmissionWriter], settings: Settings
) -> None:
    catalog, writer = running
    for slug in (EVALUATION, "training-follow-up"):
        with pytest.raises(LinkRequired):
            await submit_response(writer, catalog, catalog.surveys[slug], _answers(catalog, slug), f"anon-{slug}")
    assert await _responses(settings) == 0
