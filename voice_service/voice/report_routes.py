"""Voice reports: the "Did this make a difference?" dashboard and the year's table (printable, CSV, XLSX)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from voice_service.accounts.identity import Identity, client_address
from voice_service.core.audit import Target, audit
from voice_service.core.exports import Exporter
from voice_service.surveys.runtime import Runtime
from voice_service.voice import difference, exports
from voice_service.voice.staff_routes import HOME, page


async def _year(runtime: Runtime, year: str) -> tuple[list[str], str]:
    years = await exports.report_years(runtime.engine)
    return years, year if year in years else (years[0] if years else "")


async def _download(
    request: Request[Any, Any, Any], runtime: Runtime, staff: Identity, exporter: Exporter
) -> Response[bytes]:
    filename, mimetype, body = exporter.render()
    await audit(
        runtime.engine, staff.actor, "voice.export", Target("report", exporter.identifier), client_address(request)
    )
    # Why without its parameters: Litestar adds "; charset=utf-8" to text types itself (it said charset twice).
    media_type = mimetype.partition(";")[0]
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class VoiceReportsController(Controller):
    """/staff/you-said-we-did/dashboard and /report."""

    path = HOME
    include_in_schema = False

    @get("/dashboard", name="voice-dashboard")
    async def dashboard(self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity]) -> Template:
        """The share answering yes, by source and year, beside the 21% baseline: chart, text alternative, table."""
        report = await difference.difference_report(runtime.engine, runtime.catalog)
        return page("dashboard", staff, report=report)

    @get("/report", name="voice-report")
    async def report(
        self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity], year: FromQuery[str] = ""
    ) -> Template:
        """The year's table as the annual report prints it (A4), with the downloads."""
        years, chosen = await _year(runtime, year)
        rows = [exports.row(r) for r in await exports.year_records(runtime.engine, chosen)] if chosen else []
        return page("report", staff, years=years, year=chosen, header=exports.HEADER, rows=rows)

    @get("/report.csv", name="voice-report-csv")
    async def report_csv(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        year: FromQuery[str] = "",
    ) -> Response[bytes]:
        """The year's table as CSV (audited)."""
        _years, chosen = await _year(runtime, year)
        found = await exports.year_records(runtime.engine, chosen)
        return await _download(request, runtime, staff, exports.CsvExporter(chosen, found))

    @get("/report.xlsx", name="voice-report-xlsx")
    async def report_xlsx(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        year: FromQuery[str] = "",
    ) -> Response[bytes]:
        """The year's table as XLSX (audited)."""
        _years, chosen = await _year(runtime, year)
        found = await exports.year_records(runtime.engine, chosen)
        return await _download(request, runtime, staff, exports.XlsxExporter(chosen, found))
