"""Turn free text into matching keys: folded, apostrophes dropped, leetspeak undone, letter runs squeezed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import NamedTuple

# A word is letters/digits with apostrophes and leet symbols inside; anything else separates words.
_QUOTES = "'\u2019\u2018`\u00b4"  # straight, curly right and left, grave, acute
_TOKEN = re.compile(rf"(?P<w>[\w@${_QUOTES}]+)|(?P<p>[.,;:!?\n\r]+)")
_APOSTROPHES = str.maketrans("", "", _QUOTES + "_")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_SQUEEZE = re.compile(r"(.)\1+")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def fold(word: str) -> str:
    """Lower-case, strip accents and compatibility forms, drop apostrophes: `Don't` -> `dont`."""
    word = unicodedata.normalize("NFKD", word.casefold())
    word = "".join(c for c in word if not unicodedata.combining(c))
    return word.translate(_APOSTROPHES)


def key(word: str) -> str:
    """The matching key of one word; text and patterns both go through it, so they always agree."""
    word = fold(word)
    if _HAS_LETTER.search(word) and not word.isalpha():
        # Why: "h8", "k1ll", "s3x" hide words from a plain match; a bare number stays a number.
        word = word.replace("8", "ate").translate(_LEET)
    else:
        word = word.replace("@", "a").replace("$", "s")
    if len(word) > 3 and word.endswith("z"):
        # Why: text-speak plurals and verbs ("hitz", "nudez", "picz") end in z where English has s.
        word = word[:-1] + "s"
    # Why: "hiiiit", "pleeease" and "hitt" all reduce to the same key as the word they stand for.
    return _SQUEEZE.sub(r"\1", word)


class Token(NamedTuple):
    """One matching key with where its word sits in the original text."""

    key: str
    start: int
    end: int
    #: True when punctuation comes before this word: negation never reaches back across it.
    clause_start: bool


_new_tuple = tuple.__new__


class Normaliser:
    """Splits text into tokens, applying a spelling map (misspellings, text-speak) to each word."""

    def __init__(
        self, spellings: Mapping[str, tuple[str, ...]], near: Callable[[str], str | None] | None = None
    ) -> None:
        self.spellings = dict(spellings)
        #: The spelling a misspelt word is one slip from, if any ("unailve" -> "unalive").
        self.near = near
        self._cache: dict[str, tuple[str, ...]] = {}

    def keys(self, word: str) -> tuple[str, ...]:
        """The matching keys for one written word (usually one; a spelling like `kms` may give several)."""
        cached = self._cache.get(word)
        if cached is None:
            k = key(word)
            cached = self.spellings.get(k, (k,)) if k else ()
            if k and k not in self.spellings and self.near is not None:
                written = self.near(k)
                if written is not None:
                    cached = self.spellings[written]
            if len(self._cache) > 50_000:
                # Why: answers repeat the same few thousand words; a flood of unique ones must not grow memory.
                self._cache.clear()
            self._cache[word] = cached
        return cached

    def tokens(self, text: str) -> list[Token]:
        """Every token of the text in order."""
        out: list[Token] = []
        boundary = True
        cached, keys = self._cache.get, self.keys
        for m in _TOKEN.finditer(text):
            word = m[1]  # the `w` group; None for punctuation
            if word is None:
                boundary = True
                continue
            start, end = m.span()
            for k in cached(word) or keys(word):
                # Why tuple.__new__: a NamedTuple's own constructor is a Python call per word.
                out.append(_new_tuple(Token, (k, start, end, boundary)))
                boundary = False
        return out


#: Endings taken off to find a word's stem, longest first: (ending, what replaces it).
_ENDINGS = (("ies", "y"), ("ied", "y"), ("ing", ""), ("es", ""), ("ed", ""), ("s", ""))
#: Word ends that look like an ending but are part of the word ("bus", "this", "glass").
_NOT_PLURAL = ("ss", "us", "is")


def stem(word_key: str) -> str:
    """A crude stem of one matching key, so "hit", "hits", "hiting" and "hited" meet: `hiting` -> `hit`."""
    for ending, replacement in _ENDINGS:
        if word_key.endswith(ending) and len(word_key) - len(ending) >= 3:
            if ending == "s" and word_key.endswith(_NOT_PLURAL):
                continue
            word_key = word_key[: len(word_key) - len(ending)] + replacement
            break
    # Why: "abuse", "abused" and "abusing" differ by a silent e once the ending is gone.
    if len(word_key) > 3 and word_key.endswith("e"):
        word_key = word_key[:-1]
    return word_key
