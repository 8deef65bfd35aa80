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


# --------------------------------------------------------------------------- the prefilled database


def prefill_module() -> ModuleType:
    """bench/prefill.py, whose imports expect bench/ on the path as when run as a script."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        return bench_module("prefill")
    finally:
        sys.path.remove(str(ROOT / "bench"))


def test_the_prefill_cache_is_keyed_by_the_head_of_the_migration_chain() -> None:
    from alembic.script import ScriptDirectory

    prefill = prefill_module()
    head = ScriptDirectory(str(ROOT / "voice_service" / "migrations")).get_current_head()
    assert prefill.schema_revision() == head
    assert f"rev{head}-500000-" in prefill.cache_path("sqlite", 500_000).name


def test_clones_past_the_retry_window_carry_forgotten_keys_and_the_others_plain_ones() -> None:
    prefill = prefill_module()
    clones = prefill.Clones(3000)
    window = prefill.timedelta(hours=prefill.KEY_HOURS)
    young = [key for key, age in zip(clones.keys, clones.ages, strict=True) if age < window]
    old = [key for key, age in zip(clones.keys, clones.ages, strict=True) if age >= window]
    assert young  # about 8 in 3,000 fall within a day of a year
    assert all(key.startswith("prefill-") for key in young)
    assert all(key.startswith("forgotten:") for key in old)
    assert len(set(clones.keys)) == 3000


def test_cloning_copies_each_template_response_with_its_rows_under_a_new_identity(tmp_path: Path) -> None:
    import sqlite3
    import uuid

    prefill = prefill_module()
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE response (
                id BLOB PRIMARY KEY, submission_key TEXT UNIQUE, submitted_at TEXT, survey_slug TEXT
            );
            CREATE TABLE answer (
                response_id BLOB, question_id TEXT, value_text TEXT, PRIMARY KEY (response_id, question_id)
            );
            CREATE TABLE answer_sentiment (response_id BLOB, question_id TEXT, polarity REAL);
            CREATE TABLE job (id INTEGER PRIMARY KEY, kind TEXT);
            """
        )
        a, b = uuid.uuid4().bytes, uuid.uuid4().bytes
        conn.executemany(
            "INSERT INTO response VALUES (?, ?, ?, ?)",
            [(a, "t-1", "2026-12-02 07:00:00+00:00", "ballot"), (b, "t-2", "2026-12-02 07:00:00+00:00", "long")],
        )
        conn.executemany("INSERT INTO answer VALUES (?, ?, ?)", [(a, "vote", "x"), (b, "q1", "y"), (b, "q2", "z")])
        conn.execute("INSERT INTO answer_sentiment VALUES (?, 'q2', 0.5)", (b,))
        conn.execute("INSERT INTO job VALUES (1, 'kept as it is')")

    prefill.clone_sqlite(path, 10)

    with sqlite3.connect(path) as conn:
        clones = conn.execute(
            "SELECT id, submission_key, submitted_at, survey_slug FROM response WHERE submission_key NOT LIKE 't-%'"
        ).fetchall()
        assert len({k for _i, k, _t, _s in clones}) == 10
        template_time = prefill.datetime.fromisoformat("2026-12-02 07:00:00+00:00")
        for _rid, key, at, _slug in clones:
            # Past the retry window a clone's key is forgotten, as retention leaves it; within it, a plain key.
            if template_time - prefill.datetime.fromisoformat(at) >= prefill.timedelta(hours=prefill.KEY_HOURS):
                assert key.startswith("forgotten:")
                assert len(key) == len("forgotten:") + 32
            else:
                assert key.startswith("prefill-")
        ids = [uuid.UUID(bytes=i) for i, _k, _t, _s in clones]
        assert len(set(ids)) == 10
        assert {i.version for i in ids} == {4}
        assert a not in {i.bytes for i in ids}
        for rid, _key, at, slug in clones:
            stamp = prefill.datetime.fromisoformat(at)
            assert stamp <= prefill.datetime.fromisoformat("2026-12-02 07:00:00+00:00")
            assert (stamp.minute, stamp.second) == (0, 0)  # whole hours, as anonymous responses are stored
            answers = conn.execute("SELECT question_id FROM answer WHERE response_id = ?", (rid,)).fetchall()
            assert sorted(q for (q,) in answers) == (["vote"] if slug == "ballot" else ["q1", "q2"])
            scored = conn.execute("SELECT COUNT(*) FROM answer_sentiment WHERE response_id = ?", (rid,)).fetchone()[0]
            assert scored == (0 if slug == "ballot" else 1)
        assert conn.execute("SELECT COUNT(*) FROM response").fetchone()[0] == 12
        assert conn.execute("SELECT COUNT(*) FROM job").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
