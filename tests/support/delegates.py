"""Training tests' helpers: a course with delegates, the due work at a chosen time, and the emailed links."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient
from sqlalchemy import insert, select

from tests.http.helpers import FormData, answer_pages, submission_key, submit
from tests.support.outbox import messages, text_of
from voice_service.app import build_job_runner
from voice_service.core.audit import Actor
from voice_service.core.db.engine import create_engine
from voice_service.core.jobs import RunSummary
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.training import courses, sessions, timing
from voice_service.training.delegates import import_delegates
from voice_service.training.links import browser_secret
from voice_service.training.rows import rows_from_json
from voice_service.training.tables import DELEGATES, INVITATIONS

ACTOR = Actor(uuid.UUID(int=1), "tom.training@example.org")
EVALUATION = "working-together-a-evaluation"
FOLLOW_UP = "training-follow-up"
PERSONAL_LINK = re.compile(r"https?://[^\s/]+(/t/[A-Za-z0-9_-]+)")

#: Answers to Working Together A's evaluation, by page (tests/http/test_full_journeys.py has the same).
EVALUATION_ANSWERS: dict[int, FormData] = {
    1: {
        "course_elements-quality": "very_good",
        "course_elements-content": "good",
        "course_elements-trainer_knowledge": "very_good",
        "course_elements-relevance": "fair",
    },
    2: {"confidence_before": "moderate", "confidence_after": "high"},
    3: {"change_intent": "likely"},
}


@dataclass(frozen=True)
class Course:
    """A course with one session, as the tests made it."""

    course_id: uuid.UUID
    session_id: uuid.UUID


def person(n: int, *, attended: bool = True) -> dict[str, object]:
    """A delegate row for the JSON import."""
    return {
        "name": f"Delegate {n}",
        "email": f"delegate{n}@school.example",
        "organisation": "Moor Lane Primary",
        "sector": "schools",
        "attended": attended,
    }


def make_course(settings: Settings, day: date, people: Sequence[dict[str, object]], **course: object) -> Course:
    """A Working Together A course, a session on `day`, and its delegates, through the services."""

    async def run() -> Course:
        engine = create_engine(settings)
        try:
            catalog = SurveyCatalog.from_folder(settings.forms_dir)
            values = {
                "name": f"Working Together A {uuid.uuid4().hex[:6]}",
                "evaluation_survey": EVALUATION,
                "follow_up_survey": FOLLOW_UP,
                "follow_up_days": 182,
                **course,
            }
            info = await courses.create_course(engine, values, courses.survey_choices(catalog), actor=ACTOR)
            session = await sessions.create_session(
                engine,
                info.id,
                {"date": day.isoformat(), "mode": "online", "trainer": "Pat", "capacity": 40},
                actor=ACTOR,
            )
            rows = rows_from_json(list(people), settings.training_sectors)
            assert not rows.errors, rows.errors
            await import_delegates(engine, session.id, rows, actor=ACTOR)
            return Course(info.id, session.id)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def run_due(settings: Settings, now: datetime, *, runner_settings: Settings | None = None) -> RunSummary:
    """Run every job due at `now`, as `voice-service jobs run-due --now` does."""

    async def run() -> RunSummary:
        engine = create_engine(settings)
        try:
            runner = build_job_runner(runner_settings or settings, engine)
            await runner.arm_recurring(now)
            return await runner.run_due(now)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def inbox(settings: Settings) -> list[EmailMessage]:
    """Every email written to the outbox, oldest first."""
    return messages(settings.outbox_dir)


def sent_to(settings: Settings, address: str) -> list[EmailMessage]:
    """The emails to one address, oldest first."""
    return [m for m in inbox(settings) if m["To"] == address]


def link_in(message: EmailMessage) -> str:
    """The path of the one personal link in an email's plain-text part."""
    found = PERSONAL_LINK.findall(text_of(message))
    assert len(found) == 1, f"expected one personal link, found {found}"
    return str(found[0])


