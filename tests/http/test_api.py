"""The JSON API: listing surveys, their definitions, and storing responses of every value shape."""

from __future__ import annotations

import uuid
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


PUBLIC = {"young-people-voice", "make-your-mark", "sexual-health-young-people"}


def responses_url(slug: str) -> str:
    return f"/api/surveys/{slug}/responses"


def test_list_surveys_gives_the_listed_open_ones(client: TestClient) -> None:
    response = client.get("/api/surveys")
    assert response.status_code == 200
    body = response.json()
    assert {s["slug"] for s in body} == PUBLIC
    voice = next(s for s in body if s["slug"] == "young-people-voice")
    assert voice == {
        "slug": "young-people-voice",
        "title": "Have your say - what matters to you?",
        "audience": "young_people",
        "purpose": "voice",
        "anonymous": True,
        "version": CATALOG.surveys["young-people-voice"].version,
        "url": "/s/young-people-voice",
    }


@pytest.mark.parametrize("slug", sorted(CATALOG.surveys))
def test_each_survey_definition_is_served_with_its_version(client: TestClient, slug: str) -> None:
    response = client.get(f"/api/surveys/{slug}")
    assert response.status_code == 200
    body = response.json()
    survey = CATALOG.surveys[slug]
    assert body["slug"] == slug
    assert body["version"] == survey.version
    assert body["definition"] == survey.to_json()


def test_definition_is_normalised_json(client: TestClient) -> None:
    definition = client.get("/api/surveys/working-together-a-evaluation").json()["definition"]
    matrix = definition["sections"][0]["questions"][0]
    assert matrix["id"] == "course_elements"
    assert matrix["type"] == "matrix"
    assert [o["value"] for o in matrix["options"]] == ["poor", "fair", "good", "very_good"]  # the scale, inlined
    assert [r["value"] for r in matrix["rows"]] == ["quality", "content", "trainer_knowledge", "relevance"]
    assert definition["anonymous"] is False


def test_unknown_survey_definition_is_404(client: TestClient) -> None:
    response = client.get("/api/surveys/no-such-survey")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["status_code"] == 404


SHAPES: list[tuple[str, str, dict[str, Any]]] = [
    ("single", "make-your-mark", {"vote": "environment"}),
    ("scale", "young-people-voice", {"listened_to": "mostly"}),
    ("multiple", "young-people-voice", {"talk_to": ["friend", "helpline"]}),
    ("ranking", "young-people-voice", {"what_matters": ["environment", "feeling_safe"]}),
    ("matrix", "working-together-a-evaluation", {
        "course_elements": {
            "quality": "good", "content": "fair", "trainer_knowledge": "very_good", "relevance": "poor",
        },
        "confidence_before": "low",
        "confidence_after": "moderate",
        "change_intent": "very_likely",
    }),
    ("number", "sexual-health-young-people", {"times_used": 12}),
    ("decimal", "sexual-health-young-people", {"times_used": 4.0}),
    ("text", "sexual-health-young-people", {"found_out": ["other"], "found_out_other": "Youth club"}),
    ("textarea", "young-people-voice", {"make_better": "Line one\nLine two"}),
]  # fmt: skip


@pytest.mark.parametrize(("shape", "slug", "answers"), SHAPES, ids=[s[0] for s in SHAPES])
def test_a_response_of_each_value_shape_is_stored(
    client: TestClient, settings: Settings, shape: str, slug: str, answers: dict[str, Any]
) -> None:
    response = client.post(responses_url(slug), json={"answers": answers})
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "survey", "version"}
    assert body["survey"] == slug
    assert body["version"] == CATALOG.surveys[slug].version
    assert "idempotent-replayed" not in response.headers
    stored = database.query(settings.database_url, "SELECT id, survey_slug FROM response")
    assert len(stored) == 1
    assert database.as_uuid(stored[0][0]) == uuid.UUID(body["id"])
    questions = {row[0] for row in database.query(settings.database_url, "SELECT question_id FROM answer")}
    assert questions == set(answers)


def test_a_number_of_the_wrong_kind_is_refused(client: TestClient) -> None:
    slug = "sexual-health-young-people"
    for value, message in [("3", "Enter a number"), (True, "Enter a number"), (2.5, "whole number"), (101, "or less")]:
        response = client.post(responses_url(slug), json={"answers": {"times_used": value}})
        assert response.status_code == 422, value
        assert message in response.json()["errors"]["times_used"]


@pytest.mark.parametrize(
    ("slug", "answers", "question", "message"),
    [
        ("make-your-mark", {"vote": "pizza"}, "vote", "Choose one of the answers shown"),
        ("make-your-mark", {"why": "No vote"}, "vote", "Choose the issue that matters most to you"),
        ("make-your-mark", {"vote": ["environment"]}, "vote", "Choose one of the answers shown"),
        ("young-people-voice", {"talk_to": "friend"}, "talk_to", "Choose one or more"),
        ("young-people-voice", {"talk_to": ["friend", "no_one"]}, "talk_to", "Untick one of them"),
        ("young-people-voice", {"talk_to": ["friend", "friend"]}, "talk_to", "only once"),
        ("young-people-voice", {"what_matters": ["school"] * 2}, "what_matters", "only once"),
        ("young-people-voice", {"what_matters": ["school", "environment", "feeling_safe", "mental_health"]},
         "what_matters", "no more than 3"),
        ("young-people-voice", {"make_better": 42}, "make_better", "as text"),
        ("young-people-voice", {"make_better": True}, "make_better", "What would make things better"),
        ("young-people-voice", {"make_better": "x" * 2001}, "make_better", "shorter than 2,000 letters"),
        ("young-people-voice", {"make_better": "nul\x00byte"}, "make_better", "cannot be saved"),
        ("working-together-a-evaluation", {"course_elements": ["good"]}, "course_elements", "each row"),
        ("working-together-a-evaluation", {"course_elements": {"quality": "good"}}, "course_elements",
         "Course content and materials"),
        ("working-together-a-evaluation", {"course_elements": {"colour": "good"}}, "course_elements",
         "not one of the rows"),
    ],
)  # fmt: skip
def test_invalid_answers_are_422_with_a_message_per_question(
    client: TestClient, settings: Settings, slug: str, answers: dict[str, Any], question: str, message: str
) -> None:
    before = database.counts(settings.database_url)
    response = client.post(responses_url(slug), json={"answers": answers})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert message in errors[question], errors
    assert database.counts(settings.database_url) == before


