"""Problems found in a survey definition, and a reader that reports them with line numbers."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from forms.yamlsource import LineDict, LineList, null_word_problem

IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_]*$")
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
#: Minus signs and dashes typed for a minus (U+2212 from a maths keyboard, an en dash from autocorrect, full-width
#: forms), and the thin and no-break spaces and full-width comma that group thousands in print, read as ASCII.
NUMBER_FORMS = str.maketrans(
    {
        **dict.fromkeys("\u2212\u2010\u2011\u2012\u2013\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00a0\u2009\u202f\uff0c", ","),
        "\uff0b": "+",
        "\uff0e": ".",
    }
)
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: The longest slug, question id, matrix row value and survey title the database keeps (its column sizes).
MAX_SLUG = 100
MAX_ID = 64
MAX_TITLE = 300
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


@dataclass(frozen=True)
class DefinitionProblem:
    """One error in a definition: where it is and what is wrong."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class DefinitionError(ValueError):
    """A definition (or a folder of them) has one or more problems."""

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class ParseContext:
    """Collects problems while a definition is parsed, so all are reported at once."""

    file: str
    problems: list[DefinitionProblem] = field(default_factory=list)
    #: A version stored with responses, read again: checks added after it was stored do not refuse it.
    stored: bool = False

    def error(self, path: str, message: str, line: int | None) -> None:
        """Record a problem."""
        self.problems.append(DefinitionProblem(self.file, line, path, message))


def line_of(container: Any, key: str | int | None = None) -> int | None:
    """The line of a key or item in a container read from YAML, if known."""
    if isinstance(container, LineDict):
        if isinstance(key, str) and key in container.key_lines:
            return container.key_lines[key]
        return container.line
    if isinstance(container, LineList):
        if isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line
    return None


def join(path: str, key: str | int) -> str:
    """Extend a key path: `sections[0]` + `title` -> `sections[0].title`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Fields:
    """Typed access to one mapping of a definition, reporting problems as it goes."""

    def __init__(self, ctx: ParseContext, raw: Any, path: str, parent: Any = None, key: Any = None):
        self.ctx = ctx
        self.path = path
        self.ok = isinstance(raw, Mapping)
        if not self.ok:
            ctx.error(path, "must be a mapping of keys to values", line_of(parent, key))
        self.raw: Mapping[str, Any] = raw if self.ok else {}

    def line(self, key: str | None = None) -> int | None:
        """The line of a key (or of the mapping)."""
        return line_of(self.raw, key)

    def error(self, key: str | None, message: str) -> None:
        """Report a problem at a key of this mapping."""
        self.ctx.error(join(self.path, key) if key else self.path, message, self.line(key))

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        """Report every key that is not in `allowed`, suggesting the closest known one."""
        allowed = list(allowed)
        for key in self.raw:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.error(key, f"unknown key '{key}'{hint}")

    def has(self, key: str) -> bool:
        """Whether the key is present with a value."""
        return self.raw.get(key) is not None

    def text(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        """A text value."""
        value = self.raw.get(key)
        if value is None:
            if required:
                self.error(key, null_word_problem(self.raw, key) or f"'{key}' is required")
            return default
        if not isinstance(value, str) or not value.strip():
            self.error(key, "must be non-empty text")
            return default
        return value.strip()

    def choice(self, key: str, choices: Iterable[str], *, default: str | None = None) -> str | None:
        """A value from a fixed list."""
        choices = list(choices)
        value = self.raw.get(key)
        if value is None:
            if default is None:
                self.error(key, f"'{key}' is required (one of: {', '.join(choices)})")
            return default
        if value not in choices:
            self.error(key, f"'{value}' is not one of: {', '.join(choices)}")
            return default
        return str(value)

    def boolean(self, key: str, default: bool) -> bool:
        """A true/false value."""
        value = self.raw.get(key)
        if value is None:
            return default
        if value is True or value in _TRUE:
            return True
        if value is False or value in _FALSE:
            return False
        self.error(key, f"must be true or false, not '{value}'")
        return default

    def number(self, key: str, *, integer: bool = False, minimum: float | None = None) -> float | None:
        """A number (an integer where asked)."""
        value = self.raw.get(key)
        if value is None:
            return None
        parsed = to_number(value)
        kind = "a whole number" if integer else "a number"
        if parsed is None or (integer and parsed != int(parsed)):
            self.error(key, f"must be {kind}, not '{value}'")
            return None
        if minimum is not None and parsed < minimum:
            self.error(key, f"must be at least {minimum:g}")
            return None
        return parsed


def to_number(value: Any) -> float | None:
    """A finite number from an int, float or numeric text; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float (JSON allows any length)
            return None
    elif isinstance(value, str):
        text = value.strip()
        if not text.isascii():
            # Why: "\u22123" (a Unicode minus) was "Enter a number" although float() reads full-width digits already.
            text = text.translate(NUMBER_FORMS)
        # Why: "1,000" is a thousands separator, but "1,5" may be a decimal comma; never guess.
        if "," in text and not THOUSANDS.match(text):
            return None
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return number
