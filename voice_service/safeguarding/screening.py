"""Screen a free-text answer for possible disclosures of harm, tuned for recall: when unsure, flag.

Pure Python over a phrase file the safeguarding lead edits (disclosure-phrases.yaml), with a learned
second opinion trained from screening-examples.yaml (learned.py) for what no phrase says: no web, no
database, no network. Both are read once per process; `screen` then costs tens of microseconds.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import itemgetter, not_
from pathlib import Path
from typing import cast

from voice_service.safeguarding.examples import EXAMPLES_FILE, SETS_FILE, training_examples
from voice_service.safeguarding.learned import (
    MIN_WORDS,
    NEGATED,
    SECOND_LOOK_THRESHOLD,
    LearnedModel,
    train,
    windows_of,
)
from voice_service.safeguarding.normalise import Normaliser, Token, key, stem
from voice_service.safeguarding.patterns import Pattern, Slot, match_at, prefix_label
from voice_service.safeguarding.phrasebook import DEFAULT_FILE, Category, Phrasebook, load_phrasebook
from voice_service.safeguarding.second_look import SECOND_LOOK_WORDS, marks, only_weak, second_look_texts
from voice_service.safeguarding.typos import Typos, english_words

__all__ = ["DEFAULT_FILE", "LEARNED", "Match", "Screener", "Screening", "default_screener", "load_screener", "screen"]

#: The phrase of a match found by the learned model rather than by a phrase of the file.
LEARNED = "(learned model: no phrase matched)"
#: Answers of more words than this are also scored in windows of WINDOW words, STRIDE apart, and the
#: highest chance counts: a disclosure in the middle of a long ordinary answer is not averaged away.
#: From 20 words, not 16: windows on the typical answers of 17-20 words cost about 60% more for 3 in
#: 730 more caught (docs/safeguarding.md).
WINDOWED_FROM = 20
WINDOW = 12
STRIDE = 6
#: In an answer of at least LONG_WORDS words, phrases alert only if the model's chance reaches this
#: (0 is off): a long answer says many words a phrase can catch in passing; 0.3, the model's own
#: threshold, was picked on development and confirmed on the eighteenth set (docs, "phrase4").
LONG_PHRASE_SUPPORT = 0.3
LONG_WORDS = 25
#: Whether a second look is fitted at start (second_look.py; off while its threshold is 0).
SECOND_LOOK = SECOND_LOOK_THRESHOLD > 0.0
#: Categories whose phrases always alert, however long the answer: wanting to die always needs a person.
ALWAYS_ALERT = frozenset({"suicidal_thoughts"})


@dataclass(frozen=True)
class Match:
    """One phrase found: its category, the phrase as written in the file, and where it is in the answer."""

    category: str
    phrase: str
    span: tuple[int, int]


@dataclass(frozen=True)
class Screening:
    """The outcome for one answer."""

    flagged: bool
    matches: list[Match] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        """The matched categories, each once, in file order of first match."""
        return list(dict.fromkeys(m.category for m in self.matches))


_Found = tuple[Pattern, tuple[int, ...]]
#: A token's key and whether punctuation stands before it, read in C (Token's fields 0 and 3).
_KEY, _CLAUSE_START = itemgetter(0), itemgetter(3)  # pattern, the positions of the words that filled its slots


#: Words in most answers: a phrase is not looked at just because one of these occurs.
_COMMON_WORDS = """
i me my you your he she it we they us him her them our his their the a an and or but to of in on at for with
is am are was be been not no dont do did have has had get got go going can so that this what when all up out
one just really like feel home school people mum dad time day want there good
"""
_COMMON = frozenset(key(w) for w in _COMMON_WORDS.split())
_COMMON |= frozenset("~" + stem(w) for w in _COMMON)


class _Answer:
    """One answer's words as the matcher reads them: labels per word, and every label present."""

    __slots__ = ("breaks", "fillers", "labels", "present")

    def __init__(self, labels: list[frozenset[str]], breaks: list[bool], fillers: list[bool]) -> None:
        self.labels = labels
        self.breaks = breaks
        self.fillers = fillers
        self.present: set[str] = set().union(*labels)

    def starts(self, accept: frozenset[str]) -> list[int]:
        """The positions of the words that can fill a slot, in order."""
        # Why: in a long answer, walking only from the words that can start a phrase keeps it linear;
        # one pass in C over the words costs less than indexing every label of every word first.
        return list(compress(range(len(self.labels)), map(not_, map(accept.isdisjoint, self.labels))))


