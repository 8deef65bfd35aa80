"""Two-step verification pages: setting it up, off and renewing recovery codes, and the second step of logging in."""

from __future__ import annotations

import contextlib
import math
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from voice_service.accounts import second_factor
from voice_service.accounts.identity import Identity, client_address
from voice_service.accounts.login_routes import NextPage, wait_message
from voice_service.accounts.policy import TWO_STEP_SETUP_PATH, safe_next
from voice_service.accounts.sessions import session_cookie
from voice_service.core.runtime import CoreRuntime


class CodeForm(msgspec.Struct):
    """The code that confirms a new authenticator app."""

    code: str = ""


class PasswordForm(msgspec.Struct):
    """The password asked for again before a change to two-step verification."""

    password: str = ""


class SecondStepForm(msgspec.Struct):
    """The second step of logging in: a code from the app, or (from its own form) a recovery code."""

    code: str = ""
    recovery_code: str | None = None
    next: str = ""


def _errors(errors: dict[str, str]) -> dict[str, Any]:
    return {"errors": errors, "error_list": list(errors.items())}


def _staff_context(runtime: CoreRuntime, staff: Identity) -> dict[str, Any]:
    """The navigation, except for an admin who may go nowhere else until this is set up."""
    if second_factor.setup_required(runtime.settings, staff):
        return {"required": True}
    return {"staff": staff, "nav": "account"}


def _refusal(
    template: str, context: dict[str, Any], exc: second_factor.SecondFactorError, field: str = "password"
) -> Template:
    if isinstance(exc, second_factor.TooManyAttempts):
        seconds = exc.wait.total_seconds()
        headers = {"Retry-After": str(math.ceil(seconds))}
        return Template(
            template, context={**context, **_errors({field: wait_message(seconds)})}, status_code=429, headers=headers
        )
    return Template(template, context={**context, **_errors({field: str(exc)})}, status_code=400)


class TwoStepController(Controller):
    """The person's own two-step verification: set up, recovery codes, turned off."""

    path = TWO_STEP_SETUP_PATH
    include_in_schema = False

    @get("/", name="staff-two-step")
    async def overview(
        self,
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        recovery_used: FromQuery[bool] = False,
        turned_off: FromQuery[bool] = False,
    ) -> Template:
        """Whether it is on; or the QR code of a setup in progress; or how to start."""
        found = await second_factor.status(runtime.engine, staff)
        return _two_step_page(runtime, staff, found, recovery_used=recovery_used, turned_off=turned_off)

    @post("/start", name="staff-two-step-start", status_code=303)
    async def start(self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity]) -> Redirect:
        """Make a new secret for the person's app, then show its QR code."""
        # Already on: the overview says so.
        with contextlib.suppress(second_factor.AlreadyOn):
            await second_factor.begin_setup(runtime.engine, staff)
        return Redirect(TWO_STEP_SETUP_PATH, status_code=303)

    @post("/", name="staff-two-step-confirm", status_code=200)
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        data: URLEncodedBody[CodeForm],
    ) -> Template | Redirect:
        """Check a code from the newly added app; turn two-step verification on and show the recovery codes."""
        try:
            codes = await second_factor.confirm_setup(runtime.engine, staff, data.code, client_address(request))
        except (second_factor.AlreadyOn, second_factor.NoSetupStarted):
            return Redirect(TWO_STEP_SETUP_PATH, status_code=303)
        except second_factor.SecondFactorError as exc:
            found = await second_factor.status(runtime.engine, staff)
            return _two_step_page(runtime, staff, found, errors={"code": str(exc)}, status=400)
        context = {"staff": staff, "nav": "account", "codes": codes, "first_time": True}
        return Template("staff/recovery_codes.html", context=context)

    @get("/turn-off", name="staff-two-step-off-page")
    async def turn_off_page(
        self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity]
    ) -> Template | Redirect:
        """Asks for the password before turning two-step verification off."""
        return _password_page("staff/two_step_off.html", runtime, staff)

    @post("/turn-off", name="staff-two-step-off", status_code=303)
    async def turn_off(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        data: URLEncodedBody[PasswordForm],
    ) -> Template | Redirect:
        """Turn it off (the recovery codes stop working too)."""
        try:
            await second_factor.turn_off(runtime.engine, staff, data.password, client_address(request))
        except second_factor.NotOn:
            return Redirect(TWO_STEP_SETUP_PATH, status_code=303)
        except second_factor.SecondFactorError as exc:
            return _refusal("staff/two_step_off.html", _password_context(runtime, staff), exc)
        return Redirect(f"{TWO_STEP_SETUP_PATH}?turned_off=true", status_code=303)

    @get("/recovery-codes", name="staff-recovery-codes-page")
    async def recovery_codes_page(
        self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity]
    ) -> Template | Redirect:
        """Asks for the password before making new recovery codes."""
        return _password_page("staff/recovery_codes_new.html", runtime, staff)

    @post("/recovery-codes", name="staff-recovery-codes", status_code=200)
    async def renew_recovery_codes(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        data: URLEncodedBody[PasswordForm],
    ) -> Template | Redirect:
        """Replace the recovery codes and show the new ones, once."""
        try:
            codes = await second_factor.renew_recovery_codes(
                runtime.engine, staff, data.password, client_address(request)
            )
        except second_factor.NotOn:
            return Redirect(TWO_STEP_SETUP_PATH, status_code=303)
        except second_factor.SecondFactorError as exc:
            return _refusal("staff/recovery_codes_new.html", _password_context(runtime, staff), exc)
        context = {"staff": staff, "nav": "account", "codes": codes, "first_time": False}
        return Template("staff/recovery_codes.html", context=context)


