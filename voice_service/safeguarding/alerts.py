"""Alerts on the write path: screen a young person's free text, store an alert with the response.

`DisclosureAlerts` is the surveys writer's `ResponseExtras`: the composition root hands it to the
writer, so an alert is committed in the same transaction as the response it is about, and the
surveys domain never touches the alert table. The screening itself runs in a child process when
one is given (screening_process.py), else in-process; the outcomes are the same.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection

from forms import Survey
from forms.questions.text import TextQuestion
from voice_service.core.db.sqlite_insert import SqliteInsert
from voice_service.safeguarding.screening import Screener
from voice_service.safeguarding.screening_process import Outcome, ScreeningProcess, screen_here
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


def texts_to_screen(
    survey: Survey, answers: Mapping[str, Any], questions: tuple[str, ...] | None = None
) -> list[tuple[str, str]]:
    """The (question id, text) of each typed answer that needs screening: none unless the survey is for young people."""
    if survey.audience != YOUNG_PEOPLE:
        return []
    found = []
    for qid in free_text_questions(survey) if questions is None else questions:
        text = answers.get(qid)
        if isinstance(text, str) and text:
            found.append((qid, text))
    return found


def alert_drafts(found: list[tuple[str, str]], outcomes: list[Outcome]) -> tuple[AlertDraft, ...]:
    """An alert draft for each answer whose outcome is flagged, or whose screening failed (recall first)."""
    drafts = []
    for (qid, _), outcome in zip(found, outcomes, strict=True):
        if isinstance(outcome, str):
            log.error("screening an answer failed with %s; an alert is raised instead", outcome)
            drafts.append(AlertDraft(qid, (SCREENING_FAILED,), ()))
        elif outcome is not None:
            drafts.append(AlertDraft(qid, *outcome))
    return tuple(drafts)


def screen_answers(
    screener: Screener, survey: Survey, answers: Mapping[str, Any], questions: tuple[str, ...] | None = None
) -> tuple[AlertDraft, ...]:
    """An alert draft for each free-text answer of a young people's survey that may disclose harm (in-process)."""
    found = texts_to_screen(survey, answers, questions)
    return alert_drafts(found, screen_here(screener, [text for _, text in found])) if found else ()


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

    def __init__(
        self,
        screener: Screener | None,
        on_alert: Callable[[int], None] | None = None,
        process: ScreeningProcess | None = None,
    ) -> None:
        if screener is None and process is None:
            raise ValueError("alerts need a screener or a screening process")
        #: The in-process screener; None with a process, which keeps its own for when the child cannot screen.
        self.screener = screener
        self.on_alert = on_alert
        #: The child process that screens off the event loop (None: screen in-process).
        self.process = process
        self._questions: dict[tuple[str, str], tuple[str, ...]] = {}

    async def screen(self, survey: Survey, answers: Mapping[str, Any]) -> tuple[Any, ...]:
        """Alert drafts for these answers (empty for any survey that is not for young people)."""
        if survey.audience != YOUNG_PEOPLE:
            return ()
        questions = self._questions.get((survey.slug, survey.version))
        if questions is None:
            questions = self._questions[(survey.slug, survey.version)] = free_text_questions(survey)
        found = texts_to_screen(survey, answers, questions)
        if not found:
            return ()
        texts = [text for _, text in found]
        if self.process is not None:
            outcomes = await self.process.screen(texts)
        else:
            outcomes = screen_here(cast(Screener, self.screener), texts)
        return alert_drafts(found, outcomes)

    async def screen_text(self, text: str) -> Outcome:
        """One text's outcome, screened as a survey answer is (the lead's trials: nothing is stored)."""
        if self.process is not None:
            [outcome] = await self.process.screen([text])
        else:
            [outcome] = screen_here(cast(Screener, self.screener), [text])
        return outcome

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
