"""The training JSON API: courses, their sessions, and delegates imported as JSON or CSV.

Bearer tokens only (see voice_service/access.py); the same rules as the pages. Delegate lists
are identifiable data: reading one is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, JSONBody, RawBody

from voice_service.accounts.identity import Identity, client_address
from voice_service.surveys.runtime import Runtime
from voice_service.training import courses, erasure, invitations, sessions
from voice_service.training.courses import CourseInfo, NotFound
from voice_service.training.delegates import ImportRefused, ListChanged
from voice_service.training.import_flow import UnsupportedBody, import_body
from voice_service.training.rules import DEFAULT_FOLLOW_UP_DAYS, Invalid
from voice_service.training.sessions import SessionInfo

BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]


class Problem(msgspec.Struct):
    """Why a request was refused."""

    status_code: int
    detail: str


class FieldErrors(msgspec.Struct):
    """A message per field that breaks the rules; nothing was stored."""

    errors: dict[str, str]


class LineError(msgspec.Struct):
    """One bad delegate: the CSV line (1 is the header) or the list position (from 1); 0 for the body."""

    line: int
    field: str
    message: str


class LineErrors(msgspec.Struct):
    """Every bad delegate; nothing was stored."""

    errors: list[LineError]


class CourseIn(msgspec.Struct, forbid_unknown_fields=True):
    """A course: surveys are slugs of `course_evaluation` and `follow_up` definitions; days 1 to 730."""

    name: str
    evaluation_survey: str
    follow_up_survey: str
    follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS


class CourseOut(msgspec.Struct):
    """A course with its numbers of sessions, delegates and attendees."""

    id: uuid.UUID
    name: str
    evaluation_survey: str
    follow_up_survey: str
    follow_up_days: int
    created_at: datetime
    sessions: int
    delegates: int
    attendees: int


class SessionIn(msgspec.Struct, forbid_unknown_fields=True):
    """A session: date as YYYY-MM-DD, mode online, face_to_face or e_learning, capacity 1 to 1000."""

    date: str
    mode: str
    trainer: str
    capacity: int


class SessionOut(msgspec.Struct):
    """A session with its numbers of delegates and attendees."""

    id: uuid.UUID
    course_id: uuid.UUID
    date: date
    mode: str
    trainer: str
    capacity: int
    created_at: datetime
    delegates: int
    attendees: int


class DelegateOut(msgspec.Struct):
    """A delegate; name, email and organisation are null once erased (by retention or on request)."""

    id: uuid.UUID
    name: str | None
    email: str | None
    organisation: str | None
    sector: str
    attended: bool


class InvitationOut(msgspec.Struct):
    """A delegate's invitation: kind evaluation or follow_up; state scheduled, sent, failed, answered or expired."""

    id: uuid.UUID
    delegate_id: uuid.UUID
    kind: str
    state: str
    due_at: datetime
    sent_at: datetime | None
    expires_at: datetime | None
    reminders_sent: int
    answered_at: datetime | None


class Erased(msgspec.Struct):
    """A delegate's details erased: already_erased when an earlier call had done it (nothing changed)."""

    delegate_id: uuid.UUID
    session_id: uuid.UUID
    already_erased: bool
    invitations_withdrawn: int


class Imported(msgspec.Struct):
    """Rows added or updated (imported) and rows already on the list as given (unchanged)."""

    imported: int
    unchanged: int


def _doc(container: Any, description: str) -> ResponseSpec:
    return ResponseSpec(data_container=container, description=description)


REFUSALS = {401: _doc(Problem, "No valid personal API token"), 403: _doc(Problem, "The token's owner lacks the role")}
NOT_FOUND = {404: _doc(Problem, "No such course or session")}
BAD_BODY = {400: _doc(Problem, "The body is not a JSON object with these fields")}
DELEGATE_ITEM = Schema(
    type=OpenAPIType.OBJECT,
    required=["name", "email", "organisation", "sector", "attended"],
    properties={
        "name": Schema(type=OpenAPIType.STRING, max_length=200),
        "email": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.EMAIL),
        "organisation": Schema(type=OpenAPIType.STRING, max_length=200),
        "sector": Schema(type=OpenAPIType.STRING, description="One of the configured sectors (TRAINING_SECTORS)"),
        "attended": Schema(
            one_of=[Schema(type=OpenAPIType.BOOLEAN), Schema(type=OpenAPIType.STRING, enum=["yes", "no"])]
        ),
    },
)


