"""The surveys we ship load, use every feature of the contract, and `python -m forms check` works."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import forms
from forms import MEASURES, Survey, load_surveys
from forms.conditions import AllOf, Answered, AnyOf, Condition, Equals, In
from forms.questions import QUESTION_TYPES

SURVEYS = Path(forms.__file__).parent / "surveys"
ROOT = Path(forms.__file__).parent.parent

EXPECTED = {
    "child-death-review-evaluation": ("delegates", "course_evaluation"),
    "hsb-evaluation": ("delegates", "course_evaluation"),
    "make-your-mark": ("young_people", "ballot"),
    "sexual-health-young-people": ("young_people", "voice"),
    "training-follow-up": ("delegates", "follow_up"),
    "working-together-a-evaluation": ("delegates", "course_evaluation"),
    "working-together-b-evaluation": ("delegates", "course_evaluation"),
    "young-people-voice": ("young_people", "voice"),
}


def measured(s: Survey, tag: str) -> Any:
    question = s.by_measure(tag)
    assert question is not None, (s.slug, tag)
    return question


@pytest.fixture(scope="module")
def shipped() -> dict[str, Survey]:
    return load_surveys(SURVEYS)


def test_all_eight_load(shipped: dict[str, Survey]) -> None:
    assert {slug: (s.audience, s.purpose) for slug, s in shipped.items()} == EXPECTED


def test_each_file_is_named_after_its_slug(shipped: dict[str, Survey]) -> None:
    for slug, s in shipped.items():
        assert Path(s.source).name == f"{slug}.yaml"


def test_every_question_type_is_used(shipped: dict[str, Survey]) -> None:
    used = {q.type_code for s in shipped.values() for q in s.questions}
    assert used == set(QUESTION_TYPES)


def condition_kinds(condition: Condition) -> set[str]:
    if isinstance(condition, AllOf | AnyOf):
        inner = set().union(*(condition_kinds(c) for c in condition.items))
        return {"all" if isinstance(condition, AllOf) else "any", *inner}
    return {{Equals: "equals", In: "in", Answered: "answered"}[type(condition)]}


def test_every_show_if_form_is_used(shipped: dict[str, Survey]) -> None:
    used: set[str] = set()
    for s in shipped.values():
        for q in s.questions:
            if q.show_if is not None:
                used |= condition_kinds(q.show_if)
    assert used == {"equals", "in", "answered", "all", "any"}


def test_measures_sit_on_allowed_types_once_per_survey(shipped: dict[str, Survey]) -> None:
    for s in shipped.values():
        tags = [q.measure for q in s.questions if q.measure]
        assert len(tags) == len(set(tags)), s.slug
        for q in s.questions:
            if q.measure:
                assert q.type_code in MEASURES[q.measure], (s.slug, q.id)


def test_ballots_have_one_ballot_choice(shipped: dict[str, Survey]) -> None:
    ballots = [s for s in shipped.values() if s.purpose == "ballot"]
    assert ballots
    for s in ballots:
        assert [q.type_code for q in s.questions if q.measure == "ballot_choice"] == ["single"]


def test_course_evaluations_carry_the_training_measures_on_shared_scales(shipped: dict[str, Survey]) -> None:
    evaluations = [s for s in shipped.values() if s.purpose == "course_evaluation"]
    assert len(evaluations) == 4
    for s in evaluations:
        for tag in ("element_rating", "change_intent", "confidence_before", "confidence_after"):
            measured(s, tag)
    first = evaluations[0]
    for s in evaluations:
        rating = measured(s, "element_rating")
        assert rating.rows.values == ["quality", "content", "trainer_knowledge", "relevance"]
        assert rating.options == measured(first, "element_rating").options
        assert measured(s, "change_intent").options.values[-1] == "very_likely"
        assert measured(s, "confidence_before").options == measured(s, "confidence_after").options


def test_follow_up_carries_its_measures(shipped: dict[str, Survey]) -> None:
    s = shipped["training-follow-up"]
    for tag in ("changed_practice", "practice_example", "impact_on_children"):
        measured(s, tag)


def test_young_peoples_surveys_are_anonymous_listed_and_share_areas(shipped: dict[str, Survey]) -> None:
    young = [s for s in shipped.values() if s.audience == "young_people"]
    assert len(young) == 3
    areas = {tuple(measured(s, "area").options.values) for s in young}
    assert len(areas) == 1
    for s in young:
        assert s.anonymous
        assert s.listed
        for tag in ("area", "age_band"):
            assert "prefer_not_to_say" in measured(s, tag).options.values
            assert not measured(s, tag).required


def test_every_page_has_a_question_and_every_survey_has_a_version(shipped: dict[str, Survey]) -> None:
    for s in shipped.values():
        assert all(page.questions for page in s.pages)
        assert [p.number for p in s.pages] == list(range(1, len(s.pages) + 1))
        assert len(s.version) == 16


# -- python -m forms check ---------------------------------------------------------------------


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "forms", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def test_check_passes_on_the_shipped_surveys(shipped: dict[str, Survey]) -> None:
    result = run_check("check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 8
    for s in shipped.values():
        assert any(line.startswith(f"ok  {s.slug} ") and s.version in line for line in lines)


def test_check_counts_one_question_in_the_singular(tmp_path: Path) -> None:
    folder = tmp_path / "surveys"
    folder.mkdir()
    (folder / "one.yaml").write_text(
        "slug: one\ntitle: One\naudience: young_people\npurpose: voice\nsections:\n"
        "  - title: Only\n    questions:\n      - id: q\n        type: text\n        label: Anything?\n",
        encoding="utf-8",
    )
    result = run_check("check", str(folder))
    assert result.returncode == 0, result.stderr
    assert " 1 question  " in result.stdout


def test_check_reports_file_line_path_message_for_a_broken_copy(tmp_path: Path) -> None:
    folder = tmp_path / "surveys"
    shutil.copytree(SURVEYS, folder)
    target = folder / "make-your-mark.yaml"
    text = target.read_text(encoding="utf-8")
    assert text.count("        type: single\n") == 3
    broken = text.replace("        type: single\n", "        type: dropdown\n", 1)
    broken = broken.replace("        max_length: 300\n", "        max_length: lots\n")
    target.write_text(broken, encoding="utf-8")
    lines = broken.splitlines()
    type_line = lines.index("        type: dropdown") + 1
    length_line = lines.index("        max_length: lots") + 1

    result = run_check("check", str(folder))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{target}:{type_line}: sections[0].questions[0].type: unknown type 'dropdown' "
        f"(known types: {', '.join(QUESTION_TYPES)})",
        f"{target}:{length_line}: sections[0].questions[1].max_length: must be a whole number, not 'lots'",
        f"2 problem(s) found in {folder}",
    ]


def test_check_without_a_command_prints_usage() -> None:
    result = run_check()
    assert result.returncode == 2
    assert "usage: python -m forms check [FOLDER]" in result.stderr
