"""The "You Said / We Did" rules as pure functions: the state machine, who may move a record, and its fields."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from forms.questions.text import without_bidi_controls

DRAFT, SUBMITTED, RETURNED, APPROVED, PUBLISHED, CLOSED = (
    "draft",
    "submitted",
    "returned",
    "approved",
    "published",
    "closed",
)
STATES = (DRAFT, SUBMITTED, RETURNED, APPROVED, PUBLISHED, CLOSED)
#: The moves the workflow allows: anything else is refused with a plain message.
MOVES: dict[str, frozenset[str]] = {
    DRAFT: frozenset({SUBMITTED}),
    SUBMITTED: frozenset({APPROVED, RETURNED}),
    RETURNED: frozenset({SUBMITTED}),
    APPROVED: frozenset({PUBLISHED}),
    PUBLISHED: frozenset({CLOSED}),
    CLOSED: frozenset(),
}
STATE_NAMES = {
    DRAFT: "Draft",
    SUBMITTED: "Waiting for review",
    RETURNED: "Returned to the editor",
    APPROVED: "Approved",
    PUBLISHED: "Published",
    CLOSED: "Closed",
}
EDITORS = frozenset({"voice_editor", "admin"})
REVIEWERS = frozenset({"voice_reviewer", "admin"})
#: Who may make each move (by the state it goes to).
MOVERS: dict[str, frozenset[str]] = {
    SUBMITTED: EDITORS,
    RETURNED: REVIEWERS,
    APPROVED: REVIEWERS,
    PUBLISHED: REVIEWERS,
    CLOSED: REVIEWERS,
}
#: Moves the record's own drafter may never make (two people see everything that goes public).
NOT_BY_DRAFTER = frozenset({APPROVED, PUBLISHED})
#: States in which the editor may still change the text.
EDITABLE = frozenset({DRAFT, RETURNED})
EVIDENCE_KINDS: dict[str, str] = {
    "survey": "A survey",
    "ballot": "A ballot",
    "meeting": "A meeting",
    "group_session": "A group session",
    "other": "Something else",
}
ONE_LINE, LONG_TEXT, EASY_READ = 200, 4000, 300
MAX_PEOPLE = 1_000_000
#: Control characters other than tab, line feed and carriage return (which long text may hold).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
LINE_BREAKS = re.compile(r"[\t\r\n]")

Errors = dict[str, str]


def fitted_line(text: str, limit: int = ONE_LINE) -> str:
    """Text from a survey (a title, an option's label) as one line that fits a one-line field, cut with '…'."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "\u2026"


class Invalid(ValueError):
    """Fields that break the rules: a message per field."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


class MoveNotAllowed(ValueError):
    """A move the workflow does not allow from the record's state (HTTP 409)."""


class NotPermitted(PermissionError):
    """The person's roles do not allow this, or they drafted the record (HTTP 403)."""


@dataclass(frozen=True)
class Mover:
    """Who is acting on a record: their account and roles."""

    id: uuid.UUID | None
    label: str
    roles: frozenset[str]


def check_move(state: str, to: str, mover: Mover, drafted_by: uuid.UUID | None) -> None:
    """Refuse a move that the workflow, the person's roles or the drafter rule forbids."""
    if to not in STATES:
        raise MoveNotAllowed(f"There is no state called {to[:40]!r}: use one of {', '.join(STATES)}")
    if to not in MOVES[state]:
        allowed = ", ".join(sorted(MOVES[state])) or "nothing (it is closed)"
        raise MoveNotAllowed(f"A record that is {state} cannot become {to}; it can become {allowed}")
    if mover.roles.isdisjoint(MOVERS[to]):
        raise NotPermitted(f"Only a voice {'editor' if MOVERS[to] is EDITORS else 'reviewer'} can do that")
    if to in NOT_BY_DRAFTER and drafted_by is not None and mover.id == drafted_by:
        verb = "approve" if to == APPROVED else "publish"
        raise NotPermitted(f"You drafted this record, so someone else must {verb} it")


def check_comment(to: str, comment: Any) -> str:
    """The move's comment: required when returning a record, so the editor knows what to change."""
    errors: Errors = {}
    text = long_text(comment if comment is not None else "", "Comment", errors, "comment", required=to == RETURNED)
    if to == RETURNED and "comment" in errors and not str(comment or "").strip():
        errors["comment"] = "Say what the editor should change before you return the record"
    if errors:
        raise Invalid(errors)
    return text


def one_line(
    value: Any, label: str, errors: Errors, field: str, *, limit: int = ONE_LINE, required: bool = True
) -> str:
    """One line of plain text: trimmed, within `limit`, no line breaks or control characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = f"{label} must be text"
        return ""
    # Why bidi controls go: an override typed by staff reverses how the public page shows the text.
    cleaned = without_bidi_controls(value).strip()
    if required and not cleaned:
        errors[field] = f"Enter {label[0].lower() + label[1:]}"
    elif len(cleaned) > limit:
        errors[field] = f"{label} must be {limit} characters or fewer"
    elif CONTROL.search(cleaned) or LINE_BREAKS.search(cleaned):
        errors[field] = f"{label} must be one line, without tabs or control characters"
    return cleaned


def long_text(value: Any, label: str, errors: Errors, field: str, *, required: bool = True) -> str:
    """Plain text that may run over several lines (any line ending becomes a line feed)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = f"{label} must be text"
        return ""
    cleaned = without_bidi_controls(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not cleaned:
        errors[field] = f"Enter {label[0].lower() + label[1:]}"
    elif len(cleaned) > LONG_TEXT:
        errors[field] = f"{label} must be {LONG_TEXT} characters or fewer"
    elif CONTROL.search(cleaned):
        errors[field] = f"{label} must not contain control characters"
    return cleaned


def count(value: Any, label: str, errors: Errors, field: str) -> int | None:
    """An optional whole number of people (JSON number or form text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal() and len(value.strip()) < 9:
        number = int(value.strip())
    if number is None:
        errors[field] = f"{label} must be a whole number, like 12"
        return None
    if not 1 <= number <= MAX_PEOPLE:
        errors[field] = f"{label} must be between 1 and {MAX_PEOPLE:,}"
    return number


def day(value: Any, label: str, errors: Errors, field: str) -> date | None:
    """An optional date as YYYY-MM-DD, between 2000 and 2100."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed: date | None = None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        errors[field] = f"{label} must be a real date, like 2024-03-27"
        return None
    if not 2000 <= parsed.year <= 2100:
        errors[field] = f"{label} must be between 2000 and 2100"
    return parsed


def date_from_parts(day_part: str, month: str, year: str) -> str:
    """The GOV.UK date input's three fields as YYYY-MM-DD ("" when all are empty)."""
    parts = (day_part.strip(), month.strip(), year.strip())
    if not any(parts):
        return ""
    if not all(p.isascii() and p.isdecimal() and len(p) <= 4 for p in parts):
        return "not a date"
    return f"{int(parts[2]):04d}-{int(parts[1]):02d}-{int(parts[0]):02d}"


FIELDS = (
    "source",
    "theme",
    "said",
    "people_count",
    "evidence_kind",
    "evidence_survey",
    "evidence_question",
    "evidence_period",
    "evidence_detail",
    "done",
    "owner_organisation",
    "owner_officer",
    "due_on",
    "feedback_given_on",
    "easy_read",
)


def clean_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """A record's fields from a form or JSON, checked (Invalid with every problem)."""
    errors: Errors = {}
    kind = values.get("evidence_kind") or "other"
    if kind not in EVIDENCE_KINDS:
        errors["evidence_kind"] = "Choose where the evidence comes from: " + ", ".join(EVIDENCE_KINDS)
    cleaned = {
        "source": one_line(values.get("source"), "Group or source", errors, "source"),
        "theme": one_line(values.get("theme"), "Theme", errors, "theme"),
        "said": long_text(values.get("said"), "What young people said", errors, "said"),
        "people_count": count(values.get("people_count"), "Number of young people", errors, "people_count"),
        "evidence_kind": kind if isinstance(kind, str) else "other",
        "evidence_survey": one_line(
            values.get("evidence_survey"), "Survey", errors, "evidence_survey", limit=100, required=False
        )
        or None,
        "evidence_question": one_line(
            values.get("evidence_question"), "Question", errors, "evidence_question", limit=64, required=False
        )
        or None,
        "evidence_period": one_line(
            values.get("evidence_period"), "Period", errors, "evidence_period", limit=100, required=False
        ),
        "evidence_detail": long_text(
            values.get("evidence_detail"), "Evidence", errors, "evidence_detail", required=False
        ),
        "done": long_text(values.get("done"), "What was done", errors, "done", required=False),
        "owner_organisation": one_line(
            values.get("owner_organisation"), "Owning organisation", errors, "owner_organisation", required=False
        ),
        "owner_officer": one_line(
            values.get("owner_officer"), "Owning officer", errors, "owner_officer", required=False
        ),
        "due_on": day(values.get("due_on"), "Due date", errors, "due_on"),
        "feedback_given_on": day(
            values.get("feedback_given_on"), "Date feedback was given", errors, "feedback_given_on"
        ),
        "easy_read": one_line(
            values.get("easy_read"), "Easy-read summary", errors, "easy_read", limit=EASY_READ, required=False
        ),
    }
    if errors:
        raise Invalid(errors)
    return cleaned


def ready_for_review(fields: Mapping[str, Any]) -> None:
    """Refuse to submit a record a reviewer could not publish: what was done and the easy-read line are needed."""
    errors: Errors = {}
    if not fields.get("done"):
        errors["done"] = "Enter what was done or will be done before you send the record for review"
    if not fields.get("easy_read"):
        errors["easy_read"] = "Enter an easy-read summary before you send the record for review"
    if not fields.get("owner_organisation"):
        errors["owner_organisation"] = "Enter the owning organisation before you send the record for review"
    if errors:
        raise Invalid(errors)


def financial_year(when: date) -> str:
    """The partnership's reporting year a day falls in, April to March, as "2022/23"."""
    start = when.year if when.month >= 4 else when.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def is_overdue(state: str, due_on: date | None, today: date) -> bool:
    """Past its due date and not yet closed."""
    return due_on is not None and due_on < today and state != CLOSED
