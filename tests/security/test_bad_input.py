"""Bodies too large, JSON nested too deep, file names the system refuses: each a clear 4xx, nothing stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from tests.http.helpers import begin
from tests.security.conftest import SLUG
from tests.support.apps import ClientFactory
from tests.support.csrf import csrf_token
from tests.support.html import Html

API = f"/api/surveys/{SLUG}/responses"
LIMIT = 1024 * 1024


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body sent in pieces without a Content-Length, as a streaming client would."""
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def form_bodies(token: str) -> dict[str, tuple[bytes | Iterator[bytes], dict[str, str]]]:
    over = LIMIT + 1
    field = f"_csrf_token={token}&make_better=".encode()
    boundary = "----vsboundary"
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="_csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="make_better"\r\n\r\n'
        ).encode()
        + b"x" * over
        + f"\r\n--{boundary}--\r\n".encode()
    )
    form = "application/x-www-form-urlencoded"
    return {
        "url-encoded": (field + b"x" * over, {"content-type": form}),
        "multipart": (multipart, {"content-type": f"multipart/form-data; boundary={boundary}"}),
        "chunked, no length": (chunks(over), {"content-type": form, "x-csrftoken": token}),
    }


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("kind", ["url-encoded", "multipart", "chunked, no length"])
def test_a_form_body_over_the_limit_is_413_on_every_form(client: TestClient, kind: str) -> None:
    paths = [f"/s/{SLUG}/page/1", f"/s/{SLUG}/submit"]
    if kind != "chunked, no length":
        # Start now reads no body of its own: only the CSRF check reads it, when the token is in it.
        paths.append(f"/s/{SLUG}/start")
    for path in paths:
        body, headers = form_bodies(csrf_token(client))[kind]
        response = client.post(path, content=body, headers=headers, follow_redirects=False)
        assert response.status_code == 413, path
        assert Html(response.text).h1 == "That was too much to send"


def test_a_smaller_limit_is_a_setting_for_forms_and_api_alike(make_client: ClientFactory) -> None:
    with make_client(max_body_bytes=4096) as client:
        begin(client, SLUG)
        answer = {"_csrf_token": csrf_token(client), "make_better": "x" * 5000}
        assert client.post(f"/s/{SLUG}/page/3", data=answer).status_code == 413
        assert client.post(API, json={"answers": {"make_better": "x" * 5000}}).status_code == 413
        # Under the limit all is well.
        small = {"_csrf_token": csrf_token(client), "make_better": "x" * 100}
        assert client.post(f"/s/{SLUG}/page/3", data=small, follow_redirects=False).status_code == 303


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_json_nested_too_deep_is_400(client: TestClient, depth: int) -> None:
    for nested in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        for body in (f'{{"answers": {nested}}}', f'{{"answers": {{"make_better": {nested}}}}}', nested):
            response = client.post(API, content=body, headers={"content-type": "application/json"})
            assert response.status_code == 400
            assert response.json() == {"status_code": 400, "detail": "The JSON is nested too deeply"}


@pytest.mark.usefixtures("unchanged")
def test_json_nested_deep_but_decodable_is_a_clear_4xx(client: TestClient) -> None:
    nested = "[" * 500 + "]" * 500
    response = client.post(
        API, content=f'{{"answers": {{"make_better": {nested}}}}}', headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/assets/app.css%00.txt",
        "/assets/%00",
        "/assets/app.css%00",
        "/assets/" + "a" * 5000,
        "/assets/" + "a/" * 3000 + "b",
        "/assets/app.css/x",
        "/assets/..%2f..%2fpyproject.toml",
    ],
)
def test_file_names_the_system_refuses_are_404(client: TestClient, path: str) -> None:
    for method in ("GET", "HEAD"):
        response = client.request(method, path)
        assert response.status_code == 404, (method, path)
    assert client.get("/assets/app.css").status_code == 200
