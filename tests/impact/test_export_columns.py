"""The response export's columns when a question changed kind between versions: no version's answers dropped."""

from __future__ import annotations

from forms import Survey
from tests.forms.helpers import survey_of
from voice_service.impact.response_export import columns_of


def versions(*questions: str) -> dict[str, Survey]:
    """Surveys by version label, oldest first, each with one section of the given questions."""
    return {f"v{i}": survey_of(text) for i, text in enumerate(questions, start=1)}


def test_a_number_question_that_became_text_keeps_a_column_for_each_kind() -> None:
    # Found exporting a 40-question evaluation after changing a number question to text: the column read
    # numbers only, so every answer to the new version was blank in the CSV and XLSX.
    found = columns_of(
        versions(
            "- {id: q, type: number, label: How many times}\n",
            "- {id: q, type: text, label: How often}\n",
        )
    )
    assert [(c.name, c.heading, c.number) for c in found] == [
        ("q", "How often", False),
        ("q", "How often (earlier version)", True),
    ]


def test_a_single_choice_that_became_multiple_reads_every_ticked_option_of_the_newer_answers() -> None:
    found = columns_of(
        versions(
            "- {id: q, type: single, label: Which one, options: {a: A, b: B, c: C}}\n",
            "- {id: q, type: multiple, label: Which, options: {a: A, b: B}}\n",
        )
    )
    assert [(c.name, c.heading, c.many, c.number) for c in found] == [("q", "Which", True, False)]
    assert found[0].labels == {"a": "A", "b": "B", "c": "C"}


def test_an_unchanged_question_is_one_column_with_the_newest_wording() -> None:
    found = columns_of(
        versions(
            "- {id: q, type: number, label: Old wording}\n",
            "- {id: q, type: number, label: New wording}\n",
        )
    )
    assert [(c.name, c.heading, c.number) for c in found] == [("q", "New wording", True)]
