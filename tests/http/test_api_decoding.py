"""The submission body is decoded straight into the handler's type, and every reply is what Litestar's path gives."""

from __future__ import annotations

import json
from typing import Any

import litestar.connection.request
import msgspec
import pytest
from litestar.testing import TestClient

from tests.support import database
from voice_service.core.settings import Settings
from voice_service.surveys import api_routes
from voice_service.surveys.api_routes import ResponseIn, decode_or_none

URL = "/api/surveys/make-your-mark/responses"
JSON = {"content-type": "application/json"}
DECODER = msgspec.json.Decoder(ResponseIn)
DEEP = '{"answers": {"why": ' + "[" * 5000 + "]" * 5000 + "}}"

#: Bodies that Litestar's own reading refuses, each for its own reason (400 or 422 with field errors).
REFUSED = [
    "{not json",
    "",
    "null",
    "[]",
    '"answers"',
    "{}",
    '{"answers": []}',
    '{"answers": {"vote": "environment"}, "name": "Sam"}',
    '{"answers": {"vote": "environment"}, "submission_key": "short"}',
    '{"answers": {"vote": "environment"}, "submission_key": 12345678}',
    '{"answers": {"vote": "environment"}, "submission_key": "has spaces in it"}',
    '{"answers": {"vote": "not-an-option"}}',
    '{"answers": {"vote": "environment", "shoe_size": 9}}',
    '{"answers": {"vote": "environment"}, "answers": {"nope": 1}}',
    DEEP,
]


def reply(client: TestClient[Any], body: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    response = client.post(URL, content=body.encode(), headers={**JSON, **(headers or {})})
    try:
        payload = response.json()
    except ValueError:
        payload = response.text
    return response.status_code, payload


@pytest.mark.parametrize("body", REFUSED, ids=range(len(REFUSED)))
def test_a_refused_body_gets_the_reply_litestars_own_reading_gives(
    settings: Settings, client: TestClient[Any], monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    before = database.counts(settings.database_url)
    decoded = reply(client, body)
    monkeypatch.setattr(api_routes, "decode_or_none", lambda decoder, raw: None)
    assert reply(client, body) == decoded
    assert decoded[0] in (400, 422), decoded
    assert database.counts(settings.database_url) == before


def test_a_valid_body_is_decoded_once_in_c_and_stored_as_litestars_reading_would_store_it(
    settings: Settings, client: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"vote": "environment", "why": "Cleaner <b>parks</b> & \u00e9t\u00e9 \U0001f333", "age_band": "11_15"}
    body = json.dumps({"answers": answers, "submission_key": "decoded-0001"})

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the body was decoded a second time")

    # Why: a submission that reached Litestar's JSON decoder would have skipped the decoding done once.
    with monkeypatch.context() as patched:
        patched.setattr(litestar.connection.request, "decode_json", refuse)
        first = client.post(URL, content=body.encode(), headers=JSON)
    assert first.status_code == 201, first.text
    assert first.json()["survey"] == "make-your-mark"
    # The same answers through Litestar's own reading replay the first acknowledgement: stored equal.
    monkeypatch.setattr(api_routes, "decode_or_none", lambda decoder, raw: None)
    again = client.post(URL, content=body.encode(), headers=JSON)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


def test_an_idempotency_header_and_its_errors_are_unchanged(
    settings: Settings, client: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = '{"answers": {"vote": "environment"}}'
    bad = reply(client, body, {"Idempotency-Key": "no spaces allowed"})
    good = reply(client, body, {"Idempotency-Key": "header-key-0001"})
    assert bad[0] == 422, bad
    assert good[0] == 201, good
    monkeypatch.setattr(api_routes, "decode_or_none", lambda decoder, raw: None)
    assert reply(client, body, {"Idempotency-Key": "no spaces allowed"}) == bad
    assert reply(client, body, {"Idempotency-Key": "header-key-0001"}) == good


def test_decode_or_none_gives_the_struct_or_nothing() -> None:
    decoded = decode_or_none(DECODER, b'{"answers": {"a": [1, {"b": null}]}, "submission_key": "key-00001"}')
    assert decoded == ResponseIn({"a": [1, {"b": None}]}, "key-00001")
    assert decode_or_none(DECODER, b'{"answers": {}}') == ResponseIn({})
    for refused in REFUSED[:4] + REFUSED[6:11] + [DEEP]:
        assert decode_or_none(DECODER, refused.encode()) is None, refused
    assert decode_or_none(DECODER, b"\xff\xfe") is None
