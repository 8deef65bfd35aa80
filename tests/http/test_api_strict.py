"""The stricter JSON API: unknown fields named, a reused key with other answers refused, every 422 says where."""

from __future__ import annotations

import random
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.conftest import FORMS_DIR
from tests.support import database
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog

CATALOG = SurveyCatalog.from_folder(FORMS_DIR)
PUBLIC = ["young-people-voice", "make-your-mark", "sexual-health-young-people"]


def responses_url(slug: str) -> str:
    return f"/api/surveys/{slug}/responses"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {"vote": "transport"}, "name": "Bob"}, "name"),
        ({"answers": {"vote": "transport"}, "email": "bob@example.org", "submission_key": "strict-key-01"}, "email"),
        ({"name": "Bob", "answers": {"vote": "transport"}}, "name"),
    ],
)
def test_an_unknown_top_level_field_is_422_naming_it_and_nothing_is_stored(
    client: TestClient, settings: Settings, body: dict[str, Any], field: str
) -> None:
    before = database.counts(settings.database_url)
    response = client.post(responses_url("make-your-mark"), json=body)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert f"'{field}' is not a field of this request" in errors[field]
    assert database.counts(settings.database_url) == before


def test_the_fields_a_response_has_are_still_accepted(client: TestClient) -> None:
    body = {"answers": {"vote": "transport"}, "submission_key": "strict-key-02"}
    assert client.post(responses_url("make-your-mark"), json=body).status_code == 201


@pytest.mark.parametrize("slug", PUBLIC)
def test_a_retry_with_the_same_answers_of_every_shape_gets_the_first_acknowledgement(
    client: TestClient, settings: Settings, slug: str
) -> None:
    survey = CATALOG.surveys[slug]
    rng = random.Random(slug)  # noqa: S311 - demo answers, not secrets
    answers = {q.id: q.sample_answer(rng) for q in survey.questions if q.show_if is None}
    body = {"answers": answers, "submission_key": f"strict-retry-{slug}"}
    first = client.post(responses_url(slug), json=body)
    again = client.post(responses_url(slug), json=body)
    assert first.status_code == 201, first.text
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert database.count(settings.database_url, "response") == 1


@pytest.mark.parametrize("slug", PUBLIC)
def test_a_key_reused_with_one_answer_changed_is_a_conflict(client: TestClient, settings: Settings, slug: str) -> None:
    survey = CATALOG.surveys[slug]
    rng = random.Random(slug)  # noqa: S311 - demo answers, not secrets
    answers = {q.id: q.sample_answer(rng) for q in survey.questions if q.show_if is None}
    key = f"strict-conflict-{slug}"
    assert client.post(responses_url(slug), json={"answers": answers, "submission_key": key}).status_code == 201
    stored = database.counts(settings.database_url)
    first_text = next(q for q in survey.questions if q.type_code in ("text", "textarea") and q.show_if is None)
    changed = {**answers, first_text.id: "Something else entirely"}
    response = client.post(responses_url(slug), json={"answers": changed, "submission_key": key})
    assert response.status_code == 409, response.text
    assert "already used for different answers" in response.json()["detail"]
    assert database.counts(settings.database_url) == stored


@pytest.mark.parametrize(
    ("slug", "answers"),
    [
        ("young-people-voice", {"make_better": True}),
        ("young-people-voice", {"make_better": ["a"], "talk_to": {"friend": True}, "what_matters": "school"}),
        ("sexual-health-young-people", {"times_used": "lots", "info_easy": 3, "found_out": "website"}),
        ("make-your-mark", {"vote": None, "why": 7}),
    ],
)
def test_every_422_names_the_question_of_each_problem(client: TestClient, slug: str, answers: dict[str, Any]) -> None:
    response = client.post(responses_url(slug), json={"answers": answers})
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    by_id = CATALOG.surveys[slug].by_id
    assert set(errors) <= set(by_id), errors
    assert set(errors) >= {qid for qid, value in answers.items() if value is not None}
    for qid, message in errors.items():
        assert message.strip(), qid
