"""Alerts on the write path: a young person's disclosure is stored with an alert in the same transaction."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncConnection

from forms import Survey
from tests.safeguarding.conftest import DISCLOSURE, ORDINARY, VOICE, alerts, submit
from tests.support import database
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.safeguarding.alerts import SCREENING_FAILED, DisclosureAlerts, free_text_questions, screen_answers
from voice_service.safeguarding.screening import Screener, Screening, default_screener
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.submissions import SubmissionWriter, submit_response


def test_a_disclosure_is_stored_with_an_alert_and_the_alert_holds_no_words(
    client: TestClient, settings: Settings
) -> None:
    ack = submit(client, {"make_better": DISCLOSURE, "area": "west"})
    [alert] = alerts(settings.database_url)
    assert alert["response_id"] == uuid.UUID(ack["id"])
    assert alert["survey_slug"] == VOICE
    assert alert["question_id"] == "make_better"
    assert alert["status"] == "new"
    assert alert["notified_at"] is None
    assert "physical_abuse" in alert["categories"]
    # The matches point into the answer: the words themselves stay in the answer row only.
    spans = [DISCLOSURE[m["start"] : m["end"]] for m in alert["matches"]]
    assert any("hits me" in words for words in spans)
    stored = " ".join(str(v) for v in alert.values())
    assert "hits me" not in stored
    assert "mums" not in stored


def test_an_ordinary_answer_raises_no_alert(client: TestClient, settings: Settings) -> None:
    submit(client, {"make_better": ORDINARY, "views_difference": "yes"})
    submit(client, {"what_matters": ["feeling_safe"]})
    assert alerts(settings.database_url) == []
    assert database.count(settings.database_url, "response") == 2


def test_each_flagged_text_answer_gets_its_own_alert(client: TestClient, settings: Settings) -> None:
    answers = {"make_better": DISCLOSURE, "talk_to": ["no_one"], "easier_to_talk": "i want to die"}
    submit(client, answers)
    found = {a["question_id"]: a["categories"] for a in alerts(settings.database_url)}
    assert set(found) == {"make_better", "easier_to_talk"}
    assert "suicidal_thoughts" in found["easier_to_talk"]


def test_a_retried_submission_stores_one_alert_and_is_flagged_both_times(
    client: TestClient, settings: Settings
) -> None:
    body = {"answers": {"make_better": DISCLOSURE}, "submission_key": "retry-key-0001"}
    first = client.post(f"/api/surveys/{VOICE}/responses", json=body)
    again = client.post(f"/api/surveys/{VOICE}/responses", json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert len(alerts(settings.database_url)) == 1


def test_only_young_peoples_surveys_are_screened() -> None:
    catalog = SurveyCatalog.from_folder(Settings().forms_dir)
    adult = next(s for s in catalog.surveys.values() if s.audience != "young_people" and free_text_questions(s))
    answers = {qid: DISCLOSURE for qid in free_text_questions(adult)}
    assert screen_answers(default_screener(), adult, answers) == ()
    young = catalog.current(VOICE)
    assert young is not None
    [draft] = screen_answers(default_screener(), young, {"make_better": DISCLOSURE, "age_band": "under_11"})
    assert draft.question_id == "make_better"


def test_every_young_peoples_typed_question_is_screened() -> None:
    catalog = SurveyCatalog.from_folder(Settings().forms_dir)
    for survey in catalog.surveys.values():
        if survey.audience != "young_people":
            continue
        for qid in free_text_questions(survey):
            assert screen_answers(default_screener(), survey, {qid: DISCLOSURE}), (survey.slug, qid)


class BrokenScreener(Screener):
    """A screener that fails, as a bad phrase edit or a bug might make it."""

    def __init__(self) -> None:
        super().__init__(default_screener().book)

    def screen(self, text: str) -> Screening:
        raise RuntimeError(f"boom on {text}")


def test_when_screening_fails_an_alert_is_raised_all_the_same(caplog: pytest.LogCaptureFixture) -> None:
    survey = SurveyCatalog.from_folder(Settings().forms_dir).current(VOICE)
    assert survey is not None
    [draft] = screen_answers(BrokenScreener(), survey, {"make_better": ORDINARY})
    assert draft.categories == (SCREENING_FAILED,)
    assert ORDINARY not in caplog.text


class FailingAlerts(DisclosureAlerts):
    """Alerts whose insert fails inside the writer's transaction."""

    def insert_sqlite(self, conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
        raise sqlite3.OperationalError("the alert could not be stored")

    async def insert(self, conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        raise RuntimeError("the alert could not be stored")


def _catalog_and_survey(settings: Settings) -> tuple[SurveyCatalog, Survey]:
    catalog = SurveyCatalog.from_folder(settings.forms_dir)
    survey = catalog.current(VOICE)
    assert survey is not None
    return catalog, survey


async def _submit_with(settings: Settings, extras: DisclosureAlerts, answers: Mapping[str, Any], key: str) -> Any:
    engine = create_engine(settings)
    catalog, survey = _catalog_and_survey(settings)
    await catalog.sync(engine)
    writer = SubmissionWriter(engine, extras=extras)
    await writer.start()
    try:
        return await submit_response(writer, catalog, survey, answers, key)
    finally:
        await writer.stop()
        await engine.dispose()


def test_no_response_is_stored_when_its_alert_cannot_be(settings: Settings) -> None:
    with pytest.raises(Exception, match="could not be stored"):
        asyncio.run(_submit_with(settings, FailingAlerts(default_screener()), {"make_better": DISCLOSURE}, "fail-0001"))
    assert database.count(settings.database_url, "response") == 0
    assert database.count(settings.database_url, "answer") == 0
    assert alerts(settings.database_url) == []
    # The same alerts object stores ordinary answers: only a response with an alert needs its insert.
    ack = asyncio.run(_submit_with(settings, FailingAlerts(default_screener()), {"make_better": ORDINARY}, "ok-00001"))
    assert not ack.flagged
    assert database.count(settings.database_url, "response") == 1


def test_the_writer_tells_its_extras_once_alerts_are_committed(settings: Settings) -> None:
    told: list[int] = []
    ack = asyncio.run(
        _submit_with(
            settings, DisclosureAlerts(default_screener(), told.append), {"make_better": DISCLOSURE}, "k-000001"
        )
    )
    assert ack.flagged
    assert told == [1]
    [alert] = alerts(settings.database_url)
    assert alert["response_id"] == ack.id


def test_an_alert_is_as_coarse_in_time_as_its_anonymous_response(client: TestClient, settings: Settings) -> None:
    submit(client, {"make_better": DISCLOSURE})
    [alert] = alerts(settings.database_url)
    [(submitted_at,)] = database.query(settings.database_url, "SELECT submitted_at FROM response")
    created = alert["created_on"]
    for value in (created, submitted_at):
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        assert (when.minute, when.second, when.microsecond) == (0, 0, 0)
    assert str(created)[:13] == str(submitted_at)[:13]
    assert datetime.now(UTC).year >= 2026


async def _many_at_once(settings: Settings) -> list[Any]:
    engine = create_engine(settings)
    catalog, survey = _catalog_and_survey(settings)
    await catalog.sync(engine)
    writer = SubmissionWriter(engine, extras=DisclosureAlerts(default_screener()))
    await writer.start()
    try:
        texts = [DISCLOSURE if n % 3 == 0 else f"{ORDINARY} {n}" for n in range(30)]
        submissions = [
            submit_response(writer, catalog, survey, {"make_better": t}, f"batch-{n:04d}") for n, t in enumerate(texts)
        ]
        # The same keys again in the same burst: retries share the first acknowledgement and add no alert.
        submissions += [
            submit_response(writer, catalog, survey, {"make_better": DISCLOSURE}, "batch-0000") for _ in range(2)
        ]
        return list(await asyncio.gather(*submissions))
    finally:
        await writer.stop()
        await engine.dispose()


def test_a_burst_committed_together_gets_one_alert_per_flagged_response(settings: Settings) -> None:
    acks = asyncio.run(_many_at_once(settings))
    flagged = {ack.id for ack in acks if ack.flagged}
    assert len(flagged) == 10
    assert sum(ack.replayed for ack in acks) >= 1
    assert sorted(a["response_id"] for a in alerts(settings.database_url)) == sorted(flagged)
    assert database.count(settings.database_url, "response") == 30
