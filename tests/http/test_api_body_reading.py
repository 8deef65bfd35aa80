"""The submission route reads its JSON body itself: in pieces, at the limit, or cut off, as Litestar would."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.exceptions import InternalServerException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.testing import TestClient

from tests.support import database
from voice_service.core.settings import Settings
from voice_service.surveys.api_routes import read_body

URL = "/api/surveys/make-your-mark/responses"
JSON = {"content-type": "application/json"}


def pieces(body: bytes, size: int) -> Iterator[bytes]:
    """A body sent in pieces without a Content-Length, as a streaming client would."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def events(*messages: dict[str, Any]) -> Any:
    """An ASGI receive callable that gives these messages in turn."""
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return receive


def test_a_body_sent_in_pieces_is_stored_whole(settings: Settings, client: TestClient) -> None:
    answers = {"vote": "environment", "why": "Cleaner parks & <safer> streets, " * 4}
    body = json.dumps({"answers": answers, "submission_key": "pieces-0001"}).encode()
    before = database.counts(settings.database_url)["response"]
    response = client.post(URL, content=pieces(body, 7), headers=JSON)
    assert response.status_code == 201, response.text
    assert database.counts(settings.database_url)["response"] == before + 1
    replay = client.post(URL, json={"answers": answers, "submission_key": "pieces-0001"})
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"  # the same answers, read from pieces, were stored


def test_a_body_in_pieces_over_the_limit_is_413_and_nothing_is_stored(settings: Settings, client: TestClient) -> None:
    padding = "x" * (settings.max_body_bytes + 10)
    body = f'{{"answers": {{"vote": "environment", "why": "{padding}"}}}}'.encode()
    before = database.counts(settings.database_url)
    response = client.post(URL, content=pieces(body, 64 * 1024), headers=JSON)
    assert response.status_code == 413
    assert database.counts(settings.database_url) == before


def test_malformed_json_is_still_400(settings: Settings, client: TestClient) -> None:
    before = database.counts(settings.database_url)
    response = client.post(URL, content=pieces(b'{"answers": {"vote": ', 5), headers=JSON)
    assert response.status_code == 400
    assert database.counts(settings.database_url) == before


def test_read_body_joins_pieces_and_stops_at_the_last() -> None:
    receive = events(
        {"type": "http.request", "body": b'{"a"', "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b": 1}", "more_body": False},
        {"type": "http.disconnect"},
    )
    assert asyncio.run(read_body(receive, 100)) == b'{"a": 1}'


def test_read_body_refuses_a_body_one_byte_over_the_limit() -> None:
    exactly = events({"type": "http.request", "body": b"x" * 10, "more_body": False})
    assert asyncio.run(read_body(exactly, 10)) == b"x" * 10
    over = events(
        {"type": "http.request", "body": b"x" * 10, "more_body": True},
        {"type": "http.request", "body": b"x", "more_body": False},
    )
    with pytest.raises(RequestEntityTooLarge):
        asyncio.run(read_body(over, 10))


def test_read_body_refuses_a_client_that_left_before_the_end() -> None:
    receive = events({"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.disconnect"})
    with pytest.raises(InternalServerException):
        asyncio.run(read_body(receive, 100))