def _two_step_page(
    runtime: CoreRuntime,
    staff: Identity,
    found: second_factor.TwoStepStatus,
    *,
    recovery_used: bool = False,
    turned_off: bool = False,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    context: dict[str, Any] = {
        **_staff_context(runtime, staff),
        "status": found,
        "secret_groups": second_factor.group_secret(found.pending.secret) if found.pending else "",
        "recovery_used": recovery_used,
        "turned_off": turned_off,
        **_errors(errors or {}),
    }
    name = "staff/two_step_setup.html" if found.pending else "staff/two_step.html"
    return Template(name, context=context, status_code=status)


def _password_context(runtime: CoreRuntime, staff: Identity) -> dict[str, Any]:
    # Why: turning it off is allowed, but an admin is then asked to set it up again at once.
    admin_required = runtime.settings.require_totp_for_admin and "admin" in staff.roles
    return {**_staff_context(runtime, staff), "admin_required": admin_required, **_errors({})}


def _password_page(template: str, runtime: CoreRuntime, staff: Identity) -> Template | Redirect:
    if not staff.totp_enabled:
        return Redirect(TWO_STEP_SETUP_PATH, status_code=303)
    return Template(template, context=_password_context(runtime, staff))


class SecondStepController(Controller):
    """The second step of logging in, for a person with two-step verification on."""

    path = "/staff/login/second-factor"
    include_in_schema = False

    @get("/", name="staff-second-factor")
    async def second_factor_page(
        self, staff: NamedDependency[Identity], next_page: NextPage = None, recovery: FromQuery[bool] = False
    ) -> Template | Redirect:
        """The code form, or the recovery-code form."""
        if staff.verified:
            return Redirect(safe_next(next_page), status_code=303)
        return _second_step_page(safe_next(next_page), recovery, {}, 200)

    @post("/", name="staff-second-factor-post", status_code=303)
    async def check(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        data: URLEncodedBody[SecondStepForm],
    ) -> Template | Redirect:
        """Check the code; on success a new, verified session and on to where the person was going."""
        if staff.verified:
            return Redirect(safe_next(data.next), status_code=303)
        outcome = await second_factor.second_step(
            runtime.engine, staff, client_address(request), code=data.code, recovery_code=data.recovery_code
        )
        recovery = data.recovery_code is not None
        if outcome.wait is not None:
            seconds = outcome.wait.total_seconds()
            field = "recovery_code" if recovery else "code"
            retry = {"Retry-After": str(math.ceil(seconds))}
            return _second_step_page(safe_next(data.next), recovery, {field: wait_message(seconds)}, 429, retry)
        if not outcome.secret:
            return _second_step_page(safe_next(data.next), recovery, outcome.errors, 400)
        cookie = session_cookie(runtime.settings, outcome.secret)
        target = f"{TWO_STEP_SETUP_PATH}?recovery_used=true" if outcome.recovery_code_used else safe_next(data.next)
        return Redirect(target, status_code=303, cookies=[cookie])


def _second_step_page(
    next_page: str, recovery: bool, errors: dict[str, str], status: int, headers: dict[str, str] | None = None
) -> Template:
    context = {"next": next_page, "recovery": recovery, **_errors(errors)}
    return Template("staff/second_factor.html", context=context, status_code=status, headers=headers)
