"""`multiple`: tick any number of options, within optional bounds (checkboxes)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from forms.problems import Fields
from forms.questions._choice import ChoiceQuestion
from forms.questions.base import AnalysisColumn, Cell, FormData, Scales


@dataclass(frozen=True)
class MultipleQuestion(ChoiceQuestion):
    """Tick one or more options."""

    min_choices: int | None = None
    max_choices: int | None = None

    type_code = "multiple"
    keys: ClassVar[tuple[str, ...]] = ("options", "scale", "min_choices", "max_choices")
    default_messages: ClassVar[Mapping[str, str]] = {
        **ChoiceQuestion.default_messages,
        "not_a_list": "Choose one or more of the answers shown",
        "repeated": "Choose each answer only once",
        "too_few": "Choose at least {min_choices} answers",
        "too_many": "Choose no more than {max_choices} answers",
        "exclusive": "Choose '{option}' on its own, or untick it",
    }
    allows_exclusive: ClassVar[bool] = True

    @classmethod
    def parse_specific(cls, fields: Fields, scales: Scales) -> dict[str, Any] | None:
        """Options plus choice bounds that the options can meet."""
        base = super().parse_specific(fields, scales)
        low = fields.number("min_choices", integer=True, minimum=1)
        high = fields.number("max_choices", integer=True, minimum=1)
        if base is None:
            return None
        count = len(base["options"].values)
        if low is not None and low > count:
            fields.error("min_choices", f"is more than the {count} options")
            return None
        if low is not None and high is not None and low > high:
            fields.error("max_choices", "must not be less than min_choices")
            return None
        base["min_choices"] = int(low) if low is not None else None
        base["max_choices"] = int(high) if high is not None else None
        return base

    def specific_json(self) -> dict[str, Any]:
        """Options and bounds."""
        data = super().specific_json()
        if self.min_choices is not None:
            data["min_choices"] = self.min_choices
        if self.max_choices is not None:
            data["max_choices"] = self.max_choices
        return data

    def from_form(self, form: FormData) -> Any:
        """All ticked boxes."""
        values = [v for v in form.get(self.id, []) if v]
        return values or None

    def clean(self, value: Any) -> Any:
        """A list of distinct option values within the bounds, in option order."""
        # Why a list's type first: a ticked list is the commonest answer, and is_blank compares it four ways.
        if type(value) is not list or not value:
            if self.is_blank(value):
                return None
            if not isinstance(value, list):
                raise self.error("not_a_list")
        order = self._order
        try:
            # Why no isinstance per value: only a string can equal an option (all strings); a list raises TypeError.
            positions = [order[v] for v in value]
        except (KeyError, TypeError):
            raise self.error("not_an_option") from None
        chosen: list[str] = value
        if len(set(positions)) != len(positions):
            raise self.error("repeated")
        if self.options.exclusive and len(chosen) > 1:
            # Why: "None of these" with a ticked option contradicts itself; asking beats guessing which they meant.
            alone = next((v for v in chosen if v in self.options.exclusive), None)
            if alone is not None:
                raise self.error("exclusive", option=self.options.label(alone))
        if self.min_choices is not None and len(chosen) < self.min_choices:
            raise self.error("too_few", min_choices=self.min_choices)
        if self.max_choices is not None and len(chosen) > self.max_choices:
            raise self.error("too_many", max_choices=self.max_choices)
        # Why sorted by position: the same option order as the definition's, without a scan per option.
        values = self.options.values
        return [values[i] for i in sorted(positions)]

    @cached_property
    def _order(self) -> dict[str, int]:
        """Each option's position, for checking and ordering ticked options in one look-up each."""
        return {v: i for i, v in enumerate(self.options.values)}

    @cached_property
    def _cells(self) -> dict[tuple[int, str], Cell]:
        """The stored cell of each option at each position, made once (a few hundred at most)."""
        values = self.options.values
        return {(i, v): Cell("", i, v, self.options.ordinal(v)) for i in range(len(values)) for v in values}

    def to_cells(self, value: Any) -> list[Cell]:
        """One cell per ticked option."""
        cells = self._cells
        return [cells.get((i, v)) or Cell("", i, v, self.options.ordinal(v)) for i, v in enumerate(value)]

    def from_cells(self, cells: Sequence[Cell]) -> Any:
        """The ticked options in stored order."""
        return [c.text for c in sorted(cells, key=lambda c: c.position)]

    def display(self, value: Any) -> list[str]:
        """One line per ticked option."""
        return [self.options.label(v) for v in value]

    def analysis_columns(self) -> list[AnalysisColumn]:
        """One column holding the ticked options as a list, in option order."""
        return [self.list_column()]

    def sample_answer(self, rng: random.Random) -> Any:
        """A few distinct options within the bounds, in option order; now and then an exclusive one alone."""
        if self.options.exclusive and (self.min_choices or 1) == 1 and rng.random() < 0.1:
            return [rng.choice(sorted(self.options.exclusive))]
        values = [v for v in self.options.values if v not in self.options.exclusive]
        low = self.min_choices or 1
        high = min(self.max_choices or len(values), len(values))
        # Why at most 3 unless more are needed: people rarely tick everything.
        chosen = set(rng.sample(values, rng.randint(low, max(low, min(high, 3)))))
        return [v for v in values if v in chosen]
