"""Recall and false-alarm rate of the screener on tests/safeguarding/evaluation.yaml, per category.

Run `.venv/bin/python -m tests.safeguarding.evaluation --write-docs` to refresh the tables in
docs/safeguarding.md; `--misses dev` lists the development half's misses and false alarms for tuning;
`--set NAME` scores another set of `REGISTRY` (`--set extra` the second, `--set unseen` the third, and
`--set fourth` to `--set eighteenth` the rest, each held out as a whole); `--phrases-only` scores the
phrase file without the learned model; `--thresholds` shows how the learned model's threshold and veto
were chosen (cross-validation on its examples).
"""

from __future__ import annotations

import argparse
import copy
import functools
import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from voice_service.safeguarding.examples import EXAMPLES_FILE, load_examples, training_examples
from voice_service.safeguarding.learned import LearnedModel, train
from voice_service.safeguarding.phrasebook import DEFAULT_FILE
from voice_service.safeguarding.screening import Screener, default_screener, load_screener
from voice_service.safeguarding.second_look import second_look_texts

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent.parent / "docs" / "safeguarding.md"


@dataclass(frozen=True)
class EvalSet:
    """One evaluation set: its name on the command line, its file, and whether it has a dev half tuned on."""

    name: str
    file: str
    halves: bool = False

    @property
    def path(self) -> Path:
        """The set's YAML file."""
        return HERE / self.file

    @property
    def markers(self) -> tuple[str, str]:
        """The begin and end markers of its generated table in docs/safeguarding.md."""
        tag = "evaluation" if self.name == "main" else f"evaluation-{self.name}"
        return f"<!-- {tag}:begin -->", f"<!-- {tag}:end -->"


