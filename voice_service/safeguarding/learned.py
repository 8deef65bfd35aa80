"""A learned second opinion beside the phrase file: word and letter n-grams, trained from examples.

The phrase file catches what its phrases say; children say the same things in endless other
words. This model is trained when the service starts, from screening-examples.yaml (answers that
disclose, by category, and ordinary answers that look like them, which the safeguarding lead edits)
and screening-examples-sets.yaml (the ten earlier evaluation sets' phrasings, generated), with scikit-learn's logistic
regression over TF-IDF word 1-2-grams and letter 3-5-grams of each word, which tolerate the
misspellings and text-speak the phrase matcher needs spellings for. Once trained, its weights are
copied into plain arrays, so scoring an answer costs tens of microseconds and imports nothing more.
The service trains it in a short-lived child process, so scikit-learn and SciPy (about 90 MiB)
never load into a web worker.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import compress
from typing import Any, NamedTuple

import numpy as np

from voice_service.safeguarding.examples import Example

__all__ = [
    "DISCLOSURE",
    "LONG_THRESHOLD",
    "MARKS",
    "MIN_WORDS",
    "NEGATED",
    "NOT_A_DISCLOSURE",
    "SECOND_LOOK_THRESHOLD",
    "THRESHOLD",
    "VETO",
    "WINDOW_THRESHOLD",
    "LearnedModel",
    "fit_pipeline",
    "train",
    "windows_of",
]

#: The class of ordinary answers.
NOT_A_DISCLOSURE = "none"
#: An answer whose chance of being a disclosure is at least this raises an alert.
#: Why 0.3, not 0.4: leaving one of the ten held-out parts out at a time, the fewest missed
#: disclosures on the other nine picks 0.3 in every fold (1,267/1,287 caught out of set, against
#: 1,260 at 0.4, for 272 false alarms of 1,146 against 217; docs/safeguarding.md).
THRESHOLD = 0.3
#: An answer only weak phrases matched raises no alert when its chance is below this; 0 overrules nothing.
#: Why 0.1 (none before "data2"): trained on eighteen sets, the model is sure enough that leaving each later set
#: out, 0.1 lost no disclosure and cut false alarms 481 -> 424 of 1,668; declared, then confirmed once on the
#: nineteenth and twentieth sets (docs/safeguarding.md, "data2").
VETO = 0.1
#: An answer a strong phrase matched (not a suicidal-thoughts one) raises no alert when its chance is below this.
#: Why 0.03: trained on twenty-four sets, leaving each later set out, only one of 2,510 disclosures a strong phrase
#: caught scored under 0.05 (0.013) and five more under 0.1, while 0.03 cut false alarms 649 -> 538 of 3,171;
#: declared, then confirmed once on four sets nobody trained on (docs/safeguarding.md, "data3").
STRONG_FLOOR = 0.03
#: A second look (`LearnedModel.second_look`) lets the phrases of an answer it reads alert only at this chance or above;
#: 0 is off, and then none is fitted. Why 0.05: declared at 0.15 ("second look"), it cut false alarms 21% on the
#: 29th-40th sets but missed 9 more disclosures, 4 of them long answers it read whole; trained on those sets too,
#: leaving each of 26 later sets out, 0.05 lost none and cut false alarms 841 -> 778 (docs/safeguarding.md, "data4").
SECOND_LOOK_THRESHOLD = 0.05
#: An answer of LONG_WORDS words or more that no phrase matched alerts only at this chance or above; 0: at THRESHOLD.
#: Off: declared at 0.8 with the second look, it lost 5 plain disclosures of 30-45 words on the 29th-40th sets.
LONG_THRESHOLD = 0.0
#: A window of a long answer counts only at this chance or above (`LearnedModel.window_threshold`; 0 is off).
#: Why 0.7: the highest of many window chances is a maximum over many tries; declared first, it kept development's
#: 50 missed and cut its false alarms 678 -> 634, then the blind seventeenth's 69 -> 62 (docs/safeguarding.md, "long3").
WINDOW_THRESHOLD = 0.7
#: Words whose letter-gram columns are kept for reuse (about 160 bytes each), before the cache starts again.
LETTER_CACHE_WORDS = 10_000
#: Answers of fewer words are left to the phrases: word statistics need some words to judge by
#: (on one to three words the model alarmed on "Home", "none", "no token").
MIN_WORDS = 4
#: Inverse regularisation strength of the logistic regression (chosen on the development data).
C = 16.0
#: How the screener marks a word a negation reaches ("dont not_feel not_safe").
NEGATED = "not_"
#: Between an answer's words and the marks a second look also reads (the phrases that matched it, `second_look.py`):
#: each mark is one column of its own, never in a pair of words or in letter grams. Normalised words hold no "|".
MARKS = " | "


def word_grams(words: Sequence[str]) -> list[str]:
    """Each word and each pair of neighbouring words."""
    return [*words, *map(" ".join, itertools.pairwise(words))]


def letter_grams(words: Sequence[str]) -> list[str]:
    """Runs of 3 to 5 letters inside each word, its edges marked: "hits" gives " hi", "hit", "its " ..."""
    grams: list[str] = []
    for w in words:
        # Why: a negated word ("not_safe") shares no letter grams with the word itself ("safe"), or
        # "i feel safe at home" would borrow the weight the model gives "i dont feel safe".
        mark = "!" if w.startswith(NEGATED) else ""
        padded = f" {w.removeprefix(NEGATED)} "
        for n in (3, 4, 5):
            grams.extend(mark + padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def windows_of(words: Sequence[str], width: int) -> list[Sequence[str]]:
    """Runs of `width` words, `width // 2` apart, the last ending at the last word; shorter answers whole."""
    if width <= 0 or len(words) <= width:
        return [words]
    starts = list(range(0, len(words) - width + 1, max(1, width // 2)))
    if starts[-1] != len(words) - width:
        starts.append(len(words) - width)
    return [words[s : s + width] for s in starts]


def _word_analyser(text: str) -> list[str]:
    words, _, marks = text.partition(MARKS)
    return [*word_grams(words.split()), *marks.split()]


def _letter_analyser(text: str) -> list[str]:
    return letter_grams(text.partition(MARKS)[0].split())


def fit_pipeline(texts: Sequence[str], labels: Sequence[str], c: float = C) -> Any:
    """A scikit-learn TF-IDF and logistic regression model, fitted on normalised texts (keys joined by spaces)."""
    # Why: imported here, so importing the screener costs nothing until a model is trained.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union
    from threadpoolctl import threadpool_limits

    features = make_union(
        TfidfVectorizer(analyzer=_word_analyser, sublinear_tf=True),
        TfidfVectorizer(analyzer=_letter_analyser, sublinear_tf=True),
    )
    regression = LogisticRegression(C=c, class_weight="balanced", solver="newton-cg", max_iter=1000)
    # Why: BLAS threads fighting over two busy cores made the fit take 17 s instead of 0.2 s.
    with threadpool_limits(limits=1):
        return make_pipeline(features, regression).fit(list(texts), list(labels))


class LearnedModel:
    """Two fitted models: one says whether an answer discloses harm, the other which category.

    The first runs on every answer, so its weights are copied into flat arrays of doubles (8 bytes a
    weight, not a 32-byte float object and its pointer); the second, asked only about the few answers
    the first flags, into NumPy arrays over the first's vocabulary. Neither needs scikit-learn to score.
    """

    def __init__(
        self, decision: Any, category: Any | None, threshold: float = THRESHOLD, veto: float = VETO, window: int = 0
    ) -> None:
        union, regression = decision.steps[0][1], decision.steps[-1][1]
        if [str(c) for c in regression.classes_] != [DISCLOSURE, NOT_A_DISCLOSURE]:
            raise ValueError(f"the decision model must know {DISCLOSURE!r} and {NOT_A_DISCLOSURE!r}")
        self.threshold = threshold
        self.veto = veto
        #: A strong phrase's match (not suicidal thoughts) is overruled below this chance; 0 overrules none.
        self.strong_floor = STRONG_FLOOR
        #: A long answer no phrase matched alerts only at this chance or above (LONG_THRESHOLD); 0: at `threshold`.
        self.long_threshold = LONG_THRESHOLD
        #: A model trained only on answers phrases matched, reading their words and marks for those phrases; None: no
        #: second look. Its phrases alert only if it gives `second_look_threshold` or more (`second_look.py`).
        self.second_look: LearnedModel | None = None
        self.second_look_threshold = SECOND_LOOK_THRESHOLD
        #: Answers of more words than this are read only in windows of this many (`windows_of`); 0 reads them whole.
        self.window = window
        #: A window of a long answer counts only at this chance or above (docs "long2"); 0 counts it at `threshold`.
        self.window_threshold = WINDOW_THRESHOLD
        self.decision = decision
        self.category = category
        # Why: scikit-learn's one row of weights is for the second class, `none`; negated, for a disclosure.
        coef = [-float(w) for w in regression.coef_[0]]
        self._intercept = -float(regression.intercept_[0])
        (_, words), (_, letters) = union.transformer_list
        self._word_index = {str(g): int(i) for g, i in words.vocabulary_.items()}
        self._letter_index = {str(g): int(i) for g, i in letters.vocabulary_.items()}
        self._word_idf = array("d", words.idf_)
        self._letter_idf = array("d", letters.idf_)
        self._word_weight = array("d", coef[: len(self._word_index)])
        self._letter_weight = array("d", coef[len(self._word_index) :])
        # Why optional: a second look only says whether, never which category.
        shared = (self._word_index, self._letter_index)
        self._categories = None if category is None else _CategoryScorer(category, shared)
        self._derive()

    def drop_pipelines(self) -> None:
        """Forget the scikit-learn pipelines, its second look's too: the plain weights score without them."""
        self.decision = self.category = None
        if self.second_look is not None:
            self.second_look.drop_pipelines()

    def _derive(self) -> None:
        """What is worked out from the weights: each column's TF-IDF terms for a count of one, and per-word sums."""
        # Why: most columns are counted once in an answer, so their terms are two look-ups, not multiplies.
        self._word_dot = array("d", map(float.__mul__, self._word_idf, self._word_weight))
        self._word_square = array("d", map(float.__mul__, self._word_idf, self._word_idf))
        self._letter_dot = array("d", map(float.__mul__, self._letter_idf, self._letter_weight))
        self._letter_square = array("d", map(float.__mul__, self._letter_idf, self._letter_idf))
        #: Per cached word, its letter columns' terms summed as if each were counted once in the answer.
        self._letter_dots: dict[str, float] = {}
        self._letter_squares: dict[str, float] = {}
        self._letter_columns: dict[str, tuple[int, ...]] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Why: what `_derive` works out is left out, so the bytes a worker keeps do not grow.
        derived = ("_word_dot", "_word_square", "_letter_dot", "_letter_square", *_LETTER_CACHES)
        return {k: v for k, v in self.__dict__.items() if k not in derived}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.window = 0  # parts pickled before windows existed read answers whole
        self.window_threshold = 0.0  # and count every window
        self.strong_floor = 0.0  # and let every strong phrase alert
        self.long_threshold = 0.0  # and alert on a long answer at `threshold`
        self.second_look = None  # and take no second look
        self.__dict__.update(state)
        self._derive()

    def _letters_of(self, word: str) -> tuple[int, ...]:
        """The columns of a word's letter grams that the model knows (answers repeat words: cached)."""
        columns = self._letter_columns.get(word)
        if columns is None:
            index = self._letter_index
            columns = tuple(index[g] for g in letter_grams((word,)) if g in index)
            self._letter_columns[word] = columns
            self._letter_dots[word] = sum(map(self._letter_dot.__getitem__, columns), 0.0)
            self._letter_squares[word] = sum(map(self._letter_square.__getitem__, columns), 0.0)
        return columns

    def chance(self, words: Sequence[str], marks: Sequence[str] = ()) -> float:
        """The chance that an answer, already split into matching keys, discloses harm (`marks`: a second look's)."""
        index = self._word_index
        word_counts = Counter(map(index.__getitem__, filter(index.__contains__, word_grams(words))))
        if marks:
            word_counts.update(index[m] for m in marks if m in index)
        z = self._intercept
        # TF-IDF with a logarithmic term count, scaled to length 1 per family, as scikit-learn does.
        dot = squares = 0.0
        for column, n in word_counts.items():
            if n == 1:
                dot += self._word_dot[column]
                squares += self._word_square[column]
            else:
                value = (1.0 + math.log(n)) * self._word_idf[column]
                dot += value * self._word_weight[column]
                squares += value * value
        if squares:
            z += dot / math.sqrt(squares)
        z += self._letters_scaled(words)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def _letters_scaled(self, words: Sequence[str]) -> float:
        """The letter grams' part of the decision value: per-word sums, then the columns met more than once."""
        cached = self._letter_columns
        if not all(map(cached.__contains__, words)):
            if len(cached) + len(words) > LETTER_CACHE_WORDS:
                # Why: a flood of unique words must not grow memory without end.
                cached.clear()
                self._letter_dots.clear()
                self._letter_squares.clear()
            for w in words:
                self._letters_of(w)
        columns = list(itertools.chain.from_iterable(map(cached.__getitem__, words)))
        if not columns:
            return 0.0
        dot = sum(map(self._letter_dots.__getitem__, words))
        squares = sum(map(self._letter_squares.__getitem__, words))
        counts = Counter(columns)
        if len(counts) != len(columns):
            # A column met n times counts 1 + log n times its idf, not n times.
            idf, weight = self._letter_idf, self._letter_weight
            for column in compress(counts, map((1).__lt__, counts.values())):
                n = counts[column]
                value = (1.0 + math.log(n)) * idf[column]
                dot += value * weight[column] - n * self._letter_dot[column]
                squares += value * value - n * self._letter_square[column]
        return dot / math.sqrt(squares)

    def category_of(self, words: Sequence[str]) -> str:
        """The category an answer most likely tells of (asked only of answers that look like disclosures)."""
        if self._categories is None:
            raise ValueError("this model was fitted without categories")
        return self._categories.best(words)


