"""Recall and false-alarm rate of the screener on tests/safeguarding/evaluation.yaml, per category.

Run `.venv/bin/python -m tests.safeguarding.evaluation --write-docs` to refresh the table in
docs/safeguarding.md; `--misses dev` lists the development half's misses and false alarms for tuning;
`--set extra` scores the second set (evaluation-extra.yaml), `--set unseen` the third (all held out).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from voice_service.safeguarding.screening import Screener, default_screener

HERE = Path(__file__).resolve().parent
SET = HERE / "evaluation.yaml"
#: The second set, written later to see how the screener does on phrasings it was not built on.
EXTRA = HERE / "evaluation-extra.yaml"
#: The third set, written after the generalising matching and before it was run on them: all held out.
UNSEEN = HERE / "evaluation-unseen.yaml"
SETS = {"main": SET, "extra": EXTRA, "unseen": UNSEEN}
DOCS = HERE.parent.parent / "docs" / "safeguarding.md"
BEGIN, END = "<!-- evaluation:begin -->", "<!-- evaluation:end -->"
EXTRA_BEGIN, EXTRA_END = "<!-- evaluation-extra:begin -->", "<!-- evaluation-extra:end -->"
UNSEEN_BEGIN, UNSEEN_END = "<!-- evaluation-unseen:begin -->", "<!-- evaluation-unseen:end -->"
COMMAND = ".venv/bin/python -m tests.safeguarding.evaluation --write-docs"


@dataclass(frozen=True)
class Item:
    """One phrasing: its text, the category it discloses or looks like, and whether it discloses."""

    text: str
    category: str
    disclosure: bool

    @property
    def split(self) -> str:
        """`dev` or `held-out`, fixed by the text so nobody picks which half an item lands in."""
        return "dev" if hashlib.sha256(self.text.encode()).digest()[0] % 2 == 0 else "held-out"


def load_items(path: Path = SET) -> list[Item]:
    """Every item of the evaluation set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = [Item(t, c, True) for c, texts in data["disclosures"].items() for t in texts]
    items += [Item(t, c, False) for c, texts in data["benign"].items() for t in texts]
    return items


@dataclass
class Row:
    """Counts for one category (or all)."""

    disclosures: int = 0
    caught: int = 0
    right_category: int = 0
    benign: int = 0
    false_alarms: int = 0

    @property
    def recall(self) -> float:
        """Share of disclosures that raised an alert."""
        return self.caught / self.disclosures if self.disclosures else 1.0

    @property
    def false_alarm_rate(self) -> float:
        """Share of benign look-alikes that raised an alert."""
        return self.false_alarms / self.benign if self.benign else 0.0


def evaluate(items: list[Item], screener: Screener | None = None) -> dict[str, Row]:
    """Counts per category, and under `all`."""
    screener = screener or default_screener()
    rows: dict[str, Row] = {}
    for item in items:
        result = screener.screen(item.text)
        for name in (item.category, "all"):
            row = rows.setdefault(name, Row())
            if item.disclosure:
                row.disclosures += 1
                row.caught += result.flagged
                row.right_category += item.category in result.categories
            else:
                row.benign += 1
                row.false_alarms += result.flagged
    return rows


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def table(items: list[Item]) -> str:
    """The Markdown table for docs/safeguarding.md."""
    halves = {s: evaluate([i for i in items if i.split == s]) for s in ("dev", "held-out")}
    names = [n for n in halves["dev"] if n != "all"] + ["all"]
    lines = [
        "| category | dev recall | dev false alarms | held-out recall | held-out false alarms | right category (all) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    together = evaluate(items)
    for name in names:
        cells = [f"**{name}**" if name == "all" else name]
        for s in ("dev", "held-out"):
            r = halves[s].get(name, Row())
            cells.append(f"{_pct(r.recall)} ({r.caught}/{r.disclosures})" if r.disclosures else "-")
            cells.append(f"{_pct(r.false_alarm_rate)} ({r.false_alarms}/{r.benign})" if r.benign else "-")
        t = together[name]
        cells.append(f"{_pct(t.right_category / t.disclosures)}" if t.disclosures else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def held_out_table(items: list[Item]) -> str:
    """The Markdown table for a set that is held out as a whole (no dev half)."""
    rows = evaluate(items)
    names = [n for n in rows if n != "all"] + ["all"]
    lines = ["| category | recall | false alarms | right category |", "| --- | --- | --- | --- |"]
    for name in names:
        r = rows[name]
        cells = [f"**{name}**" if name == "all" else name]
        cells.append(f"{_pct(r.recall)} ({r.caught}/{r.disclosures})" if r.disclosures else "-")
        cells.append(f"{_pct(r.false_alarm_rate)} ({r.false_alarms}/{r.benign})" if r.benign else "-")
        cells.append(f"{_pct(r.right_category / r.disclosures)}" if r.disclosures else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_docs(items: list[Item], extra: list[Item] | None = None, unseen: list[Item] | None = None) -> None:
    """Replace the tables between the markers in docs/safeguarding.md (the other sets' too, when given)."""
    text = DOCS.read_text(encoding="utf-8")
    blocks = (
        (BEGIN, END, items, table),
        (EXTRA_BEGIN, EXTRA_END, extra, table),
        (UNSEEN_BEGIN, UNSEEN_END, unseen, held_out_table),
    )
    for begin, end, these, render in blocks:
        if these is None or begin not in text:
            continue
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        block = f"{begin}\n\nProduced by `{COMMAND}` ({len(these)} phrasings).\n\n{render(these)}\n\n{end}"
        text = head + block + tail
    DOCS.write_text(text, encoding="utf-8")


def misses(items: list[Item], split: str) -> list[str]:
    """Misses and false alarms of one half, for tuning the phrase file."""
    out = []
    screener = default_screener()
    for item in items:
        if item.split != split:
            continue
        result = screener.screen(item.text)
        if item.disclosure and not result.flagged:
            out.append(f"MISS  {item.category:22} {item.text}")
        elif not item.disclosure and result.flagged:
            out.append(f"ALARM {item.category:22} {item.text}  <- {[m.phrase for m in result.matches]}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the table; optionally write it to the docs or list one half's errors."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--misses", choices=("dev", "held-out"))
    parser.add_argument("--set", choices=sorted(SETS), default="main", help="which evaluation set to score")
    args = parser.parse_args(argv)
    items = load_items(SETS[args.set])
    if args.misses:
        if args.set == "unseen":
            parser.error("the unseen set is held out as a whole: its misses are not for tuning")
        print("\n".join(misses(items, args.misses)))
        return 0
    print(held_out_table(items) if args.set == "unseen" else table(items))
    if args.write_docs:
        write_docs(load_items(SET), load_items(EXTRA), load_items(UNSEEN))
    return 0


if __name__ == "__main__":
    sys.exit(main())