class _Index:
    """Patterns by the labels of their most selective word, so an answer only wakes the few that can match."""

    def __init__(self, patterns: list[Pattern]) -> None:
        self._patterns = patterns
        by_trigger: dict[str, list[int]] = defaultdict(list)
        #: Per pattern, the label set of one other slot (the waking one's if it has none): it must meet the answer's.
        self._second: list[frozenset[str]] = []
        #: Per pattern, the label sets of its further slots, each once: all must meet the answer's labels too.
        self._others: list[tuple[frozenset[str], ...]] = []
        for n, p in enumerate(patterns):
            # Why: a slot of few, uncommon words is the least likely to occur in an ordinary answer.
            trigger = min(reversed(p.slots), key=lambda s: (len(s.accept & _COMMON), len(s.accept)))
            for label in trigger.accept:
                by_trigger[label].append(n)
            others = tuple(dict.fromkeys(s.accept for s in p.slots if s is not trigger))
            # The waking slot meets the answer by construction, so it stands in when there is no other.
            self._second.append(others[0] if others else trigger.accept)
            self._others.append(others[1:])
        self._by_trigger = {label: tuple(ns) for label, ns in by_trigger.items()}

    def find(self, answer: _Answer) -> list[_Found]:
        """Every pattern found in the answer with the positions of its words, in file order."""
        present = answer.present
        woken = sorted(set(chain.from_iterable(filter(None, map(self._by_trigger.get, present)))))
        # Why: most woken patterns miss a second word; one pass in C sets them aside, not a Python loop.
        met = compress(woken, map(not_, map(present.isdisjoint, map(self._second.__getitem__, woken))))
        found: list[_Found] = []
        for n in met:
            if self._others[n] and any(map(present.isdisjoint, self._others[n])):
                continue
            slots = self._patterns[n].slots
            for i in answer.starts(slots[0].accept):
                taken = match_at(slots, answer.labels, answer.breaks, i, answer.fillers)
                if taken is not None:
                    found.append((self._patterns[n], taken))
        return found


def _stem_label(word_key: str) -> str:
    """The label every form of a word carries: "~hit" for hit, hits, hiting, hited."""
    return "~" + stem(word_key)


def _widen(pattern: Pattern, alike: dict[str, frozenset[str]], endings: bool = True) -> Pattern:
    """A phrase of several words whose plain words also accept their other endings and alike words.

    "hits me" then finds "hitting me" and "hits her". Why: a one-word phrase is left as written,
    because the lead picked that exact form ("cutting" is a sign, "cut" alone is not).
    """
    if len(pattern.slots) < 2:
        return pattern
    slots = []
    for s in pattern.slots:
        plain = [label for label in s.accept if label[-1] != "*"]
        accept = set(s.accept).union(*(alike.get(label, ()) for label in plain))
        if endings:
            accept |= {_stem_label(label) for label in accept if label[-1] != "*"}
        slots.append(Slot(frozenset(accept), s.gap))
    return Pattern(pattern.source, pattern.category, tuple(slots))


