"""The "Did this make a difference?" dashboard: answers from tagged survey questions and the public page, by year."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.difference import BASELINE, BASELINE_LABEL, answer_frame, difference_table
from analysis.lazy import LazyModule
from analysis.measures import favourable
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.results import SUBMITTED_COLUMN, load_results, versions_answered
from voice_service.voice.tables import FEEDBACK

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

MEASURE = "made_a_difference"
PUBLIC_PAGE = "\u201cYou said, we did\u201d page"
#: Why Any: matplotlib types rc keys as literals; these are checked by matplotlib at run time.
STYLE: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "voice-service", "font.size": 9}


@dataclass(frozen=True)
class DifferenceReport:
    """The table (per source and year, and overall), the chart as an SVG data URI, and its text alternative."""

    table: pd.DataFrame
    chart: str | None
    alt: str
    baseline: float = BASELINE
    baseline_label: str = BASELINE_LABEL

    def rows(self) -> list[dict[str, Any]]:
        """The table's rows for a page or an export."""
        return [{str(k): v for k, v in row.items()} for row in self.table.to_dict("records")]


async def load_answers(engine: AsyncEngine, catalog: SurveyCatalog) -> pd.DataFrame:
    """Every answer to a question tagged made_a_difference in a young people's survey, and every public-page answer."""
    frames = []
    for survey in sorted(catalog.surveys.values(), key=lambda s: s.title):
        if survey.audience != "young_people" or survey.by_measure(MEASURE) is None:
            continue
        frame, versions = (
            await load_results(engine, catalog, survey.slug, (MEASURE,)),
            await versions_answered(engine, catalog, survey.slug),
        )
        # Why the good end, not the value `yes`: a survey may answer in Welsh (`ydw`) or in degrees
        # (`yes_a_lot`, `yes_a_little`), or on an agree scale; all read as the training reports read theirs.
        yes = favourable(frame, versions, MEASURE)
        when = pd.to_datetime(frame[SUBMITTED_COLUMN], utc=True).dt.date
        frames.append(answer_frame(survey.title, when, yes))
    async with engine.connect() as conn:
        rows = (await conn.execute(select(FEEDBACK.c.answered_on, FEEDBACK.c.answer))).all()
    if rows:
        public = pd.DataFrame(rows, columns=["answered_on", "answer"])
        frames.append(answer_frame(PUBLIC_PAGE, public["answered_on"], public["answer"] == "yes"))
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["source", "answered_on", "yes"])


def chart(table: pd.DataFrame) -> tuple[str | None, str]:
    """A bar per source (all years) with its interval and the baseline line; None when there is nothing to draw."""
    overall = table[table["period"] == "All years"]
    if overall.empty:
        return None, "No answers yet: there is nothing to chart."
    labels = overall["source"].tolist()
    shares = [100 * s for s in overall["share"]]
    errors = [
        [100 * (s - lo) for s, lo in zip(overall["share"], overall["low"], strict=True)],
        [100 * (hi - s) for s, hi in zip(overall["share"], overall["high"], strict=True)],
    ]
    # Why imported here: matplotlib is about 30 MiB that survey workers, which never chart, need not load.
    import matplotlib as mpl
    from matplotlib.figure import Figure

    with mpl.rc_context(STYLE):
        figure = Figure(figsize=(7.0, 0.6 * len(labels) + 1.2), layout="constrained")
        axes = figure.subplots()
        positions = list(range(len(labels)))[::-1]
        axes.barh(positions, shares, xerr=errors, color="#7f7f7f", edgecolor="#000000", capsize=3)
        axes.axvline(100 * BASELINE, color="#000000", linestyle="--", linewidth=1.5)
        axes.text(100 * BASELINE + 1, len(labels) - 0.5, "21% baseline", va="bottom")
        axes.set_yticks(positions, labels)
        axes.set_xlim(0, 100)
        axes.set_xlabel("Answered yes (%), with 95% interval")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    uri = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    parts = [_describe(row) for row in overall.to_dict("records")]
    alt = "Share of young people who said giving their views made a difference, against the 21% baseline. "
    return uri, alt + "; ".join(parts) + "."


def _describe(row: Mapping[Any, Any]) -> str:
    share, low, high = (100 * float(row[k]) for k in ("share", "low", "high"))
    counted = f"{row['count']} of {row['n']}, 95% interval {low:.0f}% to {high:.0f}%"
    return f"{row['source']}: {share:.0f}% answered yes ({counted})"


async def difference_report(engine: AsyncEngine, catalog: SurveyCatalog) -> DifferenceReport:
    """The dashboard's table and chart."""
    table = difference_table(await load_answers(engine, catalog))
    uri, alt = chart(table)
    return DifferenceReport(table, uri, alt)