#: Every evaluation set, in the order written. Adding a set is one line here (and its markers in the docs).
REGISTRY = (
    # The first set: its dev half was tuned on, its held-out half was not.
    EvalSet("main", "evaluation.yaml", halves=True),
    # The second, written later to see how the screener does on phrasings it was not built on.
    EvalSet("extra", "evaluation-extra.yaml", halves=True),
    # The third, written after the generalising matching and before it was run on them: all held out.
    EvalSet("unseen", "evaluation-unseen.yaml"),
    # The fourth, written before the learned model was built: all held out, never trained or tuned on.
    EvalSet("fourth", "evaluation-fourth.yaml"),
    # The fifth, written before the false-alarm work and scored once before it: all held out.
    EvalSet("fifth", "evaluation-fifth.yaml"),
    # The sixth, written before the strong-phrase verification round and scored once before it.
    EvalSet("sixth", "evaluation-sixth.yaml"),
    # The seventh, written before the ordinary-examples round and scored once before it.
    EvalSet("seventh", "evaluation-seventh.yaml"),
    # The eighth, written before the strong-phrase false-alarm round and scored once before it.
    EvalSet("eighth", "evaluation-eighth.yaml"),
    # The ninth, written blind by someone who had read no phrase, example or other set, scored once.
    EvalSet("ninth", "evaluation-ninth.yaml"),
    # The tenth, written blind by another session during the ninth's false-alarm round, scored once.
    EvalSet("tenth", "evaluation-tenth.yaml"),
    # The eleventh, written blind by author11 during the training-data round, scored once.
    EvalSet("eleventh", "evaluation-eleventh.yaml"),
    # From the twelfth on, written blind (author12, author13, ...) and scored once; never trained on and
    # not among `held_out_parts`: the setting rule never sees them.
    EvalSet("twelfth", "evaluation-twelfth.yaml"),
    EvalSet("thirteenth", "evaluation-thirteenth.yaml"),
    EvalSet("fourteenth", "evaluation-fourteenth.yaml"),
    EvalSet("fifteenth", "evaluation-fifteenth.yaml"),
    EvalSet("sixteenth", "evaluation-sixteenth.yaml"),
    EvalSet("seventeenth", "evaluation-seventeenth.yaml"),
    EvalSet("eighteenth", "evaluation-eighteenth.yaml"),
    # Since "data2" the model trains on the eleventh to eighteenth too; the nineteenth on test it.
    EvalSet("nineteenth", "evaluation-nineteenth.yaml"),
    EvalSet("twentieth", "evaluation-twentieth.yaml"),
    # Written blind at the same time by author21 to author28 and each scored once ("data3"): the twenty-first to
    # twenty-sixth were written to be trained on, the twenty-seventh and twenty-eighth to test.
    EvalSet("twentyfirst", "evaluation-twentyfirst.yaml"),
    EvalSet("twentysecond", "evaluation-twentysecond.yaml"),
    EvalSet("twentythird", "evaluation-twentythird.yaml"),
    EvalSet("twentyfourth", "evaluation-twentyfourth.yaml"),
    EvalSet("twentyfifth", "evaluation-twentyfifth.yaml"),
    EvalSet("twentysixth", "evaluation-twentysixth.yaml"),
    EvalSet("twentyseventh", "evaluation-twentyseventh.yaml"),
    EvalSet("twentyeighth", "evaluation-twentyeighth.yaml"),
    # Written blind at the same time by author29 to author32 and scored once by the "data3" screener; untrained.
    EvalSet("twentyninth", "evaluation-twentyninth.yaml"),
    EvalSet("thirtieth", "evaluation-thirtieth.yaml"),
    EvalSet("thirtyfirst", "evaluation-thirtyfirst.yaml"),
    EvalSet("thirtysecond", "evaluation-thirtysecond.yaml"),
    # Written blind at the same time by author33 to author40, before "second look" was declared; untrained.
    EvalSet("thirtythird", "evaluation-thirtythird.yaml"),
    EvalSet("thirtyfourth", "evaluation-thirtyfourth.yaml"),
    EvalSet("thirtyfifth", "evaluation-thirtyfifth.yaml"),
    EvalSet("thirtysixth", "evaluation-thirtysixth.yaml"),
    EvalSet("thirtyseventh", "evaluation-thirtyseventh.yaml"),
    EvalSet("thirtyeighth", "evaluation-thirtyeighth.yaml"),
    EvalSet("thirtyninth", "evaluation-thirtyninth.yaml"),
    EvalSet("fortieth", "evaluation-fortieth.yaml"),
    # Written blind at the same time by author41 to author48, after "second look" failed; untrained.
    EvalSet("fortyfirst", "evaluation-fortyfirst.yaml"),
    EvalSet("fortysecond", "evaluation-fortysecond.yaml"),
    EvalSet("fortythird", "evaluation-fortythird.yaml"),
    EvalSet("fortyfourth", "evaluation-fortyfourth.yaml"),
    EvalSet("fortyfifth", "evaluation-fortyfifth.yaml"),
    EvalSet("fortysixth", "evaluation-fortysixth.yaml"),
    EvalSet("fortyseventh", "evaluation-fortyseventh.yaml"),
    EvalSet("fortyeighth", "evaluation-fortyeighth.yaml"),
    # Written blind at the same time by author49 to author56 to be trained on ("data5").
    EvalSet("fortyninth", "evaluation-fortyninth.yaml"),
    EvalSet("fiftieth", "evaluation-fiftieth.yaml"),
    EvalSet("fiftyfirst", "evaluation-fiftyfirst.yaml"),
    EvalSet("fiftysecond", "evaluation-fiftysecond.yaml"),
    EvalSet("fiftythird", "evaluation-fiftythird.yaml"),
    EvalSet("fiftyfourth", "evaluation-fiftyfourth.yaml"),
    EvalSet("fiftyfifth", "evaluation-fiftyfifth.yaml"),
    EvalSet("fiftysixth", "evaluation-fiftysixth.yaml"),
    # Written blind at the same time by author57 to author64 to judge "data5"; untrained.
    EvalSet("fiftyseventh", "evaluation-fiftyseventh.yaml"),
    EvalSet("fiftyeighth", "evaluation-fiftyeighth.yaml"),
    EvalSet("fiftyninth", "evaluation-fiftyninth.yaml"),
    EvalSet("sixtieth", "evaluation-sixtieth.yaml"),
    EvalSet("sixtyfirst", "evaluation-sixtyfirst.yaml"),
    EvalSet("sixtysecond", "evaluation-sixtysecond.yaml"),
    EvalSet("sixtythird", "evaluation-sixtythird.yaml"),
    EvalSet("sixtyfourth", "evaluation-sixtyfourth.yaml"),
)
BY_NAME = {s.name: s for s in REGISTRY}
SETS = {s.name: s.path for s in REGISTRY}
#: Sets held out as a whole (no dev half).
WHOLLY_HELD_OUT = tuple(s.name for s in REGISTRY if not s.halves)
# The sets' files by their old names, for the modules that import them.
SET, EXTRA, UNSEEN, FOURTH = SETS["main"], SETS["extra"], SETS["unseen"], SETS["fourth"]
FIFTH, SIXTH, SEVENTH, EIGHTH = SETS["fifth"], SETS["sixth"], SETS["seventh"], SETS["eighth"]
NINTH, TENTH, ELEVENTH, TWELFTH = SETS["ninth"], SETS["tenth"], SETS["eleventh"], SETS["twelfth"]
THIRTEENTH, FOURTEENTH, FIFTEENTH = SETS["thirteenth"], SETS["fourteenth"], SETS["fifteenth"]
SIXTEENTH, SEVENTEENTH, EIGHTEENTH = SETS["sixteenth"], SETS["seventeenth"], SETS["eighteenth"]
NINETEENTH, TWENTIETH = SETS["nineteenth"], SETS["twentieth"]


