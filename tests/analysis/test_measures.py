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
