"""Staff pages for "You Said / We Did": the list, the form, one record with its history, and the reviewers' queue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from voice_service.accounts.identity import Identity, client_address
from voice_service.surveys.runtime import Runtime
from voice_service.voice import records, workflow
from voice_service.voice.api_routes import mover
from voice_service.voice.records import NotFound, Record
from voice_service.voice.workflow import Invalid, MoveNotAllowed, NotPermitted

HOME = "/staff/you-said-we-did"
BANNERS = {
    "created": "The draft was saved.",
    "changed": "The record was changed.",
    "submitted": "The record was sent for review.",
    "returned": "The record was returned to the editor with your comment.",
    "approved": "The record was approved. It can now be published.",
    "published": "The record was published on the public page.",
    "closed": "The record was closed.",
}
#: What the buttons on a record say, by the state they move it to.
MOVE_LABELS = {
    "submitted": "Send for review",
    "returned": "Return to the editor",
    "approved": "Approve",
    "published": "Publish",
    "closed": "Close",
}
DATE_FIELDS = ("due_on", "feedback_given_on")
#: Where the error summary links to for fields whose first input has another id.
ANCHORS = {"due_on": "due_on-day", "feedback_given_on": "feedback_given_on-day", "evidence_kind": "evidence_kind"}


class RecordForm(msgspec.Struct):
    """The record form; dates come as the GOV.UK date input's three fields each."""

    source: str = ""
    theme: str = ""
    said: str = ""
    people_count: str = ""
    evidence_kind: str = "other"
    evidence_survey: str = ""
    evidence_question: str = ""
    evidence_period: str = ""
    evidence_detail: str = ""
    done: str = ""
    owner_organisation: str = ""
    owner_officer: str = ""
    due_day: str = msgspec.field(default="", name="due_on-day")
    due_month: str = msgspec.field(default="", name="due_on-month")
    due_year: str = msgspec.field(default="", name="due_on-year")
    feedback_day: str = msgspec.field(default="", name="feedback_given_on-day")
    feedback_month: str = msgspec.field(default="", name="feedback_given_on-month")
    feedback_year: str = msgspec.field(default="", name="feedback_given_on-year")
    easy_read: str = ""

    def values(self) -> dict[str, Any]:
        """The fields as the record rules take them."""
        plain = {name: getattr(self, name) for name in workflow.FIELDS if name not in DATE_FIELDS}
        plain["due_on"] = workflow.date_from_parts(self.due_day, self.due_month, self.due_year)
        plain["feedback_given_on"] = workflow.date_from_parts(
            self.feedback_day, self.feedback_month, self.feedback_year
        )
        return plain

    def shown(self) -> dict[str, str]:
        """What the person typed, to show the form again."""
        return {name: getattr(self, name) for name in self.__struct_fields__}


class MoveForm(msgspec.Struct):
    """A move on the record page: the state to go to and a comment."""

    to: str = ""
    comment: str = ""


def record_values(record: Record) -> dict[str, str]:
    """A stored record as the form shows it."""
    shown = {name: "" if getattr(record, name) is None else str(getattr(record, name)) for name in workflow.FIELDS}
    for name, prefix in (("due_on", "due"), ("feedback_given_on", "feedback")):
        value = getattr(record, name)
        shown |= {f"{prefix}_day": "", f"{prefix}_month": "", f"{prefix}_year": ""}
        if value is not None:
            shown |= {
                f"{prefix}_day": str(value.day),
                f"{prefix}_month": str(value.month),
                f"{prefix}_year": str(value.year),
            }
    return shown


def page(name: str, staff: Identity, status: int = 200, **context: Any) -> Template:
    """A voice page in the staff layout, its errors listed for the error summary."""
    errors: dict[str, str] = context.pop("errors", None) or {}
    error_list = [(ANCHORS.get(f, f), m) for f, m in errors.items()]
    full = {
        "staff": staff,
        "nav": HOME,
        "errors": errors,
        "error_list": error_list,
        "state_names": workflow.STATE_NAMES,
        "evidence_kinds": workflow.EVIDENCE_KINDS,
        "today": datetime.now(UTC).date(),
        "is_editor": staff.holds_any(workflow.EDITORS),
        "is_reviewer": staff.holds_any(workflow.REVIEWERS),
        **context,
    }
    return Template(f"staff/voice/{name}.html", context=full, status_code=status)


def moves_for(record: Record, staff: Identity) -> list[tuple[str, str]]:
    """The moves this person may make on this record now: (state, button label)."""
    allowed = []
    for to in sorted(workflow.MOVES[record.state], key=workflow.STATES.index):
        try:
            workflow.check_move(record.state, to, mover(staff), record.drafted_by)
        except (MoveNotAllowed, NotPermitted):
            continue
        allowed.append((to, MOVE_LABELS[to]))
    return allowed


