"""The staff JSON API for admins: people, their roles, disabling, set-password links and the audit log.

Bearer tokens only (see voice_service/access.py). Refusals: 400 for a body that is not the
documented JSON object, 422 `{"errors": {field: message}}` for values the service refuses,
404 for an unknown id, 409 when the change conflicts with the account's state.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from voice_service.accounts import audit_log, people
from voice_service.accounts.api_routes import BEARER, REFUSALS, Problem
from voice_service.accounts.identity import Identity, client_address
from voice_service.accounts.password_links import SEND_PASSWORD_LINK, AccountDisabled, request_password_link
from voice_service.accounts.roles import ROLES
from voice_service.accounts.service import AccountError, EmailTaken, UserNotFound
from voice_service.core.runtime import CoreRuntime
from voice_service.core.web.due_work import run_after_response

CONFLICTS = (EmailTaken, people.SelfLockout, people.LastAdmin, AccountDisabled)


class PersonOut(msgspec.Struct):
    """A staff account (never its password, secrets or tokens)."""

    id: uuid.UUID
    email: str
    name: str
    roles: list[str]
    active: bool
    has_password: bool
    two_step: bool
    created_at: datetime
    last_login_at: datetime | None


class PersonIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new person: they are emailed a link to choose their password."""

    email: str
    name: str = ""
    roles: Annotated[list[str], msgspec.Meta(max_length=len(ROLES), description=f"any of: {', '.join(ROLES)}")] = (
        msgspec.field(default_factory=list)
    )


class RolesIn(msgspec.Struct, forbid_unknown_fields=True):
    """The person's complete new set of roles."""

    roles: Annotated[list[str], msgspec.Meta(max_length=len(ROLES), description=f"any of: {', '.join(ROLES)}")]


class LinkScheduled(msgspec.Struct):
    """The email with the link is on its way."""

    status: str = "scheduled"


class Errors(msgspec.Struct):
    """Why values were refused, by field."""

    errors: dict[str, str]


class AuditEventOut(msgspec.Struct):
    """One audit event: who, when, what, which record and from where (never content)."""

    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    address: str


class AuditOut(msgspec.Struct):
    """A page of audit events, newest first, with how many match in all."""

    total: int
    events: list[AuditEventOut]


NOT_FOUND = {404: ResponseSpec(data_container=Problem, description="There is no account with that id")}


def _out(person: people.PersonSummary) -> PersonOut:
    return PersonOut(
        person.id,
        person.email,
        person.name,
        list(person.roles),
        person.active,
        person.has_password,
        person.two_step,
        person.created_at,
        person.last_login_at,
    )


def _refusal(exc: AccountError) -> Response[Any]:
    if isinstance(exc, UserNotFound):
        raise NotFoundException(str(exc)) from exc
    status = 409 if isinstance(exc, CONFLICTS) else 422
    return Response(Errors({exc.field: str(exc)}), status_code=status)


def _doc(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description)


def _errors(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Errors, description=description)


def _unusable_filters(exc: audit_log.AuditFilterError) -> Response[Any]:
    return Response(Errors(exc.errors), status_code=422)


