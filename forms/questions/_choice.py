"""Shared parts of the question types answered from a list of options."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from forms.problems import Fields, join
from forms.questions.base import (
    NO_OPTIONS,
    AnalysisColumn,
    Cell,
    Options,
    Question,
    Scales,
    parse_options,
)


def read_options(fields: Fields, scales: Scales) -> Options | None:
    """The options of a question: inline `options:` or a named `scale:`."""
    if fields.has("options") and fields.has("scale"):
        fields.error("scale", "give either 'options' or 'scale', not both")
        return None
    if fields.has("scale"):
        name = fields.raw["scale"]
        if not isinstance(name, str) or name not in scales:
            known = ", ".join(sorted(scales)) or "none defined"
            fields.error("scale", f"scale '{name}' is not defined (known scales: {known})")
            return None
        return scales[name]
    if not fields.has("options"):
        fields.error(None, "needs 'options' or 'scale'")
        return None
    return parse_options(fields.ctx, fields.raw["options"], join(fields.path, "options"), fields.raw, "options")


def leaning_choice(rng: random.Random, values: Sequence[str]) -> str:
    """One value, later ones likelier.

    Why: demo scales run from negative to positive, and real evaluations lean positive,
    so demo charts should too.
    """
    return rng.choices(values, weights=range(1, len(values) + 1))[0]


@dataclass(frozen=True)
class ChoiceQuestion(Question):
    """A question answered by picking from options."""

    options: Options = NO_OPTIONS

    keys: ClassVar[tuple[str, ...]] = ("options", "scale")
    default_messages: ClassVar[Mapping[str, str]] = {
        "required": "Choose an answer to '{label}'",
        "not_an_option": "Choose one of the answers shown",
    }
    #: Whether an option may be marked `exclusive` (only where several can be ticked).
    allows_exclusive: ClassVar[bool] = False

    @classmethod
    def parse_specific(cls, fields: Fields, scales: Scales) -> dict[str, Any] | None:
        """Read the options."""
        options = read_options(fields, scales)
        if options is not None and options.exclusive and not cls.allows_exclusive:
            where = "scale" if fields.has("scale") else "options"
            fields.error(where, "only a 'multiple' question can have exclusive options")
            return None
        return None if options is None else {"options": options}

    def specific_json(self) -> dict[str, Any]:
        """Options inline, in order."""
        return {"options": self.options.to_json()}

    def option_values(self) -> list[str] | None:
        """The values a show_if may name."""
        return self.options.values

    def check_option(self, value: Any) -> str:
        """One valid option value."""
        if not isinstance(value, str) or not self.options.has(value):
            raise self.error("not_an_option")
        return value

    def category_column(self, name: str, row_key: str = "", *, ordered: bool) -> AnalysisColumn:
        """A categorical column over the options, reading the chosen option's value."""
        return AnalysisColumn(name, "category", row_key=row_key, categories=tuple(self.options.values), ordered=ordered)

    def list_column(self) -> AnalysisColumn:
        """One column holding the chosen options as a list, in stored position order."""
        return AnalysisColumn(self.id, "object", many=True)


@dataclass(frozen=True)
class SingleChoiceQuestion(ChoiceQuestion):
    """One option from a list (single, scale)."""

    #: Whether the option order ranks the answers (so analysis may compare and average them).
    ordered: ClassVar[bool] = False

    def clean(self, value: Any) -> Any:
        """One of the option values."""
        if isinstance(value, str) and value in self._cells:
            return value  # Why first: an option is by far the commonest answer, and this is one lookup.
        return None if self.is_blank(value) else self.check_option(value)

    @cached_property
    def _cells(self) -> dict[str, Cell]:
        """The one stored cell of each option, made once (every submission stores one per answer)."""
        return {value: Cell("", 0, value, self.options.ordinal(value)) for value in self.options.values}

    def to_cells(self, value: Any) -> list[Cell]:
        """One cell with the value and its position in the list."""
        return [self._cells[value]]

    def from_cells(self, cells: Sequence[Cell]) -> Any:
        """The stored option value."""
        return cells[0].text

    def display(self, value: Any) -> list[str]:
        """The option's label."""
        return [self.options.label(value)]

    def analysis_columns(self) -> list[AnalysisColumn]:
        """One categorical column of the options (ordered for a scale)."""
        return [self.category_column(self.id, ordered=self.ordered)]

    def sample_answer(self, rng: random.Random) -> Any:
        """One option, leaning towards the later ones."""
        return leaning_choice(rng, self.options.values)
