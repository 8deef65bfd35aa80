"""Read a misspelt word as the phrase-file word it is one slip away from ("strangeld" -> "strangled").

Only words of five or more letters that are neither in the phrase file nor ordinary English (as
listed, with a regular ending, or two listed words joined) are read this way, so "couch" never
becomes "touch" nor "photos" `shot*`. One slip is one letter missing, added, changed,
or two neighbours swapped (Damerau-Levenshtein distance 1), found through a table of every word
with one letter deleted (the symmetric-delete method), so a look-up costs a few dictionary reads.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path

from voice_service.safeguarding.normalise import key

#: Shorter words have too many one-slip neighbours to guess from.
MIN_LETTERS = 5
#: Regular endings taken off to see whether a word is an ordinary word the list spells only in its base form.
_ENDINGS = ("ing", "es", "ed", "er", "s")
#: The shortest base left after an ending, and half of a joined word ("group"+"chat"), that is read as English.
_MIN_BASE = 3
_MIN_HALF = 4


@functools.cache
def english_words() -> frozenset[str]:
    """Matching keys of ordinary English words (TextBlob's bundled spelling list, ~29,000 words)."""
    # Why: located, not imported: importing textblob pulls in its downloader (urllib), which screening must not.
    spec = find_spec("textblob")
    if spec is None or spec.origin is None:
        raise RuntimeError("textblob (a dependency) is not installed: its English word list is needed")
    text = (Path(spec.origin).parent / "en" / "en-spelling.txt").read_text(encoding="utf-8")
    words = (line.split()[0] for line in text.splitlines() if line and not line.startswith(";"))
    return frozenset(key(w) for w in words)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_slip(a: str, b: str) -> bool:
    """True when a and b differ by one deleted, added or changed letter, or two swapped neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


class Typos:
    """The words of a phrase file, ready to recognise under one slip of the keyboard."""

    def __init__(self, words: Iterable[str], prefixes: Iterable[str], known: frozenset[str]) -> None:
        self.words = frozenset(w for w in words if len(w) >= MIN_LETTERS - 1)
        self.prefixes = frozenset(p for p in prefixes if len(p) >= MIN_LETTERS - 1)
        self.known = known
        self._by_delete: dict[str, set[str]] = defaultdict(set)
        for w in (*self.words, *self.prefixes):
            self._by_delete[w].add(w)
            for d in _deletes(w):
                self._by_delete[d].add(w)
        self._lengths = sorted({len(p) for p in self.prefixes})

    def _near(self, word: str) -> set[str]:
        found: set[str] = set()
        for probe in (word, *_deletes(word)):
            for candidate in self._by_delete.get(probe, ()):
                if one_slip(word, candidate):
                    found.add(candidate)
        return found

    def ordinary(self, word_key: str) -> bool:
        """Whether a word is English as it stands, with a regular ending, or as two English words joined.

        Why: the list spells most words in one form only, so "photos", "texted" and "groupchat" were read
        as slips of `shot*`, `sext*` and `grom*`; a word the child spelt right is not a slip.
        """
        known = self.known
        if word_key in known:
            return True
        for ending in _ENDINGS:
            if word_key.endswith(ending) and len(word_key) - len(ending) >= _MIN_BASE:
                base = word_key[: -len(ending)]
                # "hoping" -> "hop(e)", "texted" -> "text", "pinches" -> "pinch"
                if base in known or base + "e" in known:
                    return True
        return any(
            word_key[:i] in known and word_key[i:] in known for i in range(_MIN_HALF, len(word_key) - _MIN_HALF + 1)
        )

    def only_reading(self, word_key: str) -> str | None:
        """The one word a misspelt word is one slip from, or None when there is none or several."""
        words, _ = self.readings(word_key)
        return next(iter(words)) if len(words) == 1 else None

    def readings(self, word_key: str) -> tuple[set[str], set[str]]:
        """The phrase-file words, and the word* prefixes, that a misspelt word may stand for."""
        if len(word_key) < MIN_LETTERS or word_key in self.words or self.ordinary(word_key):
            return set(), set()
        words = {w for w in self._near(word_key) if w in self.words}
        prefixes: set[str] = set()
        for n in self._lengths:
            for head in {word_key[: n - 1], word_key[:n], word_key[: n + 1]}:
                if len(head) >= MIN_LETTERS - 1:
                    prefixes |= {p for p in self._near(head) if p in self.prefixes and len(p) == n}
        return words, prefixes