def token_of(path: str) -> str:
    """The token in a personal link's path."""
    return urlsplit(path).path.rsplit("/", 1)[1]


def answer_through_link(
    client: TestClient, link: str, answers: dict[int, FormData] | None = None, slug: str = EVALUATION
) -> None:
    """Open a personal link as a browser would, answer every page and send the answers."""
    opened = client.get(link, follow_redirects=False)
    assert opened.status_code == 303, opened.text
    assert opened.headers["location"] == f"/s/{slug}"
    walk = answer_pages(client, slug, answers if answers is not None else EVALUATION_ANSWERS)
    sent = submit(client, slug, submission_key(walk.check))
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/s/{slug}/done"


def by_page(slug: str, settings: Settings, fields: dict[str, str]) -> dict[int, FormData]:
    """Form fields grouped by the page their question is on (field names start with the question id)."""
    survey = SurveyCatalog.from_folder(settings.forms_dir).current(slug)
    assert survey is not None
    pages: dict[int, dict[str, str]] = {}
    for name, value in fields.items():
        question_id = name.split("-", 1)[0]
        page = next(p for p in survey.pages if any(q.id == question_id for q in p.questions))
        pages.setdefault(page.number, {})[name] = value
    return dict(pages)


#: A follow-up: practice changed, with an example, confidence up a step.
FOLLOW_UP_FIELDS = {
    "changed_practice": "yes_a_little",
    "practice_example": "I now check with the school nurse before a strategy meeting.",
    "confidence_before": "moderate",
    "confidence_after": "high",
}


def admit(client: TestClient, settings: Settings, slug: str = EVALUATION) -> None:
    """Give the client a delegate's link for a course evaluation, as opening their emailed link does.

    Course evaluations are answered only through a personal link: tests of the pages that happen to
    use one (for its matrix, its scales) start here.
    """
    today = datetime.now(UTC).date()
    make_course(settings, today, [person(1)], evaluation_survey=slug)
    run_due(settings, timing.evaluation_due(today, settings))
    message = sent_to(settings, "delegate1@school.example")[-1]
    opened = client.get(link_in(message), follow_redirects=False)
    assert opened.status_code == 303, opened.text


@pytest.fixture
def delegate_client(client: TestClient, settings: Settings) -> TestClient:
    """The test client holding a delegate's link to Working Together A's evaluation."""
    admit(client, settings)
    return client


def link_cookie_for(database_url: str, slug: str, forms_dir: Path) -> str:
    """A browser secret that opens a course survey for a made-up delegate, as opening their link would give.

    For tests that look at every page of every survey in a real browser: course surveys open only
    through a link, so the browser gets the cookie a link is swapped for.
    """
    settings = Settings(database_url=database_url, forms_dir=forms_dir)
    survey = SurveyCatalog.from_folder(forms_dir).current(slug)
    assert survey is not None
    kind = "follow_up" if survey.purpose == "follow_up" else "evaluation"
    survey_field = "follow_up_survey" if kind == "follow_up" else "evaluation_survey"
    course = make_course(settings, datetime.now(UTC).date(), [person(1)], **{survey_field: slug})

    async def run() -> str:
        engine = create_engine(settings)
        now = datetime.now(UTC)
        try:
            async with engine.begin() as conn:
                delegate_id = await conn.scalar(
                    select(DELEGATES.c.id).where(DELEGATES.c.session_id == course.session_id)
                )
                invitation_id = uuid.uuid4()
                await conn.execute(
                    insert(INVITATIONS).values(
                        id=invitation_id,
                        delegate_id=delegate_id,
                        kind=kind,
                        state="sent",
                        due_at=now,
                        sent_at=now,
                        expires_at=now + timedelta(days=30),
                        reminders_sent=0,
                        created_at=now,
                    )
                )
                return await browser_secret(conn, invitation_id, now)
        finally:
            await engine.dispose()

    return asyncio.run(run())
