"""The lead tries an answer on the screener: screened as a survey answer is, nothing stored or logged.

The phrase file is data the safeguarding lead reads and extends; before asking for a phrase to be
added, or to see why an answer raised an alert, the lead wants to know what the screener makes of
a wording. A trial goes through the same screening as a submitted answer (the screening child, or
in-process), so what it shows is what a young person's answer would get.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voice_service.safeguarding.alerts import SCREENING_FAILED, DisclosureAlerts

#: The longest answer a trial takes: a survey's longest typed answer is shorter.
MAX_CHARACTERS = 5000


class InvalidTrial(ValueError):
    """The answer to try is empty or too long: `errors` by field, as the form shows them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid trial")
        self.errors = errors


@dataclass(frozen=True)
class Piece:
    """A run of the answer's text, and the category whose phrase matched it (None: no phrase did)."""

    text: str
    category: str | None = None


@dataclass(frozen=True)
class Trial:
    """What the screener made of an answer."""

    text: str
    flagged: bool
    categories: tuple[str, ...]
    #: The answer cut into runs, phrase matches marked, line by line.
    lines: tuple[tuple[Piece, ...], ...]
    #: (category, words) for each phrase match, in the answer's order.
    matched: tuple[tuple[str, str], ...]

    @property
    def model_only(self) -> bool:
        """Flagged with no phrase match: the learned model alone raised it."""
        return self.flagged and not self.matched and SCREENING_FAILED not in self.categories


def clean_trial(text: str) -> str:
    """The answer as a survey's multi-line box would store it (trimmed, one newline per break), or InvalidTrial."""
    cleaned = text.strip().replace("\r\n", "\n").replace("\r", "\n")
    if not cleaned:
        raise InvalidTrial({"answer": "Enter an answer to try"})
    if len(cleaned) > MAX_CHARACTERS:
        raise InvalidTrial({"answer": f"An answer to try must be {MAX_CHARACTERS:,} characters or fewer"})
    return cleaned


def marked_lines(text: str, spans: Sequence[tuple[str, int, int]]) -> tuple[tuple[Piece, ...], ...]:
    """The text as lines of pieces with each (category, start, end) span marked; overlapping spans join."""
    marks: list[tuple[int, int, str]] = []
    for category, start, end in sorted(spans, key=lambda s: (s[1], s[2])):
        start, end = max(0, start), min(len(text), end)
        if start >= end:
            continue
        if marks and start < marks[-1][1]:
            first_start, first_end, first_category = marks[-1]
            marks[-1] = (first_start, max(first_end, end), first_category)
        else:
            marks.append((start, end, category))
    pieces: list[Piece] = []
    at = 0
    for start, end, category in marks:
        if at < start:
            pieces.append(Piece(text[at:start]))
        pieces.append(Piece(text[start:end], category))
        at = end
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return _split_lines(pieces)


def _split_lines(pieces: list[Piece]) -> tuple[tuple[Piece, ...], ...]:
    """Pieces regrouped at each newline, so a page shows the answer's own line breaks."""
    lines: list[list[Piece]] = [[]]
    for piece in pieces:
        parts = piece.text.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append(Piece(part, piece.category))
    return tuple(tuple(line) for line in lines)


async def try_answer(alerts: DisclosureAlerts, text: str) -> Trial:
    """Screen one answer as a young person's would be: flagged or not, its categories and matched words."""
    cleaned = clean_trial(text)
    outcome = await alerts.screen_text(cleaned)
    if outcome is None:
        return Trial(cleaned, False, (), marked_lines(cleaned, ()), ())
    if isinstance(outcome, str):
        # Recall first, as on the write path: a failed screening raises an alert.
        return Trial(cleaned, True, (SCREENING_FAILED,), marked_lines(cleaned, ()), ())
    categories, matches = outcome
    spans = [(category, start, end) for category, _, start, end in matches]
    matched = tuple((category, cleaned[start:end]) for category, start, end in sorted(spans, key=lambda s: s[1:]))
    return Trial(cleaned, True, tuple(categories), marked_lines(cleaned, spans), matched)
