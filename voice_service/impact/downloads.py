"""Downloads: a report table as CSV or XLSX, and a training survey's responses; each one audited."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.audit import Actor, Target, audit
from voice_service.impact import rules
from voice_service.impact.response_export import response_export, stream_file
from voice_service.impact.service import training_report
from voice_service.impact.tables import TABLES, exporter
from voice_service.surveys.catalog import SurveyCatalog

FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class TableRequest:
    """Which table, in which format, for which sessions, and whether for publication."""

    table: str
    fmt: str
    start: date
    end: date
    publication: bool


def table_request(table: str, fmt: str, start: str | None, end: str | None, publication: str | None) -> TableRequest:
    """The checked request; rules.Invalid with a message per field otherwise."""
    errors: dict[str, str] = {}
    if table not in TABLES:
        errors["table"] = "Choose one of the report's tables"
    if fmt not in FORMATS:
        errors["format"] = "Choose CSV or XLSX"
    try:
        first, last = rules.date_range(start, end)
    except rules.Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise rules.Invalid(errors)
    return TableRequest(table, fmt, first, last, (publication or "").lower() in ("1", "yes", "true"))


async def table_download(
    engine: AsyncEngine,
    catalog: SurveyCatalog,
    weights: dict[str, float],
    request: TableRequest,
    actor: Actor,
    address: str = "",
) -> tuple[str, str, bytes]:
    """The file of one report table, recorded in the audit log."""
    report = await training_report(engine, catalog, weights, request.start, request.end)
    file = exporter(report, request.table, request.fmt, request.publication).render()
    kind = "publication" if request.publication else "staff"
    target = Target("report", f"training-{request.table}.{request.fmt} {request.start}..{request.end} {kind}")
    await audit(engine, actor, "report.training.export", target, address)
    return file


@dataclass(frozen=True)
class Download:
    """A file sent in pieces."""

    filename: str
    media_type: str
    content: AsyncIterator[bytes] | Iterator[bytes]


async def responses_download(
    engine: AsyncEngine, catalog: SurveyCatalog, slug: str, fmt: str, actor: Actor, today: date, address: str = ""
) -> Download:
    """A training survey's responses as CSV or XLSX, audited; NotExportable, or Invalid for a format."""
    if fmt not in FORMATS:
        raise rules.Invalid({"format": "Choose CSV or XLSX"})
    export = await response_export(engine, catalog, slug)
    await audit(engine, actor, "report.responses.export", Target("survey", f"{slug}.{fmt}"), address)
    if fmt == "csv":
        return Download(export.filename("csv", today), FORMATS["csv"], export.csv())
    path = await export.xlsx_file()
    return Download(export.filename("xlsx", today), FORMATS["xlsx"], stream_file(path))
