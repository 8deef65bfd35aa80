"""Which options count as the good end, on the shipped course surveys (found by tag, not id)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.measures import favourable_options
from forms import load_survey_file
from forms.questions._choice import ChoiceQuestion

SURVEYS = Path(__file__).resolve().parents[2] / "forms" / "surveys"


@pytest.mark.parametrize(
    ("slug", "measure", "good"),
    [
        ("working-together-a-evaluation", "element_rating", ["good", "very_good"]),
        ("working-together-a-evaluation", "change_intent", ["likely", "very_likely"]),
        ("hsb-evaluation", "change_intent", ["likely", "very_likely"]),
        ("training-follow-up", "changed_practice", ["yes_significantly", "yes_a_little"]),
    ],
)
def test_good_end_of_shipped_questions(slug: str, measure: str, good: list[str]) -> None:
    survey = load_survey_file(SURVEYS / f"{slug}.yaml")
    question = survey.by_measure(measure)
    assert isinstance(question, ChoiceQuestion)
    assert favourable_options(question) == good


def test_answers_are_plain_values_even_when_the_frame_holds_categories() -> None:
    """Callers fill and compare answers; a categorical column would refuse "Not answered" as a fill."""
    import pandas as pd

    from analysis.frames import VERSION_COLUMN
    from analysis.measures import answers

    survey = load_survey_file(SURVEYS / "hsb-evaluation.yaml")
    question = survey.by_measure("change_intent")
    assert isinstance(question, ChoiceQuestion)
    column = pd.Categorical(["likely", None, "unlikely"], categories=list(question.options.values))
    frame = pd.DataFrame({VERSION_COLUMN: ["v1"] * 3, question.id: column})

    given = answers(frame, {"v1": survey}, "change_intent")

    assert given.dtype == object
    assert given.iloc[1] is pd.NA
    assert given.fillna("Not answered").tolist() == ["likely", "Not answered", "unlikely"]


def test_a_single_tagged_change_intent_counts_its_likely_end_as_written_lowest_first() -> None:
    """docs/forms.md writes change_intent very_unlikely ... very_likely; a single must not be read back to front."""
    from forms.definition import parse_survey

    survey = parse_survey(
        {
            "slug": "intent-as-a-single",
            "title": "Intent",
            "purpose": "course_evaluation",
            "audience": "delegates",
            "sections": [
                {
                    "title": "After the course",
                    "questions": [
                        {
                            "id": "intent",
                            "type": "single",
                            "label": "How likely are you to change what you do?",
                            "measure": "change_intent",
                            "options": {
                                "very_unlikely": "Very unlikely",
                                "unlikely": "Unlikely",
                                "likely": "Likely",
                                "very_likely": "Very likely",
                            },
                        }
                    ],
                }
            ],
        }
    )
    question = survey.by_measure("change_intent")
    assert isinstance(question, ChoiceQuestion)
    assert favourable_options(question) == ["likely", "very_likely"]
