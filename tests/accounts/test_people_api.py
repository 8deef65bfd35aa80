"""The admins' JSON API: people, roles, disabling, set-password links and the audit log, with bearer tokens."""

from __future__ import annotations

import uuid

import pytest
from litestar.testing import TestClient

from tests.accounts.conftest import audit_actions, snapshot
from tests.support.outbox import messages, password_link
from tests.support.staff import FIXED_USERS, api_token, bearer
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

UNKNOWN_ROLE = "Unknown role: choose from admin, training_admin, voice_editor, voice_reviewer, safeguarding_lead"


@pytest.fixture
def admin_api(client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> dict[str, str]:
    """The fixed admin's bearer header (used once, so its last-used time is already set before a snapshot)."""
    headers = bearer(api_token(settings, staff_users["admin"]))
    assert client.get("/api/staff/me", headers=headers).status_code == 200
    return headers


def test_listing_and_reading_people(
    client: TestClient, admin_api: dict[str, str], staff_users: dict[str, Person]
) -> None:
    listed = client.get("/api/staff/people", headers=admin_api)
    assert listed.status_code == 200
    assert listed.headers["cache-control"] == "no-store"
    people = {p["email"]: p for p in listed.json()}
    assert set(people) == {u.email for u in FIXED_USERS.values()}
    editor = people[FIXED_USERS["voice_editor"].email]
    assert set(editor) == {
        "id", "email", "name", "roles", "active", "has_password", "two_step", "created_at", "last_login_at"
    }  # fmt: skip
    assert (editor["roles"], editor["active"], editor["two_step"]) == (["voice_editor"], True, False)
    one = client.get(f"/api/staff/people/{editor['id']}", headers=admin_api)
    assert one.json() == editor
    assert "password_hash" not in listed.text
    assert "totp_secret" not in listed.text


def test_adding_a_person_emails_the_link_at_once(
    client: TestClient, settings: Settings, admin_api: dict[str, str]
) -> None:
    response = client.post(
        "/api/staff/people",
        json={"email": "New.Person@Example.org", "name": "New Person", "roles": ["training_admin"]},
        headers=admin_api,
    )
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/api/staff/people/{body['id']}"
    assert (body["email"], body["roles"], body["has_password"]) == ("new.person@example.org", ["training_admin"], False)
    (message,) = messages(settings.outbox_dir)
    assert message["To"] == "new.person@example.org"
    assert client.get(password_link(message).replace("http://127.0.0.1:8000", "")).status_code == 200
    assert [r[:2] for r in audit_actions(settings.database_url, "user.")][-2:] == [
        ("user.create", "ada.admin@example.org"),
        ("user.password_link", "ada.admin@example.org"),
    ]


def test_changing_roles_disabling_and_sending_a_link(
    client: TestClient, settings: Settings, admin_api: dict[str, str], staff_users: dict[str, Person]
) -> None:
    target = staff_users["voice_reviewer"]
    changed = client.put(
        f"/api/staff/people/{target.id}/roles", json={"roles": ["voice_editor", "voice_reviewer"]}, headers=admin_api
    )
    assert changed.status_code == 200
    assert changed.json()["roles"] == ["voice_editor", "voice_reviewer"]
    sent = client.post(f"/api/staff/people/{target.id}/password-link", headers=admin_api)
    assert sent.status_code == 202
    assert sent.json() == {"status": "scheduled"}
    assert [m["To"] for m in messages(settings.outbox_dir)] == [target.email]
    their_token = api_token(settings, target)
    disabled = client.post(f"/api/staff/people/{target.id}/disable", headers=admin_api)
    assert disabled.status_code == 200
    assert disabled.json()["active"] is False
    assert client.get("/api/staff/me", headers=bearer(their_token)).status_code == 401
    assert client.post(f"/api/staff/people/{target.id}/disable", headers=admin_api).status_code == 200  # harmless again
    refused = client.post(f"/api/staff/people/{target.id}/password-link", headers=admin_api)
    assert refused.status_code == 409
    assert refused.json() == {"errors": {"form": "This account is disabled, so it cannot be sent a link"}}
    done = [r[0] for r in audit_actions(settings.database_url, "user.") if r[1] == "ada.admin@example.org"]
    assert done == ["user.roles", "user.password_link", "user.disable"]


def test_an_admin_cannot_lock_themselves_out_through_the_api(
    client: TestClient, settings: Settings, admin_api: dict[str, str], staff_users: dict[str, Person]
) -> None:
    me = staff_users["admin"].id
    before = snapshot(settings.database_url)
    dropped = client.put(f"/api/staff/people/{me}/roles", json={"roles": []}, headers=admin_api)
    assert dropped.status_code == 409
    assert dropped.json() == {
        "errors": {"form": "You cannot remove your own admin role: ask another administrator to do it"}
    }
    disabled = client.post(f"/api/staff/people/{me}/disable", headers=admin_api)
    assert disabled.status_code == 409
    assert snapshot(settings.database_url) == before


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            {"email": "bad", "roles": []},
            422,
            {"errors": {"email": "Enter an email address in the correct format, like name@example.org"}},
        ),
        (
            {"email": "a@example.org", "roles": ["root"]},
            422,
            {"errors": {"roles": UNKNOWN_ROLE}},
        ),
        (
            {"email": "a@example.org", "name": "x" * 201},
            422,
            {"errors": {"name": "Name must be 200 characters or fewer"}},
        ),
        (
            {"email": "a@example.org", "name": "bell\x07"},
            422,
            {"errors": {"name": "Name must not contain control characters"}},
        ),
        (
            {"email": "ada.admin@example.org"},
            409,
            {"errors": {"email": "An account with this email address already exists"}},
        ),
        ({"name": "No Email"}, 422, {"errors": {"email": "email is required"}}),
        ({"email": 7}, 422, {"errors": {"email": "Expected 'str', got 'int'"}}),
        ({"email": "a@example.org", "roles": "admin"}, 422, {"errors": {"roles": "Expected 'array', got 'str'"}}),
        ({"email": "a@example.org", "roles": [1, 2]}, 422, {"errors": {"roles[0]": "Expected 'str', got 'int'"}}),
        (
            {"email": "a@example.org", "is_superuser": True},
            422,
            {
                "errors": {
                    "is_superuser": "'is_superuser' is not a field of this request: remove it (nothing else is stored)"
                }
            },
        ),
        (
            {"email": "a@example.org", "roles": ["admin"] * 6},
            422,
            {"errors": {"roles": "Expected 'array' of length <= 5"}},
        ),
        ([], 400, None),
        ("a string", 400, None),
        (None, 400, None),
    ],
)
def test_bad_people_bodies_are_a_clear_4xx_and_change_nothing(
    client: TestClient, settings: Settings, admin_api: dict[str, str], body: object, status: int, expected: object
) -> None:
    before = snapshot(settings.database_url)
    response = client.post("/api/staff/people", json=body, headers=admin_api)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    if expected is not None:
        assert response.json() == expected
    assert snapshot(settings.database_url) == before
    assert messages(settings.outbox_dir) == []


