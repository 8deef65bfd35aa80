"""Staff pages of the accounts domain: the start page and the person's own account and tokens."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from voice_service.accounts import tokens
from voice_service.accounts.identity import Identity, client_address
from voice_service.accounts.roles import ROLE_DESCRIPTIONS, ROLE_NAMES, sections_for
from voice_service.core.runtime import CoreRuntime


class TokenForm(msgspec.Struct):
    """The new-token form."""

    name: str = ""


def _roles(staff: Identity) -> list[tuple[str, str]]:
    return [(ROLE_NAMES[r], ROLE_DESCRIPTIONS[r]) for r in ROLE_NAMES if r in staff.roles]


class StaffHomeController(Controller):
    """The start page: what the person's roles let them do."""

    path = "/staff"
    include_in_schema = False

    @get("/", name="staff-home")
    async def home(self, staff: NamedDependency[Identity]) -> Template:
        """Links to the sections the person may use."""
        context = {"staff": staff, "sections": sections_for(staff.roles), "roles": _roles(staff), "nav": "home"}
        return Template("staff/start.html", context=context)


class AccountController(Controller):
    """The person's own account: their roles and personal API tokens."""

    path = "/staff/account"
    include_in_schema = False

    @get("/", name="staff-account")
    async def account(
        self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity], revoked: FromQuery[bool] = False
    ) -> Template:
        """Roles and tokens, with a form for a new token."""
        listed = await tokens.list_tokens(runtime.engine, staff.user_id)
        return _account_page(staff, listed, revoked=revoked)

    @post("/tokens", name="staff-token-create", status_code=201)
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        data: URLEncodedBody[TokenForm],
    ) -> Template:
        """Make a token and show it, once."""
        try:
            info, token = await tokens.create_token(
                runtime.engine, staff.user_id, data.name, actor=staff.actor, address=client_address(request)
            )
        except tokens.InvalidTokenName as exc:
            listed = await tokens.list_tokens(runtime.engine, staff.user_id)
            return _account_page(staff, listed, errors={"name": str(exc)}, name=data.name, status=400)
        context = {"staff": staff, "info": info, "token": token, "nav": "account"}
        return Template("staff/token_created.html", context=context, status_code=201)

    @post("/tokens/{token_id:uuid}/revoke", name="staff-token-revoke", status_code=303)
    async def revoke_token(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        token_id: FromPath[uuid.UUID],
    ) -> Redirect:
        """Revoke one of the person's own tokens."""
        try:
            await tokens.revoke_token(
                runtime.engine, staff.user_id, token_id, actor=staff.actor, address=client_address(request)
            )
        except tokens.TokenNotFound as exc:
            raise NotFoundException("You have no token with that id") from exc
        return Redirect("/staff/account?revoked=true", status_code=303)


def _account_page(
    staff: Identity,
    listed: list[tokens.TokenInfo],
    *,
    revoked: bool = False,
    errors: dict[str, str] | None = None,
    name: str = "",
    status: int = 200,
) -> Template:
    errors = errors or {}
    context = {
        "staff": staff,
        "roles": _roles(staff),
        "tokens": listed,
        "revoked": revoked,
        "errors": errors,
        "error_list": list(errors.items()),
        "name": name,
        "nav": "account",
    }
    return Template("staff/account.html", context=context, status_code=status)