class Screener:
    """A compiled phrase book, ready to screen answers."""

    def __init__(self, book: Phrasebook, model: LearnedModel | None = None) -> None:
        self.book = book
        #: The learned second opinion, consulted when no phrase matches; None screens by phrases alone.
        self.model = model
        #: LONG_PHRASE_SUPPORT as this screener applies it (the evaluation tools set candidates here).
        self.long_support = LONG_PHRASE_SUPPORT
        # Why: a slip in a text-speak word ("unailve", "wnana") is read as the spelling it misses.
        spelt = Typos([w for w in book.spellings if w not in english_words()], (), english_words())
        self.normaliser = Normaliser(book.spellings, spelt.only_reading)
        everything = [p for c in book.categories.values() for p in (*c.patterns, *c.exceptions)]
        everything += book.exceptions
        self._prefixes = frozenset(
            label[:-1] for p in everything for s in p.slots for label in s.accept if label[-1] == "*"
        )
        self._shortest = min((len(p) for p in self._prefixes), default=1)
        self._longest = max((len(p) for p in self._prefixes), default=0)
        words = {label for p in everything for s in p.slots for label in s.accept if label[-1] != "*"}
        self._typos = Typos(words, self._prefixes, english_words())
        alike = {word: group for group in book.alike for word in group}
        self._phrases = _Index([_widen(p, alike) for c in book.categories.values() for p in c.patterns])
        # Why: an exception must reach every form its phrase reaches, or "hurt her to say" would alarm.
        self._exceptions = {
            name: _Index([_widen(p, alike) for p in (*c.exceptions, *book.exceptions)])
            for name, c in book.categories.items()
        }
        self._labels: dict[str, frozenset[str]] = {}

    def _exact_labels(self, word_key: str) -> set[str]:
        found = {word_key, _stem_label(word_key)}
        for n in range(self._shortest, min(len(word_key), self._longest) + 1):
            if word_key[:n] in self._prefixes:
                found.add(prefix_label(word_key[:n]))
        return found

    def _labels_of(self, word_key: str) -> frozenset[str]:
        labels = self._labels.get(word_key)
        if labels is None:
            found = self._exact_labels(word_key)
            words, prefixes = self._typos.readings(word_key)
            for w in words:
                found |= self._exact_labels(w)
            found |= {prefix_label(p) for p in prefixes}
            labels = frozenset(found)
            if len(self._labels) > 50_000:
                self._labels.clear()
            self._labels[word_key] = labels
        return labels

    def words(self, text: str) -> list[str]:
        """What the model reads: the matching keys, those after a negation marked ("dont not_feel not_safe")."""
        return self._model_words(self.normaliser.tokens(text))

    def _model_words(self, tokens: list[Token]) -> list[str]:
        # Why: the model sees words, not order; marking a negation's reach until the clause ends is how
        # it tells "i feel safe at home" from "i dont feel safe at home".
        neg = self.book.negation
        keys = list(map(_KEY, tokens))
        if neg.words.isdisjoint(keys):
            return keys  # no negation, nothing to mark (most answers): one pass in C
        out: list[str] = []
        negated = False
        for t in tokens:
            if t.clause_start or t.key in neg.clause_breaks:
                negated = False
            out.append(NEGATED + t.key if negated else t.key)
            if t.key in neg.words:
                negated = True
        return out

    def screen(self, text: str) -> Screening:
        """Every phrase found (weak ones alone only if the model agrees); else the model's category if likely."""
        if not text or not isinstance(text, str):
            return Screening(False, [])
        tokens = self.normaliser.tokens(text)
        matches, negated = self._phrase_matches(tokens)
        if matches and (
            self._overruled(matches, tokens)
            or self._unsupported_long(matches, tokens, text)
            or self._second_look_refuses(matches, tokens, text)
        ):
            return Screening(False, [])
        # Why: where negation set a phrase aside ("he never hits me"), the model, which reads no
        # negation, is not asked to overrule it.
        if not matches and not negated and len(tokens) >= MIN_WORDS and self.model is not None:
            chance, words = _likeliest(self.model, self._model_words(tokens))
            if chance >= self._model_threshold(text):
                matches = [Match(self.model.category_of(words), LEARNED, (tokens[0].start, tokens[-1].end))]
        return Screening(bool(matches), matches)

    def _overruled(self, matches: list[Match], tokens: list[Token]) -> bool:
        """Whether the model finds the answer so unlike a disclosure that its phrases are set aside.

        Why: phrases ordinary answers also say ("got hit by a ball") are overruled only by a model trained
        on such look-alikes, only when it is nearly sure: below `veto` when only weak phrases matched,
        below the far lower `strong_floor` otherwise, and never for a suicidal-thoughts phrase.
        """
        if self.model is None or len(tokens) < MIN_WORDS:
            return False
        if only_weak(matches, self.book):
            floor = self.model.veto
        elif any(m.category in ALWAYS_ALERT for m in matches):
            return False
        else:
            floor = getattr(self.model, "strong_floor", 0.0)  # Why getattr: the evaluation tools' stand-ins
        # Why the floor first: at 0 no chance is below it, so the model is not asked.
        return floor > 0.0 and _likeliest(self.model, self._model_words(tokens))[0] < floor

    def _unsupported_long(self, matches: list[Match], tokens: list[Token], text: str) -> bool:
        """Whether a long answer's phrases lack the model's support (LONG_PHRASE_SUPPORT; never suicidal)."""
        # Why words split on spaces: the length the evaluation's tables count, so shorter answers never change.
        if self.model is None or self.long_support <= 0.0 or len(text.split()) < LONG_WORDS:
            return False
        if any(m.category in ALWAYS_ALERT for m in matches):
            return False
        return _likeliest(self.model, self._model_words(tokens))[0] < self.long_support

    def _model_threshold(self, text: str) -> float:
        """The chance at which the model alone alerts: higher for a long answer (`LearnedModel.long_threshold`)."""
        assert self.model is not None  # noqa: S101 - only asked when there is a model  # nosec B101
        # Why getattr: the evaluation tools' stand-in models carry no long threshold.
        higher = getattr(self.model, "long_threshold", 0.0)
        # Why the threshold first: while the long bar is off (0), no answer is split to count its words.
        if higher <= self.model.threshold or len(text.split()) < LONG_WORDS:
            return self.model.threshold
        return higher

    def _second_look_refuses(self, matches: list[Match], tokens: list[Token], text: str) -> bool:
        """Whether a second look finds the phrase-matched answer unlike a disclosure (`second_look.py`)."""
        # Why getattr: the evaluation tools' stand-in models take no second look.
        look: LearnedModel | None = getattr(self.model, "second_look", None)
        if self.model is None or look is None or len(text.split()) < SECOND_LOOK_WORDS:
            return False
        if any(m.category in ALWAYS_ALERT for m in matches):
            return False
        return look.chance(self._model_words(tokens), marks(matches, self.book)) < self.model.second_look_threshold

    def phrases(self, text: str) -> list[Match]:
        """Every phrase found in an answer, after negation and exceptions; the model is not asked."""
        return self._phrase_matches(self.normaliser.tokens(text))[0] if text else []

    def _phrase_matches(self, tokens: list[Token]) -> tuple[list[Match], bool]:
        """Every phrase found, after negation and benign exceptions; and whether negation set any aside."""
        keys = list(map(_KEY, tokens))
        cached = list(map(self._labels.get, keys))
        labels = cast(list[frozenset[str]], cached)
        if None in cached:  # a word's labels are never empty; None is a word not yet worked out
            labels = [known or self._labels_of(k) for known, k in zip(cached, keys, strict=True)]
        breaks = list(map(_CLAUSE_START, tokens))
        answer = _Answer(labels, breaks, list(map(self.book.fillers.__contains__, keys)))
        found = self._phrases.find(answer)
        if not found:
            return [], False
        matches: list[Match] = []
        negated = False
        exceptions: dict[str, list[_Found]] = {}
        for pattern, taken in found:
            start, end = taken[0], taken[-1] + 1
            category = self.book.categories[pattern.category]
            if category.negatable and self._negated(tokens, taken):
                negated = True
                continue
            if pattern.category not in exceptions:
                exceptions[pattern.category] = self._exceptions[pattern.category].find(answer)
            if any(t[0] < end and start <= t[-1] for _, t in exceptions[pattern.category]):
                # Why: an exception still lets the model speak (stopping it cost 3-4 points of recall).
                continue
            matches.append(Match(pattern.category, pattern.source, (tokens[start].start, tokens[end - 1].end)))
        return _distinct(matches), negated

    def _negated(self, tokens: list[Token], taken: tuple[int, ...]) -> bool:
        neg = self.book.negation
        start, end = taken[0], taken[-1] + 1
        # A negation word skipped by a `...` gap negates too: "he never hits me" against "[adult] ... hits me".
        negations = sum(tokens[j].key in neg.words for j in range(start, end))
        negated = any(tokens[j].key in neg.words for j in range(start, end) if j not in taken)
        j = start
        while j > 0 and start - j < neg.window and not tokens[j].clause_start:
            j -= 1
            if tokens[j].key in neg.clause_breaks:
                break
            if tokens[j].key in neg.words:
                negated = True
                negations += 1
        if negations >= 2:
            # Why: a double negative ("i dont think nobody would believe me") is never read as a denial.
            return False
        if negated and neg.undo:
            # Why: "he doesn't hit me anymore" still tells of harm; recall comes first.
            after = tokens[end : end + neg.window]
            negated = not any(t.key in neg.undo for t in after)
        return negated

    @property
    def categories(self) -> dict[str, Category]:
        """The categories in file order."""
        return self.book.categories


