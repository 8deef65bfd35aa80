"""The admin's people pages: the list, adding, one person, roles, disabling and back, two-step reset, links."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.accounts import people
from voice_service.accounts.identity import Identity, client_address
from voice_service.accounts.password_links import SEND_PASSWORD_LINK, request_password_link
from voice_service.accounts.roles import ROLE_DESCRIPTIONS, ROLE_NAMES, ROLES
from voice_service.accounts.service import AccountError, UserNotFound
from voice_service.core.runtime import CoreRuntime
from voice_service.core.web.due_work import run_after_response

NAV = "/staff/people"
#: What was typed is shown back only when it is short and printable (never a flood or control characters).
SHOW_BACK = 400


class Done(StrEnum):
    """What the last change was, for the success banner on the person's page."""

    CREATED = "created"
    ROLES = "roles"
    LINK = "link"
    DISABLED = "disabled"
    ENABLED = "enabled"
    TWO_STEP_RESET = "two-step-reset"


class PersonForm(msgspec.Struct):
    """The new-person form (the CSRF field and anything else are ignored)."""

    name: str = ""
    email: str = ""
    #: One ticked box arrives as a string, several as a list.
    roles: str | list[str] = msgspec.field(default_factory=list)


class RolesForm(msgspec.Struct):
    """The change-roles form."""

    roles: str | list[str] = msgspec.field(default_factory=list)


def _ticked(roles: str | list[str]) -> list[str]:
    return [roles] if isinstance(roles, str) else roles


def _shown(value: str) -> str:
    return value if len(value) <= SHOW_BACK and value.isprintable() else ""


def _page(
    template: str, staff: Identity, status: int = 200, errors: dict[str, str] | None = None, **extra: Any
) -> Template:
    errors = errors or {}
    context = {
        "staff": staff,
        "nav": NAV,
        "role_names": ROLE_NAMES,
        "role_descriptions": ROLE_DESCRIPTIONS,
        "all_roles": ROLES,
        "errors": errors,
        "error_list": list(errors.items()),
        **extra,
    }
    return Template(f"staff/people/{template}", context=context, status_code=status)


def _not_found(exc: UserNotFound) -> NotFoundException:
    return NotFoundException(str(exc))


async def _person_or_404(engine: AsyncEngine, user_id: uuid.UUID) -> people.PersonSummary:
    """The person, or the not-found page."""
    try:
        return await people.person_details(engine, user_id)
    except UserNotFound as exc:
        raise _not_found(exc) from exc


def _error_field(exc: AccountError, default: str) -> str:
    return default if exc.field == "form" else exc.field


