"""`textarea`: a longer typed answer (multi-line box with a character count)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from forms.questions.text import TextQuestion


@dataclass(frozen=True)
class TextareaQuestion(TextQuestion):
    """A longer typed answer."""

    max_length: int = 5000

    type_code = "textarea"
    default_max_length: ClassVar[int] = 5000
    multiline: ClassVar[bool] = True
