"""The benchmarks post answers the form engine accepts: bench/shapes.py's generator and bench/wrk_submit.lua's sets."""

from __future__ import annotations

import importlib.util
import json
import random
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from forms import load_surveys, validate_answers
from forms.engine import is_shown

ROOT = Path(__file__).resolve().parent.parent
SURVEYS = load_surveys(ROOT / "forms" / "surveys")


def bench_module(name: str) -> ModuleType:
    """A module of bench/ (a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


shapes = bench_module("shapes")


def definition(slug: str) -> dict:
    return {"slug": slug, **SURVEYS[slug].to_json()}


@pytest.mark.parametrize("shape", sorted(shapes.SHAPES))
def test_every_shape_posts_answers_the_engine_accepts(shape: str) -> None:
    rng = random.Random(1)  # noqa: S311 - repeatable test data, not secrets
    for slug in shapes.SHAPES[shape]:
        for _ in range(50):
            answers = shapes.answer_sets(definition(slug), rng)
            result = validate_answers(SURVEYS[slug], answers)
            assert result.ok, (slug, answers, result.errors)


def test_the_sixteen_question_shape_answers_every_question_including_the_conditional_ones() -> None:
    survey = SURVEYS[shapes.LONG_SURVEY]
    assert len(survey.questions) == 16
    assert any(q.show_if is not None for q in survey.questions)
    rng = random.Random(2)  # noqa: S311 - repeatable test data, not secrets
    for _ in range(20):
        answers = shapes.answer_sets(definition(shapes.LONG_SURVEY), rng)
        assert set(answers) == {q.id for q in survey.questions}


def test_show_if_reads_conditions_as_the_engine_does() -> None:
    rng = random.Random(3)  # noqa: S311 - repeatable test data, not secrets
    for slug in SURVEYS:
        conditional = [q for q in SURVEYS[slug].questions if q.show_if is not None]
        by_id = {q["id"]: q for s in definition(slug)["sections"] for q in s["questions"]}
        for _ in range(30):
            answers = shapes.valid_answers(definition(slug), rng, conditional=True)
            for q in conditional:
                assert shapes.shown(by_id[q.id]["show_if"], answers) == is_shown(q, answers), (slug, q.id)


def test_stored_rows_counts_a_row_per_list_item_and_matrix_row() -> None:
    assert shapes.stored_rows({"a": "x", "b": ["p", "q"], "c": {"r1": "v", "r2": "w", "r3": "v"}, "d": 3}) == 7


def test_the_wrk_script_posts_answers_the_engine_accepts() -> None:
    lua = (ROOT / "bench" / "wrk_submit.lua").read_text()
    blocks = re.findall(r'\["([a-z0-9-]+)"\] = \{(.*?)\n  \}', lua, re.S)
    assert {slug for slug, _ in blocks} == {shapes.SMALL_SURVEY, shapes.RICH_SURVEY, shapes.LONG_SURVEY}
    for slug, block in blocks:
        sets = re.findall(r"'(\{.*\})'", block)
        assert len(sets) == 3, slug
        for text in sets:
            result = validate_answers(SURVEYS[slug], json.loads(text))
            assert result.ok, (slug, text, result.errors)
    long_sets = dict(blocks)[shapes.LONG_SURVEY]
    assert all(len(json.loads(t)) == 16 for t in re.findall(r"'(\{.*\})'", long_sets))
