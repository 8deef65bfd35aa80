"""The rules every way in (pages, API, CSV) applies to courses, sessions and delegates: pure functions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from voice_service.accounts.service import AccountError, clean_email

MAX_TEXT = 200
MIN_FOLLOW_UP_DAYS, MAX_FOLLOW_UP_DAYS = 1, 730
DEFAULT_FOLLOW_UP_DAYS = 182
MIN_CAPACITY, MAX_CAPACITY = 1, 1000
#: Sessions outside these years are almost surely a typing slip (20224 for 2024).
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: Delivery modes as stored, with the words the pages use.
MODES: dict[str, str] = {"online": "Online", "face_to_face": "Face to face", "e_learning": "E-learning"}
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SPACING = re.compile(r"[\s_\-]+")
#: Spaces other than the plain one (no-break, thin, ideographic...), and runs of spaces: read as one space.
SPACES = re.compile(r"[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")

Errors = dict[str, str]


class Invalid(ValueError):
    """Input that breaks the rules: a message per field, for the person to fix."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def key(text: str) -> str:
    """Text case-folded with spaces, hyphens and underscores collapsed: how names and sectors are compared."""
    return SPACING.sub(" ", text).strip().casefold()


def text(value: Any, label: str, errors: Errors, field: str, *, limit: int = MAX_TEXT) -> str:
    """Required one-line text: trimmed, not empty, at most `limit` characters, no control characters."""
    if not isinstance(value, str):
        errors[field] = f"{label} must be text"
        return ""
    # Why NFC: a Mac export spells "José" with a combining accent, so the same person from a booking list and a
    # video-call export differed invisibly and the preview listed them as changed.
    # Why one plain space: a web page's export writes "Ann\u00a0Smith" (a no-break space) or two spaces where the
    # booking list has one; the same person then showed as changed, and two people with one name differed.
    cleaned = SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if not cleaned:
        errors[field] = f"Enter {label.lower()}"
    elif len(cleaned) > limit:
        errors[field] = f"{label} must be {limit} characters or fewer"
    elif CONTROL.search(cleaned):
        errors[field] = f"{label} must not contain control characters such as tabs or line breaks"
    return cleaned


def whole_number(value: Any, label: str, low: int, high: int, errors: Errors, field: str) -> int:
    """A whole number from JSON or a form field, between low and high."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        number = int(value.strip()) if len(value.strip()) < 10 else high + 1
    if number is None:
        errors[field] = f"{label} must be a whole number, like {low if low > 1 else 10}"
        return 0
    if not low <= number <= high:
        errors[field] = f"{label} must be between {low} and {high}"
    return number


@dataclass(frozen=True)
class SurveyChoice:
    """A survey a course may use: its slug, title and purpose (course_evaluation or follow_up)."""

    slug: str
    title: str
    purpose: str


def survey_slug(value: Any, purpose: str, choices: Sequence[SurveyChoice], errors: Errors, field: str) -> str:
    """The slug of a survey with the given purpose."""
    label = "an evaluation survey" if purpose == "course_evaluation" else "a follow-up survey"
    if not isinstance(value, str) or not value.strip():
        errors[field] = f"Choose {label}"
        return ""
    slug = value.strip()
    if not any(c.slug == slug and c.purpose == purpose for c in choices):
        errors[field] = f"Choose {label} from the list"
    return slug


def session_date(value: Any, errors: Errors, field: str = "date") -> date:
    """A date as YYYY-MM-DD, a real day between 2000 and 2100."""
    parsed: date | None = None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        errors[field] = "Date must be a real date, like 2024-03-27"
        return date.min
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        errors[field] = f"Date must be between {FIRST_YEAR} and {LAST_YEAR}"
    return parsed


def date_from_parts(day: str, month: str, year: str) -> str:
    """The GOV.UK date input's three fields as YYYY-MM-DD (anything unusable gives an unparseable string)."""
    parts = (day.strip(), month.strip(), year.strip())
    if not all(p.isascii() and p.isdecimal() and len(p) <= 4 for p in parts):
        return "not a date"
    return f"{int(parts[2]):04d}-{int(parts[1]):02d}-{int(parts[0]):02d}"


def mode(value: Any, errors: Errors, field: str = "mode") -> str:
    """One of the delivery modes."""
    if not isinstance(value, str) or value.strip() not in MODES:
        errors[field] = "Choose how the session is delivered: " + ", ".join(MODES)
        return ""
    return value.strip()


def sector(value: Any, sectors: Sequence[str], errors: Errors, field: str = "sector") -> str:
    """The canonical sector for any case or spacing of it ("Local_Authority" is "local authority")."""
    if not isinstance(value, str) or not value.strip():
        errors[field] = "Enter a sector: " + ", ".join(sectors)
        return ""
    found = {key(s): s for s in sectors}.get(key(value))
    if found is None:
        errors[field] = "Sector must be one of: " + ", ".join(sectors)
        return ""
    return found


def attended(value: Any, errors: Errors, field: str = "attended") -> bool:
    """Attended as true or false, from yes/no, y/n, true/false, 1/0 (any case) or a JSON boolean."""
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in YES:
        return True
    if word in NO:
        return False
    errors[field] = "Attended must be yes or no" if word else "Enter yes or no for attended"
    return False


def email(value: Any, errors: Errors, field: str = "email") -> str:
    """A work email address, lower-cased."""
    if not isinstance(value, str):
        errors[field] = "Email must be text"
        return ""
    try:
        return clean_email(value)
    except AccountError as exc:
        errors[field] = str(exc)
        return ""
