"""Training pages for a session's delegates: the list (an audited view), the CSV import, one delegate by form."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, MultipartBody, URLEncodedBody
from litestar.response import Redirect, Template

from voice_service.accounts.identity import Identity, client_address
from voice_service.surveys.runtime import Runtime
from voice_service.training import delegates, erasure, progress, sessions
from voice_service.training.courses import NotFound
from voice_service.training.csv_import import MAX_FILE_BYTES
from voice_service.training.import_flow import PreviewAgain, confirm_upload, preview_upload
from voice_service.training.rules import Invalid
from voice_service.training.staff_routes import BANNERS, HOME, not_found, page, reminder_banner


class Upload(msgspec.Struct):
    """The upload form: one CSV file."""

    file: UploadFile | None = None


class Confirmation(msgspec.Struct):
    """The preview's confirm form: the file carried back, and the plan it showed."""

    carried: str = ""
    fingerprint: str = ""


class DelegateForm(msgspec.Struct):
    """The form for one delegate."""

    name: str = ""
    email: str = ""
    organisation: str = ""
    sector: str = ""
    attended: str = ""


async def _read(upload: UploadFile | None) -> bytes:
    if upload is None:
        return b""
    # Why: read one byte past the limit, so an oversized file is refused without holding all of it.
    return await upload.read(MAX_FILE_BYTES + 1)


