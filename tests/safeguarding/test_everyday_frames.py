"""Strong phrases in an everyday frame (the "screening" round): spared, and the disclosures that share their words.

Written for this round (not taken from any evaluation set).
"""

from __future__ import annotations

import pytest

from voice_service.safeguarding.phrasebook import DEFAULT_FILE
from voice_service.safeguarding.screening import load_screener


@pytest.mark.parametrize(
    "answer",
    [
        "that war film had too much violence in it",
        "my dad whacked a wasp with the newspaper",
        "my sister pushed my hand away from the remote",
        "dad always makes sure im warm and fed",
        "there was nothing to eat at the party except crisps",
        "nobody at home hurts me i promise",
        "my bedroom is a pigsty but thats my fault",
        "it makes me not want to go into town on my own",
        "my auntie works at a refuge for women and kids",
        "our school did a sponsored run for suicide awareness",
        "there is nowhere for teenagers to go in this town",
        "theres nowhere to go for people my age at night",
        "can you help me choose my options for college",
        "my nan rings to check on me every sunday",
        "i worry about my grandad because hes in hospital",
        "i dont feel safe to cross the road at the roundabout",
        "i sell my old books on ebay",
        "my auntie touches up her roots every month",
        "my uncle smashed it at the pub quiz",
        "im not allowed out past ten on a school night",
        "my little brother kicks in his sleep",
        "i still have a nightlight because im scared of the dark",
        "i scratch my legs loads cos of my eczema",
        "lads dealing weed outside the station is why i dont go there",
    ],
)
def test_an_everyday_frame_spares_the_strong_phrase(answer: str) -> None:
    assert not load_screener(DEFAULT_FILE, None).screen(answer).flagged


@pytest.mark.parametrize(
    ("answer", "category"),
    [
        ("my dad hits me when hes drunk and nobody at home cares", "neglect"),
        ("nobody at home feeds me", "neglect"),
        ("theres nothing to eat at home", "neglect"),
        ("mum says its my fault he left", "emotional_abuse"),
        ("i feel unwanted and not wanted at home", "emotional_abuse"),
        ("my mum is in a refuge from my dad", "domestic_abuse"),
        ("i keep thinking about suicide", "suicidal_thoughts"),
        ("i have nowhere to go tonight", "missing"),
        ("please someone help me", "not_safe"),
        ("can someone check on me", "not_safe"),
        ("i worry about my mum because her boyfriend hits her", "not_safe"),
        ("i dont feel safe at home", "not_safe"),
        ("they make me sell stuff for them", "criminal_exploitation"),
        ("mum smacks me when im naughty", "physical_abuse"),
        ("he touches me up when mum is out", "sexual_abuse"),
        ("my step dad got smashed and hit me", "neglect"),
        ("im scared when they fight at night", "domestic_abuse"),
        ("i scratch my arms till they bleed", "self_harm"),
        ("people selling drugs near the park made me carry some", "criminal_exploitation"),
    ],
)
def test_the_disclosures_beside_those_frames_still_match(answer: str, category: str) -> None:
    assert category in load_screener(DEFAULT_FILE, None).screen(answer).categories


@pytest.mark.parametrize(
    ("answer", "category"),
    [
        ("i flinch when my step dad raises his arm", "physical_abuse"),
        ("i got touched by my coach at training", "sexual_abuse"),
        ("if i dont send more pics he will post the old ones", "sexual_abuse"),
        ("im talking to a 25 year old on tiktok", "sexual_abuse"),
        ("i tried to end things in the summer", "suicidal_thoughts"),
        ("i keep planning how i would end it", "suicidal_thoughts"),
        ("ive written a note for my dad and my sister", "suicidal_thoughts"),
        ("i was picked up by police in a different town at 2am", "missing"),
        ("i cant ever relax at my mums", "not_safe"),
        ("the only way i cope is self harming", "self_harm"),
        ("slef harm is how i cope", "self_harm"),
    ],
)
def test_a_way_of_telling_the_development_sets_missed_is_read_by_the_phrases(answer: str, category: str) -> None:
    assert category in load_screener(DEFAULT_FILE, None).screen(answer).categories
