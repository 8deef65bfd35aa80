"""`matrix`: several rows, each answered on the same scale (a group of radios per row)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from forms.problems import MAX_ID, Fields, join
from forms.questions._choice import ChoiceQuestion, leaning_choice
from forms.questions.base import NO_OPTIONS, AnalysisColumn, Cell, FormData, Options, Scales, parse_options


@dataclass(frozen=True)
class MatrixQuestion(ChoiceQuestion):
    """Rate each row on one scale; required means every row."""

    rows: Options = NO_OPTIONS

    type_code = "matrix"
    keys: ClassVar[tuple[str, ...]] = ("rows", "options", "scale")
    default_messages: ClassVar[Mapping[str, str]] = {
        **ChoiceQuestion.default_messages,
        "required": "Choose an answer in each row of '{label}'",
        "not_rows": "Choose an answer in each row",
        "unknown_row": "'{row}' is not one of the rows",
        "row_missing": "Choose an answer for '{row}'",
    }

    @classmethod
    def parse_specific(cls, fields: Fields, scales: Scales) -> dict[str, Any] | None:
        """Rows plus the scale they are answered on."""
        base = super().parse_specific(fields, scales)
        if not fields.has("rows"):
            fields.error(None, "a matrix needs 'rows'")
            return None
        rows = parse_options(fields.ctx, fields.raw["rows"], join(fields.path, "rows"), fields.raw, "rows")
        if rows is not None and not fields.ctx.stored and (long := [r for r in rows.values if len(r) > MAX_ID]):
            # Why: each row's answer is stored under its value (row_key), which PostgreSQL keeps to 64 characters.
            fields.error("rows", f"row value '{long[0]}' must be at most {MAX_ID} characters, not {len(long[0])}")
            return None
        if base is None or rows is None:
            return None
        base["rows"] = rows
        return base

    def specific_json(self) -> dict[str, Any]:
        """Rows and options inline, in order."""
        return {"rows": self.rows.to_json(), **super().specific_json()}

    def option_values(self) -> list[str] | None:
        """A matrix can only be tested with `answered`."""
        return None

    def field_names(self) -> list[str]:
        """One radio group per row."""
        return [f"{self.id}-{row}" for row in self.rows.values]

    @property
    def anchor(self) -> str:
        """The first radio of the first row."""
        return f"{self.id}-{self.rows.values[0]}"

    def from_form(self, form: FormData) -> Any:
        """`{row: option}` for every row given."""
        answer = {}
        for row, name in zip(self.rows.values, self.field_names(), strict=True):
            values = [v for v in form.get(name, []) if v]
            if values:
                answer[row] = values[0]
        return answer or None

    def to_form(self, value: Any) -> dict[str, Any]:
        """One field per row."""
        value = value or {}
        return {f"{self.id}-{row}": value.get(row) for row in self.rows.values}

    def clean(self, value: Any) -> Any:
        """Known rows, each with an option; every row when required."""
        if self.is_blank(value):
            return None
        if not isinstance(value, dict):
            raise self.error("not_rows")
        unknown = [str(row) for row in value if row not in self.rows.values]
        if unknown:
            raise self.error("unknown_row", row=unknown[0])
        answer = {row: self.check_option(value[row]) for row in self.rows.values if value.get(row) is not None}
        if self.required and len(answer) < len(self.rows.values):
            missing = next(self.rows.label(r) for r in self.rows.values if r not in answer)
            raise self.error("row_missing", row=missing)
        return answer or None

    @cached_property
    def _cells(self) -> dict[tuple[str, str], Cell]:
        """The stored cell of each option in each row, made once."""
        return {
            (row, option): Cell(row, 0, option, self.options.ordinal(option))
            for row in self.rows.values
            for option in self.options.values
        }

    def to_cells(self, value: Any) -> list[Cell]:
        """One cell per answered row."""
        cells = self._cells
        return [
            cells.get((row, option)) or Cell(row, 0, option, self.options.ordinal(option))
            for row, option in value.items()
        ]

    def from_cells(self, cells: Sequence[Cell]) -> Any:
        """Rows back in definition order where known."""
        by_row = {c.row: c.text for c in cells}
        order = [r for r in self.rows.values if r in by_row] + [r for r in by_row if r not in self.rows.values]
        return {row: by_row[row] for row in order}

    def display(self, value: Any) -> list[str]:
        """`Row: Option` lines, in the definition's row order (a JSONB store does not keep key order)."""
        order = [r for r in self.rows.values if r in value] + [r for r in value if r not in self.rows.values]
        return [f"{self.rows.label(row)}: {self.options.label(value[row])}" for row in order]

    def analysis_columns(self) -> list[AnalysisColumn]:
        """One ordered categorical column per row, named `question.row`."""
        return [self.category_column(f"{self.id}.{row}", row, ordered=True) for row in self.rows.values]

    def sample_answer(self, rng: random.Random) -> Any:
        """Every row answered, leaning towards the later options."""
        return {row: leaning_choice(rng, self.options.values) for row in self.rows.values}
