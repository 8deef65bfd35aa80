"""Charts drawn on the server as SVG with matplotlib, each with a text alternative and its data.

Shown as `<img src="data:image/svg+xml;base64,...">`: the page's CSP forbids inline styles, and an
SVG image keeps its own. Greys with hatching, so a chart reads the same printed in black and white.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analysis.figures import ElementFigures, Figures
from analysis.proportions import Proportion, percent

GREYS = ("#ffffff", "#bfbfbf", "#7f7f7f", "#262626", "#000000")
HATCHES = ("///", "", "..", "", "xx")
#: Why Any: matplotlib types rc keys as literals, and these are checked by matplotlib at run time.
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "voice-service",
    "font.size": 9,
    "font.family": "sans-serif",
}


if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _style() -> AbstractContextManager[None]:
    """Matplotlib with this module's style, imported on first use.

    Why: matplotlib is about 30 MiB and only staff report pages draw charts; survey workers never do.
    """
    import matplotlib as mpl

    return mpl.rc_context(STYLE)


@dataclass(frozen=True)
class Chart:
    """An SVG chart as a data URI, its text alternative, and the table of what it shows."""

    uri: str
    alt: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    with _style():
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(height: float) -> Figure:
    from matplotlib.figure import Figure

    with _style():
        return Figure(figsize=(7.0, height), layout="constrained")


def _share(p: Proportion) -> float:
    return 100 * (p.value or 0.0)


def _error(p: Proportion) -> tuple[float, float]:
    low, high = p.interval
    if p.value is None or low is None or high is None:
        return 0.0, 0.0
    # Why clamp: at 0% or 100% a rounding error can put the bound a hair past the share.
    return max(0.0, 100 * (p.value - low)), max(0.0, 100 * (high - p.value))


def element_ratings(course: str, elements: dict[str, ElementFigures], options: Sequence[tuple[str, str]]) -> Chart:
    """The report's "Elements of the course": one stacked bar per element, the share of ratings at each point."""
    figure = _figure(0.5 + 0.45 * max(len(elements), 1))
    with _style():
        axes = figure.add_subplot()
        labels = [e.label for e in elements.values()]
        left = [0.0] * len(labels)
        for i, (value, label) in enumerate(options):
            widths = [100 * e.counts.get(value, 0) / max(sum(e.counts.values()), 1) for e in elements.values()]
            axes.barh(
                labels, widths, left=left, label=label, color=GREYS[i % len(GREYS)], hatch=HATCHES[i % len(HATCHES)],
                edgecolor="black", linewidth=0.6,
            )  # fmt: skip
            left = [a + b for a, b in zip(left, widths, strict=True)]
        axes.set_xlim(0, 100)
        axes.set_xlabel("Share of ratings (%)")
        axes.invert_yaxis()
        axes.legend(ncols=len(options), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    header = ("Element", *(label for _, label in options), "Good or better")
    rows = tuple(
        (e.label, *(str(e.counts.get(v, 0)) for v, _ in options), _with_n(e.good_or_better)) for e in elements.values()
    )
    best = max(elements.values(), key=lambda e: e.good_or_better.value or 0, default=None)
    alt = f"Stacked bar chart of how delegates rated each element of {course}."
    if best is not None:
        alt += f" The highest share rating good or very good was {best.label}, {percent(best.good_or_better.value)}."
    return Chart(_uri(figure), alt, header, rows)


def _with_n(p: Proportion) -> str:
    flag = " (low numbers)" if p.low_numbers and p.n else ""
    return f"{percent(p.value)} ({p.count} of {p.n}){flag}"


def intention_and_behaviour(courses: Sequence[tuple[str, Figures]]) -> Chart:
    """Intention to change beside changed practice at 6 months (and its worst case), per course."""
    series: list[tuple[str, Callable[[Figures], Proportion]]] = [
        ("Likely to change (evaluation)", lambda f: f.change_intent),
        ("Changed practice with an example (6 months)", lambda f: f.impact.components["behaviour"]),
        ("Worst case: changed, of all attendees", lambda f: f.impact.behaviour_worst_case),
    ]
    figure = _figure(0.8 + 0.8 * max(len(courses), 1))
    with _style():
        axes = figure.add_subplot()
        height = 0.8 / len(series)
        for i, (label, pick) in enumerate(series):
            positions = [n + i * height for n in range(len(courses))]
            values = [_share(pick(f)) for _, f in courses]
            bounds = [_error(pick(f)) for _, f in courses]
            errors = [[b[0] for b in bounds], [b[1] for b in bounds]]
            axes.barh(
                positions, values, height=height, xerr=errors, label=label, color=GREYS[i + 1],
                hatch=HATCHES[i * 2 % len(HATCHES)], edgecolor="black", linewidth=0.6, capsize=2,
            )  # fmt: skip
        axes.set_yticks([n + height for n in range(len(courses))], [_short(name) for name, _ in courses])
        axes.set_xlim(0, 100)
        axes.set_xlabel("Share of delegates (%), with 95% intervals")
        axes.invert_yaxis()
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, ncols=1)
    header = ("Course", *(label for label, _ in series))
    rows = tuple((name, *(_with_n(pick(f)) for _, pick in series)) for name, f in courses)
    alt = (
        "Bar chart comparing, for each course, the share likely to change practice after the course with the "
        "share who said at 6 months that they had changed it and gave an example, and that number over all attendees."
    )
    return Chart(_uri(figure), alt, header, rows)