def _likeliest(model: LearnedModel, words: list[str]) -> tuple[float, list[str]]:
    """The model's chance for the answer, or for its likeliest window if higher; and the words it read."""
    # Why getattr: the evaluation tools' stand-in models carry no window.
    if (width := getattr(model, "window", 0)) and len(words) > width:
        # Why windows only: a long answer read whole is unlike anything the model was trained on, and
        # its many home and family words read as risk (docs/safeguarding.md, "window").
        return max(((model.chance(w), list(w)) for w in windows_of(words, width)), key=lambda cw: cw[0])
    best, best_words = model.chance(words), words
    if len(words) > WINDOWED_FROM:
        # Why: TF-IDF scales an answer to length 1, so a disclosure among 40 ordinary words scored
        # as ordinary (on the earlier held-out sets wrapped in two ordinary answers, recall fell
        # from 98% to 89%); a window about a sentence long reads it as if it stood alone.
        # Why a floor: the highest of many window chances is a maximum over many tries, so a window
        # may be asked to be convincing on its own (docs/safeguarding.md, "long2"); 0 is off.
        floor = getattr(model, "window_threshold", 0.0)
        for start in range(0, len(words) - WINDOW + STRIDE, STRIDE):
            window = words[start : start + WINDOW]
            chance = model.chance(window)
            if chance > best and chance >= floor:
                best, best_words = chance, window
    return best, best_words


