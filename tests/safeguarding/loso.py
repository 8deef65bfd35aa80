"""Leave one set out: choose the learned model's settings on every held-out part but one, score that one.

Run `.venv/bin/python -m tests.safeguarding.loso`. Each held-out part (the first two sets' held-out
halves, the third set on whole) is left out in turn; the setting (regularisation C,
threshold, veto) with the fewest missed disclosures on the other parts, then the fewest false
alarms, is picked and scored on the part left out. The sum over the parts left out is how the
choosing generalises to a set it did not see, which the score on any one set does not tell. It also
picks for each part from the third on using only the parts before it, as the sets were written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

from tests.safeguarding.evaluation import Item, _Fixed, _pct, held_out_parts
from voice_service.safeguarding.examples import EXAMPLES_FILE, load_examples
from voice_service.safeguarding.learned import (
    DISCLOSURE,
    NOT_A_DISCLOSURE,
    THRESHOLD,
    VETO,
    C,
    LearnedModel,
    fit_pipeline,
)
from voice_service.safeguarding.phrasebook import DEFAULT_FILE
from voice_service.safeguarding.screening import Screener, _likeliest, load_screener

C_VALUES = (4.0, C, 64.0)
# Why spelt out: the grid the shipped setting was picked from, whatever is shipped now.
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5)
VETOES = (0.0, 0.05, 0.1, 0.2)


@dataclass(frozen=True)
class Setting:
    """The learned model's regularisation and the screener's two cut-offs."""

    c: float
    threshold: float
    veto: float


Counts = tuple[int, int, int, int]  # caught, disclosures, false alarms, ordinary answers


def model_with(screener: Screener, c: float) -> LearnedModel:
    """Both models fitted here on the examples file alone (not the ten sets, which are the parts) with `c`."""
    examples = load_examples(EXAMPLES_FILE, screener.categories)
    texts = [" ".join(screener.words(e.text)) for e in examples]
    labels = [DISCLOSURE if e.disclosure else NOT_A_DISCLOSURE for e in examples]
    told = [(t, e.category) for t, e in zip(texts, examples, strict=True) if e.disclosure]
    return LearnedModel(fit_pipeline(texts, labels, c), fit_pipeline([t for t, _ in told], [k for _, k in told], c))


def counts(screener: Screener, items: Sequence[Item], chances: Sequence[float], setting: Setting) -> Counts:
    """What the real screen() decides for each item, given the model's chance for it."""
    caught = alarms = 0
    for item, p in zip(items, chances, strict=True):
        screener.model = _Fixed(p, setting.threshold, setting.veto)  # type: ignore[assignment]
        flagged = screener.screen(item.text).flagged
        caught += flagged and item.disclosure
        alarms += flagged and not item.disclosure
    told = sum(i.disclosure for i in items)
    return caught, told, alarms, len(items) - told


def grid(c_values: Sequence[float] = C_VALUES) -> dict[Setting, dict[str, Counts]]:
    """Counts per setting and held-out part (the model fitted once per C, its chances reused)."""
    parts = held_out_parts()
    screener = load_screener(DEFAULT_FILE, None)
    out: dict[Setting, dict[str, Counts]] = {}
    for c in c_values:
        model = model_with(screener, c)
        chances = {n: [_likeliest(model, screener.words(i.text))[0] for i in its] for n, its in parts.items()}
        for t, v in product(THRESHOLDS, VETOES):
            setting = Setting(c, t, v)
            out[setting] = {n: counts(screener, its, chances[n], setting) for n, its in parts.items()}
    return out


def _cost(per_part: dict[str, Counts], left_out: str) -> tuple[int, int]:
    """Missed disclosures, then false alarms, on every part but the one left out."""
    rest = [v for n, v in per_part.items() if n != left_out]
    return sum(d - c for c, d, _, _ in rest), sum(a for _, _, a, _ in rest)


def leave_one_set_out(results: dict[Setting, dict[str, Counts]]) -> list[str]:
    """Per part left out: the setting picked on the others and its counts there; then the sums."""
    settings = list(results)
    parts = list(results[settings[0]])
    lines = ["| left out | picked on the others (C, threshold, veto) | recall there | false alarms there |"]
    lines.append("| --- | --- | --- | --- |")
    total = [0, 0, 0, 0]
    for part in parts:
        best = min(settings, key=lambda s: _cost(results[s], part))
        c, d, a, b = results[best][part]
        total = [x + y for x, y in zip(total, (c, d, a, b), strict=True)]
        lines.append(f"| {part} | {best.c:g}, {best.threshold:g}, {best.veto:g} | {c}/{d} | {a}/{b} |")
    c, d, a, b = total
    lines.append(f"| **all, each left out** | | {_pct(c / d)} ({c}/{d}) | {_pct(a / b)} ({a}/{b}) |")
    return lines


def forward(results: dict[Setting, dict[str, Counts]], first: int = 2) -> list[str]:
    """Per part from the third on: the setting picked on the parts before it (as a new set meets the screener)."""
    settings = list(results)
    parts = list(results[settings[0]])
    lines = ["| scored | picked on the parts before (C, threshold, veto) | recall there | false alarms there |"]
    lines.append("| --- | --- | --- | --- |")
    total = [0, 0, 0, 0]
    for k in range(first, len(parts)):
        before = parts[:k]

        def cost(s: Setting, before: list[str] = before) -> tuple[int, int]:
            rest = [results[s][n] for n in before]
            return sum(d - c for c, d, _, _ in rest), sum(a for _, _, a, _ in rest)

        best = min(settings, key=cost)
        c, d, a, b = results[best][parts[k]]
        total = [x + y for x, y in zip(total, (c, d, a, b), strict=True)]
        lines.append(f"| {parts[k]} | {best.c:g}, {best.threshold:g}, {best.veto:g} | {c}/{d} | {a}/{b} |")
    c, d, a, b = total
    lines.append(f"| **all, each after those before** | | {_pct(c / d)} ({c}/{d}) | {_pct(a / b)} ({a}/{b}) |")
    return lines


def fixed(results: dict[Setting, dict[str, Counts]], setting: Setting) -> str:
    """One setting's sums over every part."""
    c, d, a, b = (sum(x) for x in zip(*results[setting].values(), strict=True))
    head = f"C {setting.c:g}, threshold {setting.threshold:g}, veto {setting.veto:g}"
    return f"{head}: recall {_pct(c / d)} ({c}/{d}), false alarms {_pct(a / b)} ({a}/{b})"


def main(argv: list[str] | None = None) -> int:
    """Print the leave-one-set-out table, and the shipped setting's sums beside it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--c", type=float, action="append", help="regularisation values to try (default 4, 16, 64)")
    args = parser.parse_args(argv)
    results = grid(tuple(args.c) if args.c else C_VALUES)
    print("\n".join(leave_one_set_out(results)))
    print()
    print("\n".join(forward(results)))
    shipped = Setting(C, THRESHOLD, VETO)
    if shipped in results:
        print("\nshipped " + fixed(results, shipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
