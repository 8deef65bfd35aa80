"""The voice insight API: themes, the quotes behind one (audited) and the made-a-difference table, as JSON."""

from __future__ import annotations

import uuid

import pytest
from litestar.testing import TestClient

from tests.support.staff import api_token, bearer
from tests.voice.conftest import audit_actions
from tests.voice.test_sentiment_and_themes import TYPED, score, send
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

QUESTION = {"survey": "young-people-voice", "question": "make_better"}


@pytest.fixture
def headers(client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> dict[str, str]:
    """The voice reviewer's Authorization header."""
    return bearer(api_token(settings, staff_users["voice_reviewer"]))


def test_themes_and_quotes_as_json(client: TestClient, settings: Settings, headers: dict[str, str]) -> None:
    for text in TYPED:
        send(client, text)
    score(settings)
    found = client.get("/api/voice/themes", params=QUESTION, headers=headers).json()
    assert found["answers"] == 4
    named = {t["name"]: t["answers"] for t in found["named"]}
    assert (named["Transport"], named["Mental health"], named["Poverty"]) == (2, 2, 0)
    assert {"name": "buses", "answers": 2} in found["frequent"]
    quotes = client.get("/api/voice/themes/quotes", params={**QUESTION, "theme": "Transport"}, headers=headers).json()
    assert sorted(q["text"] for q in quotes) == sorted(TYPED[:2])
    assert all(q["label"] in ("positive", "negative", "neutral") for q in quotes)
    assert any(q["polarity"] < 0 for q in quotes)
    assert audit_actions(settings.database_url) == ["voice.quotes.view"]
    unknown = {"survey": "young-people-voice", "question": "listened_to"}
    assert client.get("/api/voice/themes", params=unknown, headers=headers).status_code == 404
    assert client.get("/api/voice/themes", headers=headers).status_code in (400, 422)


def test_the_difference_table_as_json(client: TestClient, headers: dict[str, str]) -> None:
    assert client.get("/api/voice/difference", headers=headers).json()["rows"] == []
    for answer in ("yes", "no", "no"):
        body = {"answers": {"views_difference": answer}, "submission_key": uuid.uuid4().hex}
        assert client.post("/api/surveys/young-people-voice/responses", json=body).status_code == 201
    result = client.get("/api/voice/difference", headers=headers).json()
    assert result["baseline"] == 0.21
    overall = next(r for r in result["rows"] if r["source"] == "All sources" and r["period"] == "All years")
    assert (overall["count"], overall["n"]) == (1, 3)
    assert overall["low"] < overall["share"] < overall["high"]


def test_other_roles_are_refused(client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> None:
    training = bearer(api_token(settings, staff_users["training_admin"]))
    assert client.get("/api/voice/difference", headers=training).status_code == 403
    assert client.get("/api/voice/difference").status_code == 401