def _short(name: str, width: int = 38) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "\u2026"


def impact_over_time(trends: Sequence[tuple[str, Sequence[tuple[str, Figures]]]], period: str = "year") -> Chart:
    """The Course Impact Score per financial year or quarter, per course, with its interval; incomplete left out."""
    name = "Quarter" if period == "quarter" else "Financial year"
    markers = ("o", "s", "^", "D", "v", "P")
    figure = _figure(3.2)
    periods = sorted({label for _, trend in trends for label, _ in trend})
    with _style():
        axes = figure.add_subplot()
        for i, (course, trend) in enumerate(trends):
            points = [(periods.index(label), f.impact) for label, f in trend if f.impact.complete]
            if not points:
                continue
            xs = [x + 0.08 * i for x, _ in points]
            ys = [impact.score or 0.0 for _, impact in points]
            lows = [max(0.0, y - (impact.interval[0] or y)) for y, (_, impact) in zip(ys, points, strict=True)]
            highs = [max(0.0, (impact.interval[1] or y) - y) for y, (_, impact) in zip(ys, points, strict=True)]
            axes.errorbar(
                xs, ys, yerr=[lows, highs], label=_short(course), marker=markers[i % len(markers)], color="black",
                linestyle=("-", "--", ":", "-.")[i % 4], capsize=3, markerfacecolor=GREYS[i % len(GREYS)],
            )  # fmt: skip
        # Why slanted for quarters: "2022/23 Q1" labels side by side overlap after a year or two.
        axes.set_xticks(
            range(len(periods)),
            periods,
            rotation=45 if period == "quarter" else 0,
            ha="right" if period == "quarter" else "center",
        )
        axes.set_ylim(0, 100)
        axes.set_ylabel("Course Impact Score (0-100)")
        axes.set_xlabel(name)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, ncols=2)
    header = ("Course", name, "Score", "95% interval", "Complete")
    rows = []
    for course, trend in trends:
        for label, f in trend:
            low, high = f.impact.interval
            score = "incomplete" if f.impact.score is None else f"{f.impact.score:.0f}"
            interval = "" if low is None or high is None else f"{low:.0f} to {high:.0f}"
            rows.append((course, label, score, interval, "yes" if f.impact.complete else "no: no follow-ups yet"))
    alt = (
        f"Line chart of each course's Course Impact Score by {name.lower()}, with its interval. "
        f"{'Quarters' if period == 'quarter' else 'Years'} without follow-ups have no score and are not drawn."
    )
    return Chart(_uri(figure), alt, header, tuple(rows))
