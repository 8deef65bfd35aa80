"""The question-type plugin contract: parse, read a form, validate, store, display, analyse, sample."""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, NamedTuple

from forms.conditions import Condition
from forms.problems import IDENTIFIER, Fields, ParseContext, join, line_of
from forms.yamlsource import null_word_problem

#: Every question type by its `type:` code; filled in as plugin classes are defined.
QUESTION_TYPES: dict[str, type[Question]] = {}

FormData = Mapping[str, Sequence[str]]
Scales = Mapping[str, "Options"]
COMMON_KEYS = ("id", "type", "label", "hint", "required", "show_if", "measure", "errors")


class AnswerError(ValueError):
    """An answer does not fit its question; the message is shown to the person answering."""


class Cell(NamedTuple):
    """One stored piece of an answer (one row in the answers table)."""

    row: str
    position: int
    text: str | None
    number: float | None


#: The stored values an analysis column can read (columns of the answers table).
SOURCES = ("value_text", "value_number")


@dataclass(frozen=True)
class AnalysisColumn:
    """One column a question's answers become in an analysis frame, and the stored cells it reads."""

    name: str
    #: A pandas dtype name: "category" (with `categories`), "Float64", "string", or "object" for lists.
    dtype: str
    #: The stored value it reads.
    source: str = "value_text"
    #: Which stored cells it reads: those with this row key (a matrix row; "" for other types).
    row_key: str = ""
    #: For "category": the categories in order, and whether that order ranks them.
    categories: tuple[str, ...] = ()
    ordered: bool = False
    #: Several cells per response, kept as one list in position order.
    many: bool = False

    def __post_init__(self) -> None:
        # Why: a wrong spec in a plugin should fail where it is written, not deep inside pandas.
        if self.source not in SOURCES:
            raise ValueError(f"column '{self.name}': source must be one of {SOURCES}, not '{self.source}'")
        if (self.dtype == "category") != bool(self.categories):
            raise ValueError(f"column '{self.name}': categories go with dtype 'category' and only with it")
        if self.many and self.dtype != "object":
            raise ValueError(f"column '{self.name}': a list column has dtype 'object'")


@dataclass(frozen=True)
class Options:
    """An ordered list of (value, label) choices."""

    items: tuple[tuple[str, str], ...]
    #: Options that cannot be chosen with any other ("None of these"); only a `multiple` question has them.
    exclusive: frozenset[str] = frozenset()

    @cached_property
    def values(self) -> list[str]:
        """The option values in order (worked out once: the list is shared, do not change it)."""
        return [value for value, _ in self.items]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {value: i for i, (value, _) in enumerate(self.items)}

    def has(self, value: str) -> bool:
        """Whether a value is one of the options."""
        return value in self._positions

    def label(self, value: str) -> str:
        """The label shown for a value."""
        return dict(self.items).get(value, value)

    def ordinal(self, value: str) -> float:
        """1-based position of a value, so ordered scales can be averaged."""
        return float(self._positions[value] + 1)

    def to_json(self) -> list[dict[str, Any]]:
        """The normalised definition form (a list keeps order in every JSON store)."""
        return [
            {"value": value, "label": label, **({"exclusive": True} if value in self.exclusive else {})}
            for value, label in self.items
        ]


