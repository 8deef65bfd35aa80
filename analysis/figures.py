"""The report's figures for any subset of training facts: a course, a session, a period or a sector."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analysis.lazy import LazyModule
from analysis.proportions import LOW_NUMBERS, Proportion, share
from analysis.score import DEFAULT_WEIGHTS, Impact, check_weights
from analysis.training import Facts

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")


@dataclass(frozen=True)
class ElementFigures:
    """One course element: how many chose each point of the scale, and the share good or better."""

    label: str
    counts: dict[str, int]
    good_or_better: Proportion

    def as_dict(self) -> dict[str, Any]:
        """The API shape."""
        return {"label": self.label, "counts": self.counts, "good_or_better": self.good_or_better.as_dict()}


@dataclass(frozen=True)
class MeanChange:
    """A mean change in scale points over n matched pairs."""

    value: float | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        """The API shape."""
        return {"value": self.value, "n": self.n, "low_numbers": self.n < LOW_NUMBERS}


@dataclass(frozen=True)
class FollowUp:
    """The 6-month follow-up: sent, received, and what the matched pairs said."""

    sent: int
    received: int
    response_rate: Proportion
    changed_practice: Proportion
    gave_example: Proportion
    confidence_improved: Proportion
    confidence_mean_change: MeanChange

    def as_dict(self) -> dict[str, Any]:
        """The API shape."""
        return {
            "sent": self.sent,
            "received": self.received,
            "response_rate": self.response_rate.as_dict(),
            "changed_practice": self.changed_practice.as_dict(),
            "gave_example": self.gave_example.as_dict(),
            "confidence_improved": self.confidence_improved.as_dict(),
            "confidence_mean_change": self.confidence_mean_change.as_dict(),
        }


@dataclass(frozen=True)
class Figures:
    """Every figure the report gives for one subset."""

    sessions: int
    attendees: int
    evaluations: int
    response_rate: Proportion
    elements: dict[str, ElementFigures]
    reaction: Proportion
    change_intent: Proportion
    follow_up: FollowUp
    impact: Impact

    def as_dict(self) -> dict[str, Any]:
        """The API shape (without the course's name and id)."""
        return {
            "sessions": self.sessions,
            "attendees": self.attendees,
            "evaluations": self.evaluations,
            "response_rate": self.response_rate.as_dict(),
            "elements": {key: element.as_dict() for key, element in self.elements.items()},
            "change_intent": self.change_intent.as_dict(),
            "follow_up": self.follow_up.as_dict(),
            "impact": self.impact.as_dict(),
        }


def _elements(facts: Facts) -> dict[str, ElementFigures]:
    """Counts at each point of each element's scale (zeros included), and good or better."""
    result = {}
    rated = facts.ratings
    for key, spec in facts.elements.items():
        mine = rated[rated["element"] == key]
        if mine.empty:
            continue
        counts = mine["rating"].value_counts()
        result[key] = ElementFigures(
            spec.label,
            {value: int(counts.get(value, 0)) for value, _ in spec.options},
            Proportion(int(mine["good"].sum()), len(mine)),
        )
    return result


def _confidence(paired: pd.DataFrame) -> tuple[Proportion, MeanChange]:
    """Confidence before (at the evaluation, else as recalled) against six months on."""
    before = paired["confidence_before"].fillna(paired["confidence_recalled"])
    change = (paired["confidence_now"] - before).dropna()
    mean = float(change.mean()) if len(change) else None
    return Proportion(int((change > 0).sum()), len(change)), MeanChange(mean, len(change))


def figures(facts: Facts, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> Figures:
    """The figures of a subset of facts."""
    d = facts.delegates
    attended = d[d["attended"]]
    evaluated = d[d["evaluated"]]
    followed = d[d["followed_up"]]
    sent = int(d["follow_up_sent"].sum())
    behaved = followed["changed"].fillna(False).astype(bool) & followed["example"]
    improved, mean_change = _confidence(followed)
    follow_up = FollowUp(
        sent=sent,
        received=len(followed),
        # Why count only the sent: a reply to an unsent link cannot be (a resend may have replaced it).
        response_rate=Proportion(int((d["followed_up"] & d["follow_up_sent"]).sum()), sent),
        changed_practice=share(followed["changed"]),
        gave_example=Proportion(int(behaved.sum()), len(followed)),
        confidence_improved=improved,
        confidence_mean_change=mean_change,
    )
    rated = facts.ratings
    reaction = Proportion(int(rated["good"].sum()), len(rated), people=int(rated["delegate_id"].nunique()))
    change_intent = share(evaluated["intends"])
    behaviour = Proportion(int(behaved.sum()), len(followed))
    impact = Impact(
        components={
            "reaction": reaction,
            "intention": change_intent,
            "confidence": improved,
            "behaviour": behaviour,
        },
        weights=check_weights(weights),
        behaviour_worst_case=Proportion(min(int(behaved.sum()), len(attended)), len(attended)),
    )
    return Figures(
        sessions=len(facts.sessions),
        attendees=len(attended),
        evaluations=len(evaluated),
        response_rate=Proportion(int(attended["evaluated"].sum()), len(attended)),
        elements=_elements(facts),
        reaction=reaction,
        change_intent=change_intent,
        follow_up=follow_up,
        impact=impact,
    )


def by_course(facts: Facts, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> list[tuple[Any, str, Figures]]:
    """(course id, course name, figures) for each course with a session, in name order."""
    courses = facts.sessions[["course_id", "course"]].drop_duplicates()
    # Why case-folded: as the course list orders them ("apple course" before "Zed course"), not capitals first.
    courses = courses.assign(order=courses["course"].astype(str).str.casefold()).sort_values(["order", "course_id"])
    courses = courses[["course_id", "course"]]
    return [
        (cid, name, figures(facts.where_sessions(facts.sessions["course_id"] == cid), weights))
        for cid, name in courses.itertuples(index=False)
    ]


def by_session(facts: Facts, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> list[tuple[Any, Figures]]:
    """(session id, figures) for each session, by date."""
    ordered = facts.sessions.sort_values(["date", "session_id"])
    return [
        (sid, figures(facts.where_sessions(facts.sessions["session_id"] == sid), weights))
        for sid in ordered["session_id"]
    ]


def breakdown(facts: Facts, by: str, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> list[tuple[str, Figures]]:
    """Figures per value of a delegate column (sector, organisation, or the session's mode); blanks as "Not known"."""
    column = facts.delegates[by].astype(object).where(facts.delegates[by].notna(), "Not known")
    values = sorted(set(column), key=lambda value: (str(value).casefold(), str(value)))
    return [(str(value), figures(facts.where_delegates(column == value), weights)) for value in values]


def trend(
    facts: Facts, period: str = "financial_year", weights: Mapping[str, float] = DEFAULT_WEIGHTS
) -> list[tuple[str, Figures]]:
    """Figures per period ("financial_year" or "quarter"), oldest first."""
    if period not in ("financial_year", "quarter"):
        raise ValueError("period must be 'financial_year' or 'quarter'")
    labels = sorted(set(facts.sessions[period]))
    return [(label, figures(facts.where_sessions(facts.sessions[period] == label), weights)) for label in labels]
