"""The training report: load the frames in one place, then let `analysis` count."""

from __future__ import annotations

import asyncio
import gc
import importlib
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.figures import Figures, breakdown, by_course, figures, trend
from analysis.training import Facts, SurveyAnswers, TrainingData, build_facts
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.respondents import MeasuredRows, measured_rows
from voice_service.surveys.results import UnknownSurvey
from voice_service.training.reporting import TrainingFrames, course_surveys, id_text, training_rows


@dataclass(frozen=True)
class CourseFigures:
    """One course's figures."""

    course_id: Any
    name: str
    figures: Figures


@dataclass(frozen=True)
class TrainingReport:
    """The figures for the sessions held between two dates."""

    start: date
    end: date
    totals: Figures
    courses: list[CourseFigures]
    facts: Facts
    weights: dict[str, float]

    def breakdown(self, by: str) -> list[tuple[str, Figures]]:
        """Figures per sector, organisation or mode."""
        return breakdown(self.facts, by, self.weights)

    def trend(self, period: str = "financial_year") -> list[tuple[str, Figures]]:
        """Figures per financial year or quarter."""
        return trend(self.facts, period, self.weights)

    def as_json(self) -> dict[str, Any]:
        """The API's shape."""
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "totals": {
                "sessions": self.totals.sessions,
                "attendees": self.totals.attendees,
                "evaluations": self.totals.evaluations,
            },
            "courses": [
                {"course_id": id_text(c.course_id), "course": c.name, **c.figures.as_dict()} for c in self.courses
            ],
        }


async def _rows_or_none(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> MeasuredRows | None:
    """A survey's measured rows, or None when no definition of it exists."""
    try:
        return await measured_rows(engine, catalog, slug)
    except UnknownSurvey:
        # Why: a course may name a survey whose file was removed and which nobody answered.
        return None


async def _frames(engine: AsyncEngine, start: date, end: date, imported: Awaitable[object]) -> TrainingFrames:
    """The delegates' and their sessions' frames, made once their rows are read and pandas is imported."""
    rows = await training_rows(engine, start, end)
    await imported
    return rows.frames()


async def _answers(
    engine: AsyncEngine, catalog: SurveyCatalog, slug: str, imported: Awaitable[object]
) -> SurveyAnswers | None:
    """A survey's answers (None when no definition of it exists), made once read and pandas is imported."""
    rows = await _rows_or_none(engine, catalog, slug)
    await imported
    return rows.answers() if rows is not None else None


@contextmanager
def _cycles_uncollected() -> Iterator[None]:
    """No cyclic garbage collection inside; if it was on before, it is on again after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


async def load_facts(engine: AsyncEngine, catalog: SurveyCatalog, start: date, end: date) -> Facts:
    """The facts for sessions dated from `start` to `end`: the one place reports read the database."""
    # Why: the reads make some 300,000 row tuples, each tracked by the cyclic collector, which then ran
    # about 350 times during a fresh process's report (a full pass over pandas' import among them):
    # 0.12 s of CPU, against 0.06 s for the one collection after. Nothing here makes reference cycles.
    with _cycles_uncollected():
        return await _load_facts(engine, catalog, start, end)


async def _load_facts(engine: AsyncEngine, catalog: SurveyCatalog, start: date, end: date) -> Facts:
    """`load_facts`'s reads and joins."""
    # Why pandas on a thread: a process's first report imports it (0.2-0.3 s) while SQLite reads.
    imported = asyncio.ensure_future(asyncio.to_thread(importlib.import_module, "pandas"))
    # Why together: each read waits on its own connection (SQLite works on the connection's thread and
    # lets go of the interpreter meanwhile), so the delegates and each survey's answers are read at once,
    # and the delegates' read does not wait for the surveys to be known. Why no frame before its rows
    # and pandas are in: made on the event loop during the import, a frame would hold the loop (and every
    # read not started yet) until the import is done; made as soon as they are, it overlaps other reads.
    delegates = asyncio.ensure_future(_frames(engine, start, end, imported))
    try:
        slugs = sorted(await course_surveys(engine, start, end))
        answers = await asyncio.gather(*(_answers(engine, catalog, slug, imported) for slug in slugs))
        frames = await delegates
    finally:
        # Why: a failed read must not leave the other running with nobody to hear of it.
        for task in (delegates, imported):
            task.cancel()
    surveys = {slug: found for slug, found in zip(slugs, answers, strict=True) if found is not None}
    data = TrainingData(frames.courses, frames.sessions, frames.delegates, frames.follow_up_invitations, surveys)
    return build_facts(data)


async def training_report(
    engine: AsyncEngine, catalog: SurveyCatalog, weights: dict[str, float], start: date, end: date
) -> TrainingReport:
    """Every figure of the training report for sessions from `start` to `end`."""
    facts = await load_facts(engine, catalog, start, end)
    courses = [CourseFigures(cid, name, result) for cid, name, result in by_course(facts, weights)]
    return TrainingReport(start, end, figures(facts, weights), courses, facts, weights)
