"""Dump what screening decides on every known text, or repeat a group for callgrind (issue 13).

`python bench/screening_dump.py dump OUT` writes one line per text: flagged, categories, matches
(sorted), the words the model reads and its chance (repr), so two versions of the code can be
compared with `diff`. `python bench/screening_dump.py repeat GROUP N` screens every group once to
warm the caches, then GROUP N times: under callgrind, N rounds less 0 rounds is the steady cost.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bench.shapes import TEXTS  # noqa: E402

GROUPS = {
    "ordinary": TEXTS,
    "lookalike": [
        "got hit by a ball at football",
        "my brother kicks me under the table at dinner for a laugh",
        "i was so tired i could have died lol",
        "the teacher shouted at the whole class because we were noisy",
    ],
    "disclosure": [
        "my dad hits me when he's angry",
        "my mums bf hits me and i dont feel safe at home",
        "sometimes i want to kms tbh, nobody would care",
        "a man on snap keeps asking me for pics and says its our secret",
    ],
    "long": [
        "More youth clubs please, and cheaper buses because getting into town costs too much. The skate park "
        "is good but it closes too early and there is nowhere else to go. At school the teachers are kind "
        "but nobody asks us what we think, and I would like a say in what happens in York, like more "
        "football pitches and better wifi in the library at weekends please."
    ],
}
#: Blind sets nobody may read before the lead scores them are left out.
BLIND = {"evaluation-twelfth.yaml"}


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def texts(data: Path) -> list[str]:
    """Every phrasing of the evaluation sets and examples files under `data`, the groups, and variants."""
    files = sorted((data / "tests/safeguarding").glob("evaluation*.yaml"))
    files += sorted((data / "voice_service/safeguarding").glob("screening-examples*.yaml"))
    out = [s for f in files if f.name not in BLIND for s in _strings(yaml.safe_load(f.read_text("utf-8")))]
    base = [t for group in GROUPS.values() for t in group]
    out += base + [t.upper() for t in base] + [t.replace(" ", ", ") for t in base] + [t + " lol!!" for t in base]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["dump", "repeat"])
    parser.add_argument("arg", help="dump: output file; repeat: group name")
    parser.add_argument("rounds", nargs="?", type=int, default=0)
    parser.add_argument("--data", type=Path, default=ROOT, help="checkout whose text files are dumped")
    args = parser.parse_args()
    from voice_service.safeguarding.screening import _likeliest, default_screener

    screener = default_screener()
    print(f"screening from {sys.modules['voice_service.safeguarding.screening'].__file__}", file=sys.stderr)
    if args.mode == "repeat":
        # Every group warms the caches, so the 0-round run is one baseline for them all.
        for t in [t for g in GROUPS.values() for t in g]:
            screener.screen(t)
        for _ in range(args.rounds):
            for t in GROUPS[args.arg]:
                screener.screen(t)
        return 0
    if screener.model is None:
        raise SystemExit("the shipped screener has no learned model")
    with open(args.arg, "w", encoding="utf-8") as out:
        for t in texts(args.data):
            s = screener.screen(t)
            matches = sorted((m.span, m.category, m.phrase) for m in s.matches)
            words = screener.words(t)
            chance, read = _likeliest(screener.model, words)
            out.write(f"{t!r}\t{s.flagged}\t{s.categories}\t{matches}\t{read}\t{chance!r}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
