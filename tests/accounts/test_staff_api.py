"""The staff JSON API with personal API tokens: who am I, tokens, revoking, and refusals."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import update

from tests.accounts.conftest import audit_actions, snapshot
from tests.support import database
from tests.support.staff import FIXED_USERS, api_token, bearer
from voice_service.accounts.people import disable_person
from voice_service.accounts.service import Person
from voice_service.accounts.tables import API_TOKENS
from voice_service.core.audit import SYSTEM
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings


def _last_used(settings: Settings) -> list[object]:
    return [row[0] for row in database.query(settings.database_url, "SELECT last_used_at FROM api_token")]


def test_me_answers_with_the_token_owner_and_their_roles(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    token = api_token(settings, staff_users["voice_reviewer"])
    assert token.startswith("vst_")
    assert _last_used(settings) == [None]
    response = client.get("/api/staff/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json() == {
        "id": str(staff_users["voice_reviewer"].id),
        "email": FIXED_USERS["voice_reviewer"].email,
        "name": "Rex Reviewer",
        "roles": ["voice_reviewer"],
    }
    assert _last_used(settings) != [None]
    # Only the SHA-256 of the token is stored.
    assert token not in str(database.query(settings.database_url, "SELECT * FROM api_token"))


def test_last_used_is_written_at_most_once_a_minute(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    token = api_token(settings, staff_users["admin"])
    client.get("/api/staff/me", headers=bearer(token))
    first = _last_used(settings)
    client.get("/api/staff/me", headers=bearer(token))
    assert _last_used(settings) == first
    asyncio.run(_age_tokens(settings, timedelta(minutes=2)))
    aged = _last_used(settings)
    client.get("/api/staff/me", headers=bearer(token))
    assert _last_used(settings) != aged


async def _age_tokens(settings: Settings, by: timedelta) -> None:
    engine = create_engine(settings)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(API_TOKENS).values(last_used_at=datetime.now(UTC) - by))
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer vst_not-a-real-token",
        "Bearer not-even-our-prefix",
        "Bearer vst_" + "A" * 5000,
        "Bearer ' OR 1=1 --",
        "Bearer vst_\u00e9\u00ff",
    ],
)
def test_without_a_valid_token_the_api_answers_401_with_bearer(
    client: TestClient, staff_users: dict[str, Person], authorization: str | None
) -> None:
    headers = {"Authorization": authorization.encode("latin-1")} if authorization is not None else {}
    response = client.get("/api/staff/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "status_code": 401,
        "detail": "Send a personal API token as: Authorization: Bearer TOKEN",
    }


def test_a_session_cookie_does_not_open_the_api(
    client: TestClient, staff_client: object, settings: Settings, staff_users: dict[str, Person]
) -> None:
    from tests.support.staff import sign_in

    sign_in(client, settings, staff_users["admin"])
    assert client.get("/api/staff/me").status_code == 401


def test_creating_listing_and_revoking_tokens(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    token = api_token(settings, staff_users["training_admin"], name="first")
    created = client.post("/api/staff/tokens", json={"name": "  nightly export  "}, headers=bearer(token))
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "nightly export"
    assert body["token"].startswith("vst_")
    second = body["token"]
    assert client.get("/api/staff/me", headers=bearer(second)).json()["roles"] == ["training_admin"]
    listed = client.get("/api/staff/tokens", headers=bearer(token)).json()
    assert [t["name"] for t in listed] == ["nightly export", "first"]
    assert all("token" not in t for t in listed)

    assert client.delete(f"/api/staff/tokens/{body['id']}", headers=bearer(token)).status_code == 204
    assert client.get("/api/staff/me", headers=bearer(second)).status_code == 401
    assert client.delete(f"/api/staff/tokens/{body['id']}", headers=bearer(token)).status_code == 204  # again: no-op
    listed = client.get("/api/staff/tokens", headers=bearer(token)).json()
    assert [t["revoked"] for t in listed] == [True, False]
    actions = [row[0] for row in audit_actions(settings.database_url, "token.")]
    assert actions == ["token.create", "token.create", "token.revoke"]


def test_a_token_revoking_itself_stops_working(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    token = api_token(settings, staff_users["admin"])
    token_id = client.get("/api/staff/tokens", headers=bearer(token)).json()[0]["id"]
    assert client.delete(f"/api/staff/tokens/{token_id}", headers=bearer(token)).status_code == 204
    assert client.get("/api/staff/me", headers=bearer(token)).status_code == 401


def test_another_persons_token_cannot_be_seen_or_revoked(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    mine = api_token(settings, staff_users["voice_editor"])
    theirs = api_token(settings, staff_users["admin"])
    their_id = client.get("/api/staff/tokens", headers=bearer(theirs)).json()[0]["id"]
    client.get("/api/staff/me", headers=bearer(mine))
    before = snapshot(settings.database_url)
    assert [t["id"] for t in client.get("/api/staff/tokens", headers=bearer(mine)).json()] != [their_id]
    refused = client.delete(f"/api/staff/tokens/{their_id}", headers=bearer(mine))
    assert refused.status_code == 404
    assert refused.json() == {"status_code": 404, "detail": "You have no token with that id"}
    assert client.delete(f"/api/staff/tokens/{uuid.uuid4()}", headers=bearer(mine)).status_code == 404
    assert client.delete("/api/staff/tokens/not-a-uuid", headers=bearer(mine)).status_code in (400, 404)
    assert client.get("/api/staff/me", headers=bearer(theirs)).status_code == 200
    after = snapshot(settings.database_url)
    assert {k: v for k, v in after.items() if k != "api_token"} == {k: v for k, v in before.items() if k != "api_token"}


def test_a_disabled_persons_tokens_stop_working(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    token = api_token(settings, staff_users["safeguarding_lead"])
    assert client.get("/api/staff/me", headers=bearer(token)).status_code == 200

    async def disable() -> None:
        engine = create_engine(settings)
        try:
            await disable_person(engine, staff_users["safeguarding_lead"].id, actor=SYSTEM)
        finally:
            await engine.dispose()

    asyncio.run(disable())
    assert client.get("/api/staff/me", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"name": ""}, 422),
        ({"name": 7}, 422),
        ({"name": None}, 422),
        ({"name": ["a"]}, 422),
        ({"name": {"$gt": ""}}, 422),
        ({"name": "x" * 101}, 422),
        ({"name": "ok", "owner": "someone else"}, 422),
        ({"name": "   "}, 422),
        ({"name": "line\nbreak"}, 422),
        ({"name": "nul\u0000"}, 422),
        ([], 400),
        ("name", 400),
        (None, 400),
    ],
)
def test_bad_token_bodies_get_a_clear_4xx_and_store_nothing(
    client: TestClient, settings: Settings, staff_users: dict[str, Person], body: object, status: int
) -> None:
    token = api_token(settings, staff_users["admin"])
    client.get("/api/staff/me", headers=bearer(token))  # its first use records the time
    before = snapshot(settings.database_url)
    response = client.post("/api/staff/tokens", json=body, headers=bearer(token))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert snapshot(settings.database_url) == before


def test_malformed_json_and_other_media_types_are_refused(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    headers = bearer(api_token(settings, staff_users["admin"]))
    client.get("/api/staff/me", headers=headers)
    before = snapshot(settings.database_url)
    bad_json = client.post(
        "/api/staff/tokens", content=b'{"name": ', headers={**headers, "Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400
    form = client.post("/api/staff/tokens", data={"name": "x"}, headers=headers)
    assert 400 <= form.status_code < 500
    deep = client.post(
        "/api/staff/tokens",
        content=b"[" * 10_000 + b"]" * 10_000,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert 400 <= deep.status_code < 500
    assert snapshot(settings.database_url) == before


def test_the_schema_documents_the_staff_api_with_bearer_tokens(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Personal API token",
    }
    me = schema["paths"]["/api/staff/me"]["get"]
    assert me["security"] == [{"BearerToken": []}]
    assert {"401", "403"} <= set(me["responses"])