class PeopleController(Controller):
    """People and their roles (admins only, as voice_service/access.py declares)."""

    path = "/staff/people"
    include_in_schema = False

    @get("/", name="staff-people")
    async def list_people(self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity]) -> Template:
        """Everyone with an account: roles, status, two-step verification, last sign-in."""
        return _page("list.html", staff, people=await people.list_people(runtime.engine))

    @get("/new", name="staff-person-new")
    async def new_person(self, staff: NamedDependency[Identity]) -> Template:
        """The form to add a person."""
        return _page("new.html", staff, name="", email="", ticked=[])

    @post("/new", name="staff-person-add", status_code=303)
    async def add_person(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        data: URLEncodedBody[PersonForm],
    ) -> Template | Redirect:
        """Create the account and email the person a link to choose a password."""
        roles = _ticked(data.roles)
        try:
            person = await people.add_person(
                runtime.engine, data.email, data.name, roles, actor=staff.actor, address=client_address(request)
            )
        except AccountError as exc:
            errors = {_error_field(exc, "email"): str(exc)}
            shown = dict(name=_shown(data.name), email=_shown(data.email), ticked=[r for r in roles if r in ROLES])
            return _page("new.html", staff, 400, errors, **shown)
        return Redirect(
            f"/staff/people/{person.id}?done={Done.CREATED}",
            status_code=303,
            background=run_after_response(request, SEND_PASSWORD_LINK),
        )

    @get("/{user_id:uuid}", name="staff-person")
    async def person(
        self,
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
        done: FromQuery[Done | None] = None,
    ) -> Template:
        """One person's account, with what can be changed."""
        found = await _person_or_404(runtime.engine, user_id)
        return _page("person.html", staff, person=found, done=done)

    @post("/{user_id:uuid}/password-link", name="staff-person-link", status_code=303)
    async def send_link(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Email the person a new set-password link (older unused links stop working)."""
        try:
            await request_password_link(runtime.engine, user_id, actor=staff.actor, address=client_address(request))
        except UserNotFound as exc:
            raise _not_found(exc) from exc
        except AccountError as exc:
            found = await people.person_details(runtime.engine, user_id)
            return _page("person.html", staff, 409, {"send-link": str(exc)}, person=found, done=None)
        return Redirect(
            f"/staff/people/{user_id}?done={Done.LINK}",
            status_code=303,
            background=run_after_response(request, SEND_PASSWORD_LINK),
        )

    @get("/{user_id:uuid}/roles", name="staff-person-roles")
    async def roles_form(
        self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity], user_id: FromPath[uuid.UUID]
    ) -> Template:
        """The person's roles as checkboxes."""
        found = await _person_or_404(runtime.engine, user_id)
        return _page("roles.html", staff, person=found, ticked=list(found.roles))

    @post("/{user_id:uuid}/roles", name="staff-person-roles-save", status_code=303)
    async def save_roles(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
        data: URLEncodedBody[RolesForm],
    ) -> Template | Redirect:
        """Replace the person's roles."""
        roles = _ticked(data.roles)
        try:
            await people.change_roles(
                runtime.engine, user_id, roles, actor=staff.actor, address=client_address(request)
            )
        except UserNotFound as exc:
            raise _not_found(exc) from exc
        except AccountError as exc:
            found = await people.person_details(runtime.engine, user_id)
            ticked = [r for r in roles if r in ROLES]
            return _page("roles.html", staff, 400, {"roles": str(exc)}, person=found, ticked=ticked)
        return Redirect(f"/staff/people/{user_id}?done={Done.ROLES}", status_code=303)

    @get("/{user_id:uuid}/disable", name="staff-person-disable")
    async def confirm_disable(
        self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity], user_id: FromPath[uuid.UUID]
    ) -> Template:
        """Ask the admin to confirm before an account is disabled."""
        found = await _person_or_404(runtime.engine, user_id)
        return _page("disable.html", staff, person=found)

    @post("/{user_id:uuid}/disable", name="staff-person-disable-confirmed", status_code=303)
    async def disable(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Disable the account: its sessions end at once, its tokens and links stop working."""
        try:
            await people.disable_person(runtime.engine, user_id, actor=staff.actor, address=client_address(request))
        except UserNotFound as exc:
            raise _not_found(exc) from exc
        except AccountError as exc:
            found = await people.person_details(runtime.engine, user_id)
            return _page("disable.html", staff, 409, {"confirm": str(exc)}, person=found)
        return Redirect(f"/staff/people/{user_id}?done={Done.DISABLED}", status_code=303)

    @get("/{user_id:uuid}/enable", name="staff-person-enable")
    async def confirm_enable(
        self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity], user_id: FromPath[uuid.UUID]
    ) -> Template:
        """Ask the admin to confirm before a disabled account is turned back on."""
        found = await _person_or_404(runtime.engine, user_id)
        return _page("enable.html", staff, person=found)

    @post("/{user_id:uuid}/enable", name="staff-person-enable-confirmed", status_code=303)
    async def enable(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
    ) -> Redirect:
        """Turn the account back on; their old API tokens stay revoked."""
        try:
            await people.enable_person(runtime.engine, user_id, actor=staff.actor, address=client_address(request))
        except UserNotFound as exc:
            raise _not_found(exc) from exc
        return Redirect(f"/staff/people/{user_id}?done={Done.ENABLED}", status_code=303)

    @get("/{user_id:uuid}/two-step-reset", name="staff-person-two-step-reset")
    async def confirm_two_step_reset(
        self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity], user_id: FromPath[uuid.UUID]
    ) -> Template:
        """Ask the admin to confirm before someone's two-step verification is turned off."""
        found = await _person_or_404(runtime.engine, user_id)
        return _page("two_step_reset.html", staff, person=found)

    @post("/{user_id:uuid}/two-step-reset", name="staff-person-two-step-reset-confirmed", status_code=303)
    async def reset_two_step(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        user_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Turn their two-step verification off and delete their recovery codes (a lost phone)."""
        try:
            await people.reset_second_factor(
                runtime.engine, user_id, actor=staff.actor, address=client_address(request)
            )
        except UserNotFound as exc:
            raise _not_found(exc) from exc
        except AccountError as exc:
            found = await people.person_details(runtime.engine, user_id)
            return _page("two_step_reset.html", staff, 409, {"confirm": str(exc)}, person=found)
        return Redirect(f"/staff/people/{user_id}?done={Done.TWO_STEP_RESET}", status_code=303)
