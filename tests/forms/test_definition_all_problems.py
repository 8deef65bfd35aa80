"""A problem in one question never hides another: every problem is reported in one go."""

from __future__ import annotations

from forms.questions import QUESTION_TYPES
from tests.forms.helpers import HEADER, line_of, one_section, problems

Q0 = "sections[0].questions[0]"
Q1 = "sections[0].questions[1]"
KNOWN = ", ".join(QUESTION_TYPES)


def found(text: str) -> list[tuple[str, str, int | None]]:
    """Every problem as (path, message, line), in the order reported."""
    return [(p.path, p.message, p.line) for p in problems(text)]


def first_at(text: str, needle: str, path: str = f"{Q0}.id") -> str:
    """Where a duplicate's message says the id was first used: its key path and first line with `needle`."""
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if needle in row)
    return f"(first used at {path}, line {line})"


def test_duplicate_id_is_reported_when_the_first_question_has_an_unknown_key() -> None:
    text = one_section("- id: a\n  type: text\n  label: A\n  requried: true\n- id: a\n  type: text\n  label: Again\n")
    assert found(text) == [
        (f"{Q0}.requried", "unknown key 'requried' (did you mean 'required'?)", line_of(text, "requried")),
        (f"{Q1}.id", f"duplicate question id 'a' {first_at(text, '- id: a')}", line_of(text, "label: Again") - 2),
    ]


def test_duplicate_id_is_reported_when_the_first_question_has_an_unknown_type() -> None:
    text = one_section("- id: a\n  type: dropdown\n  label: A\n- {id: a, type: text, label: Again}\n")
    assert found(text) == [
        (f"{Q0}.type", f"unknown type 'dropdown' (known types: {KNOWN})", line_of(text, "dropdown")),
        (f"{Q1}.id", f"duplicate question id 'a' {first_at(text, '- id: a')}", line_of(text, "Again")),
    ]


def test_duplicate_id_is_reported_when_the_duplicate_itself_has_another_problem() -> None:
    text = one_section("- {id: a, type: text, label: A}\n- id: a\n  type: single\n  label: Again\n")
    paths = [path for path, _, _ in found(text)]
    assert sorted(paths) == sorted([Q1, f"{Q1}.id"])
    duplicate = (f"{Q1}.id", f"duplicate question id 'a' {first_at(text, 'label: A}')}", line_of(text, "- id: a"))
    assert duplicate in found(text)


def test_duplicate_id_across_sections_when_both_have_problems() -> None:
    text = (
        HEADER
        + """\
sections:
  - title: One
    questions:
      - {id: same, type: number, label: N, min: 5, max: 1}
  - title: Two
    questions:
      - {id: same, type: number, label: M, integer: maybe}
"""
    )
    assert found(text) == [
        ("sections[0].questions[0].max", "must not be less than min", line_of(text, "label: N")),
        ("sections[1].questions[0].integer", "must be true or false, not 'maybe'", line_of(text, "label: M")),
        (
            "sections[1].questions[0].id",
            f"duplicate question id 'same' {first_at(text, 'label: N', 'sections[0].questions[0].id')}",
            line_of(text, "label: M"),
        ),
    ]


def test_a_third_use_of_an_id_is_reported_too() -> None:
    text = one_section(
        "- {id: a, type: text, label: A}\n- {id: a, type: text, label: B}\n- {id: a, type: text, label: C}\n"
    )
    assert [p for p, _, _ in found(text)] == [f"{Q1}.id", "sections[0].questions[2].id"]


def test_a_malformed_id_is_reported_once_not_as_a_duplicate() -> None:
    text = one_section("- {id: 1a, type: text, label: A}\n- {id: 1a, type: text, label: B}\n")
    assert [m for _, m, _ in found(text)] == ["'1a' must start with a lowercase letter and use only a-z, 0-9 and _"] * 2


def test_same_measure_twice_is_reported_when_the_first_question_has_another_problem() -> None:
    text = one_section(
        "- {id: a, type: single, label: A, options: {x: X}, measure: age_band, requried: true}\n"
        "- {id: b, type: single, label: B, options: {y: Y}, measure: age_band}\n"
    )
    assert found(text) == [
        (f"{Q0}.requried", "unknown key 'requried' (did you mean 'required'?)", line_of(text, "id: a")),
        (f"{Q1}.measure", "measure 'age_band' is already on question 'a'", line_of(text, "id: b")),
    ]


def test_a_measure_wrong_for_its_type_is_not_also_reported_as_taken() -> None:
    text = one_section(
        "- {id: a, type: single, label: A, options: {x: X}, measure: age_band}\n"
        "- {id: b, type: text, label: B, measure: age_band}\n"
    )
    assert found(text) == [
        (f"{Q1}.measure", "measure 'age_band' needs a question of type single", line_of(text, "id: b"))
    ]


def test_an_unknown_type_does_not_hide_a_missing_label() -> None:
    text = one_section("- id: a\n  type: dropdown\n")
    assert [p for p, _, _ in found(text)] == [f"{Q0}.type", f"{Q0}.label"]
