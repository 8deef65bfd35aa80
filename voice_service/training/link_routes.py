"""Delegates' links: a personal link from an email, and the session link shown in the room."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from voice_service.core.web.security import BAD_LINKS, DRAFTS, NO_REFERRER, RateLimits, rate_limited
from voice_service.surveys.gate import LINK_COOKIE
from voice_service.surveys.runtime import Runtime
from voice_service.training import session_links
from voice_service.training.links import LinkOpened, LinkOutcome, open_personal_link
from voice_service.training.rules import Invalid

#: The pages must not be kept by a browser or proxy: they belong to one person's link.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class RoomForm(msgspec.Struct):
    """The session link's form: the work email, and who they are if not on the list."""

    email: str = ""
    name: str = ""
    organisation: str = ""
    sector: str = ""


def _limits(request: Request[Any, Any, Any]) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits


def _outcome(runtime: Runtime, request: Request[Any, Any, Any], outcome: LinkOutcome) -> Template | Redirect:
    """Go to the survey with the browser's secret, or say plainly why not."""
    if isinstance(outcome, LinkOpened):
        cookie = Cookie(
            key=LINK_COOKIE,
            value=outcome.secret,
            path=f"/s/{outcome.survey}",
            max_age=outcome.max_age,
            httponly=True,
            samesite="lax",
            secure=runtime.settings.secure_cookies,
        )
        return Redirect(f"/s/{outcome.survey}", status_code=303, cookies=[cookie], headers=PRIVATE)
    if outcome.reason == "answered":
        return Template("training_links/answered.html", headers=PRIVATE)
    # Why counted only now: mistyped and guessed links are limited, people opening good links are not.
    _limits(request).check(BAD_LINKS, request.scope)
    return not_working(runtime)


def not_working(runtime: Runtime) -> Template:
    """One page for every link that does not open: expired, unknown or mistyped alike."""
    context = {"link_days": runtime.settings.training_link_days}
    return Template("training_links/not_working.html", context=context, status_code=404, headers=PRIVATE)


class DelegateLinkController(Controller):
    """Links that open a course evaluation or follow-up for one delegate."""

    path = "/t"
    include_in_schema = False

    @get("/{token:str}", name="delegate-link", opt=NO_REFERRER)
    async def personal(
        self, request: Request[Any, Any, Any], runtime: NamedDependency[Runtime], token: FromPath[str]
    ) -> Template | Redirect:
        """Swap the emailed token for a cookie and go to the survey, at an address without the token."""
        _limits(request).check(BAD_LINKS, request.scope, count=False)
        outcome = await open_personal_link(runtime.engine, token, datetime.now(UTC), runtime.settings)
        return _outcome(runtime, request, outcome)

    @get("/s/{code:str}", name="delegate-room-link", opt=NO_REFERRER)
    async def room(
        self, request: Request[Any, Any, Any], runtime: NamedDependency[Runtime], code: FromPath[str]
    ) -> Template:
        """The session link's form: who is answering."""
        _limits(request).check(BAD_LINKS, request.scope, count=False)
        session = await session_links.session_for_code(runtime.engine, code, datetime.now(UTC), runtime.settings)
        if session is None:
            _limits(request).check(BAD_LINKS, request.scope)
            return not_working(runtime)
        return _room_page(runtime, session, code)

    @post(
        "/s/{code:str}",
        name="delegate-room-join",
        status_code=303,
        opt=NO_REFERRER,
        before_request=rate_limited(DRAFTS),
    )
    async def join(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        code: FromPath[str],
        data: URLEncodedBody[RoomForm],
    ) -> Template | Redirect:
        """Find the delegate by work email (or add them) and open their evaluation."""
        now = datetime.now(UTC)
        values = msgspec.structs.asdict(data)
        try:
            outcome = await session_links.join_by_room_link(runtime.engine, code, values, now, runtime.settings)
        except Invalid as exc:
            session = await session_links.session_for_code(runtime.engine, code, now, runtime.settings)
            if session is None:
                return not_working(runtime)
            return _room_page(runtime, session, code, values, exc.errors)
        return _outcome(runtime, request, outcome)


def _room_page(
    runtime: Runtime,
    session: session_links.SessionForLink,
    code: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    errors = errors or {}
    context = {
        "session": session,
        "action": f"/t/s/{code}",
        "values": values or {},
        "errors": errors,
        "error_list": [(field, message) for field, message in errors.items()],
        "sectors": runtime.settings.training_sectors,
    }
    return Template("training_links/room.html", context=context, status_code=422 if errors else 200, headers=PRIVATE)
