"""A word added to the phrase file can change how answers are read; these lists make such a change visible.

Two cases from the "frames2" round (issue 11), both found only by comparing phrases alone text by
text: "bbc" in a phrase was squeezed to "bc" and read as "because", so a lesson exception spared
"because of the abuse"; and once the file knew "thats", an answer's "thats" stopped being read as
a slip of "whats". If a test here fails, compare phrases alone over every disclosure the repository
holds before and after the change (see docs/safeguarding.md, "talk2"), then update the list.
"""

from __future__ import annotations

import re

import yaml

from voice_service.safeguarding.normalise import key
from voice_service.safeguarding.phrasebook import DEFAULT_FILE, load_phrasebook
from voice_service.safeguarding.typos import MIN_LETTERS, english_words, one_slip

#: Words written in phrases that the loader reads as another word only after squeezing letter runs.
SQUEEZED_INTO_A_SPELLING = {"daddy": "dad", "noone": "nobody"}

#: Phrase-file words that an answer's word is no longer read as a slip of (they are words of the file).
SHADOWING = frozenset(
    (
        "abuser",
        "abusers",
        "bater",
        "belting",
        "bowling",
        "budgets",
        "bulied",
        "bulies",
        "burner",
        "childrens",
        "coker",
        "crepy",
        "dming",
        "exams",
        "gcses",
        "grandma",
        "grandpa",
        "handsy",
        "hates",
        "hited",
        "locker",
        "loser",
        "maths",
        "nightlight",
        "nightlights",
        "nonce",
        "nudes",
        "pervy",
        "phones",
        "programes",
        "racist",
        "raping",
        "rapist",
        "scares",
        "scary",
        "sexting",
        "sking",
        "smacks",
        "snaps",
        "stashed",
        "swans",
        "texting",
        "theres",
        "theyd",
        "theyl",
        "traped",
        "traping",
        "vapes",
        "videos",
        "wasnt",
        "weirdo",
        "wekends",
        "whats",
        "whens",
        "whore",
        "zombie",
        "zombies",
    )
)


def _written_words() -> set[str]:
    """Every plain word written in a phrase, weak phrase, exception or word list of the shipped file."""
    raw = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    texts = [*raw.get("exceptions", []), *(str(w) for ws in raw.get("words", {}).values() for w in ws)]
    for category in raw["categories"].values():
        texts += [*category.get("phrases", []), *category.get("weak", []), *category.get("exceptions", [])]
    words: set[str] = set()
    for text in texts:
        words |= {w for w in re.findall(r"[a-z0-9']+\*?", re.sub(r"\[\w+\]", " ", text.lower())) if w[-1] != "*"}
    return words


def test_no_new_word_is_squeezed_into_another_spelling() -> None:
    """'bbc' squeezes to 'bc', which the spellings read as 'because'."""
    spellings = load_phrasebook(DEFAULT_FILE).spellings
    found = {}
    for word in _written_words():
        squeezed = key(word)
        if squeezed != word.replace("'", "") and spellings.get(squeezed, (squeezed,)) != (squeezed,):
            found[word] = " ".join(spellings[squeezed])
    assert found == SQUEEZED_INTO_A_SPELLING


def test_no_new_word_stops_a_slip_being_read() -> None:
    """'thats' in the file: an answer's 'thats' is no longer read as 'whats'."""
    english = english_words()
    words = {key(w) for w in _written_words()}
    near = [o for o in words if len(o) >= MIN_LETTERS - 1]
    shadowing = {w for w in words if len(w) >= MIN_LETTERS and w not in english and any(one_slip(w, o) for o in near)}
    assert shadowing == SHADOWING
