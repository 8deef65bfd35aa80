"""The learned second opinion: trained on its examples and the ten earlier sets, scored exactly, blind to later sets."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.safeguarding.evaluation import (
    ELEVENTH,
    NINETEENTH,
    SETS,
    TENTH,
    UNSEEN,
    evaluate,
    fitted_here,
    held_out_parts,
    load_items,
    phrases_only,
)
from tests.safeguarding.loso_training import LATER, TRAINABLE, TRAINED_LATER
from voice_service.cli import main
from voice_service.safeguarding.examples import (
    EXAMPLES_FILE,
    SETS_FILE,
    load_examples,
    parse_examples,
    same_text,
    training_examples,
)
from voice_service.safeguarding.learned import DISCLOSURE, THRESHOLD
from voice_service.safeguarding.phrasebook import DEFAULT_FILE, PhrasebookError
from voice_service.safeguarding.screening import LEARNED, default_screener, load_screener
from voice_service.safeguarding.second_look import marks

#: Everyday answers to "what would make your area better?" and the like, none of them in the examples.
EVERYDAY = [
    "More youth clubs please, and cheaper buses. The skate park is good but it closes too early.",
    "i like my school the teachers are kind but there is nothing to do at weekends in my area",
    "I think young people should be listened to more. We should have a say in what happens in York.",
    "better wifi at school and more football pitches",
    "My mum helps me with reading. I feel safe at home and at school.",
    "More places to go in the evening that feel safe.",
    "Teachers who listen when you tell them something is wrong.",
    "Shorter waits to talk to someone about how I feel.",
    "Better buses at night, and cheaper ones.",
    "the food at lunch is nice but too expensive",
    "a bigger library with computers",
    "i enjoy drama club and want more shows",
    "cleaner streets and more bins",
    "lessons about money and jobs",
    "no idea sorry",
]


def later_phrasings_in(*files: Path) -> list[str]:
    """The phrasings of sets not trained on (the nineteenth on) that any of `files` trains on."""
    categories = default_screener().categories
    trained = {same_text(e.text) for f in files for e in load_examples(f, categories)}
    return sorted(i.text for name in LATER for i in load_items(SETS[name]) if same_text(i.text) in trained)


def test_the_ten_earlier_sets_are_trained_on_and_no_later_phrasing_is_in_either_training_file() -> None:
    # Since the "ship" round (docs/safeguarding.md) the first to tenth sets are training data, by name.
    ten = ("main", "extra", "unseen", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
    assert set(TRAINABLE.values()) == set(ten)
    trained = {same_text(e.text) for e in training_examples(EXAMPLES_FILE, default_screener().categories)}
    assert {same_text(i.text) for i in load_items(TENTH)} - {same_text(i.text) for i in load_items(ELEVENTH)} <= (
        trained
    )
    # Since "data2" the eleventh to eighteenth are trained on too, since "data3" the twenty-first to twenty-sixth;
    # the nineteenth, twentieth, twenty-seventh and twenty-eighth test the model: none of theirs in training.
    later = ("eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth")
    # And since "data3" the twenty-first to twenty-sixth, since "data4" the twenty-ninth to fortieth.
    later += ("twentyfirst", "twentysecond", "twentythird", "twentyfourth", "twentyfifth", "twentysixth")
    later += ("twentyninth", "thirtieth", "thirtyfirst", "thirtysecond", "thirtythird", "thirtyfourth")
    later += ("thirtyfifth", "thirtysixth", "thirtyseventh", "thirtyeighth", "thirtyninth", "fortieth")
    # And since "data5" the forty-first to fifty-sixth.
    later += ("fortyfirst", "fortysecond", "fortythird", "fortyfourth", "fortyfifth", "fortysixth", "fortyseventh")
    later += ("fortyeighth", "fortyninth", "fiftieth", "fiftyfirst", "fiftysecond", "fiftythird", "fiftyfourth")
    later += ("fiftyfifth", "fiftysixth")
    assert later == TRAINED_LATER
    # Less any phrasing a set that tests the model says too: it is never trained on.
    tested = {same_text(i.text) for name in LATER for i in load_items(SETS[name])}
    assert {same_text(i.text) for name in later for i in load_items(SETS[name])} - tested <= trained
    assert set(LATER) >= {"nineteenth", "twentieth", "twentyseventh", "twentyeighth", "fiftyseventh", "sixtyfourth"}
    assert set(LATER) == set(SETS) - set(ten) - set(later)
    assert later_phrasings_in(EXAMPLES_FILE, SETS_FILE) == []


def test_a_later_sets_phrasing_in_a_training_file_is_found(tmp_path: Path) -> None:
    phrasing = load_items(NINETEENTH)[0].text
    copy = tmp_path / "sets.yaml"
    text = SETS_FILE.read_text(encoding="utf-8").replace("    - ", f"    - {json.dumps(phrasing)}\n    - ", 1)
    copy.write_text(text, encoding="utf-8")
    assert later_phrasings_in(EXAMPLES_FILE, copy) == [phrasing]


def test_the_examples_cover_every_category_with_disclosures_and_look_alikes() -> None:
    screener = default_screener()
    examples = load_examples(EXAMPLES_FILE, screener.categories)
    for category in screener.categories:
        assert sum(e.disclosure and e.category == category for e in examples) >= 20, category
        assert sum(not e.disclosure and e.category == category for e in examples) >= 10, category


def test_the_fast_scorer_gives_scikit_learns_probability() -> None:
    screener = default_screener()
    model = fitted_here()
    texts = [i.text for i in load_items(UNSEEN)] + EVERYDAY + ["", "!!!", "kms kms kms kms", "zzzzqqq"]
    words = [screener.words(t) for t in texts]
    column = list(model.decision.classes_).index(DISCLOSURE)
    expected = model.decision.predict_proba([" ".join(w) for w in words])[:, column]
    for text, w, p in zip(texts, words, expected, strict=True):
        assert math.isclose(model.chance(w), float(p), rel_tol=1e-9, abs_tol=1e-12), text


def test_the_category_scorer_picks_scikit_learns_category() -> None:
    screener = default_screener()
    model = fitted_here()
    texts = [i.text for i in load_items(UNSEEN) if i.disclosure] + ["", "zzzzqqq"]
    words = [screener.words(t) for t in texts]
    expected = model.category.predict([" ".join(w) for w in words])
    assert [model.category_of(w) for w in words] == [str(c) for c in expected]


def test_the_model_trained_in_a_child_process_scores_as_onefitted_here() -> None:
    screener = default_screener()
    shipped, here = screener.model, fitted_here()
    assert shipped is not None
    # Only plain weights came back from the child process.
    assert shipped.decision is None
    assert shipped.category is None
    texts = [i.text for i in load_items(UNSEEN)] + EVERYDAY
    for text in texts:
        words = screener.words(text)
        assert shipped.chance(words) == here.chance(words), text
        assert shipped.category_of(words) == here.category_of(words), text
    # And its second look (second_look.py), plain weights too.
    assert shipped.second_look is not None
    assert here.second_look is not None
    assert shipped.second_look.decision is None
    for text in texts:
        words, made = screener.words(text), marks(screener.phrases(text), screener.book)
        assert shipped.second_look.chance(words, made) == here.second_look.chance(words, made), text


def test_the_service_never_loads_scikit_learn_itself() -> None:
    code = (
        "import sys; from voice_service.safeguarding.screening import default_screener; "
        "assert default_screener().screen('my step dad hits me when he is drunk').flagged; "
        "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_model_catches_what_no_phrase_says_and_names_a_category() -> None:
    screener = default_screener()
    caught = [
        i.text
        for i in load_items(UNSEEN)
        if i.disclosure and not phrases_only().screen(i.text).flagged and screener.screen(i.text).flagged
    ]
    assert len(caught) >= 10
    result = screener.screen(caught[0])
    assert [m.phrase for m in result.matches] == [LEARNED]
    start, end = result.matches[0].span
    # The whole answer is what matched.
    assert caught[0][:start].strip() == ""
    assert caught[0][end:].strip(" .!?") == ""
    assert result.categories[0] in screener.categories


@pytest.mark.parametrize(
    ("text", "flagged"),
    [("I feel safe at home", False), ("I don't feel safe at home", True), ("i feel safe at school and online", False)],
)
def test_the_model_reads_a_negation_up_to_the_end_of_its_clause(text: str, flagged: bool) -> None:
    screener = default_screener()
    assert screener.model is not None
    assert (screener.model.chance(screener.words(text)) >= THRESHOLD) is flagged


def test_words_after_a_negation_are_marked_until_the_clause_ends() -> None:
    words = default_screener().words("i dont feel safe at home. i dont know why he hits me")
    first = ["i", "dont", "not_fel", "not_safe", "not_at", "not_home"]
    second = ["i", "dont", "not_know", "why", "he", "hits", "me"]
    assert words == [*first, *second]


@pytest.mark.parametrize("text", ["Home", "none at all", "Someone else", "no token"])
def test_answers_of_fewer_than_four_words_are_left_to_the_phrases(text: str) -> None:
    assert not default_screener().screen(text).flagged


def test_a_phrase_match_is_reported_as_the_phrase_not_the_model() -> None:
    result = default_screener().screen("my dad hits me")
    assert result.flagged
    assert LEARNED not in [m.phrase for m in result.matches]


def test_at_most_one_everyday_answer_in_ten_raises_an_alert() -> None:
    screener = default_screener()
    alarms = [t for t in EVERYDAY if screener.screen(t).flagged]
    assert len(alarms) <= len(EVERYDAY) // 10, alarms


def test_recall_is_at_least_94_percent_on_every_set_and_never_below_the_phrases() -> None:
    # Since the "ship" round the first to tenth parts are trained on (in-sample: 99.2% recall or more,
    # at most 22.5% false alarms); the eleventh was out of set here (95.8%, 161/168; 32.5%, 65/200) until
    # "data2" trained on it too.
    # The floors below were measured when they were all held out, and stay below today's figures.
    for name, items in held_out_parts().items():
        alone = evaluate(items, phrases_only())["all"]
        both = evaluate(items)["all"]
        # The aim is 95%. At threshold 0.3 and no veto (docs/safeguarding.md, 2026-12-03 08:00) the first
        # to seventh parts are at 98.3% (sixth, 119/121) or above, the eighth at 95.9% (116/121), the
        # ninth at 97.5% (155/159) and the tenth at 94.9% (148/156); none was lower at 0.4 / 0.05. The
        # eleventh, scored once at 0.3 / no veto (2026-12-03, data round): 95.2% (160/168).
        floors = {"eighth (all)": 0.95, "ninth (all)": 0.97, "tenth (all)": 0.94, "eleventh (all)": 0.95}
        floor = floors.get(name, 0.98)
        assert both.recall >= floor, f"{name}: recall {both.recall:.1%}"
        assert both.recall >= alone.recall, name
        # The known cost, measured at 0.3 / no veto: at most 19.8% on the first to sixth parts (sixth,
        # 25/126), 26.0% (38/146) on the seventh, 28.2% (44/156) on the eighth, 29.7% (58/195) on the
        # ninth and 32.6% (61/187) on the tenth; at 0.4 / 0.05 they were 19%, 21%, 26% and 27%. The
        # eleventh, scored once at 0.3 / no veto: 33.5% (67/200); 31.0% (62/200) with the "phrases" round's exceptions.
        ceilings = {"seventh (all)": 0.27, "eighth (all)": 0.29, "ninth (all)": 0.30, "tenth (all)": 0.33}
        ceilings["eleventh (all)"] = 0.31
        ceiling = ceilings.get(name, 0.20)
        assert both.false_alarm_rate <= ceiling, f"{name}: false alarms {both.false_alarm_rate:.1%}"


def test_a_screener_without_examples_screens_by_phrases_alone() -> None:
    screener = load_screener(DEFAULT_FILE, None)
    assert screener.model is None
    assert not screener.screen("i just want it all to stop").flagged
    assert default_screener().model is not None
    assert default_screener().model.threshold == THRESHOLD  # type: ignore[union-attr]


CATEGORIES = ["physical_abuse", "self_harm"]


def problems(text: str) -> str:
    with pytest.raises(PhrasebookError) as refused:
        parse_examples(text, "examples.yaml", CATEGORIES)
    return str(refused.value)


def test_an_examples_file_is_read_by_category() -> None:
    text = """\
