"""Structured `show_if` conditions: parsed from a definition, evaluated against answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.problems import Fields, ParseContext, join

Answers = Mapping[str, Any]


def _contains(answer: Any, value: str) -> bool:
    """An answer matches a value: equal, or for a list answer, among its items."""
    if isinstance(answer, list):
        return value in answer
    return bool(answer == value)


@dataclass(frozen=True)
class Equals:
    """`{question: ID, equals: V}`."""

    question: str
    value: str

    def holds(self, answers: Answers) -> bool:
        """Whether the condition is true for these answers."""
        return _contains(answers.get(self.question), self.value)

    def refers_to(self) -> list[tuple[str, list[str]]]:
        """The questions and option values this condition names."""
        return [(self.question, [self.value])]

    def to_json(self) -> dict[str, Any]:
        """The normalised definition form."""
        return {"question": self.question, "equals": self.value}


@dataclass(frozen=True)
class In:
    """`{question: ID, in: [V, ...]}`."""

    question: str
    values: tuple[str, ...]

    def holds(self, answers: Answers) -> bool:
        """Whether the condition is true for these answers."""
        answer = answers.get(self.question)
        if isinstance(answer, list):
            return any(value in answer for value in self.values)
        # Why `in`, not a generator of `==`: every value is a string, so identity-or-equality is equality.
        return answer in self.values

    def refers_to(self) -> list[tuple[str, list[str]]]:
        """The questions and option values this condition names."""
        return [(self.question, list(self.values))]

    def to_json(self) -> dict[str, Any]:
        """The normalised definition form."""
        return {"question": self.question, "in": list(self.values)}


@dataclass(frozen=True)
class Answered:
    """`{question: ID, answered: true}` (or false: shown while it is unanswered)."""

    question: str
    answered: bool

    def holds(self, answers: Answers) -> bool:
        """Whether the condition is true for these answers."""
        return (answers.get(self.question) is not None) == self.answered

    def refers_to(self) -> list[tuple[str, list[str]]]:
        """The questions and option values this condition names."""
        return [(self.question, [])]

    def to_json(self) -> dict[str, Any]:
        """The normalised definition form."""
        return {"question": self.question, "answered": self.answered}


@dataclass(frozen=True)
class AllOf:
    """`{all: [cond, ...]}`: every condition holds."""

    items: tuple[Condition, ...]

    def holds(self, answers: Answers) -> bool:
        """Whether the condition is true for these answers."""
        return all(item.holds(answers) for item in self.items)

    def refers_to(self) -> list[tuple[str, list[str]]]:
        """The questions and option values this condition names."""
        return [ref for item in self.items for ref in item.refers_to()]

    def to_json(self) -> dict[str, Any]:
        """The normalised definition form."""
        return {"all": [item.to_json() for item in self.items]}


@dataclass(frozen=True)
class AnyOf:
    """`{any: [cond, ...]}`: at least one condition holds."""

    items: tuple[Condition, ...]

    def holds(self, answers: Answers) -> bool:
        """Whether the condition is true for these answers."""
        return any(item.holds(answers) for item in self.items)

    def refers_to(self) -> list[tuple[str, list[str]]]:
        """The questions and option values this condition names."""
        return [ref for item in self.items for ref in item.refers_to()]

    def to_json(self) -> dict[str, Any]:
        """The normalised definition form."""
        return {"any": [item.to_json() for item in self.items]}


Condition = Equals | In | Answered | AllOf | AnyOf

_FORMS = (
    "{question: ID, equals: V}, {question: ID, in: [..]}, {question: ID, answered: true}, {all: [..]} or {any: [..]}"
)


def parse_condition(ctx: ParseContext, raw: Any, path: str, parent: Any, key: Any) -> Condition | None:
    """Parse one show_if mapping; report problems and return None when it is unusable."""
    fields = Fields(ctx, raw, path, parent, key)
    if not fields.ok:
        return None
    for combinator, kind in (("all", AllOf), ("any", AnyOf)):
        if combinator in fields.raw:
            fields.reject_unknown([combinator])
            items = fields.raw[combinator]
            if not isinstance(items, list) or not items:
                fields.error(combinator, f"'{combinator}' needs a list of one or more conditions")
                return None
            parsed = [
                parse_condition(ctx, item, join(join(path, combinator), i), items, i) for i, item in enumerate(items)
            ]
            if any(item is None for item in parsed):
                return None
            return kind(tuple(item for item in parsed if item is not None))
    tests = [name for name in ("equals", "in", "answered") if name in fields.raw]
    question = fields.text("question")
    if question is None or len(tests) != 1:
        fields.error(None, f"show_if must be one of {_FORMS}")
        return None
    fields.reject_unknown(["question", tests[0]])
    if tests[0] == "equals":
        value = fields.raw["equals"]
        if not isinstance(value, str):
            fields.error("equals", "must be one option value")
            return None
        return Equals(question, value)
    if tests[0] == "in":
        values = fields.raw["in"]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            fields.error("in", "must be a list of one or more option values")
            return None
        return In(question, tuple(values))
    return Answered(question, fields.boolean("answered", True))
