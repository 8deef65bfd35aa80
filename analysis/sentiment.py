"""Sentiment of free text with TextBlob's pattern lexicon, which ships inside the package: nothing is downloaded.

TextBlob's tokenisers and noun-phrase extractors need NLTK corpora that no package index ships, so
nothing here uses them; the lexicon analyser reads the raw text with its own word splitting.
"""

from __future__ import annotations

import functools
import re
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
#: "don't", "dont", "isn't", "can't", "cannot": TextBlob's lexicon negates only after "not" or "never".
_CONTRACTED_NOT = re.compile(
    r"\b(do|does|did|is|was|are|were|ca|can|wo|would|could|should|have|has|had|ai)n(?:['\u2019]t|t\b|not\b)",
    re.IGNORECASE,
)
#: Verbs and adverbs between a negation and the feeling ("not feel safe"): TextBlob negates only the next word.
_BETWEEN_NOT = re.compile(
    r"\b(not|never)\s+(?:(?:feel|feels|felt|feeling|seem|seems|seemed|look|looks|looked|find|found|get|gets|got"
    r"|getting|really|always|ever|be|being|been|very|that|so|too)\s+){1,3}",
    re.IGNORECASE,
)


def sentiment(text: str) -> Sentiment:
    """The sentiment of one text (emoji read as the word they stand for)."""
    if not text.isascii():
        # Why: "It was rubbish 😡" or an answer of only "😭😭" scored as neutral, hiding how the young person felt.
        text = text.translate(_EMOJI_TABLE)
    if "n" in text:
        # Why: "I don't feel safe" and "I do not feel happy at school" scored positive (+0.5, +0.8).
        text = _BETWEEN_NOT.sub(r"\1 ", _CONTRACTED_NOT.sub(r"\1 not", text))
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
