"""The staff JSON API of the accounts domain: who am I, and my personal API tokens.

Every route here needs `Authorization: Bearer TOKEN` (see voice_service/access.py); a browser
session cookie is not accepted, so a page on another site cannot call the API as someone.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import SecurityRequirement
from litestar.params import FromPath, JSONBody

from voice_service.accounts import tokens
from voice_service.accounts.identity import Identity, client_address
from voice_service.core.runtime import CoreRuntime

BEARER: list[SecurityRequirement] = [{"BearerToken": []}]


class Me(msgspec.Struct):
    """The person the token belongs to."""

    id: uuid.UUID
    email: str
    name: str
    roles: list[str]


class TokenOut(msgspec.Struct):
    """A personal API token as listed (never the token itself)."""

    id: uuid.UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new token's name."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=tokens.MAX_NAME)]


class TokenCreated(msgspec.Struct):
    """A new token: `token` is shown this once and cannot be read again."""

    id: uuid.UUID
    name: str
    token: str


class Problem(msgspec.Struct):
    """Why a request was refused."""

    status_code: int
    detail: str


def _doc(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description)


REFUSALS = {401: _doc("No valid personal API token"), 403: _doc("The token's owner lacks the role")}


def _out(info: tokens.TokenInfo) -> TokenOut:
    return TokenOut(info.id, info.name, info.created_at, info.last_used_at, info.revoked_at is not None)


class StaffApiController(Controller):
    """The signed-in person and their personal API tokens."""

    path = "/api/staff"
    tags = ["staff"]
    security = BEARER

    @get("/me", summary="Who the token belongs to", responses=REFUSALS)
    async def me(self, staff: NamedDependency[Identity]) -> Me:
        """The token owner's id, email, name and roles."""
        return Me(staff.user_id, staff.email, staff.name, sorted(staff.roles))

    @get("/tokens", summary="My personal API tokens", responses=REFUSALS)
    async def list_tokens(
        self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity]
    ) -> list[TokenOut]:
        """Every token of the owner, newest first, revoked ones included."""
        return [_out(info) for info in await tokens.list_tokens(runtime.engine, staff.user_id)]

    @post(
        "/tokens",
        summary="Create a personal API token",
        status_code=201,
        responses={**REFUSALS, 400: _doc("The body is not a JSON object with a name"), 422: _doc("An unusable name")},
    )
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        data: JSONBody[TokenIn],
    ) -> Response[Any]:
        """A new token for the owner, returned once."""
        try:
            info, token = await tokens.create_token(
                runtime.engine, staff.user_id, data.name, actor=staff.actor, address=client_address(request)
            )
        except tokens.InvalidTokenName as exc:
            return Response({"errors": {"name": str(exc)}}, status_code=422)
        return Response(TokenCreated(info.id, info.name, token), status_code=201)

    @delete(
        "/tokens/{token_id:uuid}",
        summary="Revoke a personal API token",
        status_code=204,
        responses={**REFUSALS, 404: _doc("The owner has no token with that id")},
    )
    async def revoke_token(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        token_id: FromPath[uuid.UUID],
    ) -> None:
        """Revoke one of the owner's tokens (the token making the call included)."""
        try:
            await tokens.revoke_token(
                runtime.engine, staff.user_id, token_id, actor=staff.actor, address=client_address(request)
            )
        except tokens.TokenNotFound as exc:
            raise NotFoundException("You have no token with that id") from exc
