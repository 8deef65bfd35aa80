"""Themes in free text: frequent keywords and two-word phrases, and named themes with their words.

A regular-expression tokeniser and a shipped stop-word list stand in for NLTK's tokenisers and
noun-phrase extractors, whose data no package index ships. Counts are of answers, not of words:
an answer that says "bus" three times is one young person talking about buses.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from analysis.lazy import LazyModule

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")


RIGHT_QUOTE = "\u2019"
WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
#: Any language's letters (Welsh 'pêl-droed', 'Siân', Arabic, Urdu), with apostrophes and hyphens inside.
LETTERS_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
#: Words too common to say anything about a theme (English function words and survey filler).
_STOP_TEXT = """
    a about above after again against all also am an and any are aren't as at be because been before being below
    between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
    few for from further get gets getting got had hadn't has hasn't have haven't having he he'd he'll he's her here
    here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just
    let's like lot lots make me more most much mustn't my myself no nor not of off on once only or other ought our
    ours ourselves out over own really same shan't she she'd she'll she's should shouldn't so some such than that
    that's the their theirs them themselves then there there's these they they'd they'll they're they've thing
    things think this those through to too under until up us very was wasn't we we'd we'll we're we've were
    weren't what what's when when's where where's which while who who's whom why why's will with won't would
    wouldn't yes you you'd you'll you're you've your yours yourself yourselves want need people young feel
    """
STOP_WORDS = frozenset(_STOP_TEXT.split())

#: The Make Your Mark topics, each with words that put an answer under it (a word also matches its plural).
MAKE_YOUR_MARK_THEMES: dict[str, tuple[str, ...]] = {
    "Health and Wellbeing": (
        "health",
        "healthy",
        "wellbeing",
        "doctor",
        "nurse",
        "hospital",
        "sport",
        "exercise",
        "food",
    ),
    "Environment": ("environment", "climate", "pollution", "litter", "recycling", "park", "green", "nature", "tree"),
    "Jobs, Money, Homes and Opportunities": (
        "job",
        "money",
        "home",
        "housing",
        "house",
        "rent",
        "work",
        "cost of living",
        "opportunity",
        "opportunities",
    ),
    "Education and Learning": ("school", "college", "education", "learning", "teacher", "lesson", "exam", "homework"),
    "Poverty": ("poverty", "poor", "afford", "food bank", "hungry", "cost of living"),
    "Rights": ("rights", "right", "equality", "racism", "discrimination", "listen", "listened", "vote", "voice"),
    "Transport": ("bus", "buses", "train", "transport", "travel", "bike", "cycle", "taxi", "fare"),
    "Safety": ("safe", "safety", "unsafe", "crime", "police", "bully", "bullying", "knife", "gang", "scared"),
    "Mental health": (
        "mental health",
        "anxiety",
        "anxious",
        "depression",
        "stress",
        "stressed",
        "lonely",
        "counselling",
        "worried",
    ),
}


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, apostrophes kept inside words."""
    text = text.lower().replace(RIGHT_QUOTE, "'")
    if text.isascii():
        return WORD.findall(text)
    # Why: [a-z] cut 'café' to 'caf' and 'pêl-droed' to 'p' and 'l-droed', which then showed as themes,
    # and left answers in Arabic or Urdu with no words at all. NFC so that a Mac's decomposed 'é' is one letter.
    return LETTERS_WORD.findall(unicodedata.normalize("NFC", text))


def terms(text: str) -> set[str]:
    """The keywords (words not on the stop list) and two-word phrases of keywords in a text."""
    tokens = words(text)
    keep = [t if t not in STOP_WORDS and len(t) > 2 else None for t in tokens]
    found = {t for t in keep if t}
    found |= {f"{a} {b}" for a, b in itertools.pairwise(keep) if a and b}
    return found


def frequent_terms(texts: Iterable[str], top: int = 20, minimum: int = 2) -> pd.DataFrame:
    """The `top` keywords and phrases by how many answers use them (at least `minimum`): columns term, answers."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(terms(text))
    common = [(t, n) for t, n in counts.most_common() if n >= minimum]
    # Why sort again: most_common keeps insertion order among ties, which depends on the answers' order.
    common.sort(key=lambda item: (-item[1], item[0]))
    return pd.DataFrame(common[:top], columns=["term", "answers"])


def _pattern(theme_words: Sequence[str]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(w.lower()).replace(r"\ ", r"\s+") for w in theme_words), key=len, reverse=True)
    # Why not \b: a word ending in a sign ('LGBTQ+', '£') has no word boundary after it, so it never matched.
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?:s|es)?(?!\w)")


def theme_mask(texts: pd.Series, theme_words: Sequence[str]) -> pd.Series:
    """Which texts use any of a theme's words (whole words, any case, plurals too)."""
    pattern = _pattern(theme_words)
    return texts.map(lambda t: bool(pattern.search(str(t).lower().replace(RIGHT_QUOTE, "'")))).astype(bool)


def named_theme_counts(texts: pd.Series, themes: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """How many answers fall under each named theme (an answer may fall under several): columns theme, answers."""
    rows = [(name, int(theme_mask(texts, theme_words).sum())) for name, theme_words in themes.items()]
    return pd.DataFrame(rows, columns=["theme", "answers"])
