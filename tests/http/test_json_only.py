"""JsonOnly calls the submission route past Litestar's CSRF and route exception layers only when CSRF is bypassed.

Every reply must be the one the whole stack gives: same status, raw headers and body, same log records.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar import Litestar, post
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import NotFoundException
from litestar.testing import TestClient
from litestar.types import ASGIApp, Scope

from voice_service.surveys.api_routes import JsonOnly, RequireJson, runtime_of
from voice_service.surveys.runtime import Runtime

URL = "/api/surveys/make-your-mark/responses"
JSON = {"content-type": "application/json"}
#: (url, body, headers) of replies that come from inside the route (or from RequireJson before it).
CASES: dict[str, tuple[str, bytes, dict[str, str]]] = {
    "no survey": ("/api/surveys/no-such-survey/responses", b'{"answers": {}}', JSON),
    "bad answers": (URL, b'{"answers": {"vote": "moon"}}', JSON),
    "unknown field": (URL, b'{"answers": {}, "extra": 1}', JSON),
    "malformed": (URL, b'{"answers": ', JSON),
    "not an object": (URL, b"[1, 2]", JSON),
    "bad key header": (URL, b'{"answers": {"vote": "environment"}}', JSON | {"idempotency-key": "no"}),
    "bad key": (URL, b'{"answers": {"vote": "environment"}, "submission_key": "a b"}', JSON),
    "not json": (URL, b"vote=environment", {"content-type": "application/x-www-form-urlencoded"}),
    "too large": (URL, b'{"answers": {"why": "' + b"x" * (1024 * 1024 + 10) + b'"}}', JSON),
}

Reply = tuple[int, list[tuple[bytes, bytes]], bytes]


def reply(client: TestClient[Any], url: str, body: bytes, headers: dict[str, str]) -> Reply:
    response = client.post(url, content=body, headers=headers)
    return response.status_code, list(response.headers.raw), response.content


def full_stack(self: JsonOnly, scope: Scope) -> ASGIApp:
    return self.app


@pytest.mark.parametrize("case", list(CASES))
def test_refusals_are_the_whole_stacks(
    client: TestClient[Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    taken: list[bool] = []
    real = JsonOnly.next_app

    def watched(self: JsonOnly, scope: Scope) -> ASGIApp:
        chosen = real(self, scope)
        taken.append(chosen is self.route and self.route is not self.app)
        return chosen

    monkeypatch.setattr(JsonOnly, "next_app", watched)
    caplog.set_level(logging.DEBUG)
    fast = reply(client, *CASES[case])
    fast_log = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    caplog.clear()
    monkeypatch.setattr(JsonOnly, "next_app", full_stack)
    whole = reply(client, *CASES[case])
    assert fast == whole
    assert fast[0] >= 400
    assert fast_log == [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    # The route was reached past the skipped layers, unless RequireJson refused the request before it.
    assert taken == ([] if case in ("not json", "too large") else [True])


def test_a_submission_its_replay_and_a_conflicting_replay_are_the_whole_stacks(
    client: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b'{"answers": {"vote": "environment"}, "submission_key": "json-only-0001"}'
    other = b'{"answers": {"vote": "transport"}, "submission_key": "json-only-0001"}'
    first = reply(client, URL, body, JSON)
    replay, conflict = reply(client, URL, body, JSON), reply(client, URL, other, JSON)
    monkeypatch.setattr(JsonOnly, "next_app", full_stack)
    assert (reply(client, URL, body, JSON), reply(client, URL, other, JSON)) == (replay, conflict)
    assert (first[0], replay[0], conflict[0]) == (201, 201, 409)
    assert first[2] == replay[2]


def test_csrf_still_applies_where_it_is_not_bypassed() -> None:
    @post("/forms/answer", middleware=[RequireJson()], status_code=200)
    async def answer() -> str:
        return "stored"

    @post("/open/answer", middleware=[RequireJson()], status_code=200)
    async def open_answer() -> str:
        raise NotFoundException("gone")

    csrf = CSRFConfig(secret="test-secret", exclude=["^/open/"])
    with TestClient(app=Litestar([answer, open_answer], csrf_config=csrf, openapi_config=None)) as client:
        refused = client.post("/forms/answer", content=b"{}", headers=JSON)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "CSRF token verification failed"
        # Excluded: past CSRF, and the handler's error is still answered as Litestar answers it.
        missing = client.post("/open/answer", content=b"{}", headers=JSON)
        assert (missing.status_code, missing.json()) == (404, {"status_code": 404, "detail": "gone"})


def test_without_csrf_the_stack_is_called_as_litestar_built_it() -> None:
    def inner(scope: Any, receive: Any, send: Any) -> Any:
        raise AssertionError("not called")

    layer = JsonOnly(RequireJson(), inner)
    assert layer.csrf is None
    scope: Any = {"type": "http", "path": "/api/x"}
    assert layer.next_app(scope) is inner


def test_the_submission_route_resolves_no_dependency_and_finds_the_apps_runtime(client: TestClient[Any]) -> None:
    app = client.app
    assert isinstance(app, Litestar)
    route = next(r for r in app.routes if r.path_format == "/api/surveys/{slug}/responses")
    _handler, kwargs_model = route.route_handler_map["POST"]  # type: ignore[union-attr]
    # Why it matters: Litestar's dependency resolution cost about as much as validating the answers.
    assert not kwargs_model.dependency_batches
    scope: Any = {"litestar_app": app}
    runtime = runtime_of(scope)
    assert isinstance(runtime, Runtime)
    assert runtime.catalog.current("make-your-mark") is not None
