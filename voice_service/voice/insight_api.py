"""Voice insight pages as JSON: themes per question, the quotes behind one (audited), the made-a-difference table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery

from analysis.lazy import LazyModule
from voice_service.accounts.identity import Identity, client_address
from voice_service.surveys.runtime import Runtime
from voice_service.voice import difference, themes
from voice_service.voice.api_routes import BEARER, REFUSALS
from voice_service.voice.themes import UnknownChoice

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")


class Counted(msgspec.Struct):
    """A named theme or a frequent word or phrase, and how many answers use it."""

    name: str
    answers: int


class ThemesOut(msgspec.Struct):
    """What one question's typed answers are about."""

    survey: str
    question: str
    label: str
    answers: int
    named: list[Counted]
    frequent: list[Counted]


class QuoteOut(msgspec.Struct):
    """One answer exactly as written, with its sentiment (null until scored)."""

    text: str
    polarity: float | None
    subjectivity: float | None
    label: str | None


class ShareOut(msgspec.Struct):
    """The share answering yes for one source and year (or "All years"), with its Wilson 95% interval."""

    source: str
    period: str
    count: int
    n: int
    share: float | None
    low: float | None
    high: float | None


class DifferenceOut(msgspec.Struct):
    """The made-a-difference table beside its baseline."""

    baseline: float
    baseline_label: str
    rows: list[ShareOut]


def _choice(runtime: Runtime, survey: str, question: str) -> themes.QuestionChoice:
    try:
        return themes.find_choice(runtime.catalog, survey, question)
    except UnknownChoice as exc:
        raise NotFoundException(str(exc)) from exc


class VoiceInsightApiController(Controller):
    """/api/voice."""

    path = "/api/voice"
    tags = ["You Said / We Did"]
    security = BEARER

    @get("/themes", summary="Themes in one question's typed answers", responses=REFUSALS)
    async def themes_of(
        self, runtime: NamedDependency[Runtime], survey: FromQuery[str], question: FromQuery[str]
    ) -> ThemesOut:
        """Named themes and frequent words with how many answers use each (404 for an unknown question)."""
        choice = _choice(runtime, survey, question)
        report = await themes.theme_report(
            runtime.engine, choice, themes.themes_for(runtime.settings.voice_themes_file)
        )
        named = [Counted(str(r["theme"]), int(r["answers"])) for r in report.named.to_dict("records")]
        frequent = [Counted(str(r["term"]), int(r["answers"])) for r in report.frequent.to_dict("records")]
        return ThemesOut(choice.survey, choice.question, choice.label, report.answers, named, frequent)

    @get("/themes/quotes", summary="The answers behind a theme (audited)", responses=REFUSALS)
    async def quotes(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        survey: FromQuery[str],
        question: FromQuery[str],
        theme: FromQuery[str] = "",
        term: FromQuery[str] = "",
    ) -> list[QuoteOut]:
        """Every answer under a named theme, or using a frequent word, with its sentiment; each call is audited."""
        choice = _choice(runtime, survey, question)
        try:
            found = await themes.theme_quotes(
                runtime.engine,
                choice,
                themes.themes_for(runtime.settings.voice_themes_file),
                theme=theme[:200],
                term=term[:200],
                actor=staff.actor,
                address=client_address(request),
            )
        except UnknownChoice as exc:
            raise NotFoundException(str(exc)) from exc
        return [
            QuoteOut(
                q.text,
                *(
                    (q.sentiment.polarity, q.sentiment.subjectivity, q.sentiment.label)
                    if q.sentiment
                    else (None, None, None)
                ),
            )
            for q in found
        ]

    @get("/difference", summary="Did giving views make a difference?", responses=REFUSALS)
    async def made_a_difference(self, runtime: NamedDependency[Runtime]) -> DifferenceOut:
        """The share answering yes by source and financial year, overall, with count, n and interval."""
        report = await difference.difference_report(runtime.engine, runtime.catalog)
        rows = [
            ShareOut(
                str(row["source"]),
                str(row["period"]),
                int(row["count"]),
                int(row["n"]),
                *(None if row[k] is None or pd.isna(row[k]) else float(row[k]) for k in ("share", "low", "high")),
            )
            for row in report.rows()
        ]
        return DifferenceOut(report.baseline, report.baseline_label, rows)
