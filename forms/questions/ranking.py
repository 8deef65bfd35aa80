"""`ranking`: put all options, or the top `max_choices`, in order (one select per place)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from forms.problems import Fields
from forms.questions._choice import ChoiceQuestion
from forms.questions.base import AnalysisColumn, Cell, FormData, Scales


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@dataclass(frozen=True)
class RankingQuestion(ChoiceQuestion):
    """Order options by preference."""

    max_choices: int | None = None

    type_code = "ranking"
    keys: ClassVar[tuple[str, ...]] = ("options", "scale", "max_choices")
    default_messages: ClassVar[Mapping[str, str]] = {
        **ChoiceQuestion.default_messages,
        "required": "Choose your 1st choice",
        "gap": "Choose your {missing} choice before your {later}",
        "not_a_list": "Put the answers in order",
        "repeated": "You chose '{option}' more than once: choose each one only once",
        "incomplete": "Put all {count} answers in order",
        "too_many": "Choose no more than {places}",
    }

    @classmethod
    def parse_specific(cls, fields: Fields, scales: Scales) -> dict[str, Any] | None:
        """Options and how many places to rank."""
        base = super().parse_specific(fields, scales)
        top = fields.number("max_choices", integer=True, minimum=1)
        if base is None:
            return None
        count = len(base["options"].values)
        if top is not None and top > count and not fields.ctx.stored:
            # Why: it was capped to the options without a word, hiding a typo or a removed option. A version
            # stored before this check still reads (capped), so its responses still analyse.
            fields.error("max_choices", f"is more than the {count} options to rank")
            return None
        base["max_choices"] = int(top) if top is not None else None
        return base

    def specific_json(self) -> dict[str, Any]:
        """Options and places."""
        data = super().specific_json()
        if self.max_choices is not None:
            data["max_choices"] = self.max_choices
        return data

    @property
    def places(self) -> int:
        """How many places are ranked."""
        count = len(self.options.values)
        return min(self.max_choices, count) if self.max_choices else count

    def field_names(self) -> list[str]:
        """One select per place."""
        return [f"{self.id}-{place}" for place in range(1, self.places + 1)]

    @property
    def anchor(self) -> str:
        """The first place's select."""
        return f"{self.id}-1"

    def from_form(self, form: FormData) -> Any:
        """The options chosen for each place, in place order."""
        chosen = []
        for name in self.field_names():
            values = [v for v in form.get(name, []) if v]
            chosen.append(values[0] if values else None)
        while chosen and chosen[-1] is None:
            chosen.pop()
        if None in chosen:
            missing = chosen.index(None)
            later = next(i for i in range(missing, len(chosen)) if chosen[i] is not None)
            raise self.error("gap", missing=ordinal(missing + 1), later=ordinal(later + 1))
        return chosen or None

    def to_form(self, value: Any) -> dict[str, Any]:
        """One select value per place."""
        value = value or []
        return {name: value[i] if i < len(value) else None for i, name in enumerate(self.field_names())}

    def clean(self, value: Any) -> Any:
        """Distinct options in rank order: all of them, or 1 to max_choices."""
        if self.is_blank(value):
            return None
        if not isinstance(value, list):
            raise self.error("not_a_list")
        ranked = [self.check_option(v) for v in value]
        if len(set(ranked)) != len(ranked):
            twice = next(v for i, v in enumerate(ranked) if v in ranked[:i])
            raise self.error("repeated", option=self.options.label(twice))
        if self.max_choices is None and len(ranked) != len(self.options.values):
            raise self.error("incomplete", count=len(self.options.values))
        if len(ranked) > self.places:
            raise self.error("too_many", places=self.places)
        return ranked

    def to_cells(self, value: Any) -> list[Cell]:
        """One cell per place; position is the rank, starting at 1."""
        return [Cell("", rank, v, float(rank)) for rank, v in enumerate(value, start=1)]

    def from_cells(self, cells: Sequence[Cell]) -> Any:
        """Options in rank order."""
        return [c.text for c in sorted(cells, key=lambda c: c.position)]

    def display(self, value: Any) -> list[str]:
        """`1. Option` lines."""
        return [f"{rank}. {self.options.label(v)}" for rank, v in enumerate(value, start=1)]

    def analysis_columns(self) -> list[AnalysisColumn]:
        """One column holding the ranked options as a list, first choice first."""
        return [self.list_column()]

    def sample_answer(self, rng: random.Random) -> Any:
        """Every option in some order, or the top 1 to `max_choices` when only those are asked for."""
        size = rng.randint(1, self.places) if self.max_choices else len(self.options.values)
        return rng.sample(self.options.values, size)