#: The model's per-word caches of letter columns and their summed terms: derived, emptied together.
_LETTER_CACHES = ("_letter_columns", "_letter_dots", "_letter_squares")


class _CategoryScorer:
    """A fitted multi-class model's weights as arrays: the best class of an answer without scikit-learn.

    Its grams are looked up in the decision model's vocabularies (`shared`, one per family), which
    hold every gram of the answers it was fitted on (a superset of these); a column map turns their
    columns into this model's, so the same strings are not kept in a second pair of dictionaries.
    """

    def __init__(self, pipeline: Any, shared: Sequence[dict[str, int]]) -> None:
        union, regression = pipeline.steps[0][1], pipeline.steps[-1][1]
        self.classes = [str(c) for c in regression.classes_]
        coef = np.asarray(regression.coef_, dtype=np.float64)
        self._intercept = np.asarray(regression.intercept_, dtype=np.float64)
        if len(self.classes) == 2:
            # Why: with two classes scikit-learn keeps one row of weights, for the second class.
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            self._intercept = np.array([-self._intercept[0] / 2, self._intercept[0] / 2])
        self._families = []
        offset = 0
        families = zip(union.transformer_list, (word_grams, letter_grams), shared, strict=True)
        for (_, vectoriser), grams, vocabulary in families:
            # -1: a gram of the decision model this one does not know; `own` keeps any it alone knows.
            columns = array("i", [-1]) * len(vocabulary)
            own: dict[str, int] = {}
            for gram, column in vectoriser.vocabulary_.items():
                if (at := vocabulary.get(str(gram))) is None:
                    own[str(gram)] = int(column)
                else:
                    columns[at] = int(column)
            idf = np.asarray(vectoriser.idf_, dtype=np.float64)
            width = len(vectoriser.vocabulary_)
            self._families.append((grams, vocabulary, columns, own, idf, coef[:, offset : offset + width].T.copy()))
            offset += width
        self._letter_cache: dict[str, tuple[int, ...]] = {}

    def scores(self, words: Sequence[str]) -> np.ndarray:
        """Each class's decision value, as scikit-learn's `decision_function`."""
        z = self._intercept.copy()
        for family, (grams, _, _, _, idf, weights) in enumerate(self._families):
            if grams is letter_grams:
                # Why: a word's letter grams are most of the work; their columns are the same each time.
                counts = Counter(itertools.chain.from_iterable([self._letter_columns(w) for w in words]))
            else:
                counts = Counter(self._columns(family, grams(words)))
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            n = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = (1.0 + np.log(n)) * idf[columns]
            z += (values / math.sqrt(float(values @ values))) @ weights[columns]
        return z

    def _columns(self, family: int, grams: Iterable[str]) -> tuple[int, ...]:
        """The columns, in this model, of the grams it knows, in order."""
        _, vocabulary, to_own, own, _, _ = self._families[family]
        found = (to_own[at] if (at := vocabulary.get(g)) is not None else own.get(g, -1) for g in grams)
        return tuple(column for column in found if column >= 0)

    def _letter_columns(self, word: str) -> tuple[int, ...]:
        columns = self._letter_cache.get(word)
        if columns is None:
            columns = self._columns(1, letter_grams((word,)))
            if len(self._letter_cache) > LETTER_CACHE_WORDS:
                self._letter_cache.clear()  # bounded, as LearnedModel's
            self._letter_cache[word] = columns
        return columns

    def best(self, words: Sequence[str]) -> str:
        """The class with the highest decision value."""
        return self.classes[int(np.argmax(self.scores(words)))]


