"""Every route of the app, tried with no one signed in and each role, checked against the route table.

The routes are read from the app itself, so a new route is tried here as soon as it exists, and
one missing from voice_service/access.py stops create_app (and so every test) from running.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig
from litestar.testing import TestClient

from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import FIXED_USERS, api_token, bearer, set_session_cookie, sign_in
from voice_service import access
from voice_service.accounts import policy as policy_module
from voice_service.accounts.identity import Identity, provide_staff
from voice_service.accounts.policy import (
    PUBLIC,
    AccessControl,
    AnySession,
    Policy,
    Public,
    Staff,
    UndeclaredRoutes,
    bind_routes,
)
from voice_service.accounts.service import Person
from voice_service.app import create_app
from voice_service.core.db.engine import create_engine
from voice_service.core.runtime import CoreRuntime
from voice_service.core.settings import Settings
from voice_service.core.web.errors import handle_http_error
from voice_service.core.web.templating import build_environment

ANONYMOUS = "anonymous"
PRINCIPALS = (ANONYMOUS, *FIXED_USERS)
#: A value for each path parameter name the app uses; a new name must be added here.
SAMPLE_PARAMETERS = {
    "slug": "make-your-mark",
    "number": "1",
    "token_id": str(uuid.UUID(int=7)),
    "user_id": str(uuid.UUID(int=8)),
    "token": "not-a-real-link-token",
    "file_path": "app.css",
    "path": "openapi.json",
    "course_id": str(uuid.UUID(int=8)),
    "session_id": str(uuid.UUID(int=9)),
    "delegate_id": str(uuid.UUID(int=10)),
    "invitation_id": str(uuid.UUID(int=12)),
    "code": "not-a-room-code",
    "alert_id": str(uuid.UUID(int=11)),
    "record_id": str(uuid.UUID(int=11)),
}
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
SKIPPED_METHODS = {"OPTIONS"}


def concrete(path_format: str) -> str:
    """A URL for a route, with sample values for its parameters."""
    return PARAMETER.sub(lambda m: SAMPLE_PARAMETERS[m.group(1)], path_format)


def app_routes(app: Litestar) -> list[tuple[str, str]]:
    """(path, method) of every route the app serves."""
    return sorted(
        (route.path_format, method)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in SKIPPED_METHODS
    )


def send(client: TestClient, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    """One request as a browser or script would make it (forms with their CSRF field, JSON to the API)."""
    url = concrete(path)
    if method in ("GET", "HEAD", "DELETE"):
        return client.request(method, url, headers=headers, follow_redirects=False)
    if url.startswith("/api/"):
        return client.request(method, url, json={}, headers=headers, follow_redirects=False)
    return client.request(method, url, data=with_csrf(client), headers=headers, follow_redirects=False)


def is_login_redirect(response: httpx.Response) -> bool:
    """Whether the response sends the browser to the login page."""
    location = response.headers.get("location", "")
    return response.status_code == 303 and (location == "/staff/login" or location.startswith("/staff/login?next="))


def check(policy: Policy, principal: str, path: str, response: httpx.Response) -> str | None:
    """What is wrong with the response for this policy and principal, or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    api = path.startswith("/api/")
    let_through = status not in (401, 403) and not is_login_redirect(response)
    if isinstance(policy, Public):
        return None if let_through else f"public route refused with {status}"
    assert isinstance(policy, Staff)
    if principal == ANONYMOUS:
        if api:
            good = status == 401 and response.headers.get("www-authenticate") == "Bearer"
            return None if good and response.json()["status_code"] == 401 else f"expected 401 Bearer, got {status}"
        return None if is_login_redirect(response) else f"expected a redirect to log in, got {status}"
    roles = set(FIXED_USERS[principal].roles)
    if not policy.roles or roles & policy.roles:
        return None if let_through else f"allowed role refused with {status}"
    if status != 403:
        return f"expected 403 for a wrong role, got {status}"
    if api:
        return None if response.headers["content-type"].startswith("application/json") else "403 is not JSON"
    return None if "text/html" in response.headers["content-type"] else "403 is not a page"


@pytest.fixture
def matrix_client(settings: Settings, staff_users: dict[str, Person]) -> Iterator[TestClient]:
    """The whole app, benchmark route included, so every declared route exists."""
    app = create_app(dataclasses.replace(settings, bench_routes=True))
    with TestClient(app=app, base_url="http://testserver.local") as client:
        yield client


