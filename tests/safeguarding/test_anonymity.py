"""An anonymous response leaks nothing: every column of every table read after pages and API submissions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import text

from tests.http.helpers import answer_pages, draft_cookie, submission_key, submit
from tests.safeguarding.conftest import DISCLOSURE, VOICE
from tests.support import database
from voice_service.core.db.base import Base
from voice_service.core.jobs import JobRunner
from voice_service.core.settings import Settings
from voice_service.migrations.tables import register_tables
from voice_service.safeguarding.retention import RETENTION

AGENT = "CanaryBrowser/7.3 (Linux; Android 14; Pixel 8)"
FORWARDED = "203.0.113.77"


def every_row(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the service defines, by table name."""
    register_tables()
    found = {}
    for table in Base.metadata.sorted_tables:
        rows = database.query(url, f"SELECT * FROM {table.name}")
        found[table.name] = [dict(row._mapping) for row in rows]
    return found


def as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return raw.hex() + " " + raw.decode("latin-1")
    return str(value)


def occurrences(rows: dict[str, list[dict[str, Any]]], secret: str) -> list[str]:
    """Where a value appears: table.column for each cell that holds it."""
    return [
        f"{table}.{column}"
        for table, records in rows.items()
        for record in records
        for column, value in record.items()
        if value is not None and secret.lower() in as_text(value).lower()
    ]


def as_time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def test_an_anonymous_response_holds_no_trace_of_who_sent_it(client: TestClient, settings: Settings) -> None:
    client.headers["User-Agent"] = AGENT
    client.headers["X-Forwarded-For"] = FORWARDED
    walk = answer_pages(client, VOICE, {3: {"make_better": DISCLOSURE}, 5: {"age_band": "11_15", "area": "west"}})
    draft_id = draft_cookie(client)
    csrf = client.cookies.get("vs_csrf") or ""
    page_key = submission_key(walk.check)
    assert submit(client, VOICE, page_key).status_code == 303
    api_key = "api-canary-key-0001"
    api = client.post(
        f"/api/surveys/{VOICE}/responses",
        json={"answers": {"make_better": "more buses", "area": "north"}},
        headers={"Idempotency-Key": api_key},
    )
    assert api.status_code == 201

    rows = every_row(settings.database_url)
    assert len(rows["response"]) == 2
    assert rows["draft"] == []
    for secret in (AGENT, "CanaryBrowser", FORWARDED, "testclient", draft_id, csrf, "vs_draft", "vs_sent"):
        assert secret, "a secret to look for is empty"
        assert occurrences(rows, secret) == [], secret
    # The keys exist only while retries are possible, and only in the response's own column.
    assert occurrences(rows, page_key) == ["response.submission_key"]
    assert occurrences(rows, api_key) == ["response.submission_key"]
    for response in rows["response"]:
        assert response["respondent"] == "anonymous"
        assert response["invitation_id"] is None
        assert response["respondent_key"] is None
        assert response["linked_response_id"] is None
        # Random ids (UUIDv4), so neither time nor order can be read from them.
        assert database.as_uuid(response["id"]).version == 4
        when = as_time(response["submitted_at"])
        assert (when.minute, when.second, when.microsecond) == (0, 0, 0)
    for alert in rows["safeguarding_alert"]:
        assert database.as_uuid(alert["id"]).version == 4
        assert (as_time(alert["created_on"]).minute, as_time(alert["created_on"]).second) == (0, 0)
    assert occurrences(rows, "hits me") == ["answer.value_text"]

    # Once the retry window is over, the due work drops the keys.
    runner: JobRunner = client.app.state.job_runner
    later = datetime.now(UTC) + timedelta(hours=settings.submission_key_hours + 1)
    client.blocking_portal.call(lambda: runner.run_due(later, kinds={RETENTION}))
    rows = every_row(settings.database_url)
    assert occurrences(rows, page_key) == []
    assert occurrences(rows, api_key) == []
    assert all(r["submission_key"].startswith("forgotten:") for r in rows["response"])


def test_two_anonymous_responses_in_one_hour_cannot_be_put_in_order(client: TestClient, settings: Settings) -> None:
    ids = []
    for n in range(6):
        ack = client.post(f"/api/surveys/{VOICE}/responses", json={"answers": {"make_better": f"idea {n}"}}).json()
        ids.append(uuid.UUID(ack["id"]))
    assert all(i.version == 4 for i in ids)
    times = {str(t) for (t,) in database.query(settings.database_url, "SELECT submitted_at FROM response")}
    # Same hour (unless the clock crossed one during the test): the time gives no order either.
    assert len(times) <= 2


def test_sqlite_overwrites_deleted_content(client: TestClient, settings: Settings) -> None:
    if not settings.is_sqlite:
        return
    [(mode,)] = client.blocking_portal.call(_pragma, client)
    assert mode == 1


async def _pragma(client: TestClient) -> list[tuple[Any, ...]]:
    engine = client.app.state.job_runner.engine
    async with engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text("PRAGMA secure_delete"))).all()]