@pytest.mark.parametrize(
    "body", [{"roles": "admin"}, {"roles": [None]}, {}, {"roles": ["admin"], "extra": 1}, [], {"roles": ["nope"]}]
)
def test_bad_roles_bodies_are_refused(
    client: TestClient, settings: Settings, admin_api: dict[str, str], staff_users: dict[str, Person], body: object
) -> None:
    before = snapshot(settings.database_url)
    response = client.put(f"/api/staff/people/{staff_users['voice_editor'].id}/roles", json=body, headers=admin_api)
    assert response.status_code in (400, 422)
    assert snapshot(settings.database_url) == before


def test_unknown_ids_are_a_404(client: TestClient, settings: Settings, admin_api: dict[str, str]) -> None:
    nobody = uuid.uuid4()
    before = snapshot(settings.database_url)
    for method, path, body in (
        ("GET", f"/api/staff/people/{nobody}", None),
        ("PUT", f"/api/staff/people/{nobody}/roles", {"roles": ["admin"]}),
        ("POST", f"/api/staff/people/{nobody}/disable", None),
        ("POST", f"/api/staff/people/{nobody}/password-link", None),
    ):
        response = client.request(method, path, json=body, headers=admin_api)
        assert response.status_code == 404, (method, path)
        assert response.json() == {"status_code": 404, "detail": "There is no account with that id"}
    for bad in ("not-a-uuid", "1' OR '1'='1", "%00"):
        assert client.get(f"/api/staff/people/{bad}", headers=admin_api).status_code in (400, 404)
    assert snapshot(settings.database_url) == before


