"""The `Idempotency-Key` header, read by RequireJson instead of a header parameter, is checked as before.

The reference is a route declaring the header the old way (`HeaderParameter`, the project's error
handler): its OpenAPI parameter and its replies are what the submission route gave until the
header moved into the middleware, and the literals below were recorded from that route.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from litestar import Litestar, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.testing import TestClient

from tests.support import database
from voice_service.core.settings import Settings
from voice_service.core.web.errors import handle_http_error
from voice_service.surveys.api_routes import ResponseIn
from voice_service.surveys.submissions import SUBMISSION_KEY

URL = "/api/surveys/make-your-mark/responses"
GOOD = '{"answers": {"vote": "environment"}}'
MESSAGE = "must be 8 to 128 characters: letters, digits, '.', '_', ':' or '-'"
#: The header's OpenAPI entry as Litestar wrote it for the HeaderParameter (recorded at fbaa8ef).
PARAMETER = {
    "deprecated": False,
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {
        "maxLength": 128,
        "oneOf": [{"type": "string"}, {"type": "null"}],
        "pattern": "^[A-Za-z0-9._:-]{8,128}$",
    },
}

#: Header values (several: the header repeated) with bodies, each refused before the handler runs.
REFUSED: list[tuple[list[str], str]] = [
    (["no spaces allowed"], GOOD),
    (["a" * 129], GOOD),
    (["short"], GOOD),
    ([""], GOOD),
    (["caf\u00e9-key-0001"], GOOD),
    (["header-key-0003", "bad key"], GOOD),
    (["bad key", "header-key-0004"], GOOD),
    (["header-key-0005", "header-key-0005"], GOOD),
    (["bad key"], '{"answers": {"vote": "environment"}, "submission_key": "body-key-0001"}'),
    (["bad key"], '{"answers": {"vote": "environment"}, "submission_key": "short"}'),
    (["bad key"], '{"answers": {"vote": "environment"}, "name": "Sam"}'),
    (["bad key"], "{}"),
    (["bad key"], "[]"),
    (["bad key"], "{not json"),
    (["header-key-0009"], "{not json"),
    (["bad key"], '{"answers": {"vote": "not-an-option"}}'),
]


@post("/api/surveys/{slug:str}/responses", status_code=201)
async def reference(
    slug: FromPath[str],
    data: JSONBody[ResponseIn],
    idempotency_key: Annotated[
        str | None, HeaderParameter(name="Idempotency-Key", pattern=SUBMISSION_KEY.pattern, max_length=128)
    ] = None,
) -> dict[str, Any]:
    """The submission route's header as it was declared: Litestar reads and checks it."""
    return {"key": idempotency_key}


@pytest.fixture(scope="module")
def old_way() -> Iterator[TestClient[Any]]:
    app = Litestar([reference], exception_handlers={HTTPException: handle_http_error})
    with TestClient(app=app) as client:
        yield client


def send(client: TestClient[Any], body: str, keys: list[str], url: str = URL) -> tuple[int, str]:
    headers = [(b"content-type", b"application/json"), *((b"idempotency-key", key.encode()) for key in keys)]
    reply = client.post(url, content=body.encode(), headers=headers)
    return reply.status_code, reply.text


def test_the_schema_documents_the_header_exactly_as_the_header_parameter_did(
    client: TestClient[Any], old_way: TestClient[Any]
) -> None:
    operation = client.get("/schema/openapi.json").json()["paths"]["/api/surveys/{slug}/responses"]["post"]
    declared = old_way.get("/schema/openapi.json").json()["paths"]["/api/surveys/{slug}/responses"]["post"]
    assert operation["parameters"] == declared["parameters"]
    assert operation["parameters"][1] == PARAMETER
    assert [p["name"] for p in operation["parameters"]] == ["slug", "Idempotency-Key"]
    # The rest of the entry is Litestar's own: the body, the documented replies with the 422's fields.
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ResponseIn"
    }
    assert {"201", "400", "409", "415", "422", "429"} <= set(operation["responses"])


@pytest.mark.parametrize(("keys", "body"), REFUSED, ids=range(len(REFUSED)))
def test_a_refused_header_gets_the_reply_the_header_parameter_gave_and_stores_nothing(
    settings: Settings, client: TestClient[Any], old_way: TestClient[Any], keys: list[str], body: str
) -> None:
    before = database.counts(settings.database_url)
    status, text = send(client, body, keys)
    assert (status, text) == send(old_way, body, keys)
    assert status in (400, 422), text
    assert database.counts(settings.database_url) == before


def test_the_refusals_are_worded_for_the_client() -> None:
    app = Litestar([reference], exception_handlers={HTTPException: handle_http_error})
    with TestClient(app=app) as old:
        assert json.loads(send(old, GOOD, ["bad key"])[1]) == {"errors": {"Idempotency-Key": MESSAGE}}
        both = json.loads(send(old, '{"answers": {}, "submission_key": "short"}', ["bad key"])[1])
        assert list(both["errors"]) == ["submission_key", "Idempotency-Key"]


def test_a_bad_header_is_refused_before_the_survey_is_looked_up(client: TestClient[Any]) -> None:
    """As a parameter it was checked before the handler ran: an unknown slug or a delegate-only survey is a 422."""
    refused = {"errors": {"Idempotency-Key": MESSAGE}}
    for url in ("/api/surveys/no-such-survey/responses", "/api/surveys/hsb-evaluation/responses"):
        status, text = send(client, GOOD, ["bad key"], url)
        assert (status, json.loads(text)) == (422, refused)
    assert send(client, GOOD, ["header-key-0011"], "/api/surveys/no-such-survey/responses")[0] == 404
    # A body that is not JSON is refused as such first, as before; so is a body too large.
    plain = client.post(URL, content=GOOD.encode(), headers={"content-type": "text/plain", "idempotency-key": "bad"})
    assert plain.status_code == 415


def test_a_good_header_keys_the_submission_and_a_different_body_key_is_refused(
    settings: Settings, client: TestClient[Any]
) -> None:
    status, text = send(client, GOOD, ["header-key-0001"])
    assert status == 201, text
    again = client.post(
        URL, content=GOOD.encode(), headers={"content-type": "application/json", "Idempotency-Key": "header-key-0001"}
    )
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == json.loads(text)
    longest = send(client, GOOD, ["b" * 128])
    assert longest[0] == 201, longest
    body_key = '{"answers": {"vote": "environment"}, "submission_key": "body-key-0002"}'
    assert send(client, body_key, ["header-key-0006"])[0] == 422
    assert send(client, body_key, ["body-key-0002"])[0] == 201
    stored = database.query(settings.database_url, "SELECT submission_key FROM response ORDER BY submission_key")
    assert [row[0] for row in stored] == ["b" * 128, "body-key-0002", "header-key-0001"]
