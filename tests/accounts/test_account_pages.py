"""The start page and the person's own account page: roles, tokens made, shown once and revoked."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.accounts.conftest import audit_actions, snapshot
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import FIXED_USERS, api_token, bearer
from voice_service.accounts.roles import ROLE_NAMES, sections_for
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

StaffClient = Callable[[str], TestClient]


def _nav(page: Html) -> list[str]:
    return [a.text for a in page.all("a", "govuk-service-navigation__link")]


@pytest.mark.parametrize(
    ("key", "sections"),
    [
        ("admin", ["People and roles", "Audit log", "Deletion log", "Training reports"]),
        ("training_admin", ["Training", "Training reports"]),
        ("voice_editor", ["You Said / We Did"]),
        ("voice_reviewer", ["You Said / We Did"]),
        ("safeguarding_lead", ["Safeguarding alerts"]),
        ("no_roles", []),
    ],
)
def test_the_start_page_shows_what_the_persons_roles_let_them_do(
    staff_client: StaffClient, key: str, sections: list[str]
) -> None:
    response = staff_client(key).get("/staff/")
    assert response.status_code == 200
    page = Html(response.text)
    assert page.h1 == "Staff area"
    assert [h.text for h in page.all("h3")] == sections
    if not sections:
        assert "Your account has no roles yet" in response.text
    # Sections not built yet are named but not linked; the navigation links only what exists.
    built = [section.title for section in sections_for(frozenset(FIXED_USERS[key].roles)) if section.href]
    assert _nav(page) == ["Staff area", "Home", *built, "Your account"]
    assert "Childline" not in response.text
    assert response.headers["cache-control"] == "no-store"


def test_the_account_page_shows_roles_and_tokens_without_the_token_itself(
    staff_client: StaffClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    client = staff_client("voice_editor")
    token = api_token(settings, staff_users["voice_editor"], name="weekly report")
    client.get("/api/staff/me", headers=bearer(token))
    page = Html(client.get("/staff/account").text)
    assert page.h1 == "Your account"
    assert ROLE_NAMES["voice_editor"] in page.source
    assert FIXED_USERS["voice_editor"].email in page.source
    rows = [[cell.text for cell in row_cells] for row_cells in _table_rows(page)]
    assert len(rows) == 1
    assert rows[0][0] == "weekly report"
    assert rows[0][2] != "Never"  # last used
    assert token not in page.source


def _table_rows(page: Html) -> list[list[object]]:
    body_rows = page.all("tr", within="govuk-table__body")
    return [[e for e in page.elements if row in e.ancestors and e.tag == "td"] for row in body_rows]


def test_a_token_made_on_the_page_is_shown_once_and_works(
    staff_client: StaffClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    client = staff_client("training_admin")
    response = client.post("/staff/account/tokens", data=with_csrf(client, {"name": "course import"}))
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    page = Html(response.text)
    assert page.h1 == "Your new API token"
    token = page.one("code", "vs-token").text
    assert client.get("/api/staff/me", headers=bearer(token)).json()["roles"] == ["training_admin"]
    assert token not in client.get("/staff/account").text
    assert [row[0] for row in audit_actions(settings.database_url, "token.")] == ["token.create"]


def test_revoking_a_token_on_the_page(
    staff_client: StaffClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    client = staff_client("admin")
    token = api_token(settings, staff_users["admin"])
    token_id = client.get("/api/staff/tokens", headers=bearer(token)).json()[0]["id"]
    forms = [f.attrs["action"] for f in Html(client.get("/staff/account").text).all("form")]
    assert f"/staff/account/tokens/{token_id}/revoke" in forms
    response = client.post(f"/staff/account/tokens/{token_id}/revoke", data=with_csrf(client), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/account?revoked=true"
    page = client.get("/staff/account?revoked=true").text
    assert "The token was revoked" in page
    assert "Revoked" in page
    assert client.get("/api/staff/me", headers=bearer(token)).status_code == 401


def test_another_persons_token_cannot_be_revoked_from_the_page(
    staff_client: StaffClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    theirs = api_token(settings, staff_users["admin"])
    client = staff_client("voice_reviewer")
    their_id = client.get("/api/staff/tokens", headers=bearer(theirs)).json()[0]["id"]
    before = snapshot(settings.database_url)
    for token_id in (their_id, str(uuid.uuid4())):
        response = client.post(f"/staff/account/tokens/{token_id}/revoke", data=with_csrf(client))
        assert response.status_code == 404
        assert "text/html" in response.headers["content-type"]
    for bad in ("not-a-uuid", "1' OR '1'='1", "%00"):
        assert client.post(f"/staff/account/tokens/{bad}/revoke", data=with_csrf(client)).status_code in (400, 404)
    assert snapshot(settings.database_url) == before
    assert client.get("/api/staff/me", headers=bearer(theirs)).status_code == 200


def test_state_changing_forms_need_the_csrf_token(
    staff_client: StaffClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    client = staff_client("admin")
    token = api_token(settings, staff_users["admin"])
    token_id = client.get("/api/staff/tokens", headers=bearer(token)).json()[0]["id"]
    before = snapshot(settings.database_url)
    assert client.post("/staff/account/tokens", data={"name": "x"}).status_code == 403
    assert client.post(f"/staff/account/tokens/{token_id}/revoke", data={}).status_code == 403
    assert snapshot(settings.database_url) == before


def test_every_post_form_on_staff_pages_carries_the_csrf_field(
    staff_client: StaffClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    client = staff_client("admin")
    api_token(settings, staff_users["admin"])
    for path in ("/staff/", "/staff/account", "/staff/login"):
        page = Html(client.get(path).text)
        for form in page.all("form"):
            fields = [e for e in page.elements if form in e.ancestors and e.attrs.get("name") == "_csrf_token"]
            assert len(fields) == 1, (path, form.attrs)
            assert fields[0].attrs["value"]
