"""Security headers on every HTML response, read from the routes of the app itself."""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode

import httpx
import pytest
from litestar import Litestar, Response, get
from litestar.params import FromPath
from litestar.testing import TestClient

from tests.security.conftest import SLUG, concrete, page_routes
from tests.support.csrf import with_csrf
from voice_service.core.settings import Settings
from voice_service.core.web.security import NO_REFERRER, WebSecurity
from voice_service.core.web.security.headers import REFERRER_OPT
from voice_service.core.web.templating import build_environment

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


def assert_page_headers(response: httpx.Response, referrer: str = "same-origin") -> None:
    """The headers every HTML response carries, and a policy that allows exactly its inline scripts."""
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    headers = response.headers
    assert headers["content-type"].startswith("text/html"), where
    policy = headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ") if d}
    assert "'unsafe-inline'" not in policy, where
    assert "'unsafe-eval'" not in policy, where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("default-src") == ["'self'"], where
    assert directives.get("object-src") == ["'none'"], where
    for script in INLINE_SCRIPT.findall(response.text):
        digest = b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives["script-src"], f"{where}: inline script not allowed"
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("referrer-policy") == referrer, where
    assert headers.get("cache-control") == "no-store", where


@pytest.mark.usefixtures("mid_survey")
def test_every_page_of_the_app_has_the_headers(client: TestClient) -> None:
    # Pages reached from a link carrying a token declare no-referrer; every other page is same-origin.
    token_pages = {
        concrete(route.path)
        for route in client.app.routes
        for handler in route.route_handlers
        if handler.opt.get(REFERRER_OPT) == "no-referrer"
    }
    checked = 0
    for path in page_routes(client.app):
        for suffix in ("", "?change=1"):
            response = client.get(path + suffix)
            for answer in (*response.history, response):
                if answer.headers.get("content-type", "").startswith("text/html"):
                    assert_page_headers(
                        answer, "no-referrer" if answer.request.url.path in token_pages else "same-origin"
                    )
                    checked += 1
    assert checked >= len(page_routes(client.app))


def test_error_pages_have_the_headers(client: TestClient) -> None:
    errors = [
        client.get("/no/such/page"),
        client.get("/s/no-such-survey"),
        client.post(f"/s/{SLUG}/start"),  # 403: no token
        client.delete(f"/s/{SLUG}"),  # 405
        client.post(f"/s/{SLUG}/start", data=with_csrf(client, {"x": "y" * (2 * 1024 * 1024)})),  # 413
    ]
    assert [r.status_code for r in errors] == [404, 404, 403, 405, 413]
    for response in errors:
        assert_page_headers(response)


def test_the_inline_script_of_the_page_is_the_one_the_policy_allows(client: TestClient) -> None:
    page = client.get("/")
    scripts = INLINE_SCRIPT.findall(page.text)
    assert len(scripts) == 1
    assert "js-enabled" in scripts[0]
    assert_page_headers(page)


def test_other_responses_are_not_sniffed_and_staff_data_is_never_cached(client: TestClient) -> None:
    for path in ("/api/surveys", "/health", "/assets/app.css", "/api/staff/no-such-thing"):
        response = client.get(path)
        assert response.headers.get("x-content-type-options") == "nosniff", path
        assert "content-security-policy" not in response.headers, path
    assert client.get("/api/staff/no-such-thing").headers.get("cache-control") == "no-store"


def test_a_route_reached_by_a_token_link_can_ask_for_no_referrer(settings: Settings) -> None:
    @get("/invitation/{token:str}", opt=NO_REFERRER, media_type="text/html")
    async def invitation(token: FromPath[str]) -> str:
        return "<p>Your evaluation</p>"

    @get("/own-choice", media_type="text/html")
    async def own_choice() -> Response[str]:
        return Response("<p>x</p>", headers={"Referrer-Policy": "no-referrer", "Cache-Control": "private"})

    environment = build_environment(settings.templates_dir)
    app = Litestar([invitation, own_choice], plugins=[WebSecurity(settings, environment)])
    with TestClient(app) as client:
        reached = client.get("/invitation/secret-token")
        assert reached.headers["referrer-policy"] == "no-referrer"
        assert reached.headers["cache-control"] == "no-store"
        # A header the handler set itself is kept, not doubled.
        own = client.get("/own-choice")
        assert own.headers.get_list("referrer-policy") == ["no-referrer"]
        assert own.headers.get_list("cache-control") == ["private"]
