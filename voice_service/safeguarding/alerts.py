"""Alerts on the write path: screen a young person's free text, store an alert with the response.

`DisclosureAlerts` is the surveys writer's `ResponseExtras`: the composition root hands it to the
writer, so an alert is committed in the same transaction as the response it is about, and the
surveys domain never touches the alert table.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from forms import Survey
from forms.questions.text import TextQuestion
from voice_service.core.db.sqlite_insert import SqliteInsert
from voice_service.safeguarding.screening import Screener
from voice_service.safeguarding.tables import ALERTS
from voice_service.surveys.pending import PendingSubmission

log = logging.getLogger(__name__)

YOUNG_PEOPLE = "young_people"
#: Stored when screening itself failed: recall first, the lead reads the answer.
SCREENING_FAILED = "screening_failed"
ALERT_COLUMNS = (
    "id",
    "response_id",
    "survey_slug",
    "question_id",
    "categories",
    "matches",
    "created_on",
    "status",
    "closed_at",
    "notified_at",
)
INSERT_ALERT = SqliteInsert(ALERTS.insert(), ALERTS, ALERT_COLUMNS)


@dataclass(frozen=True)
class AlertDraft:
    """What screening found in one answer: the question, categories and where the words are (not the words)."""

    question_id: str
    categories: tuple[str, ...]
    #: (category, phrase as written in the phrase file, start, end)
    matches: tuple[tuple[str, str, int, int], ...]


def free_text_questions(survey: Survey) -> tuple[str, ...]:
    """The ids of a survey's typed-answer questions (one-line and multi-line)."""
    return tuple(q.id for q in survey.questions if isinstance(q, TextQuestion))


def screen_answers(
    screener: Screener, survey: Survey, answers: Mapping[str, Any], questions: tuple[str, ...] | None = None
) -> tuple[AlertDraft, ...]:
    """An alert draft for each free-text answer of a young people's survey that may disclose harm."""
    if survey.audience != YOUNG_PEOPLE:
        return ()
    drafts = []
    for qid in free_text_questions(survey) if questions is None else questions:
        text = answers.get(qid)
        if not isinstance(text, str) or not text:
            continue
        try:
            result = screener.screen(text)
        except Exception as exc:
            # The type only: the message could quote the answer.
            log.error("screening an answer failed with %s; an alert is raised instead", type(exc).__name__)
            drafts.append(AlertDraft(qid, (SCREENING_FAILED,), ()))
            continue
        if result.flagged:
            matches = tuple((m.category, m.phrase, m.span[0], m.span[1]) for m in result.matches)
            drafts.append(AlertDraft(qid, tuple(result.categories), matches))
    return tuple(drafts)


def alert_rows(
    response_id: uuid.UUID, survey_slug: str, drafts: tuple[AlertDraft, ...], at: datetime
) -> list[dict[str, Any]]:
    """The alert rows for one stored response (`at` is the response's own, possibly coarse, time)."""
    return [
        {
            # Why uuid4: random, so ids give away neither time nor order.
            "id": uuid.uuid4(),
            "response_id": response_id,
            "survey_slug": survey_slug,
            "question_id": draft.question_id,
            "categories": list(draft.categories),
            "matches": [{"category": c, "phrase": p, "start": s, "end": e} for c, p, s, e in draft.matches],
            "created_on": at,
            "status": "new",
            "closed_at": None,
            "notified_at": None,
        }
        for draft in drafts
    ]


class DisclosureAlerts:
    """The surveys writer's extras: screening before the write, alert rows inside its transaction."""

    def __init__(self, screener: Screener, on_alert: Callable[[int], None] | None = None) -> None:
        self.screener = screener
        self.on_alert = on_alert
        self._questions: dict[tuple[str, str], tuple[str, ...]] = {}

    def screen(self, survey: Survey, answers: Mapping[str, Any]) -> tuple[Any, ...]:
        """Alert drafts for these answers (empty for any survey that is not for young people)."""
        if survey.audience != YOUNG_PEOPLE:
            return ()
        questions = self._questions.get((survey.slug, survey.version))
        if questions is None:
            questions = self._questions[(survey.slug, survey.version)] = free_text_questions(survey)
        return screen_answers(self.screener, survey, answers, questions)

    def rows(self, response_id: uuid.UUID, pending: PendingSubmission, stored_at: datetime) -> list[dict[str, Any]]:
        """One alert row per flagged answer."""
        drafts = tuple(d for d in pending.extras if isinstance(d, AlertDraft))
        return alert_rows(response_id, pending.survey.slug, drafts, stored_at)

    def insert_sqlite(self, conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
        """Insert on the SQLite writer's connection, in its open transaction."""
        conn.executemany(INSERT_ALERT.sql, [INSERT_ALERT.row(*(row[c] for c in ALERT_COLUMNS)) for row in rows])

    async def insert(self, conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        """Insert in the caller's open transaction."""
        await conn.execute(ALERTS.insert(), rows)

    def committed(self, count: int) -> None:
        """Alerts are stored: wake the notify job (the email must go within a minute)."""
        log.info("%d safeguarding alert(s) stored", count)
        if self.on_alert is not None:
            self.on_alert(count)
