"""Leave one set out, training on the other held-out parts as well: does more written data lower false alarms?

Run `.venv/bin/python -m tests.safeguarding.loso_training` (about a minute of CPU per C value). For each
of the ten parts from the first set to the tenth, the model is trained on screening-examples.yaml plus
every phrasing of the other nine sets (the first two whole; a phrasing equal to an example, to one
already added or to one of the part left out is not added), the setting is picked on the other nine
parts as `tests.safeguarding.loso` picks it (in-sample: they are trained on) and the part left out is
scored by the whole screener. The shipped setting is scored beside it. The eleventh set is never
trained on here: its one score is the test of whatever is trained on the ten (docs/safeguarding.md).

Since the eleventh agreed (docs/safeguarding.md, "ship"), the service trains on the ten sets too:
`--write-package-data` writes them to voice_service/safeguarding/screening-examples-sets.yaml.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path

from tests.safeguarding.evaluation import SETS, Item, _pct, held_out_parts, load_items
from tests.safeguarding.loso import C_VALUES, THRESHOLDS, VETOES, Counts, Setting, _cost, counts
from voice_service.safeguarding.examples import EXAMPLES_FILE, SETS_FILE, load_examples, same_text
from voice_service.safeguarding.learned import (
    DISCLOSURE,
    LONG_THRESHOLD,
    NOT_A_DISCLOSURE,
    SECOND_LOOK_THRESHOLD,
    STRONG_FLOOR,
    THRESHOLD,
    VETO,
    C,
    LearnedModel,
    fit_pipeline,
    train,
)
from voice_service.safeguarding.phrasebook import DEFAULT_FILE
from voice_service.safeguarding.screening import Screener, _likeliest, load_screener
from voice_service.safeguarding.second_look import second_look_texts

#: The held-out parts that may be trained on, and the set each comes from. Not the eleventh or any later set.
TRAINABLE = {
    "first (held-out half)": "main",
    "second (held-out half)": "extra",
    "third (all)": "unseen",
    "fourth (all)": "fourth",
    "fifth (all)": "fifth",
    "sixth (all)": "sixth",
    "seventh (all)": "seventh",
    "eighth (all)": "eighth",
    "ninth (all)": "ninth",
    "tenth (all)": "tenth",
}

#: Later blind sets the service trains on too: the eleventh to eighteenth since "data2", the twenty-first to
#: twenty-sixth since "data3", the twenty-ninth to fortieth since "data4", the forty-first to fifty-sixth since
#: "data5" (docs/safeguarding.md). Not parts `table` leaves out; `--later` leaves each out.
TRAINED_LATER = (
    *("eleventh", "twelfth", "thirteenth", "fourteenth"),
    *("fifteenth", "sixteenth", "seventeenth", "eighteenth"),
    *("twentyfirst", "twentysecond", "twentythird", "twentyfourth", "twentyfifth", "twentysixth"),
    *("twentyninth", "thirtieth", "thirtyfirst", "thirtysecond", "thirtythird", "thirtyfourth"),
    *("thirtyfifth", "thirtysixth", "thirtyseventh", "thirtyeighth", "thirtyninth", "fortieth"),
    *("fortyfirst", "fortysecond", "fortythird", "fortyfourth", "fortyfifth", "fortysixth", "fortyseventh"),
    *("fortyeighth", "fortyninth", "fiftieth", "fiftyfirst", "fiftysecond", "fiftythird", "fiftyfourth"),
    *("fiftyfifth", "fiftysixth"),
)

#: The other later sets: never trained on, here or by the service (the nineteenth, twentieth, twenty-seventh...).
LATER = tuple(name for name in SETS if name not in TRAINABLE.values() and name not in TRAINED_LATER)
GENERATE = ".venv/bin/python -m tests.safeguarding.loso_training --write-package-data"


def training_items(examples: Sequence[Item], added: Sequence[str], left_out: Sequence[Item]) -> list[Item]:
    """The examples, then every phrasing of the sets behind `added` that is new and not among `left_out`."""
    seen = {same_text(e.text) for e in examples}
    banned = {same_text(i.text) for i in left_out}
    out = list(examples)
    for name in added:
        if name not in TRAINABLE:
            raise ValueError(f"{name!r} may not be trained on")
        for item in load_items(SETS[TRAINABLE[name]]):
            if (key := same_text(item.text)) not in seen and key not in banned:
                seen.add(key)
                out.append(item)
    return out


def new_items(items: Iterable[Item], seen: set[str]) -> list[Item]:
    """Each of `items` whose phrasing is not in `seen` yet, once, in order; `seen` grows by them."""
    out = []
    for item in items:
        if (key := same_text(item.text)) not in seen:
            seen.add(key)
            out.append(item)
    return out


def package_data() -> str:
    """The service's sets file: each phrasing of the trained sets once, in their order, none equal to a test set's."""
    banned = [i for name in LATER for i in load_items(SETS[name])]
    items = training_items([], list(TRAINABLE), banned)
    seen = {same_text(i.text) for i in [*items, *banned]}
    items += new_items((i for name in TRAINED_LATER for i in load_items(SETS[name])), seen)
    sections: dict[str, dict[str, list[str]]] = {"disclosures": {}, "ordinary": {}}
    for item in items:
        section = sections["disclosures" if item.disclosure else "ordinary"]
        section.setdefault(item.category, []).append(item.text.strip())
    lines = [
        "# The phrasings of the evaluation sets the learned model trains on beside screening-examples.yaml (the",
        "# first to eighteenth, twenty-first to twenty-sixth and twenty-ninth to fifty-sixth of",
        f"# tests/safeguarding/evaluation*.yaml). Generated: do not edit; run `{GENERATE}`.",
        "# Never holds a phrasing of a set that tests the model (the nineteenth, twentieth, twenty-seventh,",
        "# twenty-eighth and fifty-seventh to sixty-fourth, and any set written later; docs/safeguarding.md).",
    ]
    for name, by_category in sections.items():
        lines.append(f"{name}:")
        for category, texts in by_category.items():
            lines.append(f"  {category}:")
            lines += [f"    - {json.dumps(t, ensure_ascii=False)}" for t in texts]
    return "\n".join(lines) + "\n"


def decision_model(screener: Screener, items: Sequence[Item], c: float) -> LearnedModel:
    """The decision model fitted on `items` (it also stands in as the category model: flagging needs only it)."""
    texts = [" ".join(screener.words(i.text)) for i in items]
    pipeline = fit_pipeline(texts, [DISCLOSURE if i.disclosure else NOT_A_DISCLOSURE for i in items], c)
    return LearnedModel(pipeline, pipeline)


def fold(screener: Screener, examples: Sequence[Item], left_out: str, c: float) -> dict[Setting, dict[str, Counts]]:
    """Counts per setting and part, for the model trained with every trainable part but `left_out`."""
    parts = {n: v for n, v in held_out_parts().items() if n in TRAINABLE}
    items = training_items(examples, [n for n in parts if n != left_out], parts[left_out])
    model = decision_model(screener, items, c)
    chances = {n: [_likeliest(model, screener.words(i.text))[0] for i in its] for n, its in parts.items()}
    return {
        Setting(c, t, v): {n: counts(screener, its, chances[n], Setting(c, t, v)) for n, its in parts.items()}
        for t, v in product(THRESHOLDS, VETOES)
    }


def table(c_values: Sequence[float] = C_VALUES, also: Sequence[Path] = ()) -> list[str]:
    """Per part left out: the in-sample pick and its counts there, the shipped setting's; then the sums.

    `also`: further examples files trained on in every fold, after the examples file (before the sets).
    """
    screener = load_screener(DEFAULT_FILE, None)
    examples = [
        Item(e.text, e.category, e.disclosure)
        for path in (EXAMPLES_FILE, *also)
        for e in load_examples(path, screener.categories)
    ]
    shipped = Setting(C, THRESHOLD, VETO)
    lines = ["| left out | picked on the other nine (C, threshold, veto) | there | shipped setting there |"]
    lines.append("| --- | --- | --- | --- |")
    picked_total, shipped_total = [0, 0, 0, 0], [0, 0, 0, 0]
    for left_out in TRAINABLE:
        results: dict[Setting, dict[str, Counts]] = {}
        for c in dict.fromkeys([*c_values, C]):
            results.update(fold(screener, examples, left_out, c))
        # Why loso's cost: the same rule (fewest misses, then fewest false alarms) on every part but the one left out.
        best = min((s for s in results if s.c in c_values), key=lambda s: _cost(results[s], left_out))
        p, q = results[best][left_out], results[shipped][left_out]
        picked_total = [x + y for x, y in zip(picked_total, p, strict=True)]
        shipped_total = [x + y for x, y in zip(shipped_total, q, strict=True)]
        lines.append(
            f"| {left_out} | {best.c:g}, {best.threshold:g}, {best.veto:g} | {p[0]}/{p[1]}, {p[2]}/{p[3]} "
            f"| {q[0]}/{q[1]}, {q[2]}/{q[3]} |"
        )
    cells = []
    for k, d, a, b in (picked_total, shipped_total):
        cells.append(f"{_pct(k / d)} ({k}/{d}), {_pct(a / b)} ({a}/{b})")
    lines.append(f"| **all, each left out** | | {cells[0]} | {cells[1]} |")
    return lines


def later_items(name: str) -> list[Item]:
    """Every phrasing of a later set, as kept in its file."""
    return load_items(SETS[name])


@dataclass(frozen=True)
class Rules:
    """The settings a later fold's screener applies on top of its model (0 is off; the defaults are shipped)."""

    veto: float = VETO
    floor: float = STRONG_FLOOR
    #: The second look's threshold (second_look.py); 0 fits no second look.
    look: float = SECOND_LOOK_THRESHOLD
    #: The model-only threshold for long answers (LONG_THRESHOLD).
    long: float = LONG_THRESHOLD


