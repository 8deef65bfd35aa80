"""The "You Said / We Did" API with bearer tokens: create, read, change and move, and each refusal."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support.staff import api_token, bearer
from tests.voice.conftest import RECORD, audit_actions, snapshot
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

API = "/api/you-said-we-did"


@pytest.fixture
def tokens(client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> dict[str, dict[str, str]]:
    """The Authorization header of each fixed user."""
    return {key: bearer(api_token(settings, person)) for key, person in staff_users.items()}


def _draft(client: TestClient, tokens: dict[str, dict[str, str]], **fields: Any) -> dict[str, Any]:
    response = client.post(API, json={**RECORD, **fields}, headers=tokens["voice_editor"])
    assert response.status_code == 201, response.text
    return dict(response.json())


def _move(client: TestClient, headers: dict[str, str], record_id: str, to: str, comment: str = "") -> Any:
    return client.post(f"{API}/{record_id}/transitions", json={"to": to, "comment": comment}, headers=headers)


def test_the_whole_workflow_through_the_api(
    client: TestClient, tokens: dict[str, dict[str, str]], settings: Settings
) -> None:
    record = _draft(client, tokens)
    assert record["state"] == "draft"
    assert record["said"] == RECORD["said"]
    assert record["history"][0]["to_state"] == "draft"
    rid = record["id"]
    assert _move(client, tokens["voice_editor"], rid, "submitted").json()["state"] == "submitted"
    returned = _move(client, tokens["voice_reviewer"], rid, "returned", "Add the officer")
    assert returned.status_code == 200
    changed = client.patch(f"{API}/{rid}", json={"owner_officer": "Maxine Squire"}, headers=tokens["voice_editor"])
    assert changed.status_code == 200
    assert changed.json()["owner_officer"] == "Maxine Squire"
    assert changed.json()["theme"] == RECORD["theme"]
    _move(client, tokens["voice_editor"], rid, "submitted", "Added")
    _move(client, tokens["voice_reviewer"], rid, "approved")
    published = _move(client, tokens["voice_reviewer"], rid, "published").json()
    assert published["state"] == "published"
    assert published["published_at"] is not None
    full = client.get(f"{API}/{rid}", headers=tokens["voice_reviewer"]).json()
    assert [(h["by"], h["to_state"], h["comment"]) for h in full["history"]] == [
        ("eve.editor@example.org", "draft", ""),
        ("eve.editor@example.org", "submitted", ""),
        ("rex.reviewer@example.org", "returned", "Add the officer"),
        ("eve.editor@example.org", "submitted", "Added"),
        ("rex.reviewer@example.org", "approved", ""),
        ("rex.reviewer@example.org", "published", ""),
    ]
    listed = client.get(API, params={"state": "published"}, headers=tokens["admin"]).json()
    assert [r["id"] for r in listed] == [rid]
    assert listed[0]["history"] is None
    assert "voice.record.published" in audit_actions(settings.database_url)


def test_a_disallowed_move_is_409_in_plain_words(
    client: TestClient, tokens: dict[str, dict[str, str]], settings: Settings
) -> None:
    rid = _draft(client, tokens)["id"]
    before = snapshot(settings.database_url)
    response = _move(client, tokens["voice_reviewer"], rid, "published")
    assert response.status_code == 409
    assert response.json()["detail"] == "A record that is draft cannot become published; it can become submitted"
    assert _move(client, tokens["voice_reviewer"], rid, "sideways").status_code == 409
    assert snapshot(settings.database_url) == before


def test_approving_ones_own_record_is_403(
    client: TestClient, tokens: dict[str, dict[str, str]], settings: Settings
) -> None:
    rid = client.post(API, json=RECORD, headers=tokens["admin"]).json()["id"]
    assert _move(client, tokens["admin"], rid, "submitted").status_code == 200
    before = snapshot(settings.database_url)
    response = _move(client, tokens["admin"], rid, "approved")
    assert response.status_code == 403
    assert response.json()["detail"] == "You drafted this record, so someone else must approve it"
    assert snapshot(settings.database_url) == before
    assert audit_actions(settings.database_url)[-1] == "voice.record.refused"


def test_a_reviewer_cannot_draft_and_an_editor_cannot_approve(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    assert client.post(API, json=RECORD, headers=tokens["voice_reviewer"]).status_code == 403
    rid = _draft(client, tokens)["id"]
    _move(client, tokens["voice_editor"], rid, "submitted")
    assert _move(client, tokens["voice_editor"], rid, "approved").status_code == 403


def test_changing_a_submitted_record_is_409(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    rid = _draft(client, tokens)["id"]
    _move(client, tokens["voice_editor"], rid, "submitted")
    response = client.patch(f"{API}/{rid}", json={"theme": "Buses"}, headers=tokens["voice_editor"])
    assert response.status_code == 409
    assert "only drafts and returned records" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({**RECORD, "source": ""}, 422, {"source"}),
        ({**RECORD, "people_count": 0, "due_on": "31/03/2024"}, 422, {"people_count", "due_on"}),
        ({**RECORD, "evidence_kind": "gossip"}, 422, {"evidence_kind"}),
        # An unknown field is refused (400 or 422 with its field, as the shared error mapping decides).
        ({**RECORD, "extra": 1}, None, None),
        ({**RECORD, "people_count": "many"}, 422, {"people_count"}),
        ({"theme": "No source"}, 422, {"source"}),
    ],
)
def test_bad_bodies_store_nothing(
    client: TestClient,
    tokens: dict[str, dict[str, str]],
    settings: Settings,
    body: dict[str, Any],
    status: int | None,
    fields: set[str] | None,
) -> None:
    response = client.post(API, json=body, headers=tokens["voice_editor"])
    assert response.status_code == status if status else response.status_code in (400, 422)
    if fields is not None:
        assert set(response.json()["errors"]) == fields
    assert snapshot(settings.database_url) == {"voice_record": [], "voice_record_event": [], "voice_feedback": []}


def test_a_body_that_is_not_utf8_is_400_and_stores_nothing(
    client: TestClient, tokens: dict[str, dict[str, str]], settings: Settings
) -> None:
    # Found with an outside client's Latin-1 body ('Caf\xe9 group'): a 500 before the fix.
    headers = {**tokens["voice_editor"], "content-type": "application/json"}
    response = client.post(API, content='{"source": "Caf\xe9 group"}'.encode("latin-1"), headers=headers)
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "The body is not UTF-8 text: send the JSON encoded as UTF-8",
    )
    assert snapshot(settings.database_url) == {"voice_record": [], "voice_record_event": [], "voice_feedback": []}


def test_returning_without_a_comment_is_422(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    rid = _draft(client, tokens)["id"]
    _move(client, tokens["voice_editor"], rid, "submitted")
    response = _move(client, tokens["voice_reviewer"], rid, "returned", " ")
    assert response.status_code == 422
    assert response.json()["errors"] == {"comment": "Say what the editor should change before you return the record"}


def test_unknown_ids_are_404(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    unknown = uuid.uuid4()
    assert client.get(f"{API}/{unknown}", headers=tokens["voice_editor"]).status_code == 404
    assert client.patch(f"{API}/{unknown}", json={}, headers=tokens["voice_editor"]).status_code == 404
    assert _move(client, tokens["voice_reviewer"], str(unknown), "approved").status_code == 404
    assert client.get(f"{API}/not-an-id", headers=tokens["voice_editor"]).status_code == 404


def test_markup_is_stored_as_text(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    typed = "<p>Access4All told us</p> <script>alert(1)</script>"
    record = _draft(client, tokens, said=typed)
    assert client.get(f"{API}/{record['id']}", headers=tokens["voice_editor"]).json()["said"] == typed
