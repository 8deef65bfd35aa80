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

#: Words that negate whatever feeling follows in their clause: "nothing good happens", "nobody is kind to me".
_NEGATORS = re.compile(
    r"\b(?:nothing|nobody|none|no[ -]?one|no|never|not\s+any(?:thing|one|body)?|not)\b",
    re.IGNORECASE,
)
#: Where a negation's reach ends: a clause break, a new subject, an exceptive "but" ("nothing but good things").
_CLAUSE_END = re.compile(r"[.,;:!?()\u2013\u2014]| - ")
_ENDS_REACH = frozenset(
    "and but or so because cos cause though although yet while whereas unless until if when then as than"  # noqa: SIM905
    " i i'm im you he she it it's its we they everything everyone everybody something someone somebody all".split()
)
#: After a pronoun-like negator a determiner starts a new clause ("nothing the staff are nice" = "Nothing. The...").
_DETERMINERS = frozenset("the a an my our your his her their this that these those".split())  # noqa: SIM905
#: "not only good", "can't wait": a "not" that does not deny what follows.
_NOT_IDIOMS = frozenset({"only", "just", "wait"})
#: Comparatives under a negation praise or blame more, not less ("nothing could be better", "never been worse").
_DEGREE = frozenset("more most less least better best worse worst greater greatest harder higher".split())  # noqa: SIM905
_WORD = re.compile(r"[a-z]+(?:['\u2019][a-z]+)?", re.IGNORECASE)
_REACH = 5
#: Negations TextBlob itself applies to a feeling straight after them; "not"/"never" reach over verbs (_BETWEEN_NOT).
_TEXTBLOB_NEGATIONS = frozenset({"no", "not", "never"})
_ADVERBS = frozenset({"not", "never"})


@functools.cache
def _lexicon() -> dict[str, dict[str | None, tuple[float, float, float]]]:
    """TextBlob's word lexicon (word -> part of speech -> polarity, subjectivity, intensity)."""
    from textblob.en import sentiment as lexicon

    lexicon.load()
    return lexicon  # type: ignore[no-any-return]


def _polarity(word: str) -> float:
    """The word's polarity in TextBlob's lexicon, 0 when it has none."""
    entry = _lexicon().get(word)
    return next((float(scores[0]) for scores in entry.values() if scores[0]), 0.0) if entry else 0.0


def _reach_of_negations(text: str) -> str:
    """Text with "not" put before the feeling each negation denies further on in its clause.

    TextBlob negates only a feeling straight after "no", "not" or "never" and knows no "nothing" or
    "nobody", so "nothing good happens here" and "nobody is kind to me" scored positive.
    """
    inserts: list[int] = []
    for negation in _NEGATORS.finditer(text):
        negator = " ".join(negation.group().lower().replace("-", " ").split())
        previous_end = negation.end()
        previous: re.Match[str] | None = None
        # Why a plain "not" reaches only past "any": "I don't have any good friends", but "I would not change a
        # thing great club" praises the club (the verbs a "not" reaches over are _BETWEEN_NOT's).
        reaches = negator != "not"
        for count, word in enumerate(_WORD.finditer(text, negation.end())):
            lower = word.group().lower().replace("\u2019", "'")
            if count >= _REACH or _CLAUSE_END.search(text, previous_end, word.start()) or _NEGATORS.fullmatch(lower):
                break
            if count == 0 and (
                (negator == "not" and lower in _NOT_IDIOMS) or (negator not in _ADVERBS and lower in _DETERMINERS)
            ):
                break
            if lower in _ENDS_REACH and not (lower == "all" and previous and previous.group().lower() == "at"):
                break
            reaches = reaches or lower.startswith("any")
            if _polarity(lower):
                if not reaches or lower in _DEGREE or (count == 0 and negator in _TEXTBLOB_NEGATIONS):
                    break  # out of reach, a comparative, or a feeling TextBlob already negates
                modified = previous is not None and "RB" in (_lexicon().get(previous.group().lower()) or {})
                inserts.append(previous.start() if modified and previous else word.start())
                break
            previous, previous_end = word, word.end()
    for at in reversed(inserts):
        text = f"{text[:at]}not {text[at:]}"
    return text


def sentiment(text: str) -> Sentiment:
    """The sentiment of one text (emoji read as the word they stand for)."""
    if not text.isascii():
        # Why: "It was rubbish 😡" or an answer of only "😭😭" scored as neutral, hiding how the young person felt.
        text = text.translate(_EMOJI_TABLE)
    if "n" in text or "N" in text:
        # Why: "I don't feel safe" and "I do not feel happy at school" scored positive (+0.5, +0.8).
        text = _BETWEEN_NOT.sub(r"\1 ", _CONTRACTED_NOT.sub(r"\1 not", text))
        text = _reach_of_negations(text)
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