#: What each model ruled before "second look": the veto and the strong floor, no second look, one threshold.
BEFORE_SECOND_LOOK = Rules(look=0.0, long=0.0)


def later_fold(
    screener: Screener, examples: Sequence[Item], left_out: str, others: Sequence[str], rules: Rules = Rules()
) -> Counts:
    """Caught / disclosures / false alarms / ordinary on the later set `left_out`, training also on `others`.

    The whole screener (phrases, windows, the long-answer rule) with a model fitted on the examples, the
    ten sets and the later sets named in `others`; no phrasing equal to one of `left_out` is trained on.
    """
    items = later_items(left_out)
    ten = (i for n in TRAINABLE for i in load_items(SETS[TRAINABLE[n]]))
    later = (i for name in others for i in later_items(name))
    trained = new_items([*examples, *ten, *later], {same_text(i.text) for i in items})
    looked = second_look_texts(trained, screener.words, screener.phrases, screener.book) if rules.look else []  # type: ignore[arg-type]
    model = train(trained, screener.words, in_child=False, second_look=looked)  # type: ignore[arg-type]
    model.veto, model.strong_floor, model.long_threshold = rules.veto, rules.floor, rules.long
    model.second_look_threshold = rules.look
    fitted = Screener(screener.book, model)
    flagged = [fitted.screen(i.text).flagged for i in items]
    d = [f for f, i in zip(flagged, items, strict=True) if i.disclosure]
    b = [f for f, i in zip(flagged, items, strict=True) if not i.disclosure]
    return (sum(d), len(d), sum(b), len(b))


