"""Bad input on the people, password-link and audit pages and their API: markup, SQL, floods, control characters.

Each is refused with a clear 4xx and an unchanged database, or kept as plain text and shown escaped
on every page (and in every email) that shows it; never a 500.
"""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests.accounts.conftest import snapshot
from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.outbox import html_of, last_link_to, messages, text_of
from tests.support.staff import api_token, bearer
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
SQL = "' OR '1'='1'; DROP TABLE staff_user; --"
TEMPLATE = "{{ 7*7 }}"
HOSTILE = [SCRIPT, IMG, SQL, TEMPLATE, "${7*7}", "\u202eevil", "a" * 10_000, "tab\there", "nul\x00byte", "\x1b[31m"]
HOSTILE_NAME = f"{SCRIPT}{IMG} {TEMPLATE}"
QUOTED_EMAIL = "o'brien+tag@example.org"


def _no_raw_markup(text: str) -> None:
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert ">49<" not in text
    assert " 49 " not in text


def _add(client: TestClient, name: str, email: str, roles: object = "voice_editor") -> object:
    data = with_csrf(client, {"name": name, "email": email, "roles": roles})
    return client.post("/staff/people/new", data=data, follow_redirects=False)


def test_markup_in_a_name_is_shown_as_text_on_every_page_and_in_the_email(
    admin_client: TestClient, settings: Settings
) -> None:
    created = _add(admin_client, HOSTILE_NAME, QUOTED_EMAIL)
    assert created.status_code == 303
    person_page = created.headers["location"].split("?")[0]
    assert database.query(settings.database_url, "SELECT name FROM staff_user WHERE email = :e", e=QUOTED_EMAIL)[0][
        0
    ] == (HOSTILE_NAME)
    for path in (
        "/staff/people",
        created.headers["location"],
        f"{person_page}/roles",
        f"{person_page}/disable",
        "/staff/audit",
    ):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        _no_raw_markup(response.text)
    shown = admin_client.get(person_page).text
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in shown
    assert "o&#39;brien+tag@example.org" in shown
    (message,) = messages(settings.outbox_dir)
    assert HOSTILE_NAME in text_of(message)  # plain text is plain text
    _no_raw_markup(html_of(message))
    assert "&lt;script&gt;" in html_of(message)
    link_page = admin_client.get(last_link_to(settings.outbox_dir, QUOTED_EMAIL))
    assert link_page.status_code == 200
    _no_raw_markup(link_page.text)
    assert "o&#39;brien+tag@example.org" in link_page.text


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_emails_are_refused_plainly_and_change_nothing(
    admin_client: TestClient, settings: Settings, value: str
) -> None:
    before = snapshot(settings.database_url)
    response = _add(admin_client, "Someone", value)
    assert response.status_code == 400
    page = Html(response.text)
    assert page.error_summary[0][0] == "#email"
    _no_raw_markup(response.text)
    assert snapshot(settings.database_url) == before
    assert messages(settings.outbox_dir) == []


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_names_are_refused_or_kept_as_text(admin_client: TestClient, settings: Settings, value: str) -> None:
    before = snapshot(settings.database_url)
    response = _add(admin_client, value, "someone@example.org")
    assert response.status_code in (303, 400)
    if response.status_code == 400:
        assert Html(response.text).error_summary[0][0] == "#name"
        _no_raw_markup(response.text)
        assert snapshot(settings.database_url) == before
        if len(value) > 400 or not value.isprintable():
            assert value not in response.text  # a flood or control characters are not shown back
    else:
        _no_raw_markup(admin_client.get(response.headers["location"]).text)
        _no_raw_markup(admin_client.get("/staff/people").text)


@pytest.mark.parametrize("value", [*HOSTILE, ["admin", SCRIPT], ["admin"] * 50])
def test_hostile_roles_are_refused_and_change_nothing(
    admin_client: TestClient, settings: Settings, staff_users: dict[str, Person], value: object
) -> None:
    before = snapshot(settings.database_url)
    response = _add(admin_client, "Someone", "someone@example.org", value)
    target = staff_users["voice_editor"].id
    changed = admin_client.post(f"/staff/people/{target}/roles", data=with_csrf(admin_client, {"roles": value}))
    for refused in (response, changed):
        if isinstance(value, list) and set(value) == {"admin"}:
            continue  # repeated real roles are one role
        assert refused.status_code == 400
        _no_raw_markup(refused.text)
    if not (isinstance(value, list) and set(value) == {"admin"}):
        assert snapshot(settings.database_url) == before


def test_malformed_forms_are_a_4xx_not_a_500(admin_client: TestClient, settings: Settings) -> None:
    before = snapshot(settings.database_url)
    token = with_csrf(admin_client)["_csrf_token"]
    repeated = admin_client.post(
        "/staff/people/new",
        content=f"name=a&name=b&email=x%40example.org&_csrf_token={token}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert repeated.status_code == 400
    huge = admin_client.post("/staff/people/new", data=with_csrf(admin_client, {"name": "x" * 2_000_000}))
    assert huge.status_code == 413
    as_json = admin_client.post("/staff/people/new", json={"email": "x@example.org"})
    assert 400 <= as_json.status_code < 500
    assert snapshot(settings.database_url) == before


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_api_values_are_a_clear_4xx_or_kept_as_text(
    client: TestClient, settings: Settings, staff_users: dict[str, Person], value: str
) -> None:
    headers = bearer(api_token(settings, staff_users["admin"]))
    client.get("/api/staff/me", headers=headers)
    before = snapshot(settings.database_url)
    for body in ({"email": value}, {"email": "ok@example.org", "roles": [value]}):
        response = client.post("/api/staff/people", json=body, headers=headers)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/json")
    assert snapshot(settings.database_url) == before
    named = client.post("/api/staff/people", json={"email": "named@example.org", "name": value}, headers=headers)
    assert named.status_code in (201, 422)
    if named.status_code == 201:
        assert named.json()["name"] == value.strip()
    for params in ({"person": value}, {"action": value}, {"since": value}):
        searched = client.get("/api/staff/audit", params=params, headers=headers)
        assert searched.status_code in (200, 400, 422), params


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_audit_filters_never_fail(admin_client: TestClient, value: str) -> None:
    for name in ("person", "action", "from-day", "to-year"):
        for path in ("/staff/audit", "/staff/audit.csv"):
            response = admin_client.get(path, params={name: value})
            assert response.status_code in (200, 400), (path, name, response.status_code)
            if response.headers["content-type"].startswith("text/html"):
                _no_raw_markup(response.text)
