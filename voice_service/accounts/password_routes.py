"""The page a set-password link opens: public, reached with a token, so no referrer and nothing cached."""

from __future__ import annotations

import math
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from voice_service.accounts import password_links
from voice_service.accounts.identity import client_address
from voice_service.accounts.password_links import LinkRefused, OpenLink, PasswordRefused, TooManyAttempts
from voice_service.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from voice_service.core.runtime import CoreRuntime
from voice_service.core.web.security import NO_REFERRER

#: Where a person goes once their password is set.
SIGN_IN = "/staff/login?password_set=true"


class PasswordForm(msgspec.Struct):
    """The choose-a-password form."""

    password: str = ""


def _choose_page(link: OpenLink, token: str, error: str = "", status: int = 200) -> Template:
    errors = {"password": error} if error else {}
    context = {
        "link": link,
        "token": token,
        "min_length": MIN_LENGTH,
        "max_length": MAX_LENGTH,
        "errors": errors,
        "error_list": list(errors.items()),
    }
    return Template("staff/password/choose.html", context=context, status_code=status)


def _refused() -> Template:
    # Why one page and one status for unknown, used and expired: a token's fate must not be probed.
    return Template("staff/password/refused.html", context={"wait": None}, status_code=404)


def _too_many(exc: TooManyAttempts) -> Template:
    seconds = max(1, math.ceil(exc.wait.total_seconds()))
    minutes = math.ceil(seconds / 60)
    headers = {"Retry-After": str(seconds)}
    return Template("staff/password/refused.html", context={"wait": minutes}, status_code=429, headers=headers)


class PasswordLinkController(Controller):
    """Choosing a password through an emailed link (the only way a person gets one)."""

    path = "/staff/password"
    include_in_schema = False

    @get("/{token:str}", name="staff-password-link", opt=NO_REFERRER)
    async def choose(
        self, request: Request[Any, Any, Any], runtime: NamedDependency[CoreRuntime], token: FromPath[str]
    ) -> Template:
        """The form to choose a password, or a plain refusal."""
        try:
            link = await password_links.open_link(runtime.engine, token, client_address(request))
        except TooManyAttempts as exc:
            return _too_many(exc)
        except LinkRefused:
            return _refused()
        return _choose_page(link, token)

    @post("/{token:str}", name="staff-password-link-use", status_code=303, opt=NO_REFERRER)
    async def set_password(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        token: FromPath[str],
        data: URLEncodedBody[PasswordForm],
    ) -> Template | Redirect:
        """Set the password and send the person to sign in; the link is then spent."""
        try:
            await password_links.use_link(runtime.engine, token, data.password, address=client_address(request))
        except TooManyAttempts as exc:
            return _too_many(exc)
        except LinkRefused:
            return _refused()
        except PasswordRefused as exc:
            return _choose_page(exc.link, token, str(exc), 400)
        # Why the header here too: a redirect is not HTML, and the next page must not learn the token either.
        return Redirect(SIGN_IN, status_code=303, headers={"Referrer-Policy": "no-referrer"})
