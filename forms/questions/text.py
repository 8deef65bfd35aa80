"""`text`: a short typed answer (one-line input)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from forms.problems import Fields
from forms.questions.base import UNSTORABLE, AnalysisColumn, Cell, FormData, Question, Scales

#: Typed answers for demo data: short and plausible, never real people's words.
SAMPLE_TEXT = (
    "More places to go in the evening that feel safe.",
    "Teachers who listen when you tell them something is wrong.",
    "Shorter waits to talk to someone about how I feel.",
    "I will check the local protocol before making a referral.",
    "Share information with school nurses earlier.",
    "Better buses at night.",
)


#: Characters that show nothing: spaces, zero-width and format characters (U+200B, U+FEFF, bidi
#: controls), variation selectors and the blank-looking Hangul fillers and braille blank.
INVISIBLE = "".join(
    map(
        chr,
        (
            *b"\t\n\x0b\x0c\r ",
            *(0x85, 0xA0, 0xAD, 0x34F, 0x61C, 0x115F, 0x1160, 0x1680, 0x17B4, 0x17B5, 0x2800, 0x3000, 0x3164),
            *(0xFEFF, 0xFFA0, 0xFFF9, 0xFFFA, 0xFFFB),
            *range(0x180B, 0x1810),
            *range(0x2000, 0x2010),
            *range(0x2028, 0x2030),
            *range(0x205F, 0x2070),
            *range(0xFE00, 0xFE10),
            *range(0x1D173, 0x1D17B),
            *range(0xE0000, 0xE0080),
            *range(0xE0100, 0xE01F0),
        ),
    )
)
#: Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069), dropped from a typed answer.
#: Why: an override in stored text makes staff pages show it reversed ("llik" for a stored "kill"),
#: so a reviewer would read something other than what was stored and screened. The marks U+200E,
#: U+200F and U+061C stay: they set a neutral character's direction and reverse nothing.
BIDI_CONTROLS = dict.fromkeys((*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def without_bidi_controls(text: str) -> str:
    """The text without bidi embeddings, overrides and isolates (see BIDI_CONTROLS); marks kept."""
    # Why the tests first: all of these are format characters, so ASCII or printable text holds none.
    return text if text.isascii() or text.isprintable() else text.translate(BIDI_CONTROLS)


@dataclass(frozen=True)
class TextQuestion(Question):
    """A short typed answer."""

    max_length: int = 500

    type_code = "text"
    keys: ClassVar[tuple[str, ...]] = ("max_length",)
    default_max_length: ClassVar[int] = 500
    default_messages: ClassVar[Mapping[str, str]] = {
        "required": "Write your answer to '{label}'",
        "not_text": "Send the answer to '{label}' as text",
        "too_long": "Your answer must be {max_length} characters or fewer",
        "one_line": "Write your answer on one line",
        "unstorable": "Your answer has characters that cannot be saved: remove them and try again",
    }

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
        """Trimmed text within the length limit (on one line, for a one-line box); None when nothing shows."""
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error("not_text")
        text: str = value.strip()
        if not text.isascii():
            if not text.isprintable():
                text = without_bidi_controls(text).strip()
            if not text.strip(INVISIBLE):
                # Why: an answer of only zero-width or format characters was stored as answered.
                return None
        if not text:
            return None
        if "\r" in text:
            # Why: browsers post a textarea's line breaks as CRLF while its character count (and the API) count
            # one per break, so an answer the page said would fit was refused, and stored breaks depended on the sender.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if len(text) > self.max_length:
            raise self.error("too_long", max_length=f"{self.max_length:,}")
        # Why: PostgreSQL cannot store NUL, and lone surrogates cannot be encoded as UTF-8. Every
        # character UNSTORABLE finds is unprintable, and isprintable() is a faster scan than the regex.
        if not text.isprintable() and UNSTORABLE.search(text):
            raise self.error("unstorable")
        if not self.multiline and ("\n" in text or "\r" in text):
            raise self.error("one_line")
        return text

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
