"""Ballot results for staff and the API: counts, ranks, turnout and breakdowns (suppressed), and drafts from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.ballots import BallotResult, ballot_breakdown, ballot_result
from analysis.lazy import LazyModule
from analysis.measures import answers
from forms import Survey
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.results import load_results, versions_answered
from voice_service.voice import records
from voice_service.voice.records import Record
from voice_service.voice.workflow import Mover, fitted_line

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

BREAKDOWNS = {"age_band": "age band", "area": "area"}


class UnknownBallot(LookupError):
    """No ballot (a survey with `purpose: ballot`) with that slug, or no such option."""


@dataclass(frozen=True)
class BallotReport:
    """One ballot's result and its breakdowns by age band and area."""

    slug: str
    title: str
    question: str
    result: BallotResult
    breakdowns: dict[str, pd.DataFrame]

    def rows(self, name: str) -> list[tuple[str, list[int | None]]]:
        """A breakdown's rows as (issue, figures), None where a figure is hidden."""
        frame = self.breakdowns[name]
        return [(str(label), [None if pd.isna(v) else int(v) for v in row]) for label, row in frame.iterrows()]


def ballots(catalog: SurveyCatalog) -> list[Survey]:
    """Every ballot, by title."""
    return sorted((s for s in catalog.surveys.values() if s.purpose == "ballot"), key=lambda s: s.title)


def _ballot(catalog: SurveyCatalog, slug: str) -> Survey:
    survey = catalog.current(slug)
    if survey is None or survey.purpose != "ballot" or survey.by_measure("ballot_choice") is None:
        raise UnknownBallot("No ballot with that name")
    return survey


def _options(survey: Survey, versions: Mapping[str, Survey], measure: str) -> dict[str, str]:
    """A measure's options: the current version's, then those only older versions had, with their labels."""
    # Why older ones too: votes for an option taken out after voting began are still votes cast, and were
    # left out of its count and of the total.
    found: dict[str, str] = {}
    for version in [survey, *versions.values()]:
        options = getattr(version.by_measure(measure), "options", None)
        for value, label in options.items if options is not None else ():
            found.setdefault(value, label)
    return found


async def ballot_report(engine: AsyncEngine, catalog: SurveyCatalog, slug: str, electorate: int | None) -> BallotReport:
    """The ballot's result (turnout when an electorate is given) and breakdowns, every figure suppressed."""
    survey = _ballot(catalog, slug)
    measures = ("ballot_choice", *BREAKDOWNS)
    frame = await load_results(engine, catalog, slug, measures)
    versions = await versions_answered(engine, catalog, slug)
    options = _options(survey, versions, "ballot_choice")
    votes = answers(frame, versions, "ballot_choice")
    breakdowns = {}
    for measure in BREAKDOWNS:
        labels = _options(survey, versions, measure)
        if labels:
            groups = answers(frame, versions, measure)
            breakdowns[measure] = ballot_breakdown(votes, groups, options, labels)
    question = survey.by_measure("ballot_choice")
    label = getattr(question, "label", "") or ""
    return BallotReport(slug, survey.title, label, ballot_result(votes, options, electorate), breakdowns)


async def draft_from_ballot(
    engine: AsyncEngine, catalog: SurveyCatalog, slug: str, option: str, mover: Mover, *, address: str = ""
) -> Record:
    """A new draft whose evidence (ballot, question, votes and rank) comes from one option's result."""
    report = await ballot_report(engine, catalog, slug, None)
    chosen = next((o for o in report.result.options if o.option == option), None)
    if chosen is None:
        raise UnknownBallot("No such option in this ballot")
    question = _ballot(catalog, slug).by_measure("ballot_choice")
    # Why not "fewer than 5": an option hidden so that a smaller one cannot be worked out may have more.
    votes = "a hidden number" if chosen.votes is None else str(chosen.votes)
    total = "fewer than 5" if report.result.votes is None else str(report.result.votes)
    # Why no place for a hidden option: the record may be published, and its place would narrow its hidden votes.
    came = "" if chosen.rank is None else f": it came number {chosen.rank}"
    place = "" if chosen.rank is None else f"; number {chosen.rank} of {len(report.result.options)} issues"
    values = {
        # Why fitted: a survey's title may be 300 characters and a label longer, and the record's fields take 200
        # on one line, so a long title or label made drafting a 500.
        "source": fitted_line(report.title),
        "theme": fitted_line(chosen.label),
        "said": f"Young people voted for {chosen.label} in {report.title}{came}.",
        "people_count": chosen.votes,
        "evidence_kind": "ballot",
        "evidence_survey": slug,
        "evidence_question": question.id if question is not None else None,
        "evidence_detail": f"{votes} of {total} votes{place}.",
    }
    return await records.create_record(engine, values, mover, address=address)
