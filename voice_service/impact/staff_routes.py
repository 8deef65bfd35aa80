"""Staff pages for the training reports: the dashboard, the annual report, and their downloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream, Template

from voice_service.accounts.identity import Identity, client_address
from voice_service.impact import downloads, pages, rules
from voice_service.impact.response_export import NotExportable
from voice_service.impact.tables import TABLES, TREND_TABLES, share
from voice_service.surveys.runtime import Runtime

NAV = "/staff/reports/training"
From = Annotated[str | None, QueryParameter(name="from")]
To = Annotated[str | None, QueryParameter(name="to")]
Format = Annotated[str, QueryParameter(name="format")]
ANCHORS = {"from": "from", "to": "to", "year": "year", "table": "from", "format": "from", "period": "period"}


def _page(
    name: str, staff: Identity, errors: dict[str, str] | None = None, status: int = 200, **context: Any
) -> Template:
    errors = errors or {}
    full = {
        "staff": staff,
        "nav": NAV,
        "errors": errors,
        "error_list": [(ANCHORS.get(f, f), m) for f, m in errors.items()],
        "table_titles": TABLES,
        "share": share,
        "trend_tables": TREND_TABLES,
        **context,
    }
    return Template(f"staff/reports/{name}.html", context=full, status_code=status)


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


class ReportPagesController(Controller):
    """The training dashboard, the annual report for a financial year, and downloads."""

    path = "/staff/reports"
    include_in_schema = False

    @get("/training", name="reports-training")
    async def dashboard(
        self,
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        start: From = None,
        end: To = None,
        period: FromQuery[str | None] = None,
    ) -> Template:
        """Per-course figures, charts and tables for a date range (every session by default), trends by period."""
        form = {"from": start or "", "to": end or "", "period": period or "year"}
        weights = dict(runtime.settings.impact_weights)
        today = datetime.now(UTC).date()
        try:
            view = await pages.dashboard(runtime.engine, runtime.catalog, weights, start, end, today, period)
        except rules.Invalid as exc:
            return _page("dashboard", staff, exc.errors, 400, view=None, form=form)
        return _page("dashboard", staff, view=view, form=form)

    @get("/training/annual", name="reports-training-annual")
    async def annual(
        self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity], year: FromQuery[str | None] = None
    ) -> Template:
        """The training section of the annual report for one financial year, printable on A4."""
        weights = dict(runtime.settings.impact_weights)
        try:
            label, view = await pages.annual_report(
                runtime.engine, runtime.catalog, weights, year, datetime.now(UTC).date()
            )
        except rules.Invalid as exc:
            return _page("annual", staff, exc.errors, 400, view=None, year=year or "", sentences=pages.sentences)
        return _page("annual", staff, view=view, year=label, sentences=pages.sentences)

    @get("/training/download", name="reports-training-download")
    async def download_table(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        table: FromQuery[str] = "",
        fmt: Format = "",
        start: From = None,
        end: To = None,
        publication: FromQuery[str | None] = None,
    ) -> Response[bytes] | Template:
        """One of the report's tables as CSV or XLSX (audited)."""
        try:
            wanted = downloads.table_request(table, fmt, start, end, publication)
        except rules.Invalid as exc:
            form = {"from": start or "", "to": end or "", "period": "year"}
            return _page("dashboard", staff, exc.errors, 400, view=None, form=form)
        filename, media_type, content = await downloads.table_download(
            runtime.engine,
            runtime.catalog,
            dict(runtime.settings.impact_weights),
            wanted,
            staff.actor,
            client_address(request),
        )
        # Why without its parameters: Litestar adds "; charset=utf-8" to text types itself.
        return Response(content, media_type=media_type.partition(";")[0], headers=_attachment(filename))

    @get("/responses/{slug:str}", name="reports-responses")
    async def download_responses(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        slug: FromPath[str],
        fmt: Format = "csv",
    ) -> Stream:
        """Every response to a course evaluation or follow-up survey, one row each (audited)."""
        try:
            download = await downloads.responses_download(
                runtime.engine,
                runtime.catalog,
                slug,
                fmt,
                staff.actor,
                datetime.now(UTC).date(),
                client_address(request),
            )
        except (NotExportable, rules.Invalid):
            raise NotFoundException("No training survey has that name") from None
        return Stream(download.content, media_type=download.media_type, headers=_attachment(download.filename))
