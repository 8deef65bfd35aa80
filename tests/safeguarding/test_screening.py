"""Screening answers: normalisation, negation, third person, categories, look-alikes, odd input."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from voice_service.safeguarding.normalise import Normaliser, key
from voice_service.safeguarding.phrasebook import load_phrasebook
from voice_service.safeguarding.screening import Screener, default_screener, screen

ROOT = Path(__file__).resolve().parents[2]
#: "my dad hits me" in fullwidth letters.
FULLWIDTH = "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "my dad hits me")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Don't", "dont"),
        ("DON\u2019T", "dont"),
        ("hiiiiit", "hit"),
        ("feel", "fel"),
        ("h8", "hate"),
        ("k1ll", "kil"),
        ("hitz", "hits"),
        ("naïve", "naive"),
        ("\uff48\uff49\uff54", "hit"),
        ("2024", "2024"),
    ],
)
def test_key_folds_case_accents_apostrophes_repeats_and_leetspeak(written: str, expected: str) -> None:
    assert key(written) == expected


def test_spellings_can_expand_one_word_into_several() -> None:
    normaliser = Normaliser({"kms": ("kil", "myself")})
    assert [t.key for t in normaliser.tokens("omg KMS.")] == ["omg", "kil", "myself"]


def test_tokens_keep_their_place_in_the_original_text_and_note_punctuation() -> None:
    tokens = Normaliser({}).tokens("He hits. Me")
    assert [(t.start, t.end, t.clause_start) for t in tokens] == [(0, 2, True), (3, 7, False), (9, 11, True)]


@pytest.mark.parametrize(
    "text",
    [
        "my mums bf hits me",
        "MY MUMS BF HITS ME!!!",
        "my mum's boyfriend hiiits me",
        "my stepdad h1ts me",
        "dont feel safe",
        "i dont feel safe at home",
        "kms",
        "i want to unalive myself",
        "i sh",
        "he touches me",
        "a man sends me pics",
        "he wants nudes",
        "i'm sucidal",
    ],
)
def test_young_peoples_writing_is_flagged(text: str) -> None:
    assert screen(text).flagged


@pytest.mark.parametrize(
    "text",
    ["my friend's dad hits her", "my friend cuts herself", "my brother is being made to sell drugs"],
)
def test_third_person_is_flagged(text: str) -> None:
    assert screen(text).flagged


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("I feel safe at home", False),
        ("I don't feel safe at home", True),
        ("i dont feel unsafe", False),
        ("he never hits me", False),
        ("nobody hurts me", False),
        ("he doesn't hit me anymore", True),
        ("i dont know why he hits me", True),
        ("no one knows he hits me", True),
        ("i dont know. he hits me", True),
    ],
)
def test_negation_removes_a_match_only_within_its_clause(text: str, flagged: bool) -> None:
    assert screen(text).flagged is flagged


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my dad hits me", "physical_abuse"),
        ("someone online keeps asking me for pictures", "sexual_abuse"),
        ("there is never any food at home", "neglect"),
        ("my mum says she wishes i was never born", "emotional_abuse"),
        ("my dad hits my mum", "domestic_abuse"),
        ("i've been cutting again", "self_harm"),
        ("i want to kill myself", "suicidal_thoughts"),
        ("i keep running away from home", "missing"),
        ("older boys make me carry drugs", "criminal_exploitation"),
        ("they threatened to stab me after school", "bullying"),
        ("i'm scared of my step dad", "not_safe"),
    ],
)
def test_each_category_is_found(text: str, category: str) -> None:
    result = screen(text)
    assert category in result.categories


@pytest.mark.parametrize(
    "text",
    [
        "this survey is killing me",
        "my sister hits the gym",
        "we learned about county lines in PSHE",
        "i could murder a pizza",
        "i'm dying to go to the concert",
        "our school has an anti bullying week",
        "i need help with my maths homework",
        "more youth clubs please",
    ],
)
def test_benign_look_alikes_are_not_flagged(text: str) -> None:
    assert not screen(text).flagged


@pytest.mark.parametrize(
    "text",
    ["my nan picks me up after school", "she wants to die her hair purple", "my brother beat his personal best"],
)
def test_exceptions_remove_the_phrase_matches_of_recurring_look_alikes(text: str) -> None:
    from tests.safeguarding.evaluation import phrases_only

    # The learned model still has its say on these (an exception never silences it).
    assert not phrases_only().screen(text).flagged


def test_a_match_names_the_phrase_and_the_words_in_the_answer() -> None:
    text = "Honestly... my step dad hits me"
    result = screen(text)
    assert result.flagged
    starts = {m.span[0] for m in result.matches}
    assert min(starts) >= text.index("my")
    assert all(text[m.span[0] : m.span[1]] for m in result.matches)
    assert all(m.phrase in load_phrasebook().source or m.phrase for m in result.matches)


def test_hyperbole_about_wanting_to_die_is_flagged() -> None:
    # Why: recall first; the lead closes it as no concern in a minute.
    assert "suicidal_thoughts" in screen("the bus is so slow i want to die lol").categories


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01\x02\x1b[31m",
        "\u202e\u200b\ufeff",
        "🔪🔪🔪 😭",
        FULLWIDTH,
        "a" * 100_000,
        "hits me " * 20_000,
        "'''''''",
        "$$$ @@@ 111",
        "he\u0000hits\u0000me",
        "\ud800 lone surrogate",
    ],
)
def test_odd_input_never_crashes(text: str) -> None:
    result = screen(text)
    assert isinstance(result.flagged, bool)


def test_fullwidth_and_control_characters_do_not_hide_a_disclosure() -> None:
    assert screen(FULLWIDTH).flagged
    assert screen("he\x00hits\x00me").flagged


def test_non_text_is_not_flagged_and_does_not_crash() -> None:
    assert not default_screener().screen(None).flagged  # type: ignore[arg-type]


def test_default_screener_is_compiled_once() -> None:
    assert default_screener() is default_screener()


def test_screening_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("screening tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    screener = Screener(load_phrasebook())
    assert screener.screen("my dad hits me").flagged
    assert not screener.screen("more youth clubs please").flagged


def test_screening_imports_no_web_database_or_network_package() -> None:
    code = (
        "import sys; from voice_service.safeguarding.screening import screen; screen('he hits me'); "
        "bad = [m for m in ('litestar', 'sqlalchemy', 'urllib.request', 'http.client', 'requests', 'httpx') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "answer", ["i want to end it all", "ive been harming myself", "they said i owe them money", "i cut my arms"]
)
def test_phrases_that_match_the_same_words_come_in_phrase_file_order(answer: str) -> None:
    """Ties in span and category follow the phrase file, not string hashing (which differs per process)."""
    result = screen(answer)
    first = result.matches[0]
    tied = [m.phrase for m in result.matches if (m.span, m.category) == (first.span, first.category)]
    order = list(dict.fromkeys(p.source for p in default_screener().categories[first.category].patterns))
    assert len(tied) >= 2
    assert tied == sorted(tied, key=order.index)
