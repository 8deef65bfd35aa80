"""Sentiment scored by due work after answers are stored, the CLI that rescores, and the staff theme pages."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.voice.conftest import audit_actions
from voice_service import app as app_module
from voice_service.cli import main
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.voice import jobs as voice_jobs
from voice_service.voice import sentiment

StaffClient = Callable[[str], TestClient]
SURVEY = "young-people-voice"
THEMES = "/staff/you-said-we-did/themes"
TYPED = [
    "More buses at night because the bus home is horrible",
    "Cheaper buses and safe parks would be great",
    "<b>Mental health</b> support at school",
    "School counselling and mental health help",
]


def send(client: TestClient, text: str, **more: object) -> None:
    """One anonymous response with a typed answer, through the public API."""
    body = {"answers": {"make_better": text, **more}, "submission_key": uuid.uuid4().hex}
    response = client.post(f"/api/surveys/{SURVEY}/responses", json=body)
    assert response.status_code == 201, response.text


def score(settings: Settings) -> int:
    """Run the scoring the job runs; how many answers have a sentiment."""

    async def run() -> int:
        engine = create_engine(settings)
        try:
            return await sentiment.score_pending(engine, datetime.now(UTC))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def scored_rows(settings: Settings) -> list[tuple[str, float]]:
    """(question, polarity) of every score."""
    rows = database.query(settings.database_url, "SELECT question_id, polarity FROM answer_sentiment")
    return sorted((r[0], round(float(r[1]), 3)) for r in rows)


def test_answers_are_scored_after_storage_once_and_not_on_the_request_path(
    client: TestClient, settings: Settings
) -> None:
    for text in TYPED:
        send(client, text, listened_to="sometimes")
    send(client, "", listened_to="always")
    assert scored_rows(settings) == []  # nothing is scored while answers are sent
    assert score(settings) == 4
    first = scored_rows(settings)
    assert [q for q, _ in first] == ["make_better"] * 4
    assert any(p < 0 for _, p in first)
    assert any(p > 0 for _, p in first)
    assert score(settings) == 4  # nothing is scored twice
    send(client, "The youth club is brilliant")
    assert score(settings) == 5


def test_the_recurring_job_is_registered() -> None:
    assert app_module.JOB_HANDLERS[voice_jobs.SCORE_SENTIMENT] is voice_jobs.score_sentiment
    assert voice_jobs.SCORE_SENTIMENT in {job.kind for job in app_module.RECURRING_JOBS}


def test_the_cli_rescores_everything(client: TestClient, settings: Settings) -> None:
    for text in TYPED[:2]:
        send(client, text)
    patch = pytest.MonkeyPatch()
    try:
        patch.setenv("DATABASE_URL", settings.database_url)
        result = CliRunner().invoke(main, ["voice", "score-sentiment"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "answers with sentiment: 2"
        database.query(settings.database_url, "UPDATE answer_sentiment SET polarity = 0.99")
        result = CliRunner().invoke(main, ["voice", "rescore-sentiment"])
        assert result.output.strip() == "answers with sentiment: 2"
    finally:
        patch.undo()
    assert all(p != 0.99 for _, p in scored_rows(settings))


def post(client: TestClient, url: str, data: dict[str, str]) -> httpx.Response:
    """A form post as the browser sends it."""
    return client.post(url, data=with_csrf(client, data, page=THEMES), follow_redirects=False)


def test_themes_quotes_with_sentiment_are_audited_and_escaped(staff_client: StaffClient, settings: Settings) -> None:
    client = staff_client("voice_reviewer")
    for text in TYPED:
        send(client, text)
    score(settings)
    choices = Html(client.get(THEMES).text)
    assert "Have your say - what matters to you?: What would make things better" in choices.source
    page = Html(client.get(THEMES, params={"survey": SURVEY, "question": "make_better"}).text)
    text = " ".join(page.source.split())
    assert "4 answers in words." in text
    headers = [h.text for h in page.all("th") if h.attrs.get("scope") == "row"]
    counts = [c.text for c in page.all("td", cls="govuk-table__cell--numeric")]
    named = dict(zip(headers, counts, strict=False))
    assert named["Transport"] == "2"
    assert named["Mental health"] == "2"
    assert named["Poverty"] == "0"
    assert "buses" in headers
    quotes = client.get(
        f"{THEMES}/quotes", params={"survey": SURVEY, "question": "make_better", "theme": "Mental health"}
    )
    assert quotes.status_code == 200
    quote_page = Html(quotes.text)
    cells = [c.text for c in quote_page.all("td") if "govuk-table__cell--numeric" not in c.classes][::2]
    assert sorted(cells) == ["<b>Mental health</b> support at school", "School counselling and mental health help"]
    assert "&lt;b&gt;Mental health&lt;/b&gt;" in quotes.text
    assert audit_actions(settings.database_url) == ["voice.quotes.view"]
    by_term = client.get(f"{THEMES}/quotes", params={"survey": SURVEY, "question": "make_better", "term": "buses"})
    assert "2 answers, exactly as young people wrote them" in " ".join(by_term.text.split())
    assert client.get(THEMES, params={"survey": SURVEY, "question": "listened_to"}).status_code == 404
    unknown = {"survey": SURVEY, "question": "make_better", "theme": "Nope"}
    assert client.get(f"{THEMES}/quotes", params=unknown).status_code == 404


def test_an_editor_drafts_a_record_from_a_theme_with_its_evidence(
    staff_client: StaffClient, settings: Settings
) -> None:
    client = staff_client("voice_editor")
    for text in TYPED:
        send(client, text)
    response = post(client, f"{THEMES}/draft", {"survey": SURVEY, "question": "make_better", "theme": "Transport"})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/edit")
    record_id = response.headers["location"].split("/")[-2]
    record = client.get(f"/staff/you-said-we-did/{record_id}").text
    assert "2 of 4 typed answers fall under the theme Transport." in record
    row = database.query(
        settings.database_url,
        "SELECT theme, evidence_kind, evidence_survey, evidence_question, people_count, state FROM voice_record",
    )
    assert tuple(row[0]) == ("Transport", "survey", SURVEY, "make_better", 2, "draft")
    assert (
        staff_client("voice_reviewer")
        .post(
            f"{THEMES}/draft",
            data=with_csrf(client, {"survey": SURVEY, "question": "make_better", "theme": "Transport"}, page=THEMES),
            follow_redirects=False,
        )
        .status_code
        == 403
    )


def test_the_minute_job_searches_recent_responses_and_the_daily_job_everything(
    client: TestClient, settings: Settings
) -> None:
    from voice_service.core.jobs import JobContext
    from voice_service.core.mail import build_mailer

    send(client, "The old bus was horrible")
    database.query(
        settings.database_url, "UPDATE response SET submitted_at = :old", old=datetime(2024, 1, 1, tzinfo=UTC)
    )
    send(client, "The new bus is great")

    async def run(handler: Callable[..., object]) -> None:
        engine = create_engine(settings)
        try:
            ctx = JobContext(settings, engine, build_mailer(settings), datetime.now(UTC), job_id=1, attempt=1)
            await handler(ctx, {})  # type: ignore[misc]
        finally:
            await engine.dispose()

    asyncio.run(run(voice_jobs.score_sentiment))
    assert len(scored_rows(settings)) == 1
    asyncio.run(run(voice_jobs.score_sentiment_all))
    assert len(scored_rows(settings)) == 2
    assert voice_jobs.SCORE_SENTIMENT_ALL in {job.kind for job in app_module.RECURRING_JOBS}
