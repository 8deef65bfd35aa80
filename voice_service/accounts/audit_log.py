"""The audit log as admins read it: filters checked into a query, and each view or download itself audited."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.accounts.service import CONTROL
from voice_service.core.audit import (
    Actor,
    AuditCsv,
    AuditPage,
    AuditQuery,
    Target,
    audit,
    audit_actions,
    export_audit,
    search_audit,
)

PAGE_SIZE = 50
MAX_PERSON = 320
#: Action names are code names: dotted lower-case words.
ACTION = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")
MAX_ACTION = 64
DATE_PARTS = ("day", "month", "year")
#: The audit log has nothing from before the service existed, nor from beyond the calendar.
YEARS = (2000, 9998)


class AuditFilterError(ValueError):
    """Filters that cannot be used; `errors` holds a message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("The filters are not valid")
        self.errors = errors


@dataclass(frozen=True)
class DateParts:
    """A GOV.UK date input's three fields as typed."""

    day: str = ""
    month: str = ""
    year: str = ""

    @property
    def blank(self) -> bool:
        """Whether nothing was typed."""
        return not (self.day.strip() or self.month.strip() or self.year.strip())


@dataclass(frozen=True)
class AuditForm:
    """The filter form as typed, for checking and for showing back."""

    person: str = ""
    action: str = ""
    since: DateParts = field(default_factory=DateParts)
    until: DateParts = field(default_factory=DateParts)


@dataclass(frozen=True)
class DateProblem:
    """What is wrong with a date, and which of its parts to mark."""

    message: str
    parts: tuple[str, ...]


def _date_problem(label: str, parts: DateParts) -> DateProblem | date | None:
    """The date typed, None when blank, or what is wrong with it (GOV.UK's wording for date inputs)."""
    if parts.blank:
        return None
    typed = {"day": parts.day.strip(), "month": parts.month.strip(), "year": parts.year.strip()}
    missing = tuple(name for name in DATE_PARTS if not typed[name])
    if missing:
        names = " and ".join(missing)
        return DateProblem(f"{label} must include a {names}", missing)
    if any(len(value) > 4 or not value.isascii() or not value.isdigit() for value in typed.values()):
        return DateProblem(f"{label} must be a real date", DATE_PARTS)
    if len(typed["year"]) != 4:
        return DateProblem("Year must include 4 numbers", ("year",))
    try:
        chosen = date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
    except ValueError:
        return DateProblem(f"{label} must be a real date", DATE_PARTS)
    if not YEARS[0] <= chosen.year <= YEARS[1]:
        return DateProblem(f"{label} must be between {YEARS[0]} and {YEARS[1]}", ("year",))
    return chosen


def check_text_filters(person: str, action: str) -> dict[str, str]:
    """Problems with the person and action filters, by field."""
    errors = {}
    if len(person) > MAX_PERSON:
        errors["person"] = f"Person must be {MAX_PERSON} characters or fewer"
    elif CONTROL.search(person):
        errors["person"] = "Person must not contain control characters"
    if action and (len(action) > MAX_ACTION or not ACTION.fullmatch(action)):
        errors["action"] = "Choose an action from the list"
    return errors


def check_dates(since: date | None, until: date | None) -> dict[str, str]:
    """Problems with a date range: a year out of range, or an end before the start."""
    errors = {
        key: f"{label} must be between {YEARS[0]} and {YEARS[1]}"
        for key, label, value in (("since", "From date", since), ("until", "To date", until))
        if value is not None and not YEARS[0] <= value.year <= YEARS[1]
    }
    if not errors and since and until and until < since:
        errors["until"] = "The \u2018to\u2019 date must be the same as or after the \u2018from\u2019 date"
    return errors


def form_query(form: AuditForm) -> tuple[AuditQuery, dict[str, str], dict[str, tuple[str, ...]]]:
    """The query for a filter form, with messages by field and the date parts to mark; the query is blank on errors."""
    errors = check_text_filters(form.person, form.action)
    marked: dict[str, tuple[str, ...]] = {}
    dates: dict[str, date | None] = {}
    for key, label, parts in (("since", "From date", form.since), ("until", "To date", form.until)):
        found = _date_problem(label, parts)
        if isinstance(found, DateProblem):
            errors[key] = found.message
            marked[key] = found.parts
            dates[key] = None
        else:
            dates[key] = found
    if "since" not in errors and "until" not in errors and (order := check_dates(dates["since"], dates["until"])):
        errors.update(order)
        marked["until"] = DATE_PARTS
    if errors:
        return AuditQuery(), errors, marked
    return AuditQuery(form.person.strip(), form.action, dates["since"], dates["until"]), {}, {}


def api_query(person: str, action: str, since: date | None, until: date | None) -> AuditQuery:
    """The query for the API's parameters, or AuditFilterError."""
    errors = check_text_filters(person, action) | check_dates(since, until)
    if errors:
        raise AuditFilterError(errors)
    return AuditQuery(person.strip(), action, since, until)


@dataclass(frozen=True)
class AuditView:
    """What the log page shows: a page of events (none when the filters had errors) and the actions to pick from."""

    page: AuditPage
    actions: list[str]


async def view_audit(
    engine: AsyncEngine,
    query: AuditQuery | None,
    *,
    actor: Actor,
    address: str = "",
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> AuditView:
    """Matching events, newest first, recorded as a view first (so it shows itself); a None query searches nothing."""
    if query is None:
        return AuditView(AuditPage([], 0), await audit_actions(engine))
    await audit(engine, actor, "audit.view", Target("audit_event"), address)
    return AuditView(await search_audit(engine, query, limit=limit, offset=offset), await audit_actions(engine))


async def download_audit(
    engine: AsyncEngine, query: AuditQuery, *, actor: Actor, address: str = "", today: date | None = None
) -> AuditCsv:
    """Every matching event as CSV; the download is recorded first."""
    await audit(engine, actor, "audit.export", Target("audit_event"), address)
    return await export_audit(engine, query, today or datetime.now(UTC).date())