@dataclass
class DelegatesOperation(Operation):
    """The delegates import takes a JSON list or a CSV file, which Litestar cannot infer from `body: bytes`."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="A JSON list of delegates, or a CSV file whose first line names the columns",
            content={
                "application/json": OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.ARRAY, items=DELEGATE_ITEM, min_items=1)
                ),
                "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
            },
        )


def _course(info: CourseInfo) -> CourseOut:
    return CourseOut(**info.__dict__)


def _session(info: SessionInfo) -> SessionOut:
    return SessionOut(**info.__dict__)


def _invalid(exc: Invalid) -> Response[Any]:
    return Response(FieldErrors(exc.errors), status_code=422)


class TrainingApiController(Controller):
    """Courses, sessions and delegate imports for training administrators."""

    path = "/api"
    tags = ["training"]
    security = BEARER

    @get("/courses", summary="Every course", responses=REFUSALS)
    async def list_courses(self, runtime: NamedDependency[Runtime]) -> list[CourseOut]:
        """Courses by name, with how many sessions, delegates and attendees each has had."""
        return [_course(c) for c in await courses.list_courses(runtime.engine)]

    @post(
        "/courses",
        summary="Create a course",
        status_code=201,
        responses={**REFUSALS, **BAD_BODY, 422: _doc(FieldErrors, "A field breaks the rules")},
    )
    async def create_course(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        data: JSONBody[CourseIn],
    ) -> Response[Any]:
        """A new course; 201 with it and its id."""
        try:
            info = await courses.create_course(
                runtime.engine,
                msgspec.structs.asdict(data),
                courses.survey_choices(runtime.catalog),
                actor=staff.actor,
                address=client_address(request),
            )
        except Invalid as exc:
            return _invalid(exc)
        return Response(_course(info), status_code=201)

    @get("/courses/{course_id:uuid}", summary="One course", responses={**REFUSALS, **NOT_FOUND})
    async def get_course(self, runtime: NamedDependency[Runtime], course_id: FromPath[uuid.UUID]) -> CourseOut:
        """The course with its numbers."""
        try:
            return _course(await courses.get_course(runtime.engine, course_id))
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc

    @get("/courses/{course_id:uuid}/sessions", summary="A course's sessions", responses={**REFUSALS, **NOT_FOUND})
    async def list_sessions(
        self, runtime: NamedDependency[Runtime], course_id: FromPath[uuid.UUID]
    ) -> list[SessionOut]:
        """The course's sessions, newest first."""
        try:
            found = await sessions.course_sessions(runtime.engine, course_id)
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        return [_session(s) for s in found.sessions]

    @post(
        "/courses/{course_id:uuid}/sessions",
        summary="Add a session to a course",
        status_code=201,
        responses={**REFUSALS, **NOT_FOUND, **BAD_BODY, 422: _doc(FieldErrors, "A field breaks the rules")},
    )
    async def create_session(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        course_id: FromPath[uuid.UUID],
        data: JSONBody[SessionIn],
    ) -> Response[Any]:
        """A new session of the course; 201 with it and its id."""
        try:
            info = await sessions.create_session(
                runtime.engine,
                course_id,
                msgspec.structs.asdict(data),
                actor=staff.actor,
                address=client_address(request),
            )
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        except Invalid as exc:
            return _invalid(exc)
        return Response(_session(info), status_code=201)

    @post(
        "/sessions/{session_id:uuid}/delegates",
        summary="Import delegates (JSON list or CSV)",
        status_code=201,
        operation_class=DelegatesOperation,
        responses={
            **REFUSALS,
            **NOT_FOUND,
            409: _doc(Problem, "Another import changed the list at the same moment: send again"),
            415: _doc(Problem, "Neither application/json nor text/csv"),
            422: _doc(LineErrors, "Bad rows, each with its line, field and reason; nothing was stored"),
        },
    )
    async def import_delegates(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        session_id: FromPath[uuid.UUID],
        body: RawBody,
    ) -> Response[Any]:
        """Add or update every delegate, or none: matched by email within the session."""
        try:
            result = await import_body(
                runtime.engine,
                session_id,
                request.headers.get("content-type", ""),
                body,
                runtime.settings.training_sectors,
                actor=staff.actor,
                address=client_address(request),
            )
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        except UnsupportedBody as exc:
            return Response(Problem(415, str(exc)), status_code=415)
        except ImportRefused as exc:
            errors = [LineError(e.line, e.field, e.message) for e in exc.errors]
            return Response(LineErrors(errors), status_code=422)
        except ListChanged:
            return Response(Problem(409, "The delegate list changed at the same moment: send again"), status_code=409)
        return Response(Imported(result.imported, result.unchanged), status_code=201)

    @get("/sessions/{session_id:uuid}/delegates", summary="A session's delegates", responses={**REFUSALS, **NOT_FOUND})
    async def list_delegates(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        session_id: FromPath[uuid.UUID],
    ) -> list[DelegateOut]:
        """Every delegate of the session by name (identifiable data: each call is audited)."""
        try:
            found = await sessions.view_delegates(
                runtime.engine, session_id, actor=staff.actor, address=client_address(request)
            )
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        return [DelegateOut(d.id, d.name, d.email, d.organisation, d.sector, d.attended) for d in found.delegates]

    @get(
        "/sessions/{session_id:uuid}/invitations",
        summary="A session's invitations (never their tokens)",
        responses={**REFUSALS, **NOT_FOUND},
    )
    async def list_invitations(
        self, runtime: NamedDependency[Runtime], session_id: FromPath[uuid.UUID]
    ) -> list[InvitationOut]:
        """Each delegate's evaluation and follow-up invitations with their state, times and reminders sent."""
        try:
            found = await invitations.session_invitations(runtime.engine, session_id)
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        return [InvitationOut(**i.__dict__) for i in found]

    @post(
        "/delegates/{delegate_id:uuid}/erase",
        summary="Erase a delegate's name, email and organisation now (right to erasure)",
        status_code=200,
        responses={**REFUSALS, 404: _doc(Problem, "No such delegate")},
    )
    async def erase_delegate(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        delegate_id: FromPath[uuid.UUID],
    ) -> Erased:
        """As retention does, for one delegate now: links stop, unsent emails are withdrawn; audited; repeatable."""
        try:
            done = await erasure.erase_delegate(
                runtime.engine, delegate_id, actor=staff.actor, address=client_address(request)
            )
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        return Erased(done.delegate_id, done.session_id, done.already, done.withdrawn)
