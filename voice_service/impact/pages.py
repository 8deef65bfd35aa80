"""What the training dashboard and the annual report page show: figures, tables, charts and sentences."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.figures import Figures, trend
from analysis.periods import financial_year, financial_year_bounds
from analysis.proportions import percent
from voice_service.impact import charts, rules
from voice_service.impact.response_export import PURPOSES
from voice_service.impact.service import TrainingReport, training_report
from voice_service.impact.tables import Table, report_tables
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.training.reporting import session_span


@dataclass(frozen=True)
class CourseCharts:
    """A course's "Elements of the course" chart."""

    course: str
    chart: charts.Chart | None


@dataclass(frozen=True)
class ReportView:
    """A report page: the figures, their tables and charts."""

    report: TrainingReport
    tables: dict[str, Table]
    elements: list[CourseCharts]
    intention: charts.Chart
    impact: charts.Chart
    #: Training surveys whose responses can be downloaded: (slug, title).
    surveys: list[tuple[str, str]]
    #: Financial years that have sessions, newest first.
    years: list[str]
    #: The trend period shown: "year" or "quarter" (rules.PERIODS).
    period: str = "year"


def _years(span: tuple[date, date] | None) -> list[str]:
    if span is None:
        return []
    first, last = (financial_year_bounds(financial_year(day))[0].year for day in span)
    return [financial_year(date(year, 4, 1)) for year in range(last, first - 1, -1)]


def default_range(span: tuple[date, date] | None, today: date) -> tuple[date, date]:
    """Every session so far (the dashboard's opening view), or this financial year when there are none."""
    return span if span is not None else financial_year_bounds(financial_year(today))


def _draw(report: TrainingReport, period: str = "year") -> tuple[list[CourseCharts], charts.Chart, charts.Chart]:
    """Every chart of a report (matplotlib is synchronous: this runs in a worker thread)."""
    elements, trends = [], []
    for course in report.courses:
        only = report.facts.where_sessions(report.facts.sessions["course_id"] == course.course_id)
        # Why the course's own options: another course's form may rate on another scale (... excellent).
        options = next(iter(only.elements.values())).options if only.elements else ()
        chart = (
            charts.element_ratings(course.name, course.figures.elements, options) if course.figures.elements else None
        )
        elements.append(CourseCharts(course.name, chart))
        trends.append((course.name, trend(only, rules.PERIODS[period], report.weights)))
    named: list[tuple[str, Figures]] = [(c.name, c.figures) for c in report.courses]
    intention = charts.intention_and_behaviour(named)
    return elements, intention, charts.impact_over_time(trends, period)


async def report_view(
    engine: AsyncEngine, catalog: SurveyCatalog, weights: dict[str, float], start: date, end: date, period: str = "year"
) -> ReportView:
    """The figures, tables and charts for sessions from `start` to `end`, trends by `period`."""
    report = await training_report(engine, catalog, weights, start, end)
    elements, intention, impact = await asyncio.to_thread(_draw, report, period)
    surveys = sorted((s.slug, s.title) for s in catalog.surveys.values() if s.purpose in PURPOSES)
    years = _years(await session_span(engine))
    return ReportView(report, report_tables(report), elements, intention, impact, surveys, years, period)


async def dashboard_range(engine: AsyncEngine, today: date) -> tuple[date, date]:
    """The dashboard's range when none is chosen."""
    return default_range(await session_span(engine), today)


async def latest_year(engine: AsyncEngine, today: date) -> str:
    """The newest financial year with sessions (this one when there are none)."""
    years = _years(await session_span(engine))
    return years[0] if years else financial_year(today)


def sentences(figures: Figures) -> list[str]:
    """The annual report's sentences for a course, with their numbers."""
    said = []
    if figures.attendees:
        said.append(
            f"Out of {figures.attendees} delegates who attended the training {figures.evaluations} "
            "completed the evaluation survey."
        )
    if figures.change_intent.n:
        said.append(
            f"{percent(figures.change_intent.value)} of delegates who answered said they were likely or very likely "
            "to change the way they do things as a result of the training"
            + (" (low numbers)." if figures.change_intent.low_numbers else ".")
        )
    follow = figures.follow_up
    if follow.received:
        said.append(
            f"Six months on, {follow.received} of {follow.sent} delegates answered the follow-up; "
            f"{percent(follow.changed_practice.value)} said the training had changed their practice and "
            f"{percent(follow.gave_example.value)} gave an example."
        )
    return said


async def dashboard(
    engine: AsyncEngine,
    catalog: SurveyCatalog,
    weights: dict[str, float],
    start: str | None,
    end: str | None,
    today: date,
    period: str | None = None,
) -> ReportView:
    """The dashboard for the chosen dates (every session when none are chosen) with trends by year or quarter.

    rules.Invalid, with a message for each field at fault, for bad dates or an unknown period.
    """
    errors: dict[str, str] = {}
    try:
        chosen = rules.period(period)
    except rules.Invalid as exc:
        errors.update(exc.errors)
    try:
        if not (start or "").strip() and not (end or "").strip():
            first, last = await dashboard_range(engine, today)
        else:
            first, last = rules.date_range(start, end)
    except rules.Invalid as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise rules.Invalid(errors)
    return await report_view(engine, catalog, weights, first, last, chosen)


async def annual_report(
    engine: AsyncEngine, catalog: SurveyCatalog, weights: dict[str, float], year: str | None, today: date
) -> tuple[str, ReportView]:
    """The chosen financial year's report (the newest with sessions when none is chosen); rules.Invalid otherwise."""
    label = (year or "").strip() or await latest_year(engine, today)
    first, last = rules.financial_year(label)
    return label, await report_view(engine, catalog, weights, first, last)
