"""`single`: choose one option (radio buttons)."""

from __future__ import annotations

from dataclasses import dataclass

from forms.questions._choice import SingleChoiceQuestion


@dataclass(frozen=True)
class SingleQuestion(SingleChoiceQuestion):
    """Choose one option from a list."""

    type_code = "single"
