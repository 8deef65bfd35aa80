"""`scale`: choose one point on an ordered scale (radio buttons in scale order)."""

from __future__ import annotations

from dataclasses import dataclass

from forms.questions._choice import SingleChoiceQuestion


@dataclass(frozen=True)
class ScaleQuestion(SingleChoiceQuestion):
    """Choose one point on an ordered scale; analysis may average its positions."""

    type_code = "scale"
    ordered = True