def _distinct(matches: list[Match]) -> list[Match]:
    """One match per category and phrase (several variants and starts can find the same words)."""
    seen: dict[tuple[str, str], Match] = {}
    for m in sorted(matches, key=lambda m: m.span):
        seen.setdefault((m.category, m.phrase), m)
    return sorted(seen.values(), key=lambda m: (m.span, m.category))


@functools.cache
def default_screener() -> Screener:
    """The screener for the phrase and examples files shipped with the service, built once per process."""
    return load_screener(DEFAULT_FILE, EXAMPLES_FILE)


def load_screener(
    path: Path, examples: Path | None = EXAMPLES_FILE, *, in_child: bool = True, sets: Path | None = SETS_FILE
) -> Screener:
    """A screener for a phrase file and an examples file (drafts the lead is testing); None: phrases only.

    The model is trained on the examples and the shipped sets' phrasings (`sets`; None: examples only).
    `in_child=False` fits the model in this process (a process that is itself a short-lived child).
    """
    screener = Screener(load_phrasebook(path))
    if examples is not None:
        trained_on = training_examples(examples, screener.categories, sets)
        looked = second_look_texts(trained_on, screener.words, screener.phrases, screener.book) if SECOND_LOOK else []
        screener.model = train(trained_on, screener.words, in_child=in_child, second_look=looked)
    return screener


def screen(text: str) -> Screening:
    """Screen one answer with the shipped phrase file."""
    return default_screener().screen(text)
