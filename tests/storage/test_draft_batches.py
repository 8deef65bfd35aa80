"""Drafts through the submission writer: committed in batches with submissions, never acknowledged before commit."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from tests.conftest import FORMS_DIR
from tests.support import database
from tests.support.csrf import CSRF_COOKIE, CSRF_FIELD
from voice_service.app import create_app
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.migrations.runner import upgrade
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.drafts import DraftState, load_draft, save_draft, start_draft
from voice_service.surveys.pending import Write
from voice_service.surveys.submissions import Result, SubmissionWriter, submit_response

VOTES = ("environment", "transport", "health_and_wellbeing", "crime_and_safety")
MAX_AGE = timedelta(hours=1)


class CountingWriter(SubmissionWriter):
    """A writer that records what each transaction it attempts holds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attempts: list[list[str]] = []

    async def _write(self, items: list[Write]) -> list[Result]:
        self.attempts.append([type(item).__name__ for item in items])
        return await super()._write(items)

    def _commit_sqlite(self, items: list[Write]) -> Any:
        """SQLite's writer thread commits here instead of through `_write`."""
        self.attempts.append([type(item).__name__ for item in items])
        return super()._commit_sqlite(items)


@pytest.fixture
async def parts(settings: Settings) -> AsyncIterator[tuple[SurveyCatalog, CountingWriter]]:
    """The shipped catalog synced to the test's database (SQLite and PostgreSQL), and a running writer."""
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    engine = create_engine(settings)
    await catalog.sync(engine)
    writer = CountingWriter(engine)
    await writer.start()
    yield catalog, writer
    await writer.stop()
    await engine.dispose()


def as_json(value: Any) -> Any:
    """A JSON column read with plain SQL (text on SQLite, decoded on PostgreSQL)."""
    return json.loads(value) if isinstance(value, str) else value


async def stored_drafts(settings: Settings) -> dict[str, tuple[Any, Any]]:
    """Every stored draft: id -> (answers, visited)."""
    rows = await database.query_async(settings.database_url, "SELECT id, answers, visited FROM draft")
    return {row[0]: (as_json(row[1]), as_json(row[2])) for row in rows}


async def test_concurrent_starts_and_saves_share_transactions_and_every_acknowledged_draft_is_stored(
    parts: tuple[SurveyCatalog, CountingWriter], settings: Settings
) -> None:
    catalog, writer = parts
    survey = catalog.surveys["make-your-mark"]
    version_id = catalog.version_id(survey)
    drafts = await asyncio.gather(*(start_draft(writer, version_id) for _ in range(60)))
    assert len({d.id for d in drafts}) == 60
    for i, draft in enumerate(drafts):
        draft.answers = {"vote": VOTES[i % len(VOTES)], "why": f"reason {i} <b>&</b>"}
        draft.visited = [1]
    await asyncio.gather(*(save_draft(writer, d) for d in drafts))

    stored = await stored_drafts(settings)
    assert stored == {d.id: (d.answers, [1]) for d in drafts}
    assert max(len(attempt) for attempt in writer.attempts) > 1, "drafts were committed together"
    assert len(writer.attempts) < 120, "fewer transactions than drafts written"


async def test_a_later_save_of_the_same_draft_wins(
    parts: tuple[SurveyCatalog, CountingWriter], settings: Settings
) -> None:
    catalog, writer = parts
    survey = catalog.surveys["make-your-mark"]
    draft = await start_draft(writer, catalog.version_id(survey))
    versions = [DraftState(draft.id, draft.survey_version_id, {"vote": v}, [1, 1]) for v in VOTES]
    # Queued in one go, they share a transaction: the last queued is what stays.
    await asyncio.gather(*(save_draft(writer, v) for v in versions))
    assert await stored_drafts(settings) == {draft.id: ({"vote": VOTES[-1]}, [1])}
    assert any(attempt.count("DraftSave") == len(VOTES) for attempt in writer.attempts)
    # And one after another, each replaces the one before.
    await save_draft(writer, DraftState(draft.id, draft.survey_version_id, {"vote": VOTES[0]}, [1]))
    loaded = await load_draft(writer.engine, draft.id, MAX_AGE)
    assert loaded is not None
    assert loaded.answers == {"vote": VOTES[0]}
    assert loaded.submission_key == draft.submission_key


async def test_saves_spread_over_overlapping_batches_apply_in_queue_order(
    parts: tuple[SurveyCatalog, CountingWriter], settings: Settings
) -> None:
    """Queued a little apart, saves land in several batches (in flight together on PostgreSQL): the last wins."""
    catalog, writer = parts
    survey = catalog.surveys["make-your-mark"]
    draft = await start_draft(writer, catalog.version_id(survey))
    saves = []
    for i in range(40):
        state = DraftState(draft.id, draft.survey_version_id, {"vote": VOTES[i % len(VOTES)], "why": str(i)}, [1])
        saves.append(asyncio.create_task(save_draft(writer, state)))
        await asyncio.sleep(0.001 * (i % 3))
    await asyncio.gather(*saves)
    assert len(writer.attempts) > 2, "the saves were spread over several transactions"
    assert await stored_drafts(settings) == {draft.id: ({"vote": VOTES[39 % len(VOTES)], "why": "39"}, [1])}


