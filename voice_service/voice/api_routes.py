"""The "You Said / We Did" JSON API: list, create, read, change and move records (bearer tokens only)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from voice_service.accounts.identity import Identity, client_address
from voice_service.surveys.runtime import Runtime
from voice_service.voice import records
from voice_service.voice.records import NotFound, Record
from voice_service.voice.workflow import Invalid, MoveNotAllowed, Mover, NotPermitted

BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]


class Problem(msgspec.Struct):
    """Why a request was refused, in plain words."""

    status_code: int
    detail: str


class FieldErrors(msgspec.Struct):
    """A message per field that breaks the rules; nothing was stored."""

    errors: dict[str, str]


class RecordIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new draft: plain text (never markup), dates as YYYY-MM-DD, evidence_kind as in EVIDENCE_KINDS."""

    source: str
    theme: str
    said: str
    people_count: int | None = None
    evidence_kind: str = "other"
    evidence_survey: str | None = None
    evidence_question: str | None = None
    evidence_period: str = ""
    evidence_detail: str = ""
    done: str = ""
    owner_organisation: str = ""
    owner_officer: str = ""
    due_on: str | None = None
    feedback_given_on: str | None = None
    easy_read: str = ""


class RecordChange(msgspec.Struct, forbid_unknown_fields=True):
    """Fields to change on a draft or returned record; a field left out (or null) stays as it is."""

    source: str | None = None
    theme: str | None = None
    said: str | None = None
    people_count: int | None = None
    evidence_kind: str | None = None
    evidence_survey: str | None = None
    evidence_question: str | None = None
    evidence_period: str | None = None
    evidence_detail: str | None = None
    done: str | None = None
    owner_organisation: str | None = None
    owner_officer: str | None = None
    due_on: str | None = None
    feedback_given_on: str | None = None
    easy_read: str | None = None


class Transition(msgspec.Struct, forbid_unknown_fields=True):
    """A move to another state (submitted, returned, approved, published, closed) with a comment."""

    to: str
    comment: str = ""


class EventOut(msgspec.Struct):
    """One step of the record's history: who moved it, when, from which state to which, and why."""

    at: datetime
    by: str
    from_state: str
    to_state: str
    comment: str


class RecordOut(msgspec.Struct):
    """A record with its state; `history` is filled in when one record is asked for."""

    id: uuid.UUID
    source: str
    theme: str
    said: str
    people_count: int | None
    evidence_kind: str
    evidence_survey: str | None
    evidence_question: str | None
    evidence_period: str
    evidence_detail: str
    done: str
    owner_organisation: str
    owner_officer: str
    due_on: date | None
    feedback_given_on: date | None
    easy_read: str
    state: str
    drafted_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    history: list[EventOut] | None = None


def _doc(container: Any, description: str) -> ResponseSpec:
    return ResponseSpec(data_container=container, description=description)


REFUSALS = {401: _doc(Problem, "No valid personal API token"), 403: _doc(Problem, "The token's owner may not do this")}
NOT_FOUND = {404: _doc(Problem, "No record with that id")}
INVALID = {422: _doc(FieldErrors, "A field breaks the rules; nothing was stored")}
CONFLICT = {409: _doc(Problem, "The workflow does not allow this from the record's state")}


def mover(staff: Identity) -> Mover:
    """The person acting, as the workflow sees them."""
    return Mover(staff.user_id, staff.email, staff.roles)


def _out(record: Record, events: list[records.Event] | None = None) -> RecordOut:
    values = {name: getattr(record, name) for name in RecordOut.__struct_fields__ if name != "history"}
    history = (
        None if events is None else [EventOut(e.at, e.actor_label, e.from_state, e.to_state, e.comment) for e in events]
    )
    return RecordOut(**values, history=history)


def _problem(status: int, exc: Exception) -> Response[Any]:
    return Response(Problem(status, str(exc)), status_code=status)


class VoiceApiController(Controller):
    """/api/you-said-we-did."""

    path = "/api/you-said-we-did"
    tags = ["You Said / We Did"]
    security = BEARER

    @get("/", summary="Records", responses=REFUSALS)
    async def list_records(
        self,
        runtime: NamedDependency[Runtime],
        # Why the alias: `state` is a name Litestar keeps for the application state.
        in_state: Annotated[str | None, QueryParameter(name="state", description="Only records in this state")] = None,
    ) -> list[RecordOut]:
        """Every record (or those in one state), the most recently changed first."""
        return [_out(r) for r in await records.list_records(runtime.engine, in_state)]

    @post("/", summary="Draft a record", status_code=201, responses={**REFUSALS, **INVALID})
    async def create_record(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        data: JSONBody[RecordIn],
    ) -> Response[Any]:
        """A new draft drafted by the token's owner (a voice editor); 201 with it."""
        try:
            record = await records.create_record(
                runtime.engine, msgspec.structs.asdict(data), mover(staff), address=client_address(request)
            )
        except NotPermitted as exc:
            return _problem(403, exc)
        except Invalid as exc:
            return Response(FieldErrors(exc.errors), status_code=422)
        return Response(_out(record, await records.history(runtime.engine, record.id)), status_code=201)

    @get("/{record_id:uuid}", summary="One record with its history", responses={**REFUSALS, **NOT_FOUND})
    async def get_record(self, runtime: NamedDependency[Runtime], record_id: FromPath[uuid.UUID]) -> RecordOut:
        """The record and every step of its history."""
        try:
            record = await records.get_record(runtime.engine, record_id)
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        return _out(record, await records.history(runtime.engine, record_id))

    @patch("/{record_id:uuid}", summary="Change a draft", responses={**REFUSALS, **NOT_FOUND, **CONFLICT, **INVALID})
    async def change_record(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        record_id: FromPath[uuid.UUID],
        data: JSONBody[RecordChange],
    ) -> Response[Any]:
        """Change the fields given; only drafts and returned records change (409 otherwise)."""
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        try:
            record = await records.change_record(
                runtime.engine, record_id, values, mover(staff), address=client_address(request)
            )
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        except NotPermitted as exc:
            return _problem(403, exc)
        except MoveNotAllowed as exc:
            return _problem(409, exc)
        except Invalid as exc:
            return Response(FieldErrors(exc.errors), status_code=422)
        return Response(_out(record, await records.history(runtime.engine, record_id)), status_code=200)

    @post(
        "/{record_id:uuid}/transitions",
        summary="Move a record to another state",
        status_code=200,
        responses={**REFUSALS, **NOT_FOUND, **CONFLICT, **INVALID},
    )
    async def move_record(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        record_id: FromPath[uuid.UUID],
        data: JSONBody[Transition],
    ) -> Response[Any]:
        """draft→submitted→approved→published→closed, submitted→returned→submitted; 403 for one's own approval."""
        try:
            record = await records.move_record(
                runtime.engine, record_id, data.to, data.comment, mover(staff), address=client_address(request)
            )
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        except NotPermitted as exc:
            return _problem(403, exc)
        except MoveNotAllowed as exc:
            return _problem(409, exc)
        except Invalid as exc:
            return Response(FieldErrors(exc.errors), status_code=422)
        return Response(_out(record, await records.history(runtime.engine, record_id)), status_code=200)
