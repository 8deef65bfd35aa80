"""The JSON API's refusals: each has its status, a useful body, and leaves the database as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from tests.support import database
from tests.support.apps import ClientFactory
from voice_service.core.settings import Settings

URL = "/api/surveys/make-your-mark/responses"
JSON = {"content-type": "application/json"}


@pytest.fixture
def unchanged(settings: Settings, client: TestClient) -> Iterator[None]:
    """Assert the test stored nothing at all (counted once the app has started and synced its surveys)."""
    before = database.counts(settings.database_url)
    yield
    assert database.counts(settings.database_url) == before


def detail(response: object) -> str:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"status_code", "detail"}
    assert body["status_code"] == response.status_code  # type: ignore[attr-defined]
    return str(body["detail"])


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("body", [b"{not json", b'{"answers": {"vote": "environment"}', b"\xff\xfe", b"nul"])
def test_malformed_json_is_400_with_a_plain_message(client: TestClient, body: bytes) -> None:
    response = client.post(URL, content=body, headers=JSON)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    message = detail(response)
    assert message
    assert "Traceback" not in message


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "body",
    [
        '{"answers": {"vote": "environment", "why": "caf\xe9"}}'.encode("latin-1"),
        b'{"answers": {"vote": "environment"}, "submission_key": "abcdefgh\xff"}',
        b'{"answers": {"vote\xff": "environment"}}',
    ],
)
def test_text_that_is_not_utf8_is_400_not_500(client: TestClient, body: bytes) -> None:
    # Found posting an outside client's Latin-1 body: bytes that are not UTF-8 inside a JSON string were a 500.
    response = client.post(URL, content=body, headers=JSON)
    assert response.status_code == 400
    assert detail(response) == "The body is not UTF-8 text: send the JSON encoded as UTF-8"


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("body", [b"[]", b'[{"answers": {}}]', b'"answers"', b"42", b"null", b"true"])
def test_a_body_that_is_not_an_object_is_400(client: TestClient, body: bytes) -> None:
    response = client.post(URL, content=body, headers=JSON)
    assert response.status_code == 400
    assert "JSON object" in detail(response)


@pytest.mark.usefixtures("unchanged")
def test_an_empty_body_is_400(client: TestClient) -> None:
    response = client.post(URL, content=b"", headers=JSON)
    assert response.status_code == 400
    detail(response)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("answers", [[], ["vote", "environment"], "vote=environment", 3, None])
def test_answers_that_are_not_an_object_are_422(client: TestClient, answers: object) -> None:
    response = client.post(URL, json={"answers": answers})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"answers"}


@pytest.mark.usefixtures("unchanged")
def test_missing_answers_are_422(client: TestClient) -> None:
    response = client.post(URL, json={"submission_key": "abcdefgh12"})
    assert response.status_code == 422
    assert "answers" in response.json()["errors"]


@pytest.mark.usefixtures("unchanged")
def test_nothing_answered_is_422(client: TestClient) -> None:
    response = client.post("/api/surveys/young-people-voice/responses", json={"answers": {}})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"answers"}


@pytest.mark.usefixtures("unchanged")
def test_an_unknown_question_is_422(client: TestClient) -> None:
    response = client.post(URL, json={"answers": {"vote": "environment", "favourite_colour": "blue"}})
    assert response.status_code == 422
    assert response.json() == {"errors": {"favourite_colour": "'favourite_colour' is not a question in this survey"}}


@pytest.mark.usefixtures("unchanged")
def test_a_body_over_one_mebibyte_is_413(client: TestClient) -> None:
    padding = "x" * (1024 * 1024)
    response = client.post(URL, content=f'{{"answers": {{"why": "{padding}"}}}}'.encode(), headers=JSON)
    assert response.status_code == 413
    detail(response)


def test_a_body_just_under_the_limit_is_read(client: TestClient) -> None:
    padding = "x" * (1024 * 1024 - 100)
    response = client.post(URL, content=f'{{"answers": {{"why": "{padding}"}}}}'.encode(), headers=JSON)
    assert response.status_code == 422  # read and checked: too long for the question, and no vote
    assert set(response.json()["errors"]) == {"vote", "why"}


@pytest.mark.usefixtures("unchanged")
def test_an_unknown_survey_is_404(client: TestClient) -> None:
    response = client.post("/api/surveys/no-such-survey/responses", json={"answers": {"vote": "environment"}})
    assert response.status_code == 404
    assert "survey" in detail(response).lower()


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "key", ["short", "has spaces in it", "semi;colon;key", "x" * 129, "émoji-key-🙂", "<script>x</script>"]
)
def test_a_bad_submission_key_is_422(client: TestClient, key: str) -> None:
    response = client.post(URL, json={"answers": {"vote": "environment"}, "submission_key": key})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"submission_key"}
    assert errors["submission_key"]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("key", ["short", "has spaces in it", "x" * 129])
def test_a_bad_idempotency_key_header_is_422(client: TestClient, key: str) -> None:
    response = client.post(URL, json={"answers": {"vote": "environment"}}, headers={"Idempotency-Key": key})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert next(iter(errors)).lower().replace("-", "_") in ("idempotency_key", "submission_key")


@pytest.mark.usefixtures("unchanged")
def test_a_submission_key_that_is_not_a_string_is_422(client: TestClient) -> None:
    response = client.post(URL, json={"answers": {"vote": "environment"}, "submission_key": 12345678})
    assert response.status_code == 422
    assert "submission_key" in response.json()["errors"]


def test_a_key_reused_for_another_survey_is_409(client: TestClient, settings: Settings) -> None:
    key = "shared-key-0001"
    first = client.post(URL, json={"answers": {"vote": "environment"}, "submission_key": key})
    assert first.status_code == 201
    before = database.counts(settings.database_url)
    other = client.post(
        "/api/surveys/young-people-voice/responses", json={"answers": {"listened_to": "always"}, "submission_key": key}
    )
    assert other.status_code == 409
    assert "another survey" in detail(other)
    assert database.counts(settings.database_url) == before


def test_a_closed_survey_is_410(make_client: ClientFactory, closed_forms: Path, settings: Settings) -> None:
    before = database.count(settings.database_url, "response")
    with make_client(forms_dir=closed_forms) as client:
        response = client.post(URL, json={"answers": {"vote": "environment"}})
        assert response.status_code == 410
        assert "closed" in detail(response)
        # A closed survey is no longer listed, but its definition can still be read.
        assert "make-your-mark" not in {s["slug"] for s in client.get("/api/surveys").json()}
        definition = client.get("/api/surveys/make-your-mark")
        assert definition.status_code == 200
        assert definition.json()["definition"]["open"] is False
    assert database.count(settings.database_url, "response") == before


@pytest.mark.usefixtures("unchanged")
def test_wrong_methods_are_405_in_json(client: TestClient) -> None:
    for method, path in [("DELETE", "/api/surveys"), ("PUT", URL), ("GET", URL)]:
        response = client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["content-type"].startswith("application/json")


def test_an_unknown_api_path_is_404_in_json(client: TestClient) -> None:
    response = client.get("/api/nothing/here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"answers": {"vote": "environment"}}'),
        ("application/x-www-form-urlencoded", b"answers=vote"),
        ("multipart/form-data; boundary=x", b"--x--"),
    ],
)
def test_a_body_not_sent_as_json_is_415(client: TestClient, content_type: str, body: bytes) -> None:
    # Why: a cross-site HTML form can send these types without a preflight, so it must not vote.
    response = client.post(URL, content=body, headers={"content-type": content_type})
    assert response.status_code == 415
    assert "application/json" in detail(response)


@pytest.mark.usefixtures("unchanged")
def test_key_errors_are_explained_without_a_regular_expression(client: TestClient) -> None:
    in_body = client.post(URL, json={"answers": {"vote": "environment"}, "submission_key": "no spaces allowed"})
    in_header = client.post(URL, json={"answers": {"vote": "environment"}}, headers={"Idempotency-Key": "short"})
    assert in_body.status_code == in_header.status_code == 422
    assert in_body.json()["errors"]["submission_key"].startswith("must be 8 to 128 characters")
    assert in_header.json()["errors"]["Idempotency-Key"].startswith("must be 8 to 128 characters")
