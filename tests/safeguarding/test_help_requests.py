"""A child asking to talk, tell or get help is never spared by an exception ("talk2" round, issue 11).

Lesson and help exceptions listed bare words (talk, talked, about, find; "help me ... feel" with a
gap), and exceptions reach every form of a word, so "i want to talk about grooming" had no phrase
match. Written for this round, not taken from any evaluation set. Phrases alone, so the model
cannot rescue a request.
"""

from __future__ import annotations

import itertools

import pytest

from voice_service.safeguarding.phrasebook import DEFAULT_FILE
from voice_service.safeguarding.screening import Screener, load_screener


@pytest.fixture(scope="module")
def phrases() -> Screener:
    """The shipped phrase file alone, compiled once for this module."""
    return load_screener(DEFAULT_FILE, None)


REQUESTS = [
    "i want to talk about {}",
    "i need to tell someone about {}",
    "can i speak to someone about {}",
    "i told my teacher about {}",
    "i want help with {}",
    "im worried about {}",
    "im scared to say anything about {}",
]

TOPICS = [
    ("physical_abuse", "the abuse at home"),
    ("physical_abuse", "my dad hitting me"),
    ("sexual_abuse", "grooming"),
    ("sexual_abuse", "being groomed"),
    ("sexual_abuse", "my uncle touching me"),
    ("self_harm", "my self harm"),
    ("self_harm", "cutting myself"),
    ("suicidal_thoughts", "suicidal thoughts"),
    ("suicidal_thoughts", "wanting to kill myself"),
    ("bullying", "being bullied"),
    ("bullying", "the bullies"),
    ("criminal_exploitation", "the gang making me sell drugs"),
    ("domestic_abuse", "my dad hitting my mum"),
    ("neglect", "not being fed at home"),
    ("missing", "running away from home"),
    ("emotional_abuse", "my mum calling me worthless"),
]


@pytest.mark.parametrize(("request_", "topic"), list(itertools.product(REQUESTS, TOPICS)))
def test_every_request_about_every_harm_alerts_in_its_category(
    phrases: Screener, request_: str, topic: tuple[str, str]
) -> None:
    """Before this round 17 of these 112 had no match in their category (all grooming, bullying and 5 more)."""
    category, words = topic
    assert category in phrases.screen(request_.format(words)).categories


@pytest.mark.parametrize(
    ("answer", "category"),
    [
        ("i want to talk about being groomed online", "sexual_abuse"),
        ("can i talk to someone about sexting because a man keeps asking me", "sexual_abuse"),
        ("i talked to my mum about my self harm and she didnt care", "self_harm"),
        ("can i talk to someone about cutting", "self_harm"),
        ("i need to talk about suicidal thoughts", "suicidal_thoughts"),
        ("can i talk to someone about suicide", "suicidal_thoughts"),
        ("i told my teacher about the bullies but nothing happened", "bullying"),
        ("im being bullied and need to talk to someone", "bullying"),
        ("i was bullied and had to talk to the police", "bullying"),
        ("help me find somewhere safe to stay", "not_safe"),
        ("please help me i dont feel safe", "not_safe"),
        ("can someone help me i dont feel safe at home", "not_safe"),
        ("i cut myself on the inside of my arm", "self_harm"),
        ("i cut myself on the top of my legs", "self_harm"),
    ],
)
def test_a_request_an_exception_used_to_spare_alerts_on_phrases_alone(
    phrases: Screener, answer: str, category: str
) -> None:
    """Each had no match in its category before; five were missed by the whole screener too."""
    assert category in phrases.screen(answer).categories


@pytest.mark.parametrize(
    "answer",
    [
        "we had a talk about grooming in pshe",
        "the police talked to us about sexting",
        "we talked about consent in rse",
        "we had a talk about self harm in assembly",
        "our teacher talked about cutting and where to get help",
        "we had a talk about suicide prevention",
        "the speaker talked about suicide and mental health",
        "we had a talk about bullying in assembly",
        "the bullying talk was good",
        "we learned about bullying in pshe",
        "can you help me find the youth club",
        "i need help finding a part time job",
        "the youth workers help me feel better",
        "i cut myself on a knife cooking tea",
        "i cut myself on the fence at the park",
    ],
)
def test_a_talk_someone_gave_or_everyday_help_is_still_spared(phrases: Screener, answer: str) -> None:
    assert not phrases.screen(answer).flagged
