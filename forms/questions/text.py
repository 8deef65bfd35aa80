"""`text`: a short typed answer (one-line input)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from forms.problems import Fields
from forms.questions.base import AnalysisColumn, AnswerError, Cell, FormData, Question, Scales, check_text

#: Typed answers for demo data: short and plausible, never real people's words.
SAMPLE_TEXT = (
    "More places to go in the evening that feel safe.",
    "Teachers who listen when you tell them something is wrong.",
    "Shorter waits to talk to someone about how I feel.",
    "I will check the local protocol before making a referral.",
    "Share information with school nurses earlier.",
    "Better buses at night.",
)


@dataclass(frozen=True)
class TextQuestion(Question):
    """A short typed answer."""

    max_length: int = 500

    type_code = "text"
    keys: ClassVar[tuple[str, ...]] = ("max_length",)
    default_max_length: ClassVar[int] = 500

    @classmethod
    def parse_specific(cls, fields: Fields, scales: Scales) -> dict[str, Any] | None:
        """The length limit."""
        limit = fields.number("max_length", integer=True, minimum=1)
        return {"max_length": int(limit) if limit is not None else cls.default_max_length}

    def specific_json(self) -> dict[str, Any]:
        """The length limit."""
        return {"max_length": self.max_length}

    def from_form(self, form: FormData) -> Any:
        """The typed text, as typed."""
        values = form.get(self.id, [])
        return values[0] if values and values[0].strip() else None

    #: A one-line box cannot hold a line break, so only the API could send one.
    multiline: ClassVar[bool] = False

    def clean(self, value: Any) -> Any:
        """Trimmed text within the length limit (on one line, for a one-line box)."""
        text = None if value is None else check_text(value, self.max_length)
        if text is not None and not self.multiline and ("\n" in text or "\r" in text):
            raise AnswerError(f"Answer must be on one line for: {self.label}")
        return text

    def required_message(self) -> str:
        """The error for a blank required answer."""
        return f"Enter your answer to: {self.label}"

    def to_cells(self, value: Any) -> list[Cell]:
        """One text cell."""
        return [Cell("", 0, value, None)]

    def from_cells(self, cells: Sequence[Cell]) -> Any:
        """The stored text."""
        return cells[0].text

    def analysis_columns(self) -> list[AnalysisColumn]:
        """One string column."""
        return [AnalysisColumn(self.id, "string")]

    def sample_answer(self, rng: random.Random) -> Any:
        """A plausible sentence (two lines of them in a multi-line box), cut to the length limit."""
        lines = rng.sample(SAMPLE_TEXT, 2 if self.multiline else 1)
        return "\n".join(lines)[: self.max_length].strip()
