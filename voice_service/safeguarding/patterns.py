"""The phrase syntax the safeguarding lead writes, parsed into slots a matcher can walk quickly.

A phrase is words separated by spaces, each matched against one word of the answer:

- `hits` a word (compared after the same normalisation as the answer: lower case, no apostrophes...);
- `hit*` any word starting with `hit`;
- `hits|beats|kicks` any one of these words;
- `{at me|at us|me}` any one of these groups of words;
- `(step)` words that may be missing; `(my|our)`, `(on my own|alone)` a choice that may be missing;
- `[adult]` any word of the word list `adult` defined under `words:`;
- `...` up to four other words may stand here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

#: How many words `...` may skip.
GAP = 4
#: How many filler words ("really", "just") may stand between two words of a phrase, besides its gap.
FILLERS = 2
MAX_VARIANTS = 256
_ALTERNATIVE = re.compile(r"^[a-z0-9]+\*?$")
_LIST = re.compile(r"^\[([a-z0-9_]+)\]$")


class PatternError(ValueError):
    """A phrase is not written in the phrase syntax."""


@dataclass(frozen=True)
class Slot:
    """One place in a phrase: the labels a word may carry to fill it, and how many words may come first."""

    accept: frozenset[str]
    gap: int


@dataclass(frozen=True)
class Pattern:
    """One compiled phrase (one variant of its optional words)."""

    source: str
    category: str
    slots: tuple[Slot, ...]


def prefix_label(prefix: str) -> str:
    """The label a word carries when it starts with `prefix` (a `prefix*` alternative)."""
    return prefix + "*"


def parse_alternatives(
    text: str, lists: Mapping[str, frozenset[str]], normalise: Callable[[str], str]
) -> frozenset[str]:
    """The labels of one word place: `a|b*|[list]`."""
    labels: set[str] = set()
    for alt in text.split("|"):
        listed = _LIST.match(alt)
        if listed:
            name = listed.group(1)
            if name not in lists:
                raise PatternError(f"unknown word list [{name}] (known: {', '.join(sorted(lists)) or 'none'})")
            labels |= lists[name]
            continue
        star = alt.endswith("*")
        word = normalise(alt.removesuffix("*"))
        if not alt or not _ALTERNATIVE.match(word + ("*" if star else "")):
            raise PatternError(f"'{alt or text}' is not a word, a word*, or a [list]")
        if star and len(word) < 3:
            raise PatternError(f"'{alt}': a word* needs at least 3 letters before the *")
        labels.add(prefix_label(word) if star else word)
    return frozenset(labels)


_PART = re.compile(r"\(([^()]*)\)|\{([^{}]*)\}|([^\s(){}]+)|(\S)")

#: A place in a phrase before expansion: the word sequences it may be, whether it may be missing, its gap.
_Place = tuple[list[list[frozenset[str]]], bool, int]


def _place(
    text: str, optional: bool, gap: int, lists: Mapping[str, frozenset[str]], normalise: Callable[[str], str]
) -> _Place:
    sequences: list[list[frozenset[str]]] = []
    for alternative in text.split("|"):
        words = alternative.split()
        if not words:
            raise PatternError("an empty choice: write words between the '|'")
        if "..." in words:
            raise PatternError("'...' cannot stand inside brackets")
        sequences.append([parse_alternatives(w, lists, normalise) for w in words])
    if all(len(seq) == 1 for seq in sequences):
        # Why: one-word choices share one slot, so they cost one check instead of one variant each.
        sequences = [[frozenset().union(*(seq[0] for seq in sequences))]]
    return sequences, optional, gap


def compile_phrase(
    source: str, category: str, lists: Mapping[str, frozenset[str]], normalise: Callable[[str], str]
) -> list[Pattern]:
    """Every variant of one phrase (each choice and each optional part present or absent)."""
    places: list[_Place] = []
    gap = 0
    for m in _PART.finditer(source):
        optional_text, choice_text, word, stray = m.groups()
        if stray is not None:
            raise PatternError(f"'{stray}' has no partner: brackets () and braces {{}} come in pairs, not nested")
        if word == "...":
            if gap:
                raise PatternError("two '...' in a row")
            if not places:
                raise PatternError("a phrase cannot start with '...'")
            gap = GAP
            continue
        if optional_text is not None:
            places.append(_place(optional_text, True, gap, lists, normalise))
        elif choice_text is not None:
            places.append(_place(choice_text, False, gap, lists, normalise))
        else:
            places.append(_place(word, False, gap, lists, normalise))
        gap = 0
    if not places:
        raise PatternError("the phrase is empty")
    bare = [m.group(3) for m in _PART.finditer(source) if m.group(3) and "|" in m.group(3)]
    if bare and len(places) > 1:
        # Why: "restraining order|non molestation|refuge" reads as three choices but means
        # "restraining", then "order" or "non", then "molestation" or "refuge": it never matched "refuge".
        raise PatternError(f"'{bare[0]}' in a phrase of several words: write the choice in braces, {{{bare[0]}}}")
    if gap:
        raise PatternError("a phrase cannot end with '...'")
    if all(optional for _, optional, _ in places):
        raise PatternError("a phrase needs at least one part that is not optional")
    options: list[list[list[frozenset[str]] | None]] = [
        [*sequences, None] if optional else list(sequences) for sequences, optional, _ in places
    ]
    count = 1
    for o in options:
        count *= len(o)
    if count > MAX_VARIANTS:
        raise PatternError(f"the phrase has {count} variants (at most {MAX_VARIANTS}); split it into several phrases")
    variants: list[Pattern] = []
    for chosen in itertools.product(*options):
        slots: list[Slot] = []
        carry = 0
        for (_, _, g), seq in zip(places, chosen, strict=True):
            if seq is None:
                # Why: "a ... (b) c" without b still lets the words of the gap stand before c.
                carry = max(carry, g)
                continue
            for n, labels in enumerate(seq):
                slots.append(Slot(labels, (max(g, carry) if n == 0 else 0) if slots else 0))
            carry = 0
        variants.append(Pattern(source, category, tuple(slots)))
    return variants


def match_at(
    slots: tuple[Slot, ...], labels: list[frozenset[str]], breaks: list[bool], start: int, fillers: list[bool]
) -> tuple[int, ...] | None:
    """The positions of the words filling each slot, for the first match starting at `start`, if any.

    `breaks[i]` is true when punctuation stands before word i: a `...` gap does not reach across it.
    `fillers[i]` is true when word i is a filler, which may stand between any two slots.
    """
    return _walk(slots, 1, labels, breaks, fillers, (start,))


def _walk(
    slots: tuple[Slot, ...],
    i: int,
    labels: list[frozenset[str]],
    breaks: list[bool],
    fillers: list[bool],
    taken: tuple[int, ...],
) -> tuple[int, ...] | None:
    if i == len(slots):
        return taken
    slot = slots[i]
    pos = taken[-1] + 1
    others = skipped = 0
    for p in range(pos, len(labels)):
        if p > pos and breaks[p]:
            break
        if not slot.accept.isdisjoint(labels[p]):
            found = _walk(slots, i + 1, labels, breaks, fillers, (*taken, p))
            if found is not None:
                return found
        # Why: a filler may be skipped or be a word of the phrase ("always" in "always hungry").
        if fillers[p] and skipped < FILLERS:
            skipped += 1
        elif others < slot.gap:
            others += 1
        else:
            break
    return None