class PeopleApiController(Controller):
    """People and roles, for admins."""

    path = "/api/staff/people"
    tags = ["people"]
    security = BEARER

    @get("/", summary="Everyone with an account", responses=REFUSALS)
    async def list_people(self, runtime: NamedDependency[CoreRuntime]) -> list[PersonOut]:
        """Every staff account, by name."""
        return [_out(person) for person in await people.list_people(runtime.engine)]

    @post(
        "/",
        summary="Add a person",
        status_code=201,
        responses={
            **REFUSALS,
            400: _doc("The body is not a JSON object with an email"),
            409: _errors("An account with this email address already exists"),
            422: _errors("An unusable email, name or role"),
        },
    )
    async def add_person(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        data: JSONBody[PersonIn],
    ) -> Response[PersonOut]:
        """Create an account without a password and email the person a set-password link (single use, 1 hour)."""
        try:
            added = await people.add_person(
                runtime.engine, data.email, data.name, data.roles, actor=staff.actor, address=client_address(request)
            )
        except AccountError as exc:
            return _refusal(exc)
        person = await people.person_details(runtime.engine, added.id)
        return Response(
            _out(person),
            status_code=201,
            headers={"Location": f"/api/staff/people/{person.id}"},
            background=run_after_response(request, SEND_PASSWORD_LINK),
        )

    @get("/{user_id:uuid}", summary="One person", responses={**REFUSALS, **NOT_FOUND})
    async def person(self, runtime: NamedDependency[CoreRuntime], user_id: FromPath[uuid.UUID]) -> PersonOut:
        """A staff account by id."""
        try:
            return _out(await people.person_details(runtime.engine, user_id))
        except UserNotFound as exc:
            raise NotFoundException(str(exc)) from exc

    @put(
        "/{user_id:uuid}/roles",
        summary="Replace a person's roles",
        responses={
            **REFUSALS,
            **NOT_FOUND,
            400: _doc("The body is not a JSON object with a list of roles"),
            409: _errors("You cannot drop your own admin role, nor leave no active admin"),
            422: _errors("An unknown role"),
        },
    )
    async def change_roles(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
        data: JSONBody[RolesIn],
    ) -> Response[PersonOut]:
        """The roles apply from the person's next request."""
        try:
            person = await people.change_roles(
                runtime.engine, user_id, data.roles, actor=staff.actor, address=client_address(request)
            )
        except AccountError as exc:
            return _refusal(exc)
        return Response(_out(person), status_code=200)

    @post(
        "/{user_id:uuid}/disable",
        summary="Disable an account",
        status_code=200,
        responses={**REFUSALS, **NOT_FOUND, 409: _errors("You cannot disable yourself, nor leave no active admin")},
    )
    async def disable(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
    ) -> Response[PersonOut]:
        """Its sessions end at once; its API tokens and unused links stop working. Repeating it is harmless."""
        try:
            person = await people.disable_person(
                runtime.engine, user_id, actor=staff.actor, address=client_address(request)
            )
        except AccountError as exc:
            return _refusal(exc)
        return Response(_out(person), status_code=200)

    @post(
        "/{user_id:uuid}/enable",
        summary="Turn a disabled account back on",
        status_code=200,
        responses={**REFUSALS, **NOT_FOUND},
    )
    async def enable(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
    ) -> Response[PersonOut]:
        """They sign in with their password again; API tokens revoked when it was disabled stay revoked."""
        try:
            person = await people.enable_person(
                runtime.engine, user_id, actor=staff.actor, address=client_address(request)
            )
        except AccountError as exc:
            return _refusal(exc)
        return Response(_out(person), status_code=200)

    @post(
        "/{user_id:uuid}/two-step-reset",
        summary="Turn off someone's two-step verification",
        status_code=200,
        responses={
            **REFUSALS,
            **NOT_FOUND,
            409: _errors("Your own two-step verification is changed on your account page"),
        },
    )
    async def reset_two_step(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
    ) -> Response[PersonOut]:
        """For a lost phone: their recovery codes are deleted and they set two-step verification up again."""
        try:
            person = await people.reset_second_factor(
                runtime.engine, user_id, actor=staff.actor, address=client_address(request)
            )
        except AccountError as exc:
            return _refusal(exc)
        return Response(_out(person), status_code=200)

    @post(
        "/{user_id:uuid}/password-link",
        summary="Email a set-password link",
        status_code=202,
        responses={**REFUSALS, **NOT_FOUND, 409: _errors("The account is disabled")},
    )
    async def send_link(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
    ) -> Response[LinkScheduled]:
        """A new single-use link, valid for 1 hour, is emailed at once; older unused links stop working."""
        try:
            await request_password_link(runtime.engine, user_id, actor=staff.actor, address=client_address(request))
        except AccountError as exc:
            return _refusal(exc)
        return Response(LinkScheduled(), status_code=202, background=run_after_response(request, SEND_PASSWORD_LINK))


class AuditApiController(Controller):
    """The audit log, for admins; each search is itself audited."""

    path = "/api/staff/audit"
    tags = ["audit"]
    security = BEARER

    @get("/", summary="Search the audit log", responses={**REFUSALS, 422: _errors("An unusable filter")})
    async def search(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        person: Annotated[str, QueryParameter(description="All or part of the actor's email address")] = "",
        action: Annotated[str, QueryParameter(description="An action, or a prefix such as `user`")] = "",
        since: Annotated[date | None, QueryParameter(description="From this day (UTC), ISO format")] = None,
        until: Annotated[date | None, QueryParameter(description="To this day (UTC) inclusive, ISO format")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
    ) -> Response[AuditOut]:
        """Matching events, newest first."""
        try:
            query = audit_log.api_query(person, action, since, until)
        except audit_log.AuditFilterError as exc:
            return _unusable_filters(exc)
        view = await audit_log.view_audit(
            runtime.engine, query, actor=staff.actor, address=client_address(request), limit=limit, offset=offset
        )
        events = [AuditEventOut(r.at, r.actor, r.action, r.target_type, r.target_id, r.address) for r in view.page.rows]
        return Response(AuditOut(view.page.total, events), status_code=200)
