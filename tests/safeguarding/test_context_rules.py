"""Warning signs from public guidance the phrases now read, and the everyday senses they leave alone.

Written for this round (not taken from any evaluation set): each sign is one NSPCC, Childline or
Samaritans describe, each look-alike an ordinary answer that shares its words.
"""

from __future__ import annotations

import pytest

from voice_service.safeguarding.learned import NEGATED, letter_grams
from voice_service.safeguarding.phrasebook import DEFAULT_FILE, load_phrasebook
from voice_service.safeguarding.screening import load_screener


@pytest.mark.parametrize(
    ("answer", "category"),
    [
        ("she left a suicide note in her room", "suicidal_thoughts"),
        ("ive made a plan to end my life", "suicidal_thoughts"),
        ("sometimes i just want to stop existing", "suicidal_thoughts"),
        ("ive been reading about ways to die", "suicidal_thoughts"),
        ("idk who to talk to about stuff at home", "not_safe"),
        ("me and mum live in a car now", "missing"),
        ("she keeps me shut in my bedroom for days", "emotional_abuse"),
        ("my aunt says im the reason my mum started drinking", "emotional_abuse"),
        ("he squeezed my arm so hard it left marks", "physical_abuse"),
        ("mum held my hand on the hob as a punishment", "physical_abuse"),
        ("her boyfriend broke mums jaw", "domestic_abuse"),
        ("i press a razor to my thigh when im sad", "self_harm"),
        ("my mum went to a refuge with us", "domestic_abuse"),
        ("police stopped me with weed that wasnt mine", "criminal_exploitation"),
        ("some year 10s took my phone because i wouldnt give them money", "bullying"),
    ],
)
def test_a_warning_sign_from_guidance_is_read_by_the_phrases_alone(answer: str, category: str) -> None:
    result = load_screener(DEFAULT_FILE, None).screen(answer)
    assert category in result.categories, result


@pytest.mark.parametrize(
    "answer",
    [
        "our teacher touched on the topic of racism today",
        "i broke my arm skating and had a cast for weeks",
        "i scratched my leg on some brambles at forest school",
        "we ran away from the swans by the river",
        "my parents argue about silly stuff but they always make up",
        "my nan says im hopeless at golf",
        "a private room to study in would help with revision",
        "my uncle touched down at the airport after his trip",
        "my dad took my xbox off me until my homework was done",
    ],
)
def test_an_everyday_sense_of_a_phrases_words_matches_no_phrase(answer: str) -> None:
    # Phrases alone: the learned model may still speak (it alarms on the parents who make up).
    assert not load_screener(DEFAULT_FILE, None).screen(answer).flagged


def test_a_negated_word_shares_no_letter_grams_with_the_word() -> None:
    # Why: otherwise "i feel safe" borrows the weight the model learns for "i dont feel safe".
    assert not set(letter_grams([NEGATED + "safe"])) & set(letter_grams(["safe"]))
    assert len(letter_grams([NEGATED + "safe"])) == len(letter_grams(["safe"]))


def test_every_phrase_of_several_words_writes_its_choices_in_braces() -> None:
    # The shipped file loads, so no phrase hides a choice in a bare `a|b` among other words.
    assert load_phrasebook()