@pytest.mark.parametrize("key", [k for k in FIXED_USERS if k != "admin"])
def test_only_admins_use_these_endpoints(
    client: TestClient, settings: Settings, staff_users: dict[str, Person], key: str
) -> None:
    headers = bearer(api_token(settings, staff_users[key]))
    assert client.get("/api/staff/me", headers=headers).status_code == 200  # the token's last use is now recorded
    target = staff_users["admin"].id
    before = snapshot(settings.database_url)
    for method, path, body in (
        ("GET", "/api/staff/people", None),
        ("POST", "/api/staff/people", {"email": "sneaky@example.org", "roles": ["admin"]}),
        ("GET", f"/api/staff/people/{target}", None),
        ("PUT", f"/api/staff/people/{staff_users[key].id}/roles", {"roles": ["admin"]}),
        ("POST", f"/api/staff/people/{target}/disable", None),
        ("POST", f"/api/staff/people/{target}/password-link", None),
        ("GET", "/api/staff/audit", None),
    ):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path)
        assert response.json()["status_code"] == 403
        assert client.request(method, path, json=body).status_code == 401
    assert snapshot(settings.database_url) == before


def test_searching_the_audit_log(
    client: TestClient, settings: Settings, admin_api: dict[str, str], staff_users: dict[str, Person]
) -> None:
    client.put(f"/api/staff/people/{staff_users['voice_editor'].id}/roles", json={"roles": []}, headers=admin_api)
    response = client.get("/api/staff/audit", params={"person": "ada.admin", "action": "user"}, headers=admin_api)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    (event,) = body["events"]
    assert (event["actor"], event["action"], event["target_type"]) == (
        "ada.admin@example.org",
        "user.roles",
        "staff_user",
    )
    assert event["target_id"] == str(staff_users["voice_editor"].id)
    today = client.get(
        "/api/staff/audit", params={"since": "2020-01-01", "until": "9998-12-31", "limit": 1}, headers=admin_api
    )
    assert len(today.json()["events"]) == 1
    assert today.json()["total"] >= 2
    # Each search is itself recorded.
    assert [r[0] for r in audit_actions(settings.database_url, "audit.")] == ["audit.view", "audit.view"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-02-31"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"until": "9999-12-31"}, "until"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until"),
        ({"person": "nul\x00"}, "person"),
        ({"person": "p" * 400}, "person"),
        ({"action": "' OR 1=1 --"}, "action"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "many"}, "limit"),
    ],
)
def test_bad_audit_filters_are_a_422_with_the_field(
    client: TestClient, settings: Settings, admin_api: dict[str, str], params: dict[str, str], field: str
) -> None:
    response = client.get("/api/staff/audit", params=params, headers=admin_api)
    assert response.status_code in (400, 422), response.text
    if response.status_code == 422:
        assert field in response.json()["errors"]
    assert audit_actions(settings.database_url, "audit.") == []


def test_the_endpoints_are_in_the_openapi_document(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()
    paths = schema["paths"]
    expected = {
        "/api/staff/people": {"get", "post"},
        "/api/staff/people/{user_id}": {"get"},
        "/api/staff/people/{user_id}/roles": {"put"},
        "/api/staff/people/{user_id}/disable": {"post"},
        "/api/staff/people/{user_id}/password-link": {"post"},
        "/api/staff/audit": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            operation = paths[path][method]
            assert operation["security"] == [{"BearerToken": []}]
            assert {"401", "403"} <= set(operation["responses"])
    assert {"409", "422"} <= set(paths["/api/staff/people"]["post"]["responses"])
    assert "404" in paths["/api/staff/people/{user_id}"]["get"]["responses"]
    assert {p["name"] for p in paths["/api/staff/audit"]["get"]["parameters"]} >= {"person", "action", "since", "until"}
    assert not any(p.startswith(("/staff/people", "/staff/audit", "/staff/password")) for p in paths)