#: The class of answers that disclose, in the decision model.
DISCLOSURE = "disclosure"


def train(
    examples: Sequence[Example],
    split: Callable[[str], list[str]],
    threshold: float = THRESHOLD,
    *,
    in_child: bool = True,
    second_look: Sequence[tuple[str, bool]] = (),
) -> LearnedModel:
    """Fit both models on the examples; `split` turns an answer into the matching keys the screener reads.

    `second_look`: the texts (keys, MARKS, marks) and labels a second look is fitted on; none, no second look.
    In a child process by default: only the plain weights come back. `in_child=False` fits here and
    keeps the scikit-learn pipelines on the model (`decision`, `category`), for checking against them.
    """
    texts = [" ".join(split(e.text)) for e in examples]
    labels = [DISCLOSURE if e.disclosure else NOT_A_DISCLOSURE for e in examples]
    disclosures = [(t, e.category) for t, e in zip(texts, examples, strict=True) if e.disclosure]
    fit = _Fit(
        texts,
        labels,
        [t for t, _ in disclosures],
        [c for _, c in disclosures],
        threshold,
        [t for t, _ in second_look],
        [DISCLOSURE if d else NOT_A_DISCLOSURE for _, d in second_look],
    )
    if not in_child:
        return _fit_model(fit)
    # Why spawn: a fresh interpreter, safe beside the threads a running service already has.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
        return child.submit(_fit_weights, fit).result()


class _Fit(NamedTuple):
    """What the models are fitted on: keys joined by spaces, with their labels (sent whole to the child)."""

    texts: list[str]
    labels: list[str]
    disclosed: list[str]
    categories: list[str]
    threshold: float
    looked: list[str]
    looked_labels: list[str]


def _fit_model(fit: _Fit) -> LearnedModel:
    decision, category = fit_pipeline(fit.texts, fit.labels), fit_pipeline(fit.disclosed, fit.categories)
    model = LearnedModel(decision, category, fit.threshold)
    if fit.looked:
        model.second_look = LearnedModel(fit_pipeline(fit.looked, fit.looked_labels), None)
    return model


def _fit_weights(fit: _Fit) -> LearnedModel:
    """In the child: fit, then drop the pipelines, so unpickling the model needs no scikit-learn."""
    model = _fit_model(fit)
    model.drop_pipelines()
    return model
