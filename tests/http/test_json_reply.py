"""JsonReply sends the messages Litestar's own Response sends, and goes Litestar's way for what it does not cover."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar import Response
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie
from litestar.exceptions import ImproperlyConfiguredException
from litestar.response.base import ASGIResponse
from litestar.testing import TestClient
from litestar.types import Message

from voice_service.core.web import json_reply
from voice_service.core.web.json_reply import JsonReply
from voice_service.surveys import api_routes
from voice_service.surveys.api_routes import AnswerErrors, ResponseAck

URL = "/api/surveys/make-your-mark/responses"
ACK = ResponseAck(uuid.UUID("0b7e6b8e-9f7c-4c56-a1a2-3c1f2b7d9e10"), "make-your-mark", "v1 \u00e9")
CONTENTS: list[Any] = [ACK, AnswerErrors({"vote": 'Choose one \u2013 "quoted"', "why": "<b>&</b>"}), {"a": [1, 2.5]}]
HEADERS: list[dict[str, Any]] = [{}, {"Idempotent-Replayed": "true"}, {"X-One": "1", "Content-Type": "text/plain"}]


async def messages(reply: Any) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        raise AssertionError("a reply does not read")

    await reply({"type": "http"}, receive, send)
    return sent


def asgi(response: Response[Any], **given: Any) -> Any:
    options: dict[str, Any] = {"cookies": [], "headers": {}, "media_type": "application/json", "type_encoders": None}
    return response.to_asgi_response(None, None, **(options | given))  # type: ignore[arg-type]


@pytest.mark.parametrize("content", CONTENTS, ids=["ack", "errors", "dict"])
@pytest.mark.parametrize("headers", HEADERS, ids=["none", "replayed", "own"])
@pytest.mark.parametrize("status", [201, 422, 200])
async def test_the_messages_are_litestars(content: Any, headers: dict[str, Any], status: int) -> None:
    ours = asgi(JsonReply(content, status_code=status, headers=headers))
    assert not isinstance(ours, ASGIResponse)
    assert await messages(ours) == await messages(asgi(Response(content, status_code=status, headers=headers)))


@pytest.mark.parametrize(
    "given",
    [
        {"cookies": [Cookie(key="a", value="b")]},
        {"headers": {"x-layer": "1"}},
        {"background": BackgroundTask(lambda: None)},
        {"media_type": "application/vnd.api+json"},
    ],
    ids=["cookie", "layer header", "background", "media type"],
)
async def test_anything_else_goes_litestars_way(given: dict[str, Any]) -> None:
    ours = asgi(JsonReply(ACK, status_code=201), **given)
    assert isinstance(ours, ASGIResponse)
    assert await messages(ours) == await messages(asgi(Response(ACK, status_code=201), **given))


def test_a_response_without_a_body_goes_litestars_way() -> None:
    assert isinstance(asgi(JsonReply(None, status_code=204)), ASGIResponse)
    with pytest.raises(ImproperlyConfiguredException):
        asgi(JsonReply(ACK, status_code=201), is_head_response=True)


def raw_reply(client: TestClient[Any], body: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    response = client.post(URL, content=body.encode(), headers={"content-type": "application/json"})
    return response.status_code, list(response.headers.raw), response.content


def test_a_submission_and_its_replay_get_the_bytes_litestars_reply_gave(
    client: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    real = json_reply._PlainReply.__call__

    async def counted(self: Any, scope: Any, receive: Any, send: Any) -> None:
        sent.append("plain")
        await real(self, scope, receive, send)

    monkeypatch.setattr(json_reply._PlainReply, "__call__", counted)
    body = '{"answers": {"vote": "environment"}, "submission_key": "json-reply-0001"}'
    first, replay = raw_reply(client, body), raw_reply(client, body)
    assert sent == ["plain", "plain"]
    monkeypatch.setattr(api_routes, "JsonReply", Response)
    assert raw_reply(client, body) == replay
    assert first[0] == replay[0] == 201
    assert (b"idempotent-replayed", b"true") in replay[1]
    assert [h for h in replay[1] if h[0] != b"idempotent-replayed"] == first[1]
    assert first[2] == replay[2]
