"""Disclosures only the model caught, now read by a phrase ("declare14" round, issue 11).

talk2 and frames2 left seven holes: an exception overlapped the only phrase ("kill* me if",
"push* me to", "end* it with / on", "cant go on with", "we talked ... self harm") or no phrase
existed ("my boyfriend forces me"). Each hole and five or more first-person variants, text-speak
among them, written for this round (not taken from any evaluation set). Phrases alone, so the model
cannot rescue a disclosure; the everyday sayings the narrowed exceptions were written for stay spared.
"""

from __future__ import annotations

import pytest

from voice_service.safeguarding.phrasebook import DEFAULT_FILE
from voice_service.safeguarding.screening import Screener, load_screener


@pytest.fixture(scope="module")
def phrases() -> Screener:
    """The shipped phrase file alone, compiled once for this module."""
    return load_screener(DEFAULT_FILE, None)


HOLES = [
    ("not_safe", "my dad said he will kill me if i tell anyone"),
    ("not_safe", "my stepdad says hell kill me if i tell anybody what he does"),
    ("not_safe", "mum told me she would kill me if i told the police"),
    ("not_safe", "my uncle threatened to kill me if i told anyone"),
    ("not_safe", "dad sed he wud kill me if i told any1"),
    ("not_safe", "my mums boyfriend keeps saying he will kill me if i tell someone"),
    ("not_safe", "my step dad swore he would kill me if i ever tell a teacher"),
    ("physical_abuse", "he pushes me to the ground"),
    ("physical_abuse", "my stepdad pushes me to the floor when hes drunk"),
    ("physical_abuse", "mum pushed me to the ground and kicked me"),
    ("physical_abuse", "my dad pushes me to the wall and shouts in my face"),
    ("physical_abuse", "my bf pushd me to the ground last nite"),
    ("physical_abuse", "he pushed me to the floor and sat on me"),
    ("suicidal_thoughts", "i want to end it all with pills"),
    ("suicidal_thoughts", "im going to end it on friday"),
    ("suicidal_thoughts", "i want to end it all with tablets from the cupboard"),
    ("suicidal_thoughts", "im gonna end it with a rope"),
    ("suicidal_thoughts", "i might end it all with an overdose"),
    ("suicidal_thoughts", "i want 2 end it all wiv pills"),
    ("suicidal_thoughts", "gonna end it on my birthday"),
    ("suicidal_thoughts", "i cant go on with my life"),
    ("suicidal_thoughts", "i cant carry on with life anymore"),
    ("suicidal_thoughts", "i cant go on with living like this"),
    ("suicidal_thoughts", "i cant go on with everything anymore"),
    ("suicidal_thoughts", "i cant carry on with my life like this"),
    ("suicidal_thoughts", "i cnt go on with my life"),
    ("self_harm", "we talked about my self harm"),
    ("self_harm", "we talked about my cutting"),
    ("self_harm", "we talked about my self harm again today"),
    ("self_harm", "we talked abt my self harm"),
    ("self_harm", "we talked about how i self harm"),
    ("self_harm", "me and the nurse we talked about my self harming"),
    ("sexual_abuse", "can we talk about consent because my boyfriend forces me"),
    ("sexual_abuse", "my boyfriend forces me"),
    ("sexual_abuse", "my bf forces me even when i say no"),
    ("sexual_abuse", "my boyfriend pressures me all the time and i dont want to"),
    ("sexual_abuse", "i need to talk about consent cos my boyfriend forces me"),
    ("sexual_abuse", "my girlfriend pressured me and i didnt want to"),
    ("sexual_abuse", "my bf keeps pressuring me"),
    ("sexual_abuse", "i want to talk about grooming"),
    ("sexual_abuse", "i need to talk about grooming"),
    ("sexual_abuse", "can i talk to someone about grooming"),
    ("sexual_abuse", "i want 2 talk about grooming"),
    ("sexual_abuse", "i think im being groomed and i want to talk about it"),
]


@pytest.mark.parametrize(("category", "answer"), HOLES)
def test_a_hole_alerts_in_its_category_on_phrases_alone(phrases: Screener, category: str, answer: str) -> None:
    """On the file before this round 37 of these 44 fail (the grooming ones pass since talk2)."""
    assert category in phrases.screen(answer).categories


@pytest.mark.parametrize(
    "answer",
    [
        "my mum will kill me if i fail my maths test",
        "my sister said shed kill me if i told mum she has a boyfriend",
        "my best mate said she would kill me if i told anyone who she fancies",
        "my coach pushes me to do better every week",
        "my dad pushes me too hard at football",
        "we want to end it on a high with a party",
        "i might end it with my boyfriend hes so boring",
        "i cant go on the trip because of the cost",
        "i cant carry on with football because of my knee",
        "we talked about self harm in pshe and where to get help",
    ],
)
def test_the_everyday_sayings_stay_spared(phrases: Screener, answer: str) -> None:
    """What the narrowed exceptions were written for, and the threat look-alikes, do not alert on phrases alone."""
    assert not phrases.screen(answer).flagged
