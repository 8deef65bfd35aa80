"""How the screener holds up when the development half's phrasings are re-written the way children vary them.

Each dev item is varied four ways (a typo in a longer word, another ending of a word, an extra word
in the middle, the third person instead of the first), deterministically, and scored again. The
held-out halves are never touched, so this is a fair signal to tune generalisation on:
`.venv/bin/python -m tests.safeguarding.robustness [--misses]`.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable

from tests.safeguarding.evaluation import EXTRA, SET, Item, Row, load_items
from voice_service.safeguarding.screening import default_screener

_WORD = re.compile(r"[a-z]+")
_FILLERS = ("really", "always", "like", "just", "sometimes", "proper")
_THIRD = {"i": "she", "me": "her", "my": "her", "myself": "herself", "im": "shes", "i'm": "she's", "am": "is"}


def _typo(text: str, rng: random.Random) -> str:
    words = [m for m in _WORD.finditer(text) if len(m.group()) >= 5]
    if not words:
        return text
    m = rng.choice(words)
    w = m.group()
    i = rng.randrange(1, len(w) - 1)
    how = rng.choice(("drop", "swap", "vowel"))
    if how == "drop":
        w = w[:i] + w[i + 1 :]
    elif how == "swap":
        w = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    else:
        vowels = [j for j, c in enumerate(w) if c in "aeiou" and j > 0]
        if vowels:
            j = rng.choice(vowels)
            w = w[:j] + rng.choice([v for v in "aeiou" if v != w[j]]) + w[j + 1 :]
    return text[: m.start()] + w + text[m.end() :]


def _ending(text: str, rng: random.Random) -> str:
    words = [m for m in _WORD.finditer(text) if len(m.group()) >= 4 and re.search(r"(s|ed|ing)$", m.group())]
    if not words:
        return text
    m = rng.choice(words)
    w = m.group()
    base = re.sub(r"(ing|ed|s)$", "", w)
    other = rng.choice([e for e in ("s", "ed", "ing") if not w.endswith(e)])
    return text[: m.start()] + base + other + text[m.end() :]


def _filler(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) < 3:
        return text
    i = rng.randrange(1, len(words))
    return " ".join([*words[:i], rng.choice(_FILLERS), *words[i:]])


def _third_person(text: str, rng: random.Random) -> str:
    return " ".join(_THIRD.get(w.lower(), w) for w in text.split())


VARIATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "typo": _typo,
    "ending": _ending,
    "filler": _filler,
    "third person": _third_person,
}


def varied(items: list[Item]) -> dict[str, list[Item]]:
    """The dev items, re-written by each variation (items a variation leaves unchanged are left out)."""
    out: dict[str, list[Item]] = {}
    for name, vary in VARIATIONS.items():
        rng = random.Random(name)  # noqa: S311 - a fixed, repeatable variation, not a secret
        out[name] = []
        for item in items:
            if item.split != "dev":
                continue
            text = vary(item.text, rng)
            if text != item.text:
                out[name].append(Item(text, item.category, item.disclosure))
    return out


def score(items: list[Item]) -> Row:
    """Recall and false alarms over some items."""
    screener = default_screener()
    row = Row()
    for item in items:
        flagged = screener.screen(item.text).flagged
        if item.disclosure:
            row.disclosures += 1
            row.caught += flagged
        else:
            row.benign += 1
            row.false_alarms += flagged
    return row


def main(argv: list[str] | None = None) -> int:
    """Print recall and false alarms per variation, for both sets' dev halves."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list the varied phrasings scored wrong")
    args = parser.parse_args(argv)
    items = load_items(SET) + load_items(EXTRA)
    screener = default_screener()
    for name, these in varied(items).items():
        row = score(these)
        print(
            f"{name:13} recall {row.recall:.0%} ({row.caught}/{row.disclosures})"
            f"  false alarms {row.false_alarm_rate:.0%} ({row.false_alarms}/{row.benign})"
        )
        if args.misses:
            for item in these:
                flagged = screener.screen(item.text).flagged
                if flagged != item.disclosure:
                    print(f"    {'MISS ' if item.disclosure else 'ALARM'} {item.category:22} {item.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
