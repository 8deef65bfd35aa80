"""Ballot results: the staff page (with "Draft a record" per option) and the JSON API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Response, Template

from analysis.lazy import LazyModule
from voice_service.accounts.identity import Identity, client_address
from voice_service.surveys.runtime import Runtime
from voice_service.voice import ballots, workflow
from voice_service.voice.api_routes import BEARER, INVALID, REFUSALS, FieldErrors, mover
from voice_service.voice.ballots import UnknownBallot
from voice_service.voice.staff_routes import HOME, page
from voice_service.voice.workflow import NotPermitted

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

#: The expected electorate, when known (for turnout).
Electorate = Annotated[int | None, QueryParameter(ge=1, le=100_000_000, description="Expected electorate, for turnout")]


class DraftFromBallot(msgspec.Struct):
    """The "Draft a record" button beside an option."""

    option: str = ""


class OptionOut(msgspec.Struct):
    """One option: votes, rank and share (each null when fewer than 5, or hidden so another cannot be worked out)."""

    option: str
    label: str
    votes: int | None
    rank: int | None
    share: float | None


class BallotOut(msgspec.Struct):
    """A ballot's result: options by rank, votes cast, turnout with its Wilson 95% interval, breakdowns."""

    slug: str
    title: str
    votes: int | None
    electorate: int | None
    turnout: float | None
    turnout_low: float | None
    turnout_high: float | None
    options: list[OptionOut]
    #: Per breakdown (age_band, area): option label -> group label -> votes (null when hidden).
    breakdowns: dict[str, dict[str, dict[str, int | None]]]


def _table(frame: pd.DataFrame) -> dict[str, dict[str, int | None]]:
    return {
        str(row): {
            str(col): None if pd.isna(frame.loc[row, col]) else int(frame.loc[row, col]) for col in frame.columns
        }
        for row in frame.index
    }


async def _report(runtime: Runtime, slug: str, electorate: int | None) -> ballots.BallotReport:
    try:
        return await ballots.ballot_report(runtime.engine, runtime.catalog, slug, electorate)
    except UnknownBallot as exc:
        raise NotFoundException(str(exc)) from exc


class BallotPagesController(Controller):
    """/staff/you-said-we-did/ballots."""

    path = f"{HOME}/ballots"
    include_in_schema = False

    @get("/", name="voice-ballots")
    async def list_ballots(self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity]) -> Template:
        """Every ballot."""
        return page("ballots", staff, ballots=ballots.ballots(runtime.catalog))

    @get("/{slug:str}", name="voice-ballot")
    async def ballot(
        self,
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        slug: FromPath[str],
        electorate: Electorate = None,
    ) -> Template:
        """One ballot's result, with turnout when an electorate is given, and its breakdowns."""
        report = await _report(runtime, slug, electorate)
        refused = report.result.electorate_error
        errors = {"electorate": refused} if refused else {}
        return page("ballot", staff, 422 if refused else 200, report=report, electorate=electorate, errors=errors)

    @post("/{slug:str}/draft", name="voice-draft-from-ballot", status_code=303)
    async def draft(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        slug: FromPath[str],
        data: URLEncodedBody[DraftFromBallot],
    ) -> Redirect:
        """A new draft with its evidence from one option's result; then its form to finish it."""
        if not staff.holds_any(workflow.EDITORS):
            raise PermissionDeniedException("Only a voice editor can draft records")
        try:
            record = await ballots.draft_from_ballot(
                runtime.engine, runtime.catalog, slug, data.option, mover(staff), address=client_address(request)
            )
        except UnknownBallot as exc:
            raise NotFoundException(str(exc)) from exc
        except NotPermitted as exc:
            raise PermissionDeniedException(str(exc)) from exc
        return Redirect(f"{HOME}/{record.id}/edit", status_code=303)


class BallotApiController(Controller):
    """/api/ballots/{slug}."""

    path = "/api/ballots"
    tags = ["You Said / We Did"]
    security = BEARER

    @get("/{slug:str}", summary="A ballot's result", responses=REFUSALS | INVALID)
    async def ballot(
        self, runtime: NamedDependency[Runtime], slug: FromPath[str], electorate: Electorate = None
    ) -> BallotOut:
        """Votes and rank per option, turnout and breakdowns by age band and area; figures under 5 are null."""
        report = await _report(runtime, slug, electorate)
        result = report.result
        if result.electorate_error:
            return Response(FieldErrors({"electorate": result.electorate_error}), status_code=422)  # type: ignore[return-value]
        low, high = result.turnout_interval
        return BallotOut(
            slug=report.slug,
            title=report.title,
            votes=result.votes,
            electorate=result.electorate,
            turnout=result.turnout.value if result.turnout else None,
            turnout_low=low,
            turnout_high=high,
            options=[OptionOut(o.option, o.label, o.votes, o.rank, o.share) for o in result.options],
            breakdowns={name: _table(frame) for name, frame in report.breakdowns.items()},
        )
