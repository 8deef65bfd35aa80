"""How responses are stored: one row per answer piece, next to a response that names its version."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support import database
from tests.support.open_forms import OPEN_FORMS, open_client
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog

__all__ = ["open_client"]

#: Course surveys are answered only through delegates' links; these tests of the API's checks and
#: storage use the shipped surveys with those opened (tests/support/open_forms.py).
CATALOG = SurveyCatalog.from_folder(OPEN_FORMS)


@pytest.fixture
def client(open_client: TestClient) -> TestClient:
    """The app serving the opened copy of the shipped surveys."""
    return open_client


AnswerRow = tuple[str, str, int, str | None, float | None]


def post(client: TestClient, slug: str, answers: dict[str, Any]) -> str:
    response = client.post(f"/api/surveys/{slug}/responses", json={"answers": answers})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def answer_rows(settings: Settings, question: str | None = None) -> list[AnswerRow]:
    rows = database.query(
        settings.database_url,
        "SELECT question_id, row_key, position, value_text, value_number FROM answer"
        + (" WHERE question_id = :q" if question else "")
        + " ORDER BY question_id, row_key, position",
        q=question,
    )
    return [(q, r, p, t, None if n is None else float(n)) for q, r, p, t, n in rows]


def test_a_matrix_is_one_row_per_matrix_row(client: TestClient, settings: Settings) -> None:
    post(client, "working-together-a-evaluation", {
        "course_elements": {
            "relevance": "poor", "quality": "very_good", "content": "good", "trainer_knowledge": "fair",
        },
        "confidence_before": "very_low",
        "confidence_after": "very_high",
        "change_intent": "likely",
    })  # fmt: skip
    assert answer_rows(settings, "course_elements") == [
        ("course_elements", "content", 0, "good", 3.0),
        ("course_elements", "quality", 0, "very_good", 4.0),
        ("course_elements", "relevance", 0, "poor", 1.0),
        ("course_elements", "trainer_knowledge", 0, "fair", 2.0),
    ]


def test_a_ranking_stores_each_place_with_its_rank(client: TestClient, settings: Settings) -> None:
    post(client, "young-people-voice", {"what_matters": ["environment", "feeling_safe", "school"]})
    assert answer_rows(settings) == [
        ("what_matters", "", 1, "environment", 1.0),
        ("what_matters", "", 2, "feeling_safe", 2.0),
        ("what_matters", "", 3, "school", 3.0),
    ]


def test_multiple_choices_are_one_row_each_in_option_order(client: TestClient, settings: Settings) -> None:
    post(client, "young-people-voice", {"talk_to": ["helpline", "parent_carer", "friend"]})
    # Stored in the order the options are listed (ticks have no order), with each option's place in the list.
    assert answer_rows(settings) == [
        ("talk_to", "", 0, "parent_carer", 1.0),
        ("talk_to", "", 1, "friend", 3.0),
        ("talk_to", "", 2, "helpline", 8.0),
    ]


def test_a_number_is_stored_as_a_number(client: TestClient, settings: Settings) -> None:
    post(client, "sexual-health-young-people", {"times_used": 17})
    assert answer_rows(settings) == [("times_used", "", 0, None, 17.0)]


def test_a_scale_keeps_its_value_and_its_ordinal(client: TestClient, settings: Settings) -> None:
    post(client, "young-people-voice", {"listened_to": "mostly", "views_difference": "no"})
    assert answer_rows(settings) == [
        ("listened_to", "", 0, "mostly", 4.0),  # never, hardly_ever, sometimes, mostly, always
        ("views_difference", "", 0, "no", 3.0),  # yes, not_sure, no
    ]


def test_text_is_stored_trimmed_and_as_typed(client: TestClient, settings: Settings) -> None:
    typed = "  Buses after 9pm\n\nand <b>safe</b> places — café 😊  "
    post(client, "young-people-voice", {"make_better": typed})
    assert answer_rows(settings) == [("make_better", "", 0, typed.strip(), None)]


def test_the_response_records_its_survey_version(client: TestClient, settings: Settings) -> None:
    response_id = post(client, "make-your-mark", {"vote": "environment", "age_band": "16_18"})
    rows = database.query(
        settings.database_url,
        "SELECT r.id, r.survey_slug, r.respondent, r.submitted_at, v.slug, v.version, v.title "
        "FROM response r JOIN survey_version v ON v.id = r.survey_version_id",
    )
    assert len(rows) == 1
    rid, slug, respondent, submitted_at, version_slug, version, title = rows[0]
    assert str(database.as_uuid(rid)) == response_id
    survey = CATALOG.surveys["make-your-mark"]
    assert (slug, version_slug, version, title) == ("make-your-mark", "make-your-mark", survey.version, survey.title)
    assert respondent == "anonymous"
    assert submitted_at is not None
    assert database.count(settings.database_url, "answer") == 2


def test_an_anonymous_response_stores_nothing_about_the_browser(client: TestClient, settings: Settings) -> None:
    post(client, "young-people-voice", {"listened_to": "always"})
    dialect_sql = (
        "PRAGMA table_info(response)"
        if settings.is_sqlite
        else "SELECT column_name FROM information_schema.columns WHERE table_name = 'response'"
    )
    rows = database.query(settings.database_url, dialect_sql)
    columns = {str(row[1] if settings.is_sqlite else row[0]) for row in rows}
    assert columns
    for banned in ("ip", "address", "agent", "cookie", "draft", "session", "email", "name"):
        assert not [c for c in columns if banned in c.split("_")], (banned, columns)


@pytest.mark.parametrize("slug", sorted(CATALOG.surveys))
def test_every_shipped_survey_has_a_version_row_after_start(client: TestClient, settings: Settings, slug: str) -> None:
    survey = CATALOG.surveys[slug]
    where = "slug = :s AND version = :v"
    assert database.count(settings.database_url, "survey_version", where, s=slug, v=survey.version) == 1