async def test_a_submission_deletes_its_draft_in_the_batch_it_shares_with_saves(
    parts: tuple[SurveyCatalog, CountingWriter], settings: Settings
) -> None:
    catalog, writer = parts
    survey = catalog.surveys["make-your-mark"]
    version_id = catalog.version_id(survey)
    sent, kept = await asyncio.gather(start_draft(writer, version_id), start_draft(writer, version_id))
    sent.answers, kept.answers = {"vote": "transport"}, {"vote": "environment"}
    # A save before the submission, the submission, and a save queued after it (another tab): one batch.
    results = await asyncio.gather(
        save_draft(writer, sent),
        submit_response(writer, catalog, survey, sent.answers, sent.submission_key, draft_id=sent.id),
        save_draft(writer, sent),
        save_draft(writer, kept),
    )
    assert ["DraftSave", "PendingSubmission", "DraftSave", "DraftSave"] in writer.attempts
    ack = results[1]
    assert ack is not None
    assert not ack.replayed
    assert await stored_drafts(settings) == {kept.id: ({"vote": "environment"}, [])}
    rows = await database.query_async(settings.database_url, "SELECT submission_key FROM response")
    assert [row[0] for row in rows] == [sent.submission_key]


async def test_a_failing_write_fails_only_its_own_page(
    parts: tuple[SurveyCatalog, CountingWriter], settings: Settings
) -> None:
    """A draft for a version that does not exist breaks a foreign key: the others in its batch still commit."""
    catalog, writer = parts
    version_id = catalog.version_id(catalog.surveys["make-your-mark"])
    results = await asyncio.gather(
        start_draft(writer, version_id),
        start_draft(writer, 987_654_321),
        start_draft(writer, version_id),
        return_exceptions=True,
    )
    assert isinstance(results[1], Exception)
    good = [r for r in results if isinstance(r, DraftState)]
    assert len(good) == 2
    assert set(await stored_drafts(settings)) == {d.id for d in good}


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Settings for a SQLite file built by the migrations."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'voice.db'}", forms_dir=FORMS_DIR)
    upgrade(settings)
    return settings


@pytest.fixture
async def sqlite_writer(
    sqlite_settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[SurveyCatalog, SubmissionWriter, Path]]:
    """A running writer on a migrated SQLite file."""
    settings = sqlite_settings
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    engine = create_engine(settings)
    await catalog.sync(engine)
    writer = SubmissionWriter(engine)
    await writer.start()
    yield catalog, writer, tmp_path / "voice.db"
    await writer.stop()
    await engine.dispose()


async def test_a_save_is_not_acknowledged_before_its_transaction_commits(
    sqlite_writer: tuple[SurveyCatalog, SubmissionWriter, Path],
) -> None:
    """Another process holding the write lock: the page's save waits, then commits, then returns."""
    catalog, writer, database_file = sqlite_writer
    draft = await start_draft(writer, catalog.version_id(catalog.surveys["make-your-mark"]))
    draft.answers = {"vote": "transport"}
    lock = os.open(f"{database_file}.write-lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saving = asyncio.create_task(save_draft(writer, draft))
        done, _ = await asyncio.wait({saving}, timeout=0.5)
        assert not done, "acknowledged while another writer held the lock"
        loaded = await load_draft(writer.engine, draft.id, MAX_AGE)
        assert loaded is not None
        assert loaded.answers == {}
        fcntl.flock(lock, fcntl.LOCK_UN)
        await asyncio.wait_for(saving, timeout=10)
        loaded = await load_draft(writer.engine, draft.id, MAX_AGE)
        assert loaded is not None
        assert loaded.answers == {"vote": "transport"}
    finally:
        os.close(lock)


async def test_many_respondents_posting_pages_at_once_lose_no_draft(settings: Settings) -> None:
    """Concurrent page posts through the app: every page answered with a redirect has its draft stored."""
    app = create_app(settings)
    async with app.lifespan():  # the writer runs on this test's event loop, beside the respondents
        # Why plain clients: each respondent is only a cookie jar; the lifespan runs once, above.
        asgi = cast(Any, app)
        respondents = [httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url=BASE_URL) for _ in range(32)]
        try:
            started = await asyncio.gather(*(start(client) for client in respondents))
            results = await asyncio.gather(*(answer(client, i) for i, client in enumerate(respondents)))
        finally:
            await asyncio.gather(*(client.aclose() for client in respondents))
    assert all(status == 303 for status in started)
    assert all(status == 303 for _, status in results)
    expected = {
        draft_id: ({"vote": VOTES[i % len(VOTES)], "why": f"because {i} <script>"}, [1])
        for i, (draft_id, _) in enumerate(results)
    }
    assert len(expected) == 32
    assert await stored_drafts(settings) == expected


BASE_URL = "http://testserver.local"


async def start(client: httpx.AsyncClient) -> int:
    """Open the home page (the CSRF cookie), then press "Start now"."""
    await client.get("/")
    response = await client.post("/s/make-your-mark/start", data={CSRF_FIELD: client.cookies[CSRF_COOKIE]})
    return response.status_code


async def answer(client: httpx.AsyncClient, i: int) -> tuple[str, int]:
    """Post the first page; returns the respondent's draft id and the status."""
    data = {"vote": VOTES[i % len(VOTES)], "why": f"because {i} <script>", CSRF_FIELD: client.cookies[CSRF_COOKIE]}
    response = await client.post("/s/make-your-mark/page/1", data=data)
    return client.cookies["vs_draft"], response.status_code
