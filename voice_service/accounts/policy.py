"""Who may use a route (Public, Staff with roles), and the middleware that enforces the route table.

The table itself lives at the composition root (voice_service/access.py), where every route of
every domain is declared once. The middleware looks the request's route up in a dict built at
start-up: a public route costs one lookup and nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response.redirect import ASGIRedirectResponse
from litestar.routes import BaseRoute
from litestar.types import ASGIApp, Receive, Scope, Send

from voice_service.accounts.identity import Identity
from voice_service.accounts.roles import ROLES
from voice_service.accounts.second_factor import setup_required
from voice_service.accounts.sessions import cookie_name, resolve_session
from voice_service.accounts.tokens import resolve_token
from voice_service.core.runtime import CoreRuntime

LOGIN_PATH = "/staff/login"
#: Where a session that still needs its second factor is sent.
SECOND_FACTOR_PATH = "/staff/login/second-factor"
#: Where an admin is sent until they set up two-step verification, when REQUIRE_TOTP_FOR_ADMIN is on.
TWO_STEP_SETUP_PATH = "/staff/account/two-step-verification"
API_PREFIX = "/api/"


class Public:
    """Anyone, signed in or not: no session is looked up."""

    def __repr__(self) -> str:
        return "PUBLIC"


class Staff:
    """A signed-in member of staff holding any one of the roles (any staff at all when none are named)."""

    __slots__ = ("roles",)

    def __init__(self, *roles: str) -> None:
        if unknown := set(roles) - set(ROLES):
            raise ValueError(f"unknown roles in the route table: {sorted(unknown)}")
        self.roles = frozenset(roles)

    def allows(self, identity: Identity) -> bool:
        """Whether this person may use the route."""
        return not self.roles or identity.holds_any(self.roles)

    def __repr__(self) -> str:
        return f"Staff({', '.join(sorted(self.roles))})" if self.roles else "STAFF_ANY"


class AnySession(Staff):
    """Any session, even one still waiting for its second factor: the second-factor page and logging out."""

    def __repr__(self) -> str:
        return "ANY_SESSION"


class TwoStepSetup(Staff):
    """Any signed-in person, even an admin who must set up two-step verification before anything else."""

    def __repr__(self) -> str:
        return "TWO_STEP_SETUP"


PUBLIC = Public()
STAFF_ANY = Staff()
ANY_SESSION = AnySession()
TWO_STEP_SETUP = TwoStepSetup()
Policy = Public | Staff


class UndeclaredRoutes(RuntimeError):
    """Routes the table does not declare: the app refuses to start rather than guess."""


def bind_routes(routes: Iterable[BaseRoute], table: Mapping[str, Policy]) -> dict[str, Policy]:
    """Each route's policy, keyed as Litestar reports the matched route (scope["path_template"])."""
    policies: dict[str, Policy] = {}
    missing = []
    for route in routes:
        policy = table.get(route.path_format)
        if policy is None:
            missing.append(route.path_format)
        else:
            policies[route.path_format] = policy
    if missing:
        raise UndeclaredRoutes(
            f"declare these routes in voice_service/access.py (public or staff with roles): {', '.join(missing)}"
        )
    return policies


def safe_next(target: str | None) -> str:
    """A staff-area path to return to after logging in; anything else (another site included) gives the start page."""
    if not target or len(target) > 2000 or target.startswith(LOGIN_PATH):
        return "/staff/"
    if target != "/staff" and not target.startswith(("/staff/", "/staff?")):
        return "/staff/"
    if any(ch in target for ch in "\\\r\n\t") or target.startswith("//") or not target.isprintable():
        return "/staff/"
    return target


class AccessControl:
    """Enforces the route table: sends anonymous visitors to log in, refuses a wrong role.

    A middleware, not guards: Litestar copies the route handler for every guard call, and a
    public route (the submission path) must cost no more than one dict lookup here. Not an
    `ASGIMiddleware` either: a public route's request is handed on without a coroutine frame of
    this layer, which every wake-up of the request's task would otherwise run through.
    """

    def __init__(self, runtime: CoreRuntime) -> None:
        self.runtime = runtime
        #: Filled by `bind` once the app's routes exist; until then every route is refused.
        self.policies: dict[str, Policy] = {}

    def bind(self, routes: Iterable[BaseRoute], table: Mapping[str, Policy]) -> None:
        """Take the app's routes and the table; raises UndeclaredRoutes when a route is missing."""
        self.policies = bind_routes(routes, table)

    def __call__(self, app: ASGIApp) -> ASGIApp:
        """The route's entry (Litestar calls this once per route with the rest of its stack)."""

        def enter(scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
            policy = self.policies.get(scope.get("path_template", ""), STAFF_ANY)
            if isinstance(policy, Public):
                # Why return, not await: the route's own coroutine is awaited by the caller directly.
                return app(scope, receive, send)
            return self.handle(scope, receive, send, app, policy)

        return enter

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp, policy: Staff) -> None:
        """Let a staff route's request through, or answer for it (redirect, 401 or 403)."""
        request: Request[Any, Any, Any] = Request(scope)
        if scope["path"].startswith(API_PREFIX):
            identity = await resolve_token(self.runtime.engine, _bearer(request.headers.get("authorization", "")))
            if identity is None:
                raise NotAuthorizedException(
                    "Send a personal API token as: Authorization: Bearer TOKEN", headers={"WWW-Authenticate": "Bearer"}
                )
        else:
            secret = request.cookies.get(cookie_name(self.runtime.settings))
            identity = await resolve_session(self.runtime.engine, self.runtime.settings, secret)
            if identity is None:
                await _redirect(scope, receive, send, _login_url(scope))
                return
            if not identity.verified and not isinstance(policy, AnySession):
                await _redirect(scope, receive, send, SECOND_FACTOR_PATH)
                return
            exempt = isinstance(policy, (AnySession, TwoStepSetup))
            if not exempt and setup_required(self.runtime.settings, identity):
                await _redirect(scope, receive, send, TWO_STEP_SETUP_PATH)
                return
        if not policy.allows(identity):
            raise PermissionDeniedException("Your account does not have a role that allows this")
        scope["user"] = identity
        await next_app(scope, receive, send)


def _bearer(header: str) -> str | None:
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _login_url(scope: Scope) -> str:
    if scope.get("method") not in ("GET", "HEAD"):
        return LOGIN_PATH
    query = scope.get("query_string", b"").decode("latin-1")
    target = scope["path"] + (f"?{query}" if query else "")
    return f"{LOGIN_PATH}?next={quote(safe_next(target), safe='')}"


async def _redirect(scope: Scope, receive: Receive, send: Send, location: str) -> None:
    await ASGIRedirectResponse(path=location, status_code=303)(scope, receive, send)