disclosures:
  physical_abuse:
    - "he hits me"
  self_harm:
    - "i cut myself"
ordinary:
  general:
    - "more buses"
"""
    examples = parse_examples(text, "examples.yaml", CATEGORIES)
    assert [(e.text, e.category, e.disclosure) for e in examples] == [
        ("he hits me", "physical_abuse", True),
        ("i cut myself", "self_harm", True),
        ("more buses", "general", False),
    ]


def test_a_broken_examples_file_is_refused_with_each_line() -> None:
    text = """\
disclosures:
  physical_abuse:
    - "he hits me"
    - ""
  grooming:
    - "a man asks for pics"
ordinary:
  general: []
extras: 1
"""
    message = problems(text)
    assert "examples.yaml:4: disclosures.physical_abuse[1]: must be non-empty text" in message
    assert "examples.yaml:5: disclosures.grooming: unknown category" in message
    assert "examples.yaml:8: ordinary.general: must be a non-empty list of examples" in message
    assert "examples.yaml:9: extras: unknown key 'extras'" in message


def test_every_category_needs_disclosure_examples() -> None:
    text = 'disclosures:\n  physical_abuse:\n    - "he hits me"\nordinary:\n  general:\n    - "ok"\n'
    assert "every category needs examples; none for self_harm" in problems(text)


def test_the_cli_checks_a_draft_examples_file(tmp_path: Path) -> None:
    draft = tmp_path / "examples.yaml"
    draft.write_text('disclosures:\n  nonsense:\n    - "x"\nordinary:\n  general:\n    - "ok"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["safeguarding", "check-phrases", "--examples", str(draft)])
    assert result.exit_code == 1
    assert f"{draft}:2: disclosures.nonsense: unknown category" in result.output
    assert "problem(s) in the screening examples file" in result.output


def test_the_cli_passes_the_shipped_examples_file() -> None:
    result = CliRunner().invoke(main, ["safeguarding", "check-phrases"])
    assert result.exit_code == 0, result.output
    assert "examples" in result.output
