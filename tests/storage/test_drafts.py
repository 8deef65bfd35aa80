"""Drafts: answers in progress live on the server, are pinned to a version, and do not outlive their use."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import TestClient

from tests.http.helpers import begin, draft_cookie, post_page
from tests.support import database
from voice_service.core.settings import Settings


def as_json(value: Any) -> Any:
    """A JSON column read with plain SQL (text on SQLite, decoded on PostgreSQL)."""
    return json.loads(value) if isinstance(value, str) else value


def test_a_draft_holds_the_answers_and_its_version(client: TestClient, settings: Settings) -> None:
    begin(client, "make-your-mark")
    post_page(client, "make-your-mark", 1, {"vote": "environment", "why": "Trees"})
    rows = database.query(
        settings.database_url,
        "SELECT d.id, d.answers, d.visited, d.submission_key, v.slug, v.version "
        "FROM draft d JOIN survey_version v ON v.id = d.survey_version_id",
    )
    assert len(rows) == 1
    draft_id, answers, visited, key, slug, version = rows[0]
    assert draft_id == draft_cookie(client)
    assert as_json(answers) == {"vote": "environment", "why": "Trees"}
    assert as_json(visited) == [1]
    assert len(key) >= 8
    assert slug == "make-your-mark"
    assert version == client.get("/api/surveys/make-your-mark").json()["version"]


def test_each_start_is_a_new_draft_with_its_own_key(client: TestClient, settings: Settings) -> None:
    first = draft_cookie_after_begin(client)
    second = draft_cookie_after_begin(client)
    assert first != second
    keys = database.query(settings.database_url, "SELECT submission_key FROM draft")
    assert len({row[0] for row in keys}) == 2


def draft_cookie_after_begin(client: TestClient) -> str:
    begin(client, "make-your-mark")
    return draft_cookie(client)
