"""Logging in and out of the staff area: the only account pages a visitor without a session reaches."""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from voice_service.accounts import sessions
from voice_service.accounts.identity import Identity, client_address
from voice_service.accounts.policy import SECOND_FACTOR_PATH, safe_next
from voice_service.core.runtime import CoreRuntime

NextPage = Annotated[str | None, QueryParameter(name="next")]


class LoginForm(msgspec.Struct):
    """The login form's fields (the CSRF field and anything else are ignored)."""

    email: str = ""
    password: str = ""
    next: str = ""


def wait_message(seconds: float) -> str:
    """What to tell a person who must wait before trying again."""
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts to sign in. Wait {minutes} {unit}, then try again."


def _login_page(
    email: str, next_page: str, errors: dict[str, str], status: int, headers: dict[str, str] | None = None, **extra: Any
) -> Template:
    context = {
        "email": email,
        "next": safe_next(next_page),
        "errors": errors,
        "error_list": list(errors.items()),
        **extra,
    }
    return Template("staff/login.html", context=context, status_code=status, headers=headers)


class LoginController(Controller):
    """The login page, logging in and logging out."""

    path = "/staff"
    include_in_schema = False

    @get("/login", name="staff-login")
    async def login_page(
        self, next_page: NextPage = None, signed_out: FromQuery[bool] = False, password_set: FromQuery[bool] = False
    ) -> Template:
        """The email and password form."""
        return _login_page("", next_page or "", {}, 200, signed_out=signed_out, password_set=password_set)

    @post("/login", name="staff-login-post", status_code=303)
    async def log_in(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        data: URLEncodedBody[LoginForm],
    ) -> Template | Redirect:
        """Check the email and password; open a session and go on, or show the form again."""
        outcome = await sessions.log_in(
            runtime.engine, runtime.settings, data.email, data.password, client_address(request)
        )
        # Why: the email is shown back only when short and printable, never the password.
        email = data.email if len(data.email) <= 320 and data.email.isprintable() else ""
        if outcome.wait is not None:
            seconds = outcome.wait.total_seconds()
            retry = {"Retry-After": str(math.ceil(seconds))}
            return _login_page(email, data.next, {"email": wait_message(seconds)}, 429, retry)
        if outcome.identity is None:
            return _login_page(email, data.next, outcome.errors, 400)
        cookie = sessions.session_cookie(runtime.settings, outcome.secret)
        target = safe_next(data.next)
        if not outcome.identity.verified:
            # The password was right; the second step keeps where the person was going.
            target = SECOND_FACTOR_PATH + ("" if target == "/staff/" else f"?next={quote(target, safe='')}")
        return Redirect(target, status_code=303, cookies=[cookie])

    @post("/logout", name="staff-logout", status_code=303)
    async def log_out(
        self, request: Request[Any, Any, Any], runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity]
    ) -> Redirect:
        """End this session and forget its cookie."""
        await sessions.log_out(runtime.engine, staff, client_address(request))
        cookie = sessions.cleared_cookie(runtime.settings)
        return Redirect("/staff/login?signed_out=true", status_code=303, cookies=[cookie])