def parse_options(ctx: ParseContext, raw: Any, path: str, parent: Any, key: Any) -> Options | None:
    """Options written as `{value: label}` or as a list of `{value:, label:, exclusive:}`."""
    pairs: list[tuple[str, str, int | None]] = []
    exclusive: set[str] = set()
    if isinstance(raw, Mapping):
        pairs = [(k, v, line_of(raw, k)) for k, v in raw.items()]
    elif isinstance(raw, list):
        for i, item in enumerate(raw):
            item_fields = Fields(ctx, item, join(path, i), raw, i)
            item_fields.reject_unknown(["value", "label", "exclusive"])
            value, label = item_fields.text("value", required=True), item_fields.text("label", required=True)
            if value is not None and label is not None:
                pairs.append((value, label, line_of(raw, i)))
                if item_fields.boolean("exclusive", False):
                    exclusive.add(value)
    else:
        ctx.error(path, "must be a mapping of option values to labels", line_of(parent, key))
        return None
    if not pairs:
        ctx.error(path, "needs at least one option", line_of(parent, key))
        return None
    seen: set[str] = set()
    ok = True
    for value, label, line in pairs:
        if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
            ctx.error(
                join(path, str(value)),
                f"option value '{value}' is not an identifier "
                "(use lowercase letters, digits and underscores, like very_good)",
                line,
            )
            ok = False
        elif value in seen:
            ctx.error(join(path, value), f"duplicate option value '{value}'", line)
            ok = False
        if not isinstance(label, str) or not label.strip():
            problem = null_word_problem(raw, value) if label is None and isinstance(value, str) else None
            ctx.error(join(path, str(value)), problem or "every option needs a label", line)
            ok = False
        seen.add(str(value))
    if ok and exclusive and len(exclusive) == len(pairs):
        ctx.error(path, "at least one option must not be exclusive", line_of(parent, key))
        ok = False
    return Options(tuple((v, str(lbl).strip()) for v, lbl, _ in pairs), frozenset(exclusive)) if ok else None


#: Control characters (Unicode category Cc) other than tab, line feed and carriage return, and
#: surrogates (Cs): one regular expression instead of a category lookup per character.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


#: "1 answers", "1 characters" in a default message: the number one before a plural noun.
ONE_OF_A_PLURAL = re.compile(r"(?<![\d,.])(1 (?:answer|character|choice))s\b")