def later_table(
    sets: Sequence[str],
    rules: Rules = Rules(),
    first: Sequence[str] = (),
    second: Sequence[str] | None = None,
    first_rules: Rules = Rules(floor=0.0, look=0.0, long=0.0),
) -> list[str]:
    """Each of `sets` left out in turn, scored by two models that never train on the set left out.

    The first trains on the examples, the ten sets and the later sets `first` (none: the model of before
    "data2"), with `first_rules` (default: the shipped veto alone, as before "data3"); the second on those
    and the later sets `second` (default: `sets`), with `rules`.
    """
    second = list(sets) if second is None else list(second)
    screener = load_screener(DEFAULT_FILE, None)
    examples = [Item(e.text, e.category, e.disclosure) for e in load_examples(EXAMPLES_FILE, screener.categories)]
    lines = ["| left out | first model | second model |", "| --- | --- | --- |"]
    totals = [[0, 0, 0, 0], [0, 0, 0, 0]]
    for left_out in sets:
        row = []
        for k, extra in enumerate((first, second)):
            others = [n for n in extra if n != left_out]
            counts_ = later_fold(screener, examples, left_out, others, first_rules if k == 0 else rules)
            totals[k] = [x + y for x, y in zip(totals[k], counts_, strict=True)]
            row.append(f"{counts_[0]}/{counts_[1]}, {counts_[2]}/{counts_[3]}")
        lines.append(f"| {left_out} | {row[0]} | {row[1]} |")
        print(lines[-1], flush=True)
    cells = [f"{d - k} missed of {d}, {a}/{b} ({_pct(a / b)})" for k, d, a, b in totals]
    lines.append(f"| **all** | {cells[0]} | {cells[1]} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the table, or write the service's sets file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--c", type=float, action="append", help="regularisation values to try (default 4, 16, 64)")
    parser.add_argument("--also", type=Path, action="append", default=[], help="another examples file to train on")
    parser.add_argument("--write-package-data", action="store_true", help=f"write {SETS_FILE.name} and stop")
    parser.add_argument("--later", nargs="+", metavar="SET", help="leave each of these later sets out in turn")
    parser.add_argument("--veto", type=float, default=VETO, help="with --later: the second model's veto")
    parser.add_argument("--floor", type=float, default=STRONG_FLOOR, help="with --later: the second's strong floor")
    parser.add_argument("--look", type=float, default=SECOND_LOOK_THRESHOLD, help="with --later: its second look")
    parser.add_argument("--long", type=float, default=LONG_THRESHOLD, help="with --later: its long threshold")
    parser.add_argument("--first-floor", type=float, default=0.0, help="with --later: the first's strong floor")
    parser.add_argument("--first", nargs="*", default=[], metavar="SET", help="with --later: the first's later sets")
    parser.add_argument("--second", nargs="*", metavar="SET", help="with --later: the second's (default: --later's)")
    args = parser.parse_args(argv)
    if args.later:
        rules = Rules(args.veto, args.floor, args.look, args.long)
        first_rules = Rules(floor=args.first_floor, look=0.0, long=0.0)
        print("\n".join(later_table(args.later, rules, args.first, args.second, first_rules)))
        return 0
    if args.write_package_data:
        SETS_FILE.write_text(package_data(), encoding="utf-8")
        return 0
    print("\n".join(table(tuple(args.c) if args.c else C_VALUES, args.also)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