class DelegatePagesController(Controller):
    """A session's delegates: the list, the import, and one delegate at a time."""

    path = HOME
    include_in_schema = False

    @get("/sessions/{session_id:uuid}", name="training-session")
    async def session(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        session_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
        imported: FromQuery[int] = 0,
        unchanged: FromQuery[int] = 0,
        reminded: FromQuery[int | None] = None,
    ) -> Template:
        """A session with its delegates and how its evaluations are going (the view is audited)."""
        try:
            found = await sessions.view_delegates(
                runtime.engine, session_id, actor=staff.actor, address=client_address(request)
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        banner = BANNERS.get(done) or _import_banner(done, imported, unchanged) or reminder_banner(reminded)
        numbers = await progress.sessions_progress(runtime.engine, [session_id])
        settings = runtime.settings
        return page(
            "session",
            staff,
            banner=banner,
            course=found.course,
            session=found.session,
            delegates=found.delegates,
            progress=numbers[session_id],
            send_time=f"{settings.training_send_time:%H:%M} ({settings.training_timezone})",
            reminder_days=" and ".join(str(d) for d in settings.training_reminder_days) or "no",
        )

    @get("/sessions/{session_id:uuid}/import", name="training-import")
    async def upload_form(
        self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity], session_id: FromPath[uuid.UUID]
    ) -> Template:
        """The upload form."""
        try:
            course, info = await sessions.session_with_course(runtime.engine, session_id)
        except NotFound as exc:
            raise not_found(exc) from exc
        return page("import", staff, course=course, session=info, sectors=runtime.settings.training_sectors)

    @post("/sessions/{session_id:uuid}/import", name="training-import-preview", status_code=200)
    async def preview(
        self,
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        session_id: FromPath[uuid.UUID],
        data: MultipartBody[Upload],
    ) -> Template:
        """What the file would do: counts, or every bad line. Nothing is stored yet."""
        try:
            found = await preview_upload(
                runtime.engine, session_id, await _read(data.file), runtime.settings.training_sectors
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        return _preview_page(staff, found)

    @post("/sessions/{session_id:uuid}/import/confirm", name="training-import-confirm", status_code=303)
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        session_id: FromPath[uuid.UUID],
        data: URLEncodedBody[Confirmation],
    ) -> Template | Redirect:
        """Import exactly what the preview showed, or show the new preview if the list changed since."""
        try:
            result = await confirm_upload(
                runtime.engine,
                session_id,
                data.carried,
                data.fingerprint,
                runtime.settings.training_sectors,
                actor=staff.actor,
                address=client_address(request),
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        except PreviewAgain as again:
            return _preview_page(staff, again.preview)
        query = f"done=imported&imported={result.imported}&unchanged={result.unchanged}"
        return Redirect(f"{HOME}/sessions/{session_id}?{query}", status_code=303)

    @get("/sessions/{session_id:uuid}/delegates/new", name="training-delegate-new")
    async def new_delegate(
        self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity], session_id: FromPath[uuid.UUID]
    ) -> Template:
        """The empty delegate form."""
        try:
            course, info = await sessions.session_with_course(runtime.engine, session_id)
        except NotFound as exc:
            raise not_found(exc) from exc
        return _delegate_page(staff, runtime, course=course, session=info, values={})

    @post("/sessions/{session_id:uuid}/delegates/new", name="training-delegate-create", status_code=303)
    async def create_delegate(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        session_id: FromPath[uuid.UUID],
        data: URLEncodedBody[DelegateForm],
    ) -> Template | Redirect:
        """Add the delegate, or show the form with its problems."""
        values = msgspec.structs.asdict(data)
        try:
            await delegates.add_delegate(
                runtime.engine,
                session_id,
                values,
                runtime.settings.training_sectors,
                actor=staff.actor,
                address=client_address(request),
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        except Invalid as exc:
            course, info = await sessions.session_with_course(runtime.engine, session_id)
            return _delegate_page(staff, runtime, 400, course=course, session=info, values=values, errors=exc.errors)
        return Redirect(f"{HOME}/sessions/{session_id}?done=delegate", status_code=303)

    @get("/delegates/{delegate_id:uuid}/edit", name="training-delegate-edit")
    async def edit_delegate(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        delegate_id: FromPath[uuid.UUID],
    ) -> Template:
        """The delegate form, filled in (the view is audited)."""
        try:
            found = await delegates.get_delegate(
                runtime.engine, delegate_id, actor=staff.actor, address=client_address(request)
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        values = {
            "name": found.name or "",
            "email": found.email or "",
            "organisation": found.organisation or "",
            "sector": found.sector,
            "attended": "yes" if found.attended else "no",
        }
        return _delegate_page(staff, runtime, values=values, delegate_id=delegate_id, session_id=found.session_id)

    @post("/delegates/{delegate_id:uuid}/edit", name="training-delegate-change", status_code=303)
    async def change_delegate(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        delegate_id: FromPath[uuid.UUID],
        data: URLEncodedBody[DelegateForm],
    ) -> Template | Redirect:
        """Store the change, or show the form with its problems."""
        values = msgspec.structs.asdict(data)
        try:
            session_id = await delegates.change_delegate(
                runtime.engine,
                delegate_id,
                values,
                runtime.settings.training_sectors,
                actor=staff.actor,
                address=client_address(request),
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        except Invalid as exc:
            session_id = await delegates.delegate_session(runtime.engine, delegate_id)
            context = {"values": values, "delegate_id": delegate_id, "session_id": session_id}
            return _delegate_page(staff, runtime, 400, errors=exc.errors, **context)
        return Redirect(f"{HOME}/sessions/{session_id}?done=delegate-changed", status_code=303)

    @get("/delegates/{delegate_id:uuid}/erase", name="training-delegate-erase-check")
    async def erase_check(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        delegate_id: FromPath[uuid.UUID],
    ) -> Template:
        """What erasing this delegate's details will erase and what stays (the view is audited)."""
        try:
            found = await erasure.erasure_check(
                runtime.engine, delegate_id, actor=staff.actor, address=client_address(request)
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        return page("erase", staff, delegate=found.delegate, erased=found.erased)

    @post("/delegates/{delegate_id:uuid}/erase", name="training-delegate-erase", status_code=303)
    async def erase(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        delegate_id: FromPath[uuid.UUID],
    ) -> Redirect:
        """Erase the delegate's details now; erasing again changes nothing and says so."""
        try:
            done = await erasure.erase_delegate(
                runtime.engine, delegate_id, actor=staff.actor, address=client_address(request)
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        outcome = "already-erased" if done.already else "erased"
        return Redirect(f"{HOME}/sessions/{done.session_id}?done={outcome}", status_code=303)


def _import_banner(done: str, imported: int, unchanged: int) -> str | None:
    if done != "imported":
        return None
    return f"Import finished: {imported} delegates added or updated, {unchanged} already on the list."


def _preview_page(staff: Identity, found: Any) -> Template:
    status = 400 if found.plan.errors else 200
    return page("preview", staff, status, preview=found, course=found.course, session=found.session)


def _delegate_page(staff: Identity, runtime: Runtime, status: int = 200, **context: Any) -> Template:
    sectors = runtime.settings.training_sectors
    return page("delegate_form", staff, status, sectors=sectors, **context)