def placeholders(template: str) -> set[str]:
    """The `{name}` placeholders of a message; ValueError for a stray brace."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def formatted_placeholder(template: str) -> str | None:
    """The first placeholder written with a conversion or format spec (`{option:d}`, `{label!r}`), if any."""
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is not None and (spec or conversion):
            return "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
    return None


def parse_messages(fields: Fields, defaults: Mapping[str, str]) -> tuple[tuple[str, str], ...] | None:
    """A question's `errors:` overrides: known message keys, text, only the default's placeholders."""
    raw = fields.raw.get("errors")
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        fields.error("errors", f"must be a mapping of message names ({', '.join(defaults)}) to messages")
        return None
    messages = []
    ok = True
    for key, text in raw.items():
        path = join(join(fields.path, "errors"), str(key))
        line = line_of(raw, key)
        if key not in defaults:
            fields.ctx.error(path, f"unknown message '{key}' (this question's messages: {', '.join(defaults)})", line)
            ok = False
            continue
        if not isinstance(text, str) or not text.strip():
            fields.ctx.error(path, "must be non-empty text", line)
            ok = False
            continue
        allowed = placeholders(defaults[key]) | {"label"}
        try:
            unknown = placeholders(text) - allowed
        except ValueError:
            fields.ctx.error(path, "has a '{' or '}' that is not a placeholder (write {{ or }} for a brace)", line)
            ok = False
            continue
        if unknown:
            names = ", ".join("{" + n + "}" for n in sorted(allowed))
            fields.ctx.error(path, f"unknown placeholder {{{sorted(unknown)[0]}}} (this message may use {names})", line)
            ok = False
            continue
        if written := formatted_placeholder(text):
            # Why: a message is formatted when an answer is checked, so '{option:d}' failed there (a 500) and
            # '{max_length:>999999999}' built a gigabyte of spaces for every answer that was too long.
            bare = written.split(":")[0].split("!")[0] + "}"
            fields.ctx.error(path, f"write {written} as {bare}: a placeholder takes no ':' or '!'", line)
            ok = False
            continue
        messages.append((str(key), text.strip()))
    return tuple(messages) if ok else None


NO_OPTIONS = Options(())


@dataclass(frozen=True)
class Question:
    """A question of any type; subclasses add their own keys and rules."""

    id: str
    label: str
    hint: str | None = None
    required: bool = False
    show_if: Condition | None = None
    measure: str | None = None
    #: Wording a definition gives instead of default messages (`errors:` in YAML), by message name.
    messages: tuple[tuple[str, str], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    type_code: ClassVar[str] = ""
    #: The type-specific keys a definition may give.
    keys: ClassVar[tuple[str, ...]] = ()
    #: Every error message this type can give, by name: the default wording, written for a child
    #: (GOV.UK style: say what to do, no jargon). `{label}` and the named values fill the braces.
    default_messages: ClassVar[Mapping[str, str]] = {"required": "Answer '{label}'"}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.type_code:
            QUESTION_TYPES[cls.type_code] = cls

    # -- definition ----------------------------------------------------------------
    @classmethod
    def parse_specific(cls, fields: Fields, scales: Scales) -> dict[str, Any] | None:
        """Read the type-specific keys; None when they are unusable."""
        return {}

    def specific_json(self) -> dict[str, Any]:
        """The type-specific keys in normalised form."""
        return {}

    @property
    def template(self) -> str:
        """The template partial that renders this type."""
        return f"questions/{self.type_code}.html"

    def option_values(self) -> list[str] | None:
        """Values a show_if may compare with; None when the type has no options."""
        return None

    def to_json(self) -> dict[str, Any]:
        """The normalised definition of this question."""
        data: dict[str, Any] = {"id": self.id, "type": self.type_code, "label": self.label}
        if self.hint:
            data["hint"] = self.hint
        data["required"] = self.required
        if self.show_if is not None:
            data["show_if"] = self.show_if.to_json()
        if self.measure:
            data["measure"] = self.measure
        if self.messages:
            data["errors"] = dict(self.messages)
        data.update(self.specific_json())
        return data

    # -- answering -----------------------------------------------------------------
    def field_names(self) -> list[str]:
        """The HTML form field names this question posts."""
        return [self.id]

    @property
    def anchor(self) -> str:
        """The element id an error summary links to."""
        return self.id

    def from_form(self, form: FormData) -> Any:
        """Turn posted form fields into an API-shaped value (None when blank)."""
        values = [v for v in form.get(self.id, []) if v.strip()]
        return values[0] if values else None

    def to_form(self, value: Any) -> dict[str, Any]:
        """Values for re-displaying an answer in its form fields."""
        return {self.id: value}

    def clean(self, value: Any) -> Any:
        """Check an API-shaped value and return it canonical; raise AnswerError if wrong."""
        raise NotImplementedError

    def is_blank(self, value: Any) -> bool:
        """Whether a value counts as no answer."""
        return value is None or value == "" or value == [] or value == {}

    def message(self, name: str, **values: Any) -> str:
        """An error message: the definition's own wording if it gives one, else the default."""
        own = next((text for key, text in self.messages if key == name), None)
        if own is not None:
            return own.format(label=self.label, **values)
        # Why: the defaults count in plurals, and a limit of one ("max_choices: 1") read "1 answers";
        # the label goes in afterwards so that its own words are never changed.
        text = self.default_messages[name].format(label="\x00", **values)
        if "1 " in text:
            text = ONE_OF_A_PLURAL.sub(r"\1", text)
        return text.replace("\x00", self.label)

    def error(self, name: str, **values: Any) -> AnswerError:
        """An AnswerError carrying the named message."""
        return AnswerError(self.message(name, **values))

    def required_message(self) -> str:
        """The error shown when a required question is left blank."""
        return self.message("required")

    def to_cells(self, value: Any) -> list[Cell]:
        """Split a clean value into stored cells."""
        raise NotImplementedError

    def from_cells(self, cells: Sequence[Cell]) -> Any:
        """Rebuild a clean value from its stored cells."""
        raise NotImplementedError

    def display(self, value: Any) -> list[str]:
        """Lines of text that show an answer to a person."""
        return [str(value)]

    # -- analysis and demo data ------------------------------------------------------
    def analysis_columns(self) -> list[AnalysisColumn]:
        """The columns this question's answers become in an analysis frame, in order."""
        raise NotImplementedError(
            f"question type '{self.type_code}' ({type(self).__name__}) does not say how its answers "
            "become analysis columns: it must define analysis_columns()"
        )

    def sample_answer(self, rng: random.Random) -> Any:
        """A valid API-shaped answer for demo data, drawn with `rng` (never blank)."""
        raise NotImplementedError(
            f"question type '{self.type_code}' ({type(self).__name__}) cannot make a sample answer: "
            "it must define sample_answer()"
        )
