"""`GET /api/reports/training`: the training report as JSON, for training administrators and admins."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter

from voice_service.impact import rules
from voice_service.impact.service import training_report
from voice_service.surveys.runtime import Runtime

BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]


class ProportionOut(msgspec.Struct):
    """count of n, the share (null when n is 0), its Wilson 95% interval, and fewer than 10 behind it."""

    value: float | None
    count: int
    n: int
    low: float | None
    high: float | None
    low_numbers: bool


class MeanChangeOut(msgspec.Struct):
    """The mean change in scale points over n matched pairs (null when there are none)."""

    value: float | None
    n: int
    low_numbers: bool


class ElementOut(msgspec.Struct):
    """A rated course element: how many chose each point of its scale, and the share good or very good."""

    label: str
    counts: dict[str, int]
    good_or_better: ProportionOut


class FollowUpOut(msgspec.Struct):
    """The 6-month follow-up, from each delegate's evaluation and follow-up paired by pseudonymous key."""

    sent: int
    received: int
    response_rate: ProportionOut
    changed_practice: ProportionOut
    gave_example: ProportionOut
    confidence_improved: ProportionOut
    confidence_mean_change: MeanChangeOut


class ComponentsOut(msgspec.Struct):
    """The four shares the score weighs."""

    reaction: ProportionOut
    intention: ProportionOut
    confidence: ProportionOut
    behaviour: ProportionOut


class ImpactOut(msgspec.Struct):
    """The Course Impact Score (0-100; null and complete=false until every component has answers)."""

    score: float | None
    complete: bool
    low: float | None
    high: float | None
    components: ComponentsOut
    weights: dict[str, float]
    behaviour_worst_case: ProportionOut


class CourseOut(msgspec.Struct):
    """One course's figures for the sessions in the range."""

    course_id: str
    course: str
    sessions: int
    attendees: int
    evaluations: int
    response_rate: ProportionOut
    elements: dict[str, ElementOut]
    change_intent: ProportionOut
    follow_up: FollowUpOut
    impact: ImpactOut


class TotalsOut(msgspec.Struct):
    """Across every course."""

    sessions: int
    attendees: int
    evaluations: int


class TrainingReportOut(msgspec.Struct):
    """The training report for sessions dated from `from` to `to` (both included)."""

    from_: str = msgspec.field(name="from")
    to: str = ""
    totals: TotalsOut = msgspec.field(default_factory=lambda: TotalsOut(0, 0, 0))
    courses: list[CourseOut] = msgspec.field(default_factory=list)


class FieldErrors(msgspec.Struct):
    """A message per query parameter that breaks the rules."""

    errors: dict[str, str]


class Problem(msgspec.Struct):
    """Why a request was refused."""

    status_code: int
    detail: str


def _doc(container: Any, description: str) -> ResponseSpec:
    return ResponseSpec(data_container=container, description=description)


class ReportsApiController(Controller):
    """Training reports as JSON."""

    path = "/api/reports"
    tags = ["reports"]
    security = BEARER

    @get(
        "/training",
        summary="The training report for a date range",
        responses={
            401: _doc(Problem, "No valid personal API token"),
            403: _doc(Problem, "The token's owner lacks the role"),
            422: _doc(FieldErrors, "A date is missing, malformed, or 'to' is before 'from'"),
        },
    )
    async def training(
        self,
        runtime: NamedDependency[Runtime],
        start: Annotated[str | None, QueryParameter(name="from", description="First session date, YYYY-MM-DD")] = None,
        end: Annotated[str | None, QueryParameter(name="to", description="Last session date, YYYY-MM-DD")] = None,
    ) -> Response[TrainingReportOut | FieldErrors]:
        """Per course: sessions, attendees, evaluations, element ratings, intention, follow-up and impact."""
        try:
            first, last = rules.date_range(start, end)
        except rules.Invalid as exc:
            return Response(FieldErrors(exc.errors), status_code=422)
        weights = dict(runtime.settings.impact_weights)
        report = await training_report(runtime.engine, runtime.catalog, weights, first, last)
        return Response(msgspec.convert(report.as_json(), TrainingReportOut))
