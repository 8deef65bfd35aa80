"""The "phrases" round's exceptions: named everyday frames spared, disclosures in the same words still alert.

A game, a lesson or programme, a toddler, road safety. Written for this round (not taken from any
evaluation set). Phrases alone, so the model cannot rescue a disclosure.
"""

from __future__ import annotations

import pytest

from voice_service.safeguarding.phrasebook import DEFAULT_FILE
from voice_service.safeguarding.screening import load_screener


@pytest.mark.parametrize(
    "answer",
    [
        "i got hit in the head with a basketball at lunch",
        "i got punched in boxing last night",
        "my uncle hits the snooze button every day",
        "my dad slapped the sofa when we scored",
        "my auntie volunteers at a domestic abuse helpline",
        "a girl called me a name once but we are friends now",
        "the fans called us names at the away match",
        "my brother hits me with a cushion when we watch tv",
        "the film we saw had a man who hit his wife",
        "our assembly about domestic abuse was good",
        "i hit my head on the shelf in the kitchen",
        "i went missing at the beach when i was 4",
        "i want to run away to hogwarts",
        "my sister left home for college last year",
        "in the book the children run away to find treasure",
        "i carry my mates bag for him when hes injured",
        "my cousin works for evri delivering parcels",
        "in gta you deliver stuff for missions",
        "the head dealt with bullying at my school fast",
        "i was picked on in primary but its fine now",
        "the roads round here are not safe for cyclists",
        "i dont want to go home early from cubs",
    ],
)
def test_a_named_frame_spares_the_phrase(answer: str) -> None:
    assert not load_screener(DEFAULT_FILE, None).screen(answer).flagged


@pytest.mark.parametrize(
    ("answer", "category"),
    [
        ("my dad hit me in the face with his belt", "physical_abuse"),
        ("i got hit in the face by my stepdad", "physical_abuse"),
        ("my dad hits the roof and then hits me", "physical_abuse"),
        ("my brother hits me with a belt", "physical_abuse"),
        ("we watched a film about abuse and i realised my dad hits me", "physical_abuse"),
        ("after the assembly about domestic abuse i realised my mums boyfriend hurts her", "physical_abuse"),
        ("i went missing last weekend and stayed at a mans flat", "missing"),
        ("i want to run away to my nans because of my dad", "missing"),
        ("i ran away from home and slept at the station", "missing"),
        ("they make me carry a bag to school for them with stuff in it", "criminal_exploitation"),
        ("my brother makes me carry his bag of weed", "criminal_exploitation"),
        ("the school says bullying is dealt with but they still bully me every day", "bullying"),
        ("i was bullied in year 7 and it still happens now", "bullying"),
        ("i got picked on in year 7 and its worse now", "bullying"),
        ("the roads are fine but i dont feel safe at home", "not_safe"),
        ("i dont want to go home because of my stepdad", "not_safe"),
        ("someone called me a name once and now they call me names every day", "bullying"),
    ],
)
def test_a_disclosure_in_the_same_words_still_alerts(answer: str, category: str) -> None:
    result = load_screener(DEFAULT_FILE, None).screen(answer)
    assert result.flagged
    assert category in result.categories


@pytest.mark.parametrize(
    "answer",
    [
        "i want to talk about the abuse at home",
        "can i talk to someone about the abuse at home",
        "i need to talk about the abuse",
        "can we talk about abuse because its happening to me",
        "i want to talk about being abused",
        "i talked to my teacher about the abuse at home",
    ],
)
def test_a_child_asking_to_talk_about_abuse_alerts_on_phrases_alone(answer: str) -> None:
    """The lesson exception names a talk someone gave; a child asking to talk is not spared (frames2)."""
    result = load_screener(DEFAULT_FILE, None).screen(answer)
    assert "physical_abuse" in result.categories


@pytest.mark.parametrize(
    "answer",
    ["we had a talk about abuse in pshe", "the police talked to us about abuse", "the talks about abuse were good"],
)
def test_a_talk_someone_gave_about_abuse_is_still_spared(answer: str) -> None:
    assert not load_screener(DEFAULT_FILE, None).screen(answer).flagged
