"""`number`: a number, optionally whole and within bounds."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from forms.problems import Fields, to_number
from forms.questions.base import AnalysisColumn, Cell, FormData, Question, Scales

#: Why: beyond this a float no longer holds every whole number exactly.
LIMIT = 1e15


def _plain(bound: float) -> str:
    """A bound as people write it: 1,000,000 rather than 1e+06."""
    return f"{int(bound):,}" if bound == int(bound) else f"{bound:,}"


@dataclass(frozen=True)
class NumberQuestion(Question):
    """A number answer."""

    min: float | None = None
    max: float | None = None
    integer: bool = False
    suffix: str | None = None

    type_code = "number"
    keys: ClassVar[tuple[str, ...]] = ("min", "max", "integer", "suffix")
    default_messages: ClassVar[Mapping[str, str]] = {
        "required": "Enter a number for '{label}'",
        "not_a_number": "Enter a number, like 3",
        "not_whole": "Enter a whole number, like 3",
        "too_small": "Enter a number of {min} or more",
        "too_large": "Enter a number of {max} or less",
    }

    @classmethod
    def parse_specific(cls, fields: Fields, scales: Scales) -> dict[str, Any] | None:
        """Bounds, whole-number rule and the unit shown after the box."""
        integer = fields.boolean("integer", False)
        low, high = fields.number("min", integer=integer), fields.number("max", integer=integer)
        suffix = fields.text("suffix")
        if low is not None and high is not None and low > high:
            fields.error("max", "must not be less than min")
            return None
        return {"min": low, "max": high, "integer": integer, "suffix": suffix}

    def specific_json(self) -> dict[str, Any]:
        """Bounds and rules, only those given."""
        data: dict[str, Any] = {"integer": self.integer}
        for key in ("min", "max"):
            bound = getattr(self, key)
            if bound is not None:
                data[key] = int(bound) if self.integer else bound
        if self.suffix:
            data["suffix"] = self.suffix
        return data

    def from_form(self, form: FormData) -> Any:
        """A typed number; words are an error here rather than a blank."""
        values = form.get(self.id, [])
        text = values[0].strip() if values else ""
        if not text:
            return None
        number = to_number(text)
        if number is None:
            raise self.error("not_a_number")
        return number

    def clean(self, value: Any) -> Any:
        """A finite number within bounds; an int for whole-number questions."""
        if value is None:
            return None
        if type(value) is int and self.integer and -LIMIT <= value <= LIMIT:
            # Why: a whole number typed for a whole-number question is the commonest answer; to_number
            # would make it a float and back, which is exact within LIMIT.
            number: Any = value
            if self.min is not None and number < self.min:
                raise self.error("too_small", min=_plain(self.min))
            if self.max is not None and number > self.max:
                raise self.error("too_large", max=_plain(self.max))
            return number
        number = to_number(value) if isinstance(value, int | float) else None
        if number is None or abs(number) > LIMIT:
            raise self.error("not_a_number")
        if self.integer:
            if number != int(number):
                raise self.error("not_whole")
            number = int(number)
        if self.min is not None and number < self.min:
            raise self.error("too_small", min=_plain(self.min))
        if self.max is not None and number > self.max:
            raise self.error("too_large", max=_plain(self.max))
        return number

    def to_form(self, value: Any) -> dict[str, Any]:
        """The number as typed back into the box."""
        # Why repr: `:g` keeps 6 digits, so 1234567 came back as 1.23457e+06 and was saved rounded.
        text = repr(value).removesuffix(".0") if isinstance(value, float) else str(value)
        return {self.id: None if value is None else text}

    def to_cells(self, value: Any) -> list[Cell]:
        """One number cell."""
        return [Cell("", 0, None, float(value))]

    def from_cells(self, cells: Sequence[Cell]) -> Any:
        """The stored number, whole where the question asks for it."""
        number = cells[0].number
        return int(number) if self.integer and number is not None else number

    def display(self, value: Any) -> list[str]:
        """The number with its unit."""
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.10g}"
        return [f"{text} {self.suffix}" if self.suffix else text]

    def analysis_columns(self) -> list[AnalysisColumn]:
        """One nullable float column (whole numbers too, so one missing answer does not change the type)."""
        return [AnalysisColumn(self.id, "Float64", source="value_number")]

    def sample_answer(self, rng: random.Random) -> Any:
        """A number within the bounds, near the lower one (a span of 10 at most)."""
        low = self.min if self.min is not None else min(0.0, self.max if self.max is not None else 0.0)
        high = min(self.max if self.max is not None else low + 10, low + 10)
        if self.integer:
            return rng.randint(math.ceil(low), math.floor(high))
        # Why clamp: rounding to one decimal place could step just outside a bound.
        return min(max(round(rng.uniform(low, high), 1), low), high)