def written_together(first: str, last: str) -> tuple[Path, ...]:
    """The files of the sets registered from `first` to `last`, in the registry's order."""
    names = list(SETS)
    return tuple(SETS[n] for n in names[names.index(first) : names.index(last) + 1])


#: The eight written together for "data3": the first six are trained on, the last two test.
DATA3 = written_together("twentyfirst", "twentyeighth")
TWENTYSEVENTH, TWENTYEIGHTH = DATA3[-2:]
#: Written together after "data3" shipped, scored once by it and once by "second look"; trained on since "data4".
AFTER_DATA3 = written_together("twentyninth", "thirtysecond")
#: Written together before "second look" was declared, first scored with it; trained on since "data4".
SETS_33_TO_40 = written_together("thirtythird", "fortieth")
#: Written together after "second look" failed, scored once by "data4"; trained on since "data5".
SETS_41_TO_48 = written_together("fortyfirst", "fortyeighth")
#: Written together to be trained on ("data5"), never scored as judges.
SETS_49_TO_56 = written_together("fortyninth", "fiftysixth")
#: Written together after "data5" was declared, scored once by it; untrained.
SETS_57_TO_64 = written_together("fiftyseventh", "sixtyfourth")
#: Every set that tests the model: none of its phrasings is trained on (the 29th-40th are since "data4", the
#: 41st-56th since "data5").
UNTRAINED = (NINETEENTH, TWENTIETH, TWENTYSEVENTH, TWENTYEIGHTH, *SETS_57_TO_64)


def set_name(path: Path) -> str:
    """The name a set's file is registered by ("nineteenth"), for test ids."""
    return next(s.name for s in REGISTRY if s.path == path)


BEGIN, END = BY_NAME["main"].markers
SUMMARY_BEGIN, SUMMARY_END = "<!-- evaluation-summary:begin -->", "<!-- evaluation-summary:end -->"
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