def test_an_answer_of_only_invisible_characters_counts_as_none(client: TestClient, settings: Settings) -> None:
    # Found by an outsider: U+202E or zero-width spaces alone were stored as an answer to a required question.
    invisible = "\u202e\u200b\ufeff"
    required = client.post(responses_url("hsb-evaluation"), json={"answers": {"practice_difference": invisible}})
    assert required.status_code == 422
    assert required.json()["errors"]["practice_difference"].startswith("Write your answer")
    optional = client.post(responses_url("make-your-mark"), json={"answers": {"vote": "transport", "why": invisible}})
    assert optional.status_code == 201, optional.text
    stored = database.query(settings.database_url, "SELECT question_id FROM answer")
    assert [row[0] for row in stored] == ["vote"]


def test_every_invalid_answer_is_reported_at_once(client: TestClient) -> None:
    answers = {"course_elements": {"quality": "good"}, "change_intent": "maybe", "colour": "blue"}
    response = client.post(responses_url("working-together-a-evaluation"), json={"answers": answers})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"course_elements", "confidence_before", "confidence_after", "change_intent", "colour"}
    assert errors["colour"] == "'colour' is not a question in this survey"


def test_an_answer_to_a_hidden_question_is_dropped(client: TestClient, settings: Settings) -> None:
    answers = {"found_out": ["website"], "found_out_other": "Should not be kept"}
    response = client.post(responses_url("sexual-health-young-people"), json={"answers": answers})
    assert response.status_code == 201
    questions = {row[0] for row in database.query(settings.database_url, "SELECT question_id FROM answer")}
    assert questions == {"found_out"}


def test_the_same_submission_key_twice_stores_one_response(client: TestClient, settings: Settings) -> None:
    body = {"answers": {"vote": "transport"}, "submission_key": "retry-key-0001"}
    first = client.post(responses_url("make-your-mark"), json=body)
    second = client.post(responses_url("make-your-mark"), json=body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert database.count(settings.database_url, "response") == 1
    assert database.count(settings.database_url, "answer") == 1


def test_a_replay_with_different_answers_is_a_conflict_and_keeps_the_first(
    client: TestClient, settings: Settings
) -> None:
    url, key = responses_url("make-your-mark"), "retry-key-0002"
    first = client.post(url, json={"answers": {"vote": "transport"}, "submission_key": key})
    again = client.post(url, json={"answers": {"vote": "international"}, "submission_key": key})
    assert first.status_code == 201
    assert again.status_code == 409, again.text
    assert "already used for different answers" in again.json()["detail"]
    stored = database.query(settings.database_url, "SELECT value_text FROM answer")
    assert [row[0] for row in stored] == ["transport"]
    # The same answers again (a retry) still get the first acknowledgement, however they are written.
    retry = client.post(url, json={"answers": {"vote": "transport", "why": "  "}, "submission_key": key})
    assert retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert retry.headers["idempotent-replayed"] == "true"


def test_the_idempotency_key_header_works_the_same(client: TestClient, settings: Settings) -> None:
    headers = {"Idempotency-Key": "header-key-0001"}
    first = client.post(responses_url("make-your-mark"), json={"answers": {"vote": "transport"}}, headers=headers)
    second = client.post(responses_url("make-your-mark"), json={"answers": {"vote": "transport"}}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["idempotent-replayed"] == "true"
    assert database.count(settings.database_url, "response", "submission_key = :k", k="header-key-0001") == 1
    assert database.count(settings.database_url, "response") == 1


def test_a_body_key_and_a_different_header_key_are_refused_naming_both(client: TestClient, settings: Settings) -> None:
    # Found by an outsider: the body key won silently, so a retry sending only the header stored the answers twice.
    url, answers = responses_url("make-your-mark"), {"vote": "transport"}
    both = client.post(
        url,
        json={"answers": answers, "submission_key": "body-key-0001"},
        headers={"Idempotency-Key": "header-key-0001"},
    )
    assert both.status_code == 422
    assert set(both.json()["errors"]) == {"submission_key", "Idempotency-Key"}
    assert database.count(settings.database_url, "response") == 0
    # The same key in both is one key: stored once, and a retry with only the header replays it.
    same = {"Idempotency-Key": "same-key-0001"}
    first = client.post(url, json={"answers": answers, "submission_key": "same-key-0001"}, headers=same)
    retry = client.post(url, json={"answers": answers}, headers=same)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert database.count(settings.database_url, "response") == 1


def test_without_a_key_each_post_is_a_new_response(client: TestClient, settings: Settings) -> None:
    ids = {client.post(responses_url("make-your-mark"), json={"answers": {"vote": "transport"}}).json()["id"]}
    ids.add(client.post(responses_url("make-your-mark"), json={"answers": {"vote": "transport"}}).json()["id"])
    assert len(ids) == 2
    assert database.count(settings.database_url, "response") == 2
