"""The safeguarding JSON API: the lead's queue with a bearer token; opening an alert is audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from voice_service.accounts.identity import Identity, client_address
from voice_service.safeguarding import queue
from voice_service.safeguarding.queue import AlertDetail, AlertNotFound, AlertSummary, InvalidChange
from voice_service.surveys.runtime import Runtime

BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]
Status = Literal["new", "acknowledged", "actioned", "no_concern"]


class Problem(msgspec.Struct):
    """Why a request was refused."""

    status_code: int
    detail: str


class FieldErrors(msgspec.Struct):
    """A message per field; nothing changed."""

    errors: dict[str, str]


class AlertOut(msgspec.Struct):
    """An alert in the queue (no words of the answer)."""

    id: uuid.UUID
    survey: str
    question: str
    response_id: uuid.UUID
    categories: list[str]
    status: str
    #: As coarse as the response's own time (the hour, for an anonymous survey).
    created_at: datetime


class MatchOut(msgspec.Struct):
    """A category and the words of the answer that matched it."""

    category: str
    words: str


class ChangeOut(msgspec.Struct):
    """A status change: to which status, when, by whom, and the note."""

    status: str
    at: datetime
    by: str
    note: str


class OtherAnswer(msgspec.Struct):
    """Another answer of the same response (for example the area), as lines of text."""

    question_id: str
    question: str
    answer: list[str]


class AlertDetailOut(AlertOut):
    """An alert with the whole answer (null once retention deleted it) and what else helps to act."""

    survey_title: str
    question_label: str
    text: str | None
    matches: list[MatchOut]
    other_answers: list[OtherAnswer]
    changes: list[ChangeOut]
    next_statuses: list[str]


class StatusIn(msgspec.Struct, forbid_unknown_fields=True):
    """The next status and a note (required to close an alert)."""

    status: Status
    note: str = ""


def _doc(container: Any, description: str) -> ResponseSpec:
    return ResponseSpec(data_container=container, description=description)


REFUSALS = {401: _doc(Problem, "No valid personal API token"), 403: _doc(Problem, "The token's owner lacks the role")}
NOT_FOUND = {404: _doc(Problem, "No alert has that id")}


def _summary(alert: AlertSummary) -> AlertOut:
    return AlertOut(
        alert.id, alert.survey, alert.question, alert.response_id, alert.categories, alert.status, alert.created_at
    )


def _detail(alert: AlertDetail) -> AlertDetailOut:
    s = alert.summary
    return AlertDetailOut(
        s.id,
        s.survey,
        s.question,
        s.response_id,
        s.categories,
        s.status,
        s.created_at,
        survey_title=alert.survey_title,
        question_label=alert.question_label,
        text=alert.answer,
        matches=[MatchOut(c, w) for c, w in alert.matched],
        other_answers=[OtherAnswer(a.question_id, a.label, a.lines) for a in alert.other_answers],
        changes=[ChangeOut(c.status, c.at, c.by, c.note) for c in alert.changes],
        next_statuses=list(alert.next_statuses),
    )


class SafeguardingApiController(Controller):
    """Safeguarding alerts, for the safeguarding lead only."""

    path = "/api/safeguarding/alerts"
    tags = ["safeguarding"]
    security = BEARER

    @get("/", summary="Safeguarding alerts, newest first", responses=REFUSALS)
    async def list_alerts(
        self, runtime: NamedDependency[Runtime], status: FromQuery[Status | None] = None
    ) -> list[AlertOut]:
        """Every alert (or those of one status), newest first; no answer text."""
        return [_summary(a) for a in await queue.list_alerts(runtime.engine, status)]

    @get("/{alert_id:uuid}", summary="One alert with the answer", responses={**REFUSALS, **NOT_FOUND})
    async def get_alert(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        alert_id: FromPath[uuid.UUID],
    ) -> AlertDetailOut:
        """The alert, the whole answer, the words that matched and the response's other answers (audited)."""
        try:
            found = await queue.open_alert(
                runtime.engine, runtime.catalog, alert_id, actor=staff.actor, address=client_address(request)
            )
        except AlertNotFound as exc:
            raise NotFoundException("No alert has that id") from exc
        return _detail(found)

    @post(
        "/{alert_id:uuid}/status",
        summary="Move an alert to its next status",
        status_code=200,
        responses={**REFUSALS, **NOT_FOUND, 422: _doc(FieldErrors, "Not a next status, or a note is missing")},
    )
    async def change_status(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        alert_id: FromPath[uuid.UUID],
        data: JSONBody[StatusIn],
    ) -> Response[Any]:
        """The next status (new, acknowledged, then actioned or no_concern) with a note; the alert again."""
        address = client_address(request)
        try:
            await queue.change_status(
                runtime.engine, alert_id, data.status, data.note, actor=staff.actor, address=address
            )
            found = await queue.open_alert(
                runtime.engine, runtime.catalog, alert_id, actor=staff.actor, address=address
            )
        except AlertNotFound as exc:
            raise NotFoundException("No alert has that id") from exc
        except InvalidChange as exc:
            return Response(FieldErrors(exc.errors), status_code=422)
        return Response(_detail(found))
