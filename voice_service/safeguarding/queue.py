"""The safeguarding lead's queue: list alerts, open one (audited), move it along its statuses."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.audit import Actor, Target, audit
from voice_service.safeguarding import screening
from voice_service.safeguarding.phrasebook import load_phrasebook
from voice_service.safeguarding.tables import ALERT_CHANGES, ALERTS
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.stored import StoredAnswer, stored_response

STATUSES = ("new", "acknowledged", "actioned", "no_concern")
STATUS_NAMES = {
    "new": "New",
    "acknowledged": "Acknowledged",
    "actioned": "Actioned",
    "no_concern": "No concern",
}
#: Where an alert may go from each status: acknowledged first, then closed one way or the other.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "new": ("acknowledged",),
    "acknowledged": ("actioned", "no_concern"),
    "actioned": (),
    "no_concern": (),
}
CLOSED = ("actioned", "no_concern")
MAX_NOTE = 2000
OTHER_CATEGORY_NAMES = {"screening_failed": "Screening failed: read the answer"}


class AlertNotFound(LookupError):
    """No alert has that id."""


class InvalidChange(ValueError):
    """A status change that cannot be made; `errors` maps form fields to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid change")
        self.errors = errors


@dataclass(frozen=True)
class AlertSummary:
    """An alert in the list: no words of the answer."""

    id: uuid.UUID
    survey: str
    question: str
    response_id: uuid.UUID
    categories: list[str]
    status: str
    created_at: datetime


@dataclass(frozen=True)
class StatusChange:
    """Who moved the alert to which status, when, and their note."""

    status: str
    at: datetime
    by: str
    note: str


@dataclass(frozen=True)
class AlertDetail:
    """Everything the lead needs to act: the survey, the question, when, why, the answer, the rest."""

    summary: AlertSummary
    survey_title: str
    question_label: str
    #: The whole answer; None once retention has deleted it.
    answer: str | None
    #: (category, the words that matched), in the order they appear.
    matched: list[tuple[str, str]]
    other_answers: list[StoredAnswer]
    changes: list[StatusChange]

    @property
    def next_statuses(self) -> tuple[str, ...]:
        """Where this alert may go next."""
        return NEXT_STATUSES[self.summary.status]


def category_name(category: str) -> str:
    """A category as a person reads it ("physical_abuse" -> "Physical abuse")."""
    return OTHER_CATEGORY_NAMES.get(category) or category.replace("_", " ").capitalize()


def category_description(category: str) -> str:
    """The phrase file's description of a category (empty for one it does not know)."""
    return _descriptions(screening.DEFAULT_FILE).get(category, "")


@functools.cache
def _descriptions(path: Path) -> dict[str, str]:
    # Why the phrase book alone: a worker that screens in its child need not build the screener (20 MiB) for this.
    return {name: found.description for name, found in load_phrasebook(path).categories.items()}


def _summary(row: Any) -> AlertSummary:
    return AlertSummary(
        row.id, row.survey_slug, row.question_id, row.response_id, list(row.categories), row.status, row.created_on
    )


async def list_alerts(engine: AsyncEngine, status: str | None = None) -> list[AlertSummary]:
    """Alerts, newest first, optionally of one status (an unknown status is refused)."""
    if status is not None and status not in STATUSES:
        raise InvalidChange({"status": f"Status must be one of: {', '.join(STATUSES)}"})
    statement = select(ALERTS).order_by(ALERTS.c.created_on.desc(), ALERTS.c.survey_slug, ALERTS.c.id)
    if status is not None:
        statement = statement.where(ALERTS.c.status == status)
    async with engine.connect() as conn:
        return [_summary(row) for row in (await conn.execute(statement)).all()]


async def _changes(engine: AsyncEngine, alert_id: uuid.UUID) -> list[StatusChange]:
    statement = (
        select(ALERT_CHANGES.c.status, ALERT_CHANGES.c.at, ALERT_CHANGES.c.actor_label, ALERT_CHANGES.c.note)
        .where(ALERT_CHANGES.c.alert_id == alert_id)
        .order_by(ALERT_CHANGES.c.id)
    )
    async with engine.connect() as conn:
        return [StatusChange(*row) for row in (await conn.execute(statement)).all()]


async def open_alert(
    engine: AsyncEngine, catalog: SurveyCatalog, alert_id: uuid.UUID, *, actor: Actor, address: str = ""
) -> AlertDetail:
    """One alert with the answer and the rest of its response; every opening is audited."""
    async with engine.connect() as conn:
        row = (await conn.execute(select(ALERTS).where(ALERTS.c.id == alert_id))).first()
    if row is None:
        raise AlertNotFound(str(alert_id))
    # Why before reading the answer: an opening is recorded even if reading it then fails.
    await audit(engine, actor, "safeguarding.alert.open", Target("safeguarding_alert", str(alert_id)), address)
    summary = _summary(row)
    response = await stored_response(engine, catalog, row.response_id)
    value = response.values.get(row.question_id) if response is not None else None
    text = value if isinstance(value, str) else None
    matched = []
    if text is not None:
        for match in sorted(row.matches, key=lambda m: (m["start"], m["end"])):
            matched.append((match["category"], text[match["start"] : match["end"]]))
    survey = response.survey if response is not None else catalog.current(row.survey_slug)
    question = survey.by_id.get(row.question_id) if survey is not None else None
    others = [a for a in response.answers if a.question_id != row.question_id] if response is not None else []
    return AlertDetail(
        summary,
        survey.title if survey is not None else row.survey_slug,
        question.label if question is not None else row.question_id,
        text,
        matched,
        others,
        await _changes(engine, alert_id),
    )


def check_change(current: str, status: str, note: str) -> dict[str, str]:
    """What is wrong with moving an alert from `current` to `status` with this note (empty: nothing)."""
    errors: dict[str, str] = {}
    allowed = NEXT_STATUSES.get(current, ())
    if not allowed:
        errors["status"] = "This alert is closed: its status cannot change"
    elif status not in allowed:
        names = " or ".join(STATUS_NAMES[s].lower() for s in allowed)
        errors["status"] = f"Select what happened: {names}"
    if len(note) > MAX_NOTE:
        errors["note"] = f"The note must be {MAX_NOTE} characters or fewer"
    elif status in CLOSED and not note.strip():
        errors["note"] = "Enter a note saying what was done, or why there is no concern"
    return errors


async def change_status(
    engine: AsyncEngine, alert_id: uuid.UUID, status: str, note: str, *, actor: Actor, address: str = ""
) -> None:
    """Move an alert to its next status with who, when and a note; audited. Two leads at once: one wins."""
    note = note.strip()
    async with engine.begin() as conn:
        current = await conn.scalar(select(ALERTS.c.status).where(ALERTS.c.id == alert_id))
        if current is None:
            raise AlertNotFound(str(alert_id))
        errors = check_change(current, status, note)
        if errors:
            raise InvalidChange(errors)
        now = datetime.now(UTC)
        values: dict[str, Any] = {"status": status}
        if status in CLOSED:
            values["closed_at"] = now
        result = await conn.execute(
            update(ALERTS).where(ALERTS.c.id == alert_id, ALERTS.c.status == current).values(**values)
        )
        if not result.rowcount:
            raise InvalidChange({"status": "Someone else changed this alert just now: look at it again"})
        await conn.execute(
            ALERT_CHANGES.insert().values(
                alert_id=alert_id, status=status, at=now, actor_id=actor.id, actor_label=actor.label[:320], note=note
            )
        )
        await audit(conn, actor, f"safeguarding.alert.{status}", Target("safeguarding_alert", str(alert_id)), address)
