"""Bad input on the staff side: markup, SQL, long strings, control characters and wrong types.

Each gets a clear 4xx (or is kept as plain text), leaves the database as it was, and is never
rendered unescaped or answered with a 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.accounts.conftest import snapshot
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import FIXED_USERS, PASSWORD, bearer, log_in
from voice_service.accounts.service import Person, create_user
from voice_service.core.audit import SYSTEM
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings

StaffClient = Callable[[str], TestClient]
SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
SQL = "' OR '1'='1'; DROP TABLE staff_user; --"
HOSTILE = [SCRIPT, IMG, SQL, "{{ 7*7 }}", "${7*7}", "\u202eevil", "a" * 10_000, "tab\there", "nul\x00byte", "\x1b[31m"]


def _assert_no_raw_markup(text: str) -> None:
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert ">49<" not in text  # no template evaluation of "{{ 7*7 }}"
    assert '"49"' not in text


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_login_input_is_refused_plainly_and_never_echoed_raw(
    client: TestClient, settings: Settings, staff_users: dict[str, Person], value: str
) -> None:
    before = snapshot(settings.database_url)
    for data in ({"email": value, "password": value}, {"email": FIXED_USERS["admin"].email, "password": value}):
        response = client.post("/staff/login", data=with_csrf(client, {**data, "next": value}, page="/staff/login"))
        assert response.status_code == 400, response.status_code
        assert response.headers["content-type"].startswith("text/html")
        _assert_no_raw_markup(response.text)
        page = Html(response.text)
        assert page.error_summary  # a clear message, at the top
        assert page.field_values().get("next") == ["/staff/"]  # a hostile next is dropped
        if len(value) > 20:
            assert value not in response.text  # the password field is never filled back in
    assert snapshot(settings.database_url) == before


def test_repeated_or_missing_login_fields_are_a_400_not_a_500(client: TestClient, settings: Settings) -> None:
    token = with_csrf(client, page="/staff/login")
    repeated = client.post(
        "/staff/login",
        content="email=a%40example.org&email=b%40example.org&password=x&_csrf_token=" + token["_csrf_token"],
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= repeated.status_code < 500
    assert client.post("/staff/login", data=with_csrf(client, {"unexpected": "field"})).status_code == 400
    huge = client.post("/staff/login", data=with_csrf(client, {"email": "x" * 2_000_000}))
    assert huge.status_code == 413


def _create(settings: Settings, email: str, name: str) -> Person:
    async def run() -> Person:
        engine = create_engine(settings)
        try:
            return await create_user(engine, email, name, ["admin"], actor=SYSTEM)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_markup_in_a_persons_name_is_shown_as_text_on_every_page(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    from tests.support.staff import sign_in

    person = _create(settings, "o'brien+tag@example.org", SCRIPT + IMG)
    sign_in(client, settings, person)
    for path in ("/staff/", "/staff/account"):
        response = client.get(path)
        assert response.status_code == 200
        _assert_no_raw_markup(response.text)
        assert "&lt;script&gt;" in response.text
    assert "o&#39;brien+tag@example.org" in client.get("/staff/account").text


@pytest.mark.parametrize("name", [SCRIPT, IMG, SQL, "{{ 7*7 }}", "\u202eevil"])
def test_hostile_token_names_are_stored_as_text_and_shown_escaped(
    staff_client: StaffClient, settings: Settings, name: str
) -> None:
    client = staff_client("admin")
    created = client.post("/staff/account/tokens", data=with_csrf(client, {"name": name}))
    assert created.status_code == 201
    _assert_no_raw_markup(created.text)
    token = Html(created.text).one("code", "vs-token").text
    listed = client.get("/api/staff/tokens", headers=bearer(token)).json()
    assert [t["name"] for t in listed] == [name]
    page = client.get("/staff/account")
    _assert_no_raw_markup(page.text)
    assert Html(page.text).all("td")[0].text == " ".join(name.split())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name for the token, such as the script that will use it"),
        ("   ", "Enter a name for the token, such as the script that will use it"),
        ("n" * 101, "Token name must be 100 characters or fewer"),
        ("x" * 10_000, "Token name must be 100 characters or fewer"),
        ("line\nbreak", "Token name must not contain control characters"),
        ("nul\x00byte", "Token name must not contain control characters"),
    ],
)
def test_bad_token_names_on_the_page_are_a_400_with_the_error_summary(
    staff_client: StaffClient, settings: Settings, name: str, message: str
) -> None:
    client = staff_client("voice_reviewer")
    before = snapshot(settings.database_url)
    response = client.post("/staff/account/tokens", data=with_csrf(client, {"name": name}))
    assert response.status_code == 400
    page = Html(response.text)
    assert page.title.startswith("Error: ")
    assert page.error_summary == [("#name", message)]
    assert snapshot(settings.database_url) == before


@pytest.mark.parametrize(
    "query",
    ["revoked=" + SCRIPT, "revoked=1%27%20OR%201=1", "revoked=" + "x" * 5000, "revoked=%00"],
)
def test_bad_query_values_on_staff_pages_are_a_400(staff_client: StaffClient, query: str) -> None:
    response = staff_client("admin").get(f"/staff/account?{query}")
    assert response.status_code == 400
    _assert_no_raw_markup(response.text)


@pytest.mark.parametrize("next_page", [SCRIPT, IMG, "javascript:alert(1)", "/staff/" + IMG])
def test_a_hostile_next_on_the_login_page_is_escaped_or_dropped(client: TestClient, next_page: str) -> None:
    response = client.get("/staff/login", params={"next": next_page})
    assert response.status_code == 200
    _assert_no_raw_markup(response.text)


def test_sql_looking_credentials_log_no_one_in(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    for email, password in ((SQL, SQL), (FIXED_USERS["admin"].email + "' --", PASSWORD), ("' OR 1=1 --", "x")):
        assert log_in(client, email, password).status_code == 400
    assert client.cookies.get("vs_staff") is None
