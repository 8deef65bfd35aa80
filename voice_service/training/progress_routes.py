"""The training administrator's actions on emails: remind now, send a failed email again, the room link."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from voice_service.accounts.identity import Identity, client_address
from voice_service.surveys.runtime import Runtime
from voice_service.training import progress, session_links
from voice_service.training.courses import NotFound
from voice_service.training.staff_routes import HOME, not_found, page


class EmailActionsController(Controller):
    """Reminders, resends and the session link a trainer shows in the room."""

    path = HOME
    include_in_schema = False

    @post("/sessions/{session_id:uuid}/remind", name="training-remind", status_code=303)
    async def remind(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        session_id: FromPath[uuid.UUID],
    ) -> Redirect:
        """Queue a reminder to everyone on the session who has a working link and has not answered."""
        try:
            count = await progress.remind_now(
                runtime.engine,
                progress.Scope("training_session", session_id),
                datetime.now(UTC),
                actor=staff.actor,
                address=client_address(request),
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        return Redirect(f"{HOME}/sessions/{session_id}?reminded={count}", status_code=303)

    @post("/courses/{course_id:uuid}/remind", name="training-course-remind", status_code=303)
    async def remind_course(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        course_id: FromPath[uuid.UUID],
    ) -> Redirect:
        """Queue a reminder to everyone on any of the course's sessions who has a working link and has not answered."""
        try:
            count = await progress.remind_now(
                runtime.engine,
                progress.Scope("course", course_id),
                datetime.now(UTC),
                actor=staff.actor,
                address=client_address(request),
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        return Redirect(f"{HOME}/courses/{course_id}?reminded={count}", status_code=303)

    @post("/invitations/{invitation_id:uuid}/resend", name="training-resend", status_code=303)
    async def resend(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        invitation_id: FromPath[uuid.UUID],
    ) -> Redirect:
        """Send a failed email again."""
        try:
            session_id = await progress.resend_failed(
                runtime.engine, invitation_id, datetime.now(UTC), actor=staff.actor, address=client_address(request)
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        return Redirect(f"{HOME}/sessions/{session_id}?done=resent", status_code=303)

    @get("/sessions/{session_id:uuid}/room-link", name="training-room-link")
    async def room_link(
        self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity], session_id: FromPath[uuid.UUID]
    ) -> Template:
        """A printable page with the session link and its QR code, to show in the room."""
        try:
            link = await session_links.room_link(runtime.engine, session_id, runtime.settings)
        except NotFound as exc:
            raise not_found(exc) from exc
        return page("room_link", staff, link=link, session_id=session_id)
