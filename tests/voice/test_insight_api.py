"""The voice insight API: themes, the quotes behind one (audited) and the made-a-difference table, as JSON."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from litestar.testing import TestClient

from tests.support.apps import ClientFactory, make_client
from tests.support.staff import api_token, bearer
from tests.voice.conftest import audit_actions
from tests.voice.test_sentiment_and_themes import TYPED, score, send
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

__all__ = ["make_client"]  # a fixture, used below

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


WELSH_AND_DEGREES = {
    "llais.yaml": """\
slug: llais
title: Llais
audience: young_people
purpose: voice
sections:
  - title: Un
    questions:
      - id: gwahaniaeth
        type: single
        label: Ydy rhoi eich barn yn gwneud gwahaniaeth?
        measure: made_a_difference
        options: {ydw: Ydw, nac_ydw: Nac ydw}
""",
    "degrees.yaml": """\
slug: degrees
title: Degrees
audience: young_people
purpose: voice
sections:
  - title: One
    questions:
      - id: difference
        type: single
        label: Did giving your views make a difference?
        measure: made_a_difference
        options: {yes_a_lot: Yes a lot, yes_a_little: Yes a little, not_sure: Not sure, no: No}
""",
}


def test_the_difference_counts_the_good_end_in_any_language_or_degree(
    make_client: ClientFactory, settings: Settings, staff_users: dict[str, Person], tmp_path: Path
) -> None:
    # Found with a Welsh ballot from outside the team: only answers of exactly `yes` were counted, so 0%.
    folder = tmp_path / "surveys"
    folder.mkdir()
    for name, text in WELSH_AND_DEGREES.items():
        (folder / name).write_text(text, encoding="utf-8")
    sent = {"llais": ("gwahaniaeth", ["ydw", "nac_ydw"]), "degrees": ("difference", ["yes_a_little", "not_sure"])}
    with make_client(forms_dir=folder) as client:
        for slug, (question, given) in sent.items():
            for answer in given:
                body = {"answers": {question: answer}, "submission_key": uuid.uuid4().hex}
                assert client.post(f"/api/surveys/{slug}/responses", json=body).status_code == 201
        headers = bearer(api_token(settings, staff_users["voice_reviewer"]))
        rows = client.get("/api/voice/difference", headers=headers).json()["rows"]
    overall = {r["source"]: (r["count"], r["n"]) for r in rows if r["period"] == "All years"}
    assert overall["Llais"] == (1, 2)
    assert overall["Degrees"] == (1, 2)
