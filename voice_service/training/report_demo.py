"""Demo evaluations and follow-ups for the annual report's courses, answered by the demo delegates.

The counts are the 2022/23 report's where it gives them (Working Together A: 126 of 160 evaluated,
76% likely or very likely to change practice; Working Together B: 117 of 159, 79%); the rest are
invented so the dashboard has follow-ups to show. Every answer goes through the normal write path,
from a delegate's invitation; loading twice adds nothing (a course with answered evaluations is skipped).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.measures import favourable_options
from forms import Survey
from forms.engine import is_shown
from forms.questions._choice import ChoiceQuestion
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.pending import delegate
from voice_service.surveys.submissions import SubmissionWriter, submit_response
from voice_service.training.tables import COURSES, DELEGATES, INVITATIONS, SESSIONS


@dataclass(frozen=True)
class Plan:
    """How many of a course's attendees answer, and how."""

    evaluations: int
    #: Of those, how many are likely or very likely to change practice.
    intending: int
    #: Follow-ups sent (to the first attendees who evaluated), answered, and answered "changed" with an example.
    follow_ups_sent: int = 0
    follow_ups: int = 0
    changed: int = 0


#: By the course's evaluation survey.
PLANS = {
    "working-together-a-evaluation": Plan(126, 96, 120, 54, 38),
    "working-together-b-evaluation": Plan(117, 92, 110, 47, 30),
    "hsb-evaluation": Plan(48, 40, 45, 21, 15),
    "child-death-review-evaluation": Plan(22, 17),
}


def _good(question: ChoiceQuestion, rng: random.Random, good: bool) -> str:
    """An option at the good end (top half of a scale, first half of a list) or not."""
    top = favourable_options(question)
    return rng.choice(top if good else [v for v in question.options.values if v not in top])


def answers_for(survey: Survey, rng: random.Random, good: dict[str, bool]) -> dict[str, Any]:
    """Plausible answers, with the questions tagged by `good`'s measures at the good end or not."""
    answers: dict[str, Any] = {}
    for question in survey.questions:
        if not is_shown(question, answers):
            continue
        if question.measure in good and isinstance(question, ChoiceQuestion):
            answers[question.id] = _good(question, rng, good[question.measure])
        elif question.required or not answers or rng.random() < 0.7:
            answers[question.id] = question.sample_answer(rng)
    return answers


async def _attendees(engine: AsyncEngine, course_id: uuid.UUID) -> list[tuple[uuid.UUID, str, Any, int]]:
    """(delegate id, pseudonym, session date, follow-up days) of the course's attendees, by date."""
    query = (
        select(DELEGATES.c.id, DELEGATES.c.pseudonym, SESSIONS.c.date, COURSES.c.follow_up_days)
        .join(SESSIONS, SESSIONS.c.id == DELEGATES.c.session_id)
        .join(COURSES, COURSES.c.id == SESSIONS.c.course_id)
        .where(SESSIONS.c.course_id == course_id, DELEGATES.c.attended.is_(True))
        .order_by(SESSIONS.c.date, DELEGATES.c.created_at, DELEGATES.c.id)
    )
    async with engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(query)]


async def _invite(engine: AsyncEngine, delegate_id: uuid.UUID, kind: str, sent: datetime) -> uuid.UUID:
    invitation_id = uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            insert(INVITATIONS).values(
                id=invitation_id,
                delegate_id=delegate_id,
                kind=kind,
                state="sent",
                due_at=sent,
                sent_at=sent,
                reminders_sent=0,
                created_at=sent,
            )
        )
    return invitation_id


async def _answered(engine: AsyncEngine, invitation_id: uuid.UUID, response_id: uuid.UUID) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(INVITATIONS)
            .where(INVITATIONS.c.id == invitation_id)
            .values(state="answered", answered_response_id=response_id, answered_at=datetime.now(UTC))
        )


async def load_report_demo(
    engine: AsyncEngine, catalog: SurveyCatalog, writer: SubmissionWriter, seed: int = 2023
) -> int:
    """Answer the demo courses' evaluations and follow-ups as PLANS says; returns how many responses were stored."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    async with engine.connect() as conn:
        courses = (
            await conn.execute(select(COURSES.c.id, COURSES.c.evaluation_survey, COURSES.c.follow_up_survey))
        ).all()
        answered = set(
            (
                await conn.execute(
                    select(SESSIONS.c.course_id)
                    .join(DELEGATES, DELEGATES.c.session_id == SESSIONS.c.id)
                    .join(INVITATIONS, INVITATIONS.c.delegate_id == DELEGATES.c.id)
                    .where(INVITATIONS.c.kind == "evaluation", INVITATIONS.c.state == "answered")
                )
            ).scalars()
        )
    stored = 0
    for course_id, evaluation_slug, follow_up_slug in courses:
        plan = PLANS.get(evaluation_slug)
        evaluation, follow_up = catalog.current(evaluation_slug), catalog.current(follow_up_slug)
        if plan is None or evaluation is None or follow_up is None or course_id in answered:
            continue
        attendees = await _attendees(engine, course_id)
        for n, (delegate_id, pseudonym, day, follow_up_days) in enumerate(attendees[: plan.evaluations]):
            sent = datetime.combine(day, time(16, 0), tzinfo=UTC)
            invitation = await _invite(engine, delegate_id, "evaluation", sent)
            answers = answers_for(evaluation, rng, {"change_intent": n < plan.intending})
            ack = await submit_response(
                writer,
                catalog,
                evaluation,
                answers,
                f"demo-eval-{pseudonym}",
                respondent=delegate(invitation, pseudonym),
            )
            await _answered(engine, invitation, ack.id)
            stored += 1
            if n >= plan.follow_ups_sent:
                continue
            later = await _invite(engine, delegate_id, "follow_up", sent + timedelta(days=follow_up_days))
            if n >= plan.follow_ups:
                continue
            changed = {"changed_practice": n < plan.changed}
            reply = await submit_response(
                writer,
                catalog,
                follow_up,
                answers_for(follow_up, rng, changed),
                f"demo-follow-up-{pseudonym}",
                respondent=delegate(later, pseudonym, follows=ack.id),
            )
            await _answered(engine, later, reply.id)
            stored += 1
    return stored
