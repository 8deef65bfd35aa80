"""Sentiment of free text with TextBlob's pattern lexicon, which ships inside the package: nothing is downloaded.

TextBlob's tokenisers and noun-phrase extractors need NLTK corpora that no package index ships, so
nothing here uses them; the lexicon analyser reads the raw text with its own word splitting.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.lazy import LazyModule

if TYPE_CHECKING:
    import pandas as pd
    from textblob.en.sentiments import PatternAnalyzer
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")


@functools.cache
def _analyzer() -> PatternAnalyzer:
    """TextBlob's lexicon analyser, imported on first use.

    Why: importing TextBlob brings in NLTK and SciPy, about 100 MiB and 3 s of CPU, which every web
    worker and command would otherwise pay at start whether or not it ever scores a text.
    """
    from textblob.en.sentiments import PatternAnalyzer

    return PatternAnalyzer()


@dataclass(frozen=True)
class Sentiment:
    """Polarity from -1 (negative) to 1 (positive); subjectivity from 0 (fact) to 1 (opinion)."""

    polarity: float
    subjectivity: float

    @property
    def label(self) -> str:
        """Polarity in words: negative below -0.1, positive above 0.1, neutral between."""
        if self.polarity < -0.1:
            return "negative"
        if self.polarity > 0.1:
            return "positive"
        return "neutral"


#: Emoji young people write instead of words, as a word TextBlob's lexicon scores (it scores ":)" but no emoji).
EMOJI_WORDS = {
    **dict.fromkeys("😀😃😄😁😆😊🙂☺😇🥳😎", "happy"),
    **dict.fromkeys("😂🤣", "funny"),
    **dict.fromkeys("😍🥰😘❤♥💕💖💜💙💚🧡💛", "love"),
    **dict.fromkeys("👍👌💯🙌👏⭐🌟", "good"),
    **dict.fromkeys("😡😠🤬👿", "angry"),
    **dict.fromkeys("😢😭😞😔😟😥😿☹🙁💔", "sad"),
    **dict.fromkeys("👎🤮🤢😨😰😱😖😣😫😩", "bad"),
}
_EMOJI_TABLE = {ord(emoji): f" {word} " for emoji, word in EMOJI_WORDS.items()}


def sentiment(text: str) -> Sentiment:
    """The sentiment of one text (emoji read as the word they stand for)."""
    if not text.isascii():
        # Why: "It was rubbish 😡" or an answer of only "😭😭" scored as neutral, hiding how the young person felt.
        text = text.translate(_EMOJI_TABLE)
    result = _analyzer().analyze(text)
    return Sentiment(float(result.polarity), float(result.subjectivity))


def sentiments(texts: Sequence[str]) -> list[Sentiment]:
    """The sentiment of each text, in order (one call for a batch, e.g. across a process boundary)."""
    return [sentiment(text) for text in texts]


def sentiment_frame(texts: pd.Series) -> pd.DataFrame:
    """Polarity, subjectivity and label for each text, on the texts' index."""
    scored = [sentiment(str(t)) for t in texts]
    return pd.DataFrame(
        {
            "polarity": [s.polarity for s in scored],
            "subjectivity": [s.subjectivity for s in scored],
            "label": [s.label for s in scored],
        },
        index=texts.index,
    )