def table(items: list[Item], screener: Screener | None = None) -> str:
    """The Markdown table for docs/safeguarding.md."""
    halves = {s: evaluate([i for i in items if i.split == s], screener) for s in ("dev", "held-out")}
    names = [n for n in halves["dev"] if n != "all"] + ["all"]
    lines = [
        "| category | dev recall | dev false alarms | held-out recall | held-out false alarms | right category (all) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    together = evaluate(items, screener)
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


def held_out_table(items: list[Item], screener: Screener | None = None) -> str:
    """The Markdown table for a set that is held out as a whole (no dev half)."""
    rows = evaluate(items, screener)
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


def held_out_parts() -> dict[str, list[Item]]:
    """Every phrasing neither the phrase file nor the model was built on, by set."""
    return {
        "first (held-out half)": [i for i in load_items(SET) if i.split == "held-out"],
        "second (held-out half)": [i for i in load_items(EXTRA) if i.split == "held-out"],
        "third (all)": load_items(UNSEEN),
        "fourth (all)": load_items(FOURTH),
        "fifth (all)": load_items(FIFTH),
        "sixth (all)": load_items(SIXTH),
        "seventh (all)": load_items(SEVENTH),
        "eighth (all)": load_items(EIGHTH),
        "ninth (all)": load_items(NINTH),
        "tenth (all)": load_items(TENTH),
        "eleventh (all)": load_items(ELEVENTH),
    }


@functools.cache
def phrases_only() -> Screener:
    """The shipped phrase file without the learned model, for comparison."""
    return load_screener(DEFAULT_FILE, None)


def shipped_with(**settings: float) -> Screener:
    """The shipped phrases and model with other settings of the model (`veto=0.0`, `strong_floor=0.0`...)."""
    shipped = default_screener()
    model = copy.copy(shipped.model)
    assert model is not None
    for name, value in settings.items():
        if not hasattr(model, name):
            raise AttributeError(f"the learned model has no setting {name!r}")
        setattr(model, name, value)
    return Screener(shipped.book, model)


@functools.cache
def fitted_here() -> LearnedModel:
    """The shipped model and its second look fitted here, their scikit-learn pipelines kept to compare with."""
    screener = phrases_only()
    examples = training_examples(EXAMPLES_FILE, screener.categories)
    looked = second_look_texts(examples, screener.words, screener.phrases, screener.book)
    return train(examples, screener.words, in_child=False, second_look=looked)


def shipped_chance(text: str) -> float:
    """The shipped model's chance that the whole answer discloses (no windows)."""
    screener = default_screener()
    assert screener.model is not None
    return screener.model.chance(screener.words(text))


def summary_table(parts: dict[str, list[Item]]) -> str:
    """Recall and false alarms on every held-out part: phrases alone, and with the learned model."""
    lines = [
        "| held-out phrasings | phrases alone: recall | false alarms | with the model: recall | false alarms |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, items in parts.items():
        cells = [name]
        for screener in (phrases_only(), default_screener()):
            r = evaluate(items, screener)["all"]
            cells += [
                f"{_pct(r.recall)} ({r.caught}/{r.disclosures})",
                f"{_pct(r.false_alarm_rate)} ({r.false_alarms}/{r.benign})",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_docs(sets: dict[str, list[Item]], parts: dict[str, list[Item]] | None = None) -> None:
    """Replace the tables between the markers in docs/safeguarding.md: each set given, and the summary."""
    text = DOCS.read_text(encoding="utf-8")
    blocks: list[tuple[str, str, Any, Callable[[Any], str]]] = [
        (*BY_NAME[name].markers, items, table if BY_NAME[name].halves else held_out_table)
        for name, items in sets.items()
    ]
    blocks.append((SUMMARY_BEGIN, SUMMARY_END, parts, summary_table))
    for begin, end, these, render in blocks:
        if these is None or begin not in text:
            continue
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        count = sum(map(len, these.values())) if isinstance(these, dict) else len(these)
        block = f"{begin}\n\nProduced by `{COMMAND}` ({count} phrasings).\n\n{render(these)}\n\n{end}"
        text = head + block + tail
    DOCS.write_text(text, encoding="utf-8")


@dataclass
class _Fixed:
    """A stand-in for the learned model that gives one answer's out-of-fold chance, so the real screen() decides."""

    p: float
    threshold: float
    veto: float

    def chance(self, words: Any) -> float:
        return self.p

    def category_of(self, words: Any) -> str:
        return "not_safe"


def out_of_fold_chances(screener: Screener, examples: list[Any], folds: int = 5) -> list[float]:
    """Each example's chance from a decision model fitted without it (stratified folds, fixed seed)."""
    from sklearn.model_selection import StratifiedKFold

    from voice_service.safeguarding.learned import DISCLOSURE, fit_pipeline

    texts = [" ".join(screener.words(e.text)) for e in examples]
    labels = [DISCLOSURE if e.disclosure else "none" for e in examples]
    chances = [0.0] * len(texts)
    for train_rows, test_rows in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, labels):
        model = fit_pipeline([texts[i] for i in train_rows], [labels[i] for i in train_rows])
        column = list(model.classes_).index(DISCLOSURE)
        for i, p in zip(test_rows, model.predict_proba([texts[i] for i in test_rows])[:, column], strict=True):
            chances[i] = float(p)
    return chances


def threshold_table(
    thresholds: tuple[float, ...] = (0.3, 0.4, 0.45, 0.5, 0.6, 0.7), vetoes: tuple[float, ...] = (0.0, 0.2, 0.3)
) -> str:
    """The whole screener (phrases, weak-phrase veto, model) out of fold on the examples, per threshold and veto."""
    screener = load_screener(DEFAULT_FILE, None)
    examples = load_examples(EXAMPLES_FILE, screener.categories)
    chances = out_of_fold_chances(screener, examples)
    n = sum(e.disclosure for e in examples)
    b = len(examples) - n
    lines = [
        "| threshold | veto | recall (out of fold) | false alarms (out of fold) |",
        "| --- | --- | --- | --- |",
    ]
    for t in thresholds:
        for v in vetoes:
            caught = alarms = 0
            for e, p in zip(examples, chances, strict=True):
                screener.model = _Fixed(p, t, v)  # type: ignore[assignment]
                flagged = screener.screen(e.text).flagged
                caught += flagged and e.disclosure
                alarms += flagged and not e.disclosure
            lines.append(f"| {t} | {v} | {_pct(caught / n)} ({caught}/{n}) | {_pct(alarms / b)} ({alarms}/{b}) |")
    return "\n".join(lines)


def misses(items: list[Item], split: str, screener: Screener | None = None) -> list[str]:
    """Misses and false alarms of one half, for tuning the phrase file."""
    out = []
    screener = screener or default_screener()
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
    parser.add_argument("--phrases-only", action="store_true", help="score the phrase file without the model")
    parser.add_argument("--thresholds", action="store_true", help="the model's threshold, out of fold")
    args = parser.parse_args(argv)
    if args.thresholds:
        print(threshold_table())
        return 0
    items = load_items(SETS[args.set])
    screener = phrases_only() if args.phrases_only else None
    if args.misses:
        if args.set in WHOLLY_HELD_OUT:
            parser.error(f"the {args.set} set is held out as a whole: its misses are not for tuning")
        print("\n".join(misses(items, args.misses, screener)))
        return 0
    if args.set in WHOLLY_HELD_OUT:
        print(held_out_table(items, screener))
    else:
        print(table(items, screener))
    if args.write_docs:
        write_docs({name: load_items(path) for name, path in SETS.items()}, held_out_parts())
    return 0


if __name__ == "__main__":
    sys.exit(main())