async def _record_page(
    runtime: Runtime, staff: Identity, record_id: uuid.UUID, status: int = 200, **context: Any
) -> Template:
    try:
        record = await records.get_record(runtime.engine, record_id)
    except NotFound as exc:
        raise NotFoundException(str(exc)) from exc
    events = await records.history(runtime.engine, record_id)
    context.setdefault("comment", "")
    return page("record", staff, status, record=record, events=events, moves=moves_for(record, staff), **context)


class VoicePagesController(Controller):
    """/staff/you-said-we-did."""

    path = HOME
    include_in_schema = False

    @get("/", name="voice-home")
    async def home(self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity]) -> Template:
        """Every record with its state; overdue ones stand out."""
        return page("records", staff, records=await records.list_records(runtime.engine))

    @get("/review", name="voice-review")
    async def review(self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity]) -> Template:
        """The reviewers' queue: records waiting for review, the longest waiting first."""
        return page("review", staff, records=await records.review_queue(runtime.engine))

    @get("/new", name="voice-new")
    async def new(
        self,
        staff: NamedDependency[Identity],
        theme: FromQuery[str] = "",
        source: FromQuery[str] = "",
    ) -> Template:
        """The empty form (a theme or source may be filled in from a link)."""
        if not staff.holds_any(workflow.EDITORS):
            raise PermissionDeniedException("Only a voice editor can draft records")
        return page("form", staff, values={"theme": theme[:200], "source": source[:200], "evidence_kind": "other"})

    @post("/new", name="voice-create", status_code=303)
    async def create(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        data: URLEncodedBody[RecordForm],
    ) -> Template | Redirect:
        """Store the draft and show it, or the form with its problems."""
        try:
            record = await records.create_record(
                runtime.engine, data.values(), mover(staff), address=client_address(request)
            )
        except NotPermitted as exc:
            raise PermissionDeniedException(str(exc)) from exc
        except Invalid as exc:
            return page("form", staff, 400, values=data.shown(), errors=exc.errors)
        return Redirect(f"{HOME}/{record.id}?done=created", status_code=303)

    @get("/{record_id:uuid}", name="voice-record")
    async def record(
        self,
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        record_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        """One record with its history and the moves the person may make."""
        return await _record_page(runtime, staff, record_id, banner=BANNERS.get(done))

    @get("/{record_id:uuid}/edit", name="voice-edit")
    async def edit(
        self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity], record_id: FromPath[uuid.UUID]
    ) -> Template:
        """The form, filled in (drafts and returned records only)."""
        try:
            record = await records.get_record(runtime.engine, record_id)
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        if record.state not in workflow.EDITABLE or not staff.holds_any(workflow.EDITORS):
            return await _record_page(
                runtime, staff, record_id, 409, refusal="Only a voice editor can change a draft or a returned record."
            )
        return page("form", staff, values=record_values(record), record=record)

    @post("/{record_id:uuid}/edit", name="voice-change", status_code=303)
    async def change(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        record_id: FromPath[uuid.UUID],
        data: URLEncodedBody[RecordForm],
    ) -> Template | Redirect:
        """Store the change, or show the form with its problems."""
        try:
            await records.change_record(
                runtime.engine, record_id, data.values(), mover(staff), address=client_address(request)
            )
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        except NotPermitted as exc:
            raise PermissionDeniedException(str(exc)) from exc
        except MoveNotAllowed as exc:
            return await _record_page(runtime, staff, record_id, 409, refusal=str(exc))
        except Invalid as exc:
            record = await records.get_record(runtime.engine, record_id)
            return page("form", staff, 400, values=data.shown(), record=record, errors=exc.errors)
        return Redirect(f"{HOME}/{record_id}?done=changed", status_code=303)

    @post("/{record_id:uuid}/move", name="voice-move", status_code=303)
    async def move(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        record_id: FromPath[uuid.UUID],
        data: URLEncodedBody[MoveForm],
    ) -> Template | Redirect:
        """Move the record (submit, return, approve, publish, close), or say plainly why not."""
        if not data.to:
            errors = {"to": "Choose what to do with the record"}
            return await _record_page(runtime, staff, record_id, 400, errors=errors, comment=data.comment)
        try:
            await records.move_record(
                runtime.engine, record_id, data.to, data.comment, mover(staff), address=client_address(request)
            )
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        except NotPermitted as exc:
            return await _record_page(runtime, staff, record_id, 403, refusal=str(exc), comment=data.comment)
        except MoveNotAllowed as exc:
            return await _record_page(runtime, staff, record_id, 409, refusal=str(exc), comment=data.comment)
        except Invalid as exc:
            return await _record_page(runtime, staff, record_id, 400, errors=exc.errors, comment=data.comment)
        return Redirect(f"{HOME}/{record_id}?done={data.to}", status_code=303)
