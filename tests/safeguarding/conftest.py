"""Fixtures for the alert tests: staff users, and helpers that submit answers and read alerts back."""

from __future__ import annotations

import json
import uuid
from typing import Any

from litestar.testing import TestClient

from tests.support import database
from tests.support.html import Html
from tests.support.staff import admin_client, staff_client, staff_users

__all__ = ["admin_client", "staff_client", "staff_users"]

VOICE = "young-people-voice"
DISCLOSURE = "my mums bf hits me when shes at work"
ORDINARY = "more buses at night and a youth club near me"


def submit(client: TestClient, answers: dict[str, Any], slug: str = VOICE, key: str | None = None) -> dict[str, Any]:
    """Submit through the API; the acknowledgement."""
    body: dict[str, Any] = {"answers": answers}
    if key is not None:
        body["submission_key"] = key
    response = client.post(f"/api/surveys/{slug}/responses", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def alerts(url: str) -> list[dict[str, Any]]:
    """Every stored alert as a dict, JSON columns decoded and ids as UUIDs."""
    rows = database.query(url, "SELECT * FROM safeguarding_alert")
    found = []
    for row in rows:
        alert = dict(row._mapping)
        for name in ("categories", "matches"):
            if isinstance(alert[name], str):
                alert[name] = json.loads(alert[name])
        for name in ("id", "response_id"):
            alert[name] = database.as_uuid(alert[name])
        found.append(alert)
    return found


def alert_id_for(url: str, response_id: str) -> uuid.UUID:
    """The one alert of a response."""
    [found] = [a for a in alerts(url) if a["response_id"] == uuid.UUID(response_id)]
    return uuid.UUID(str(found["id"]))


def words(source: str) -> str:
    """The text of a page's main content, spacing collapsed (entities decoded)."""
    return " ".join(Html(source).one("main").text.split())
