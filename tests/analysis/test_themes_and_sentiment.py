"""Themes and sentiment as pure functions, and proof that they need nothing from the network or NLTK's data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from analysis.sentiment import Sentiment, sentiment, sentiment_frame
from analysis.themes import MAKE_YOUR_MARK_THEMES, frequent_terms, named_theme_counts, terms, theme_mask, words

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = pd.Series(
    [
        "More buses at night, the bus home is scary",
        "Cheaper buses and safe parks",
        "I feel unsafe in the park at night",
        "Mental health support at school",
        "School counselling and mental health help",
    ]
)


def test_words_and_terms_leave_out_filler() -> None:
    assert words("Don\u2019t STOP the buses!") == ["don't", "stop", "the", "buses"]
    assert terms("More buses at night") == {"buses", "night"}
    assert terms("mental health support") == {"mental", "health", "support", "mental health", "health support"}


def test_words_in_any_language_stay_whole() -> None:
    # Found reading themes of my Welsh, Arabic and Urdu answers: [a-z] cut 'café' to 'caf' and 'pêl-droed' to 'p'
    # and 'l-droed' (shown as themes), and Arabic and Urdu answers had no words at all.
    assert words("Siân's café, pêl-droed 2 ŵyl") == ["siân's", "café", "pêl-droed", "ŵyl"]
    assert words("cafe\u0301 na\u00efve") == ["café", "naïve"]
    arabic = ["الحافلات متأخرة", "الحافلات قذرة", "مجھے بسیں پسند ہیں"]
    assert frequent_terms(arabic).to_dict("records") == [{"term": "الحافلات", "answers": 2}]


def test_frequent_terms_count_answers_not_words() -> None:
    table = frequent_terms(["bus bus bus", "bus stop", "stop"], minimum=2)
    assert table.to_dict("records") == [{"term": "bus", "answers": 2}, {"term": "stop", "answers": 2}]
    top = frequent_terms(ANSWERS)
    assert top.iloc[0].to_dict() == {"term": "buses", "answers": 2}
    assert {"mental health": 2}.items() <= dict(zip(top.term, top.answers, strict=True)).items()


def test_named_themes_match_whole_words_plurals_and_phrases() -> None:
    counts = named_theme_counts(ANSWERS, MAKE_YOUR_MARK_THEMES).set_index("theme")["answers"].to_dict()
    assert counts["Transport"] == 2
    assert counts["Safety"] == 2  # "safe" and "unsafe"; "scary" is not "scared"
    assert counts["Mental health"] == 2
    assert counts["Environment"] == 2  # "parks" is a plural of "park"
    assert counts["Education and Learning"] == 2
    assert theme_mask(pd.Series(["the omnibus", "a bus"]), ["bus"]).tolist() == [False, True]


def test_a_theme_word_ending_in_a_sign_matches() -> None:
    # Found with my own themes file: 'LGBTQ+' never matched, as no word boundary follows a '+'.
    texts = pd.Series(["I am LGBTQ+ and proud", "lgbtq+", "LGBTQ groups", "waited at A&E", "xlgbtq+"])
    assert theme_mask(texts, ["lgbtq+", "a&e"]).tolist() == [True, True, False, True, False]


def test_sentiment_reads_polarity_and_subjectivity() -> None:
    assert sentiment("The youth club is great and the staff are lovely").label == "positive"
    assert sentiment("The bus is horrible and the drivers are rude").label == "negative"
    assert sentiment("The bus leaves at six").label == "neutral"
    frame = sentiment_frame(pd.Series(["great", "awful"], index=[7, 8]))
    assert frame.index.tolist() == [7, 8]
    assert frame.label.tolist() == ["positive", "negative"]
    assert Sentiment(0.1, 0.5).label == "neutral"


def test_emoji_count_as_the_feeling_they_show() -> None:
    # Found scoring young people's answers written in emoji: "😭😭" and "It was rubbish 😡" were neutral.
    assert sentiment("😭😭").label == "negative"
    assert sentiment("It was rubbish 😡").label == "negative"
    assert sentiment("Youth club 👍🏽😀").label == "positive"
    assert sentiment("I ❤️ the park").label == "positive"
    assert sentiment("The bus leaves at six 🚌").label == "neutral"
    assert sentiment("Café at six") == sentiment("Cafe at six")


def test_a_negated_feeling_is_not_read_as_the_feeling() -> None:
    # Found scoring young people's answers: "I don't feel safe" was positive (+0.5), "I do not feel happy" +0.8.
    for text in ("I don't feel safe", "I dont feel safe", "I don\u2019t feel safe", "I never feel safe"):
        assert sentiment(text).label == "negative", text
    assert sentiment("I do not feel happy at school").label == "negative"
    assert sentiment("The staff isnt good").label == "negative"
    assert sentiment("I feel safe").label == "positive"
    assert sentiment("I can't wait, it's great").label == "positive"


def test_a_negative_word_denies_the_feeling_later_in_its_clause() -> None:
    # Found by an outsider: "nothing good happens here" scored +0.7; TextBlob negates only the word after no/not/never.
    for text in (
        "nothing good happens here",
        "Nothing is good here",
        "nobody is kind to me",
        "No one is nice to me",
        "none of the teachers are nice",
        "no teachers are nice",
        "there is not anything good to do",
        "I don't have any good friends",
        "I never had a good time there",
    ):
        assert sentiment(text).label == "negative", text
    # Denying a bad thing is mildly good, as TextBlob reads "not bad".
    assert sentiment("nothing bad happens here").label == "positive"
    assert sentiment("no one was mean to me").label == "positive"


def test_a_negative_word_does_not_reach_past_its_clause_or_into_an_idiom() -> None:
    for text in (
        "nothing but good things",  # exceptive "but": only good things
        "no problem, it was great",
        "No problem it was great",  # a new subject starts a new clause
        "nothing everything is good",  # "what would you change?" answered in two clauses
        "No the staff were nice",  # "no" as an answer: a determiner cannot follow the determiner "no"
        "nothing could be better",  # a comparative under a negation is praise
        "I can't wait for the fun day",
        "I would not change a thing great club",  # a plain "not" reaches a later feeling only past "any"
        "not only fun but useful",
        "I have a good friend",
    ):
        assert sentiment(text).label == "positive", text


def test_themes_and_sentiment_work_with_the_network_blocked_and_no_nltk_data(tmp_path: Path) -> None:
    code = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network blocked by the test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
import pandas as pd
from analysis.sentiment import sentiment
from analysis.themes import MAKE_YOUR_MARK_THEMES, frequent_terms, named_theme_counts
texts = pd.Series(["The buses are horrible", "Great buses and safe parks"])
assert sentiment(texts[0]).label == "negative", sentiment(texts[0])
assert sentiment(texts[1]).label == "positive"
assert frequent_terms(texts).term.tolist() == ["buses"]
counts = named_theme_counts(texts, MAKE_YOUR_MARK_THEMES).set_index("theme")["answers"]
assert counts["Transport"] == 2
try:
    socket.create_connection(("example.org", 80))
except OSError as exc:
    assert "blocked" in str(exc)
else:
    raise AssertionError("the network was not blocked")
print("offline ok")
"""
    env = {"PATH": "/usr/bin:/bin", "NLTK_DATA": str(tmp_path / "no-nltk-data"), "HOME": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=False, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "offline ok"
