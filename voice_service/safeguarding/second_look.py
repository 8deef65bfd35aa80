"""A second look at answers phrases matched: a model trained only on such answers, told which phrases matched.

The first model reads every answer and is trained on all; most answers a phrase matches are disclosures,
and the look-alikes among them ("my sister hits the gym", "got battered at fifa") differ from those in
their other words. A model trained only on phrase-matched answers, reading their words and one mark per
matched phrase, category and strength, learns what sets those look-alikes apart. It is asked only about
answers long enough to say something beside the phrase, and never overrules a suicidal-thoughts phrase.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from voice_service.safeguarding.examples import Example
from voice_service.safeguarding.learned import MARKS
from voice_service.safeguarding.phrasebook import Phrasebook

if TYPE_CHECKING:
    from voice_service.safeguarding.screening import Match

__all__ = ["SECOND_LOOK_WORDS", "marks", "only_weak", "second_look_texts"]

#: Answers of fewer words (split on spaces) keep their phrases' alert whatever the second look says.
#: Why 11: a short answer says little beside its phrase; on development, from 8 words it would also have set
#: aside "lol my mum threw a plate at my head yesterday" (10 words: minimising is how children often tell).
SECOND_LOOK_WORDS = 11


def only_weak(matches: Iterable[Match], book: Phrasebook) -> bool:
    """Whether every matched phrase is one its category lists as weak (ordinary answers say it too)."""
    return all(m.phrase in book.categories[m.category].weak for m in matches)


def marks(matches: Iterable[Match], book: Phrasebook) -> list[str]:
    """One mark per matched phrase and per category, and whether only weak phrases matched; each once."""
    found = list(matches)
    out = [f"phrase:{m.category}:{'_'.join(m.phrase.replace('|', ' ').split())}" for m in found]
    out += [f"category:{m.category}" for m in found]
    out.append("phrases:weak" if only_weak(found, book) else "phrases:strong")
    return list(dict.fromkeys(out))


def second_look_texts(
    examples: Sequence[Example],
    words: Callable[[str], list[str]],
    matches: Callable[[str], Sequence[Match]],
    book: Phrasebook,
) -> list[tuple[str, bool]]:
    """The examples some phrase matches, as a second look is fitted on them: keys, MARKS, marks; and the label."""
    out = []
    for example in examples:
        if found := matches(example.text):
            out.append((" ".join(words(example.text)) + MARKS + " ".join(marks(found, book)), example.disclosure))
    return out