def test_every_route_answers_each_principal_as_the_table_says(
    matrix_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    client = matrix_client
    routes = app_routes(client.app)
    assert len(routes) > 20
    tokens = {key: api_token(settings, person) for key, person in staff_users.items()}
    problems = []
    for principal in PRINCIPALS:
        signed_in = False
        for path, method in routes:
            headers: dict[str, str] = {}
            if principal == ANONYMOUS:
                set_session_cookie(client, settings, None)
            else:
                if not signed_in:
                    sign_in(client, settings, staff_users[principal])
                headers = bearer(tokens[principal]) if path.startswith("/api/") else {}
                # A request that changes something (logging out, say) may end the session: start a new one next.
                signed_in = method in ("GET", "HEAD")
            response = send(client, method, path, headers)
            if problem := check(access.ROUTES[path], principal, path, response):
                problems.append(f"{method} {path} as {principal}: {problem}")
    assert problems == []


def test_the_table_declares_nothing_the_app_does_not_serve(matrix_client: TestClient) -> None:
    served = {path for path, _method in app_routes(matrix_client.app)}
    assert set(access.ROUTES) - served == set()


def test_create_app_refuses_a_route_missing_from_the_table(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(access.ROUTES, "/staff/account")
    with pytest.raises(UndeclaredRoutes, match="/staff/account"):
        create_app(settings)


def test_no_route_handler_uses_guards(matrix_client: TestClient) -> None:
    # Why: Litestar copies the handler for every guard call; access is the middleware's job alone.
    guarded = [route.path for route in matrix_client.app.routes for handler in route.route_handlers if handler.guards]
    assert guarded == []


def test_a_public_route_looks_nothing_up(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(*_args: Any) -> None:
        raise AssertionError("a public route resolved a session or token")

    monkeypatch.setattr(policy_module, "resolve_session", refuse)
    monkeypatch.setattr(policy_module, "resolve_token", refuse)
    client.cookies.set("vs_staff", "whatever", domain="testserver.local")
    assert client.get("/api/surveys", headers=bearer("vst_whatever")).status_code == 200
    assert client.get("/s/make-your-mark").status_code == 200
    assert client.post("/api/surveys/make-your-mark/responses", json={"answers": {}}).status_code == 422


# --- the enforcement on a small app with role routes, as a later domain will add them -------


@get("/staff/people", sync_to_thread=False)
def people_page(staff: NamedDependency[Identity]) -> str:
    """A page for admins only."""
    return f"people for {staff.email}"


@get("/api/staff/alerts", sync_to_thread=False)
def alerts_api(staff: NamedDependency[Identity]) -> dict[str, str]:
    """An API for safeguarding leads and admins."""
    return {"for": staff.email}


@get("/staff/second-factor", sync_to_thread=False)
def second_factor_page() -> str:
    """Reached by a session still waiting for its second factor."""
    return "enter your code"


@get("/open", sync_to_thread=False)
def open_page() -> str:
    """Anyone."""
    return "open"


TABLE: dict[str, Policy] = {
    "/staff/people": Staff("admin"),
    "/api/staff/alerts": Staff("safeguarding_lead", "admin"),
    "/staff/second-factor": AnySession(),
    "/open": PUBLIC,
}


@pytest.fixture
def role_client(settings: Settings) -> Iterator[TestClient]:
    """A small app holding role routes, behind the same middleware and error pages as the service."""
    engine = create_engine(settings)
    control = AccessControl(CoreRuntime(settings, engine))
    environment = build_environment(settings.templates_dir)
    app = Litestar(
        [people_page, alerts_api, second_factor_page, open_page],
        middleware=[control],
        dependencies={"staff": Provide(provide_staff, sync_to_thread=False)},
        exception_handlers={HTTPException: handle_http_error},
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        openapi_config=None,
    )
    control.bind(app.routes, TABLE)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        yield client
    asyncio.run(engine.dispose())


def test_pages_send_anonymous_visitors_to_log_in_and_refuse_a_wrong_role_with_a_plain_page(
    role_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    client = role_client
    assert client.get("/open").text == "open"
    response = client.get("/staff/people?sort=name", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login?next=%2Fstaff%2Fpeople%3Fsort%3Dname"
    sign_in(client, settings, staff_users["voice_editor"])
    refused = client.get("/staff/people")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    page = Html(refused.text)
    assert page.h1 == "You cannot use this page"
    assert "Your account does not have a role that allows this" in refused.text
    assert "Childline" not in refused.text  # the staff layout, not the young people's
    assert "/staff/" in [a.attrs.get("href") for a in page.all("a")]
    sign_in(client, settings, staff_users["admin"])
    assert client.get("/staff/people").text == "people for ada.admin@example.org"


def test_the_staff_api_answers_401_and_403_in_json(
    role_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    client = role_client
    anonymous = client.get("/api/staff/alerts")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["status_code"] == 401
    # A session cookie is not enough for the API: only a bearer token is.
    sign_in(client, settings, staff_users["safeguarding_lead"])
    assert client.get("/api/staff/alerts").status_code == 401
    wrong = client.get("/api/staff/alerts", headers=bearer(api_token(settings, staff_users["voice_editor"])))
    assert wrong.status_code == 403
    assert wrong.json() == {"status_code": 403, "detail": "Your account does not have a role that allows this"}
    for key in ("safeguarding_lead", "admin"):
        token = api_token(settings, staff_users[key])
        assert client.get("/api/staff/alerts", headers=bearer(token)).json() == {"for": FIXED_USERS[key].email}


def test_a_session_awaiting_its_second_factor_reaches_only_that_page(
    role_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    client = role_client
    sign_in(client, settings, staff_users["admin"], verified=False)
    response = client.get("/staff/people", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == policy_module.SECOND_FACTOR_PATH
    assert client.get("/staff/second-factor").text == "enter your code"


def test_an_unbound_middleware_refuses_everything(settings: Settings) -> None:
    control = AccessControl(CoreRuntime(settings, create_engine(settings)))
    app = Litestar([open_page], middleware=[control], openapi_config=None)
    with TestClient(app=app, base_url="http://testserver.local") as client:
        assert client.get("/open", follow_redirects=False).status_code == 303


def test_the_table_refuses_unknown_roles() -> None:
    with pytest.raises(ValueError, match="superuser"):
        Staff("admin", "superuser")
    with pytest.raises(UndeclaredRoutes):
        bind_routes(Litestar([open_page, second_factor_page], openapi_config=None).routes, {"/open": PUBLIC})
