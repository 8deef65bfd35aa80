"""CSRF protection for every state-changing HTML form: Litestar's CSRF middleware, with our contract.

The contract other code relies on: the token cookie is `vs_csrf` (`__Host-vs_csrf` with
SECURE_COOKIES, path "/"), forms send it in the `_csrf_token` field (templates put
`{{ csrf_input | safe }}` inside every POST form), scripts in the `x-csrftoken` header.
Paths under /api/ are not checked: they accept only JSON bodies, which a cross-site form cannot
send, and the staff API authenticates with bearer tokens, never with a cookie.
"""

from __future__ import annotations

import hmac
import secrets
from html import escape
from typing import Any

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash, generate_csrf_token
from litestar.response import Template
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from voice_service.core.settings import Settings

CSRF_COOKIE = "vs_csrf"
SECURE_CSRF_COOKIE = "__Host-vs_csrf"
CSRF_FIELD = "_csrf_token"
CSRF_HEADER = "x-csrftoken"
#: Not checked: the JSON-only API, static files, health, the schema and the benchmark route.
EXCLUDED = ["^/api/", "^/assets/", "^/health$", "^/schema", "^/bench/"]
#: The detail Litestar's middleware refuses with.
FAILURE = "CSRF token verification failed"
REFUSED_TITLE = "Sorry, that did not work"
REFUSED_DETAIL = (
    "The page was open for a long time, or it came from another website. "
    "Go back, refresh the page and try again. Answers you saved on earlier pages are kept."
)


def csrf_config(settings: Settings) -> CSRFConfig:
    """The CSRF settings: the token signed with SECRET_KEY, in a cookie scripts cannot read."""
    return CSRFConfig(
        # Why: a Settings built in code may have no key; a random one is safer than an empty HMAC key.
        secret=settings.secret_key or secrets.token_urlsafe(32),
        cookie_name=SECURE_CSRF_COOKIE if settings.secure_cookies else CSRF_COOKIE,
        cookie_path="/",
        cookie_secure=settings.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
        header_name=CSRF_HEADER,
        exclude=EXCLUDED,
    )


def csrf_input(request: Request[Any, Any, Any]) -> str:
    """The form's hidden token field, exactly as Litestar's template responses give `csrf_input`."""
    token = ScopeState.from_scope(request.scope).csrf_token
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{escape("" if token is Empty else str(token))}" />'


def is_csrf_failure(exc: Exception) -> bool:
    """Whether an exception is the CSRF middleware refusing a request."""
    return isinstance(exc, PermissionDeniedException) and exc.detail == FAILURE


def _verifies(token: str, secret: str) -> bool:
    if len(token) <= CSRF_SECRET_LENGTH:
        return False
    expected = generate_csrf_hash(token=token[:CSRF_SECRET_LENGTH], secret=secret)
    return hmac.compare_digest(token[CSRF_SECRET_LENGTH:], expected)


def csrf_refused(request: Request[Any, Any, Any]) -> Template:
    """A plain 403 page; a token cookie signed with an old SECRET_KEY is replaced so a reload works.

    Only a cookie the browser sent is replaced: a cross-site post carries none (SameSite=Lax), so an
    attacker's page cannot make the service overwrite the token of a form the person has open.
    """
    cookies = []
    config = request.app.csrf_config
    held = request.cookies.get(config.cookie_name) if config else None
    if config and held is not None and not _verifies(held, config.secret):
        cookies.append(
            Cookie(
                key=config.cookie_name,
                value=generate_csrf_token(config.secret),
                path=config.cookie_path,
                secure=config.cookie_secure,
                httponly=config.cookie_httponly,
                samesite=config.cookie_samesite,
            )
        )
    return Template(
        "errors/error.html",
        context={"status": 403, "title": REFUSED_TITLE, "detail": REFUSED_DETAIL},
        status_code=403,
        cookies=cookies,
    )
