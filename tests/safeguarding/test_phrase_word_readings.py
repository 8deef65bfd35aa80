"""A word added to the phrase file can change how answers are read; these lists make such a change visible.

Two cases from the "frames2" round (issue 11), both found only by comparing phrases alone text by
text: "bbc" in a phrase was squeezed to "bc" and read as "because", so a lesson exception spared
"because of the abuse"; and once the file knew "thats", an answer's "thats" stopped being read as
a slip of "whats". If a test here fails, compare phrases alone over every disclosure the repository
holds before and after the change (see docs/safeguarding.md, "talk2"), then update the list.
"""

from __future__ import annotations

import re

import pytest
import yaml

from voice_service.safeguarding.normalise import key
from voice_service.safeguarding.phrasebook import DEFAULT_FILE, load_phrasebook
from voice_service.safeguarding.screening import Screener, load_screener
from voice_service.safeguarding.typos import MIN_LETTERS, Typos, english_words, one_slip

#: Words written in phrases that the loader reads as another word only after squeezing letter runs.
SQUEEZED_INTO_A_SPELLING = {"daddy": "dad", "noone": "nobody"}

#: Phrase-file words that an answer's word is no longer read as a slip of (they are words of the file, not
#: ordinary English: since the "misread" round an English word with an ending is never read as a slip).
SHADOWING = frozenset(
    (
        "abusers",
        "bulied",
        "bulies",
        "crepy",
        "dming",
        "gcses",
        "grandma",
        "grandpa",
        "handsy",
        "maths",
        "nonce",
        "nudes",
        "pervy",
        "racist",
        "rapist",
        "scary",
        "sexting",
        "sking",
        "stashed",
        "theyd",
        "theyl",
        "vapes",
        "wasnt",
        "weirdo",
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
    # Why ordinary, not the word list: an English word with an ending is never read as a slip anyway.
    ordinary = Typos([], [], english_words()).ordinary
    words = {key(w) for w in _written_words()}
    near = [o for o in words if len(o) >= MIN_LETTERS - 1]
    shadowing = {w for w in words if len(w) >= MIN_LETTERS and not ordinary(w) and any(one_slip(w, o) for o in near)}
    assert shadowing == SHADOWING


# The "misread" round (issue 11): words read as another word on the used sets, and what must still alert.
MISREADS = (
    ("i take lots of photos of my dog", "photos read as `shot*`"),
    ("i stayed out late but i texted my mum", "texted read as `sext*`"),
    ("my mum slams doors when she is in a hurry", "slams read as slaps"),
    ("theres a groupchat for our class", "groupchat read as `groom*`"),
    ("my mum lets me have a sleepover on my birthday", "sleepover read as a hitting word"),
    ("touching story on the news about a refugee family", "refugee squeezed to refuge"),
    ("i came here as a refugee", "refugee squeezed to refuge"),
    ("ran out of credit on my phone so i couldnt ring mum", "phone credit read as moving phones"),
    ("got grounded for running up my phone bill", "a phone bill read as moving phones"),
    ("my cousin works at a car wash and gets decent money", "`carr*` squeezed to `car*`"),
    ("someone asked for my snap at the party", "a Snapchat name read as pictures"),
)

STILL_ALERT = (
    ("he took photos of me in the shower", "sexual_abuse"),
    ("the boss says i can earn extra if i let him take photos of me", "sexual_abuse"),
    ("i need someone to talk to about stuff thats going on at home", "not_safe"),
    ("i been slicing my legs", "self_harm"),
    ("he strangeld me", "physical_abuse"),
    ("i want to unailve myself", "suicidal_thoughts"),
    ("he shot at me", "physical_abuse"),
    ("he keeps sexting me", "sexual_abuse"),
    ("we had to move to a refuge because of my dad", "domestic_abuse"),
    ("mum and me live in a refuge now", "domestic_abuse"),
    ("they make me carry drugs to other towns", "criminal_exploitation"),
    ("i carried a bag of weed for them", "criminal_exploitation"),
    ("they pay me to carry packages", "criminal_exploitation"),
    ("he keeps asking me for snaps", "sexual_abuse"),
    ("he asked for my snap then asked for nudes", "sexual_abuse"),
)


@pytest.fixture(scope="module")
def phrases() -> Screener:
    """The shipped phrase file alone, no learned model."""
    return load_screener(DEFAULT_FILE, None)


@pytest.mark.parametrize(("answer", "misread"), MISREADS)
def test_a_word_is_not_read_as_another_word(phrases: Screener, answer: str, misread: str) -> None:
    """Each of these alerted on the file before the "misread" round, through the reading named."""
    assert phrases.screen(answer).matches == [], misread


@pytest.mark.parametrize(("answer", "category"), STILL_ALERT)
def test_the_meant_word_still_alerts(phrases: Screener, answer: str, category: str) -> None:
    """The phrases' own words, slips of them, and disclosures in the misread words still alert."""
    assert category in phrases.screen(answer).categories


@pytest.mark.parametrize("word", ["photos", "texted", "pinches", "blames", "groupchat", "slepover", "hoping"])
def test_an_english_word_with_an_ending_or_joined_is_ordinary(word: str) -> None:
    """The word list spells most words in one form; these are English, so never read as a slip."""
    assert Typos([], [], english_words()).ordinary(word)


@pytest.mark.parametrize(
    ("slip", "meant"),
    [("strangeld", "strangled"), ("thretening", "threatening"), ("punshed", "punched"), ("pushd", "pushed")],
)
def test_a_slip_is_still_read_as_the_word_it_misses(slip: str, meant: str) -> None:
    """A misspelling is not ordinary, and is read as the one phrase word it is a slip of."""
    typos = Typos([key(meant)], [], english_words())
    assert not typos.ordinary(slip)
    assert typos.readings(slip)[0] == {key(meant)}
