"""Logging in and out through the pages: cookies, answers that reveal nothing, limits, audit."""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.accounts.conftest import audit_actions
from tests.support import database
from tests.support.apps import ClientFactory, make_client
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import FIXED_USERS, PASSWORD, log_in, password_hash, set_session_cookie, sign_in
from voice_service.accounts import sessions
from voice_service.accounts.limits import Limit
from voice_service.accounts.service import Person, create_user
from voice_service.accounts.tables import STAFF_SESSIONS, STAFF_USERS
from voice_service.core.audit import SYSTEM
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings

__all__ = ["make_client"]

ADMIN = FIXED_USERS["admin"].email


def csrf_field(source: str) -> str:
    """The value of the page's CSRF field."""
    return next(e.attrs["value"] for e in Html(source).all("input") if e.attrs.get("name") == "_csrf_token")


def _sessions(settings: Settings) -> list[str]:
    return [row[0] for row in database.query(settings.database_url, "SELECT id_hash FROM staff_session")]


def test_the_login_page_is_a_gov_uk_form_with_the_csrf_field(client: TestClient) -> None:
    response = client.get("/staff/login")
    assert response.status_code == 200
    page = Html(response.text)
    assert page.h1 == "Sign in"
    assert page.title.startswith("Sign in")
    assert {"email", "password", "next"} <= page.field_names()
    assert csrf_field(response.text)
    assert page.one("form").attrs["method"] == "post"
    assert "Childline" not in response.text
    assert "govuk-service-navigation" not in response.text  # no navigation until signed in


def test_logging_in_opens_a_server_side_session_with_a_safe_cookie(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    response = log_in(client, ADMIN)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("vs_staff=")
    assert "HttpOnly" in cookie
    assert "Path=/" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie
    secret = client.cookies.get("vs_staff")
    assert secret
    assert len(secret) >= 40
    # Only the SHA-256 of the cookie is stored.
    assert _sessions(settings) == [hashlib.sha256(secret.encode()).hexdigest()]
    assert client.get("/staff/").status_code == 200
    assert [row[:3] for row in audit_actions(settings.database_url, "auth.")] == [("auth.login", ADMIN, "staff_user")]
    assert audit_actions(settings.database_url, "auth.")[0][3] == "testclient"


def test_with_secure_cookies_the_cookie_is_secure_and_host_prefixed(
    make_client: ClientFactory, staff_users: dict[str, Person]
) -> None:
    with make_client(secure_cookies=True) as client:
        # The CSRF cookie is Secure too, so the test client (plain http) does not send it back: send it by hand.
        page = client.get("/staff/login")
        csrf_cookie = page.headers["set-cookie"].split(";")[0]
        token = csrf_field(page.text)
        response = client.post(
            "/staff/login",
            data={"email": ADMIN, "password": PASSWORD, "next": "", "_csrf_token": token},
            headers={"Cookie": csrf_cookie},
            follow_redirects=False,
        )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-vs_staff=")
    assert "Secure" in cookie
    assert "Path=/" in cookie
    assert "HttpOnly" in cookie
    assert "Domain" not in cookie


def test_a_new_session_id_at_every_login(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    planted = "attacker-chosen-session-id"
    set_session_cookie(client, settings, planted)
    log_in(client, ADMIN)
    first = client.cookies.get("vs_staff")
    assert first != planted
    log_in(client, ADMIN)
    assert client.cookies.get("vs_staff") not in (first, planted)
    assert hashlib.sha256(planted.encode()).hexdigest() not in _sessions(settings)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/staff/account", "/staff/account"),
        ("/staff/account?revoked=true", "/staff/account?revoked=true"),
        ("https://evil.example/staff/", "/staff/"),
        ("//evil.example/staff/", "/staff/"),
        ("/\\evil.example", "/staff/"),
        ("/staff/\r\nSet-Cookie: x=1", "/staff/"),
        ("/s/make-your-mark", "/staff/"),
        ("/staffing-agency", "/staff/"),
        ("/staff/login", "/staff/"),
        ("javascript:alert(1)", "/staff/"),
    ],
)
def test_after_logging_in_only_a_staff_path_is_followed(
    client: TestClient, staff_users: dict[str, Person], target: str, expected: str
) -> None:
    response = log_in(client, ADMIN, next_page=target)
    assert response.status_code == 303
    assert response.headers["location"] == expected


def test_an_anonymous_visitor_is_sent_to_log_in_and_then_back(
    client: TestClient, staff_users: dict[str, Person]
) -> None:
    response = client.get("/staff/account?revoked=true", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login?next=%2Fstaff%2Faccount%3Frevoked%3Dtrue"
    page = Html(client.get(response.headers["location"]).text)
    assert page.field_values()["next"] == ["/staff/account?revoked=true"]
    assert log_in(client, ADMIN, next_page="/staff/account?revoked=true").headers["location"] == (
        "/staff/account?revoked=true"
    )


def test_blank_fields_are_listed_in_the_error_summary(client: TestClient) -> None:
    response = client.post("/staff/login", data=with_csrf(client, {}, page="/staff/login"))
    assert response.status_code == 400
    page = Html(response.text)
    assert page.title.startswith("Error: ")
    assert page.error_summary == [("#email", "Enter your email address"), ("#password", "Enter your password")]
    assert page.inline_errors["email-error"] == "Enter your email address"


def _refusal(client: TestClient, email: str, password: str) -> str:
    response = log_in(client, email, password)
    assert response.status_code == 400
    # The email is shown back in its field; with it taken out, every refusal must read the same.
    return response.text.replace(email, "EMAIL").replace(email.lower(), "EMAIL")


def test_every_refusal_reads_the_same_whether_or_not_the_account_exists(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    asyncio.run(_disable(settings, staff_users["no_roles"]))
    wrong_password = _refusal(client, ADMIN, "not the right password at all")
    unknown_email = _refusal(client, "nobody.here@example.org", "not the right password at all")
    disabled = _refusal(client, FIXED_USERS["no_roles"].email, PASSWORD)
    assert wrong_password == unknown_email == disabled
    assert Html(wrong_password).error_summary == [("#email", sessions.NOT_RECOGNISED)]
    assert "not the right password" not in wrong_password  # the password is never shown back
    assert [row[0] for row in audit_actions(settings.database_url, "auth.")][-3:] == ["auth.login_failed"] * 3


async def _disable(settings: Settings, person: Person) -> None:
    from voice_service.accounts.people import disable_person
    from voice_service.core.audit import SYSTEM

    engine = create_engine(settings)
    try:
        await disable_person(engine, person.id, actor=SYSTEM)
    finally:
        await engine.dispose()


async def test_a_refusal_takes_about_as_long_whether_or_not_the_account_exists(
    engine: AsyncEngine, settings: Settings
) -> None:
    from voice_service.accounts.service import create_user
    from voice_service.core.audit import SYSTEM

    await create_user(engine, "kim@example.org", "", [], actor=SYSTEM, password="a genuine long passphrase")

    async def median(email: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            outcome = await sessions.log_in(engine, settings, email, "a wrong long passphrase", "")
            times.append(time.perf_counter() - start)
            assert outcome.errors == {"email": sessions.NOT_RECOGNISED}
        return sorted(times)[2]

    known, unknown = await median("kim@example.org"), await median("nobody@example.org")
    # Both check an argon2 hash (a dummy one for an unknown email), so neither is much faster.
    assert 0.5 < known / unknown < 2.0, (known, unknown)


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits of 3 attempts an account and 10 an address, reached quickly (the real ones are 10 and 50)."""
    monkeypatch.setattr(sessions, "PER_ACCOUNT", Limit("login-account", 3, timedelta(minutes=15)))
    monkeypatch.setattr(sessions, "PER_ADDRESS", Limit("login-address", 10, timedelta(minutes=15)))


@pytest.mark.usefixtures("small_limits")
def test_failed_logins_are_limited_per_account_with_the_time_to_wait(
    client: TestClient, make_client: ClientFactory, settings: Settings, staff_users: dict[str, Person]
) -> None:
    for _ in range(3):
        assert log_in(client, ADMIN, "a wrong long passphrase").status_code == 400
    blocked = log_in(client, ADMIN, PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert 14 * 60 < int(blocked.headers["retry-after"]) <= 15 * 60
    assert Html(blocked.text).error_summary == [
        ("#email", "Too many attempts to sign in. Wait 15 minutes, then try again.")
    ]
    assert "vs_staff" not in blocked.headers.get("set-cookie", "")
    # An unknown email is limited in the same way, so the limit tells nothing about who has an account.
    for _ in range(3):
        assert log_in(client, "ghost@example.org", "a wrong long passphrase").status_code == 400
    assert log_in(client, "ghost@example.org", "a wrong long passphrase").status_code == 429
    # The limits are in the database, so a restarted service still holds them.
    with make_client() as restarted:
        assert log_in(restarted, ADMIN, PASSWORD).status_code == 429
    actions = [row[0] for row in audit_actions(settings.database_url, "auth.")]
    assert actions.count("auth.login_blocked") >= 2
    assert "auth.login" not in actions


@pytest.mark.usefixtures("small_limits")
def test_failed_logins_are_limited_per_address(client: TestClient, staff_users: dict[str, Person]) -> None:
    for number in range(10):
        assert log_in(client, f"someone{number}@example.org", "a wrong long passphrase").status_code == 400
    assert log_in(client, FIXED_USERS["voice_editor"].email, PASSWORD).status_code == 429


@pytest.mark.usefixtures("small_limits")
def test_a_limit_ends_with_its_window_and_success_clears_the_account_count(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    for _ in range(2):
        log_in(client, ADMIN, "a wrong long passphrase")
    assert log_in(client, ADMIN).status_code == 303  # the third attempt, right: counts start again
    for _ in range(3):
        log_in(client, ADMIN, "a wrong long passphrase")
    assert log_in(client, ADMIN).status_code == 429
    asyncio.run(_age_counters(settings, timedelta(minutes=16)))
    assert log_in(client, ADMIN).status_code == 303


async def _age_counters(settings: Settings, by: timedelta) -> None:
    from voice_service.core.tables import RATE_COUNTERS

    engine = create_engine(settings)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(RATE_COUNTERS).values(window_start=datetime.now(UTC) - by))
    finally:
        await engine.dispose()


def test_logging_out_deletes_the_session(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    log_in(client, ADMIN)
    assert client.get("/staff/logout").status_code == 405  # nothing changes on a GET
    sign_out = [f for f in Html(client.get("/staff/").text).all("form") if f.attrs["action"] == "/staff/logout"]
    assert len(sign_out) == 1
    assert sign_out[0].attrs["method"] == "post"
    response = client.post("/staff/logout", data=with_csrf(client), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login?signed_out=true"
    assert 'vs_staff=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]
    assert _sessions(settings) == []
    assert "You have signed out" in client.get("/staff/login?signed_out=true").text
    assert client.get("/staff/", follow_redirects=False).status_code == 303
    assert [row[0] for row in audit_actions(settings.database_url, "auth.")] == ["auth.login", "auth.logout"]


def test_logging_out_needs_the_csrf_token(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    log_in(client, ADMIN)
    assert client.post("/staff/logout", data={}, follow_redirects=False).status_code == 403
    assert len(_sessions(settings)) == 1


def test_a_stolen_cookie_stops_working_after_logout(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    secret = sign_in(client, settings, staff_users["admin"])
    client.post("/staff/logout", data=with_csrf(client))
    set_session_cookie(client, settings, secret)
    assert client.get("/staff/", follow_redirects=False).status_code == 303


async def _age_session(settings: Settings, *, created: timedelta, last_seen: timedelta) -> None:
    engine = create_engine(settings)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(STAFF_SESSIONS).values(created_at=now - created, last_seen_at=now - last_seen))
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("created", "last_seen", "alive"),
    [
        (timedelta(minutes=40), timedelta(minutes=29), True),
        (timedelta(minutes=40), timedelta(minutes=31), False),  # idle for over 30 minutes
        (timedelta(hours=11, minutes=50), timedelta(seconds=5), True),
        (timedelta(hours=12, minutes=1), timedelta(seconds=5), False),  # over 12 hours since logging in
    ],
)
def test_sessions_end_when_idle_or_too_old(
    client: TestClient,
    settings: Settings,
    staff_users: dict[str, Person],
    created: timedelta,
    last_seen: timedelta,
    alive: bool,
) -> None:
    sign_in(client, settings, staff_users["admin"])
    asyncio.run(_age_session(settings, created=created, last_seen=last_seen))
    response = client.get("/staff/", follow_redirects=False)
    assert response.status_code == (200 if alive else 303)
    assert len(_sessions(settings)) == (1 if alive else 0)


def test_session_lengths_come_from_settings(
    make_client: ClientFactory, settings: Settings, staff_users: dict[str, Person]
) -> None:
    assert Settings.from_env({"STAFF_IDLE_MINUTES": "5", "STAFF_ABSOLUTE_HOURS": "2"}).staff_idle_minutes == 5
    assert Settings.from_env({"STAFF_ABSOLUTE_HOURS": "2"}).staff_absolute_hours == 2
    assert (Settings().staff_idle_minutes, Settings().staff_absolute_hours) == (30, 12)
    with make_client(staff_idle_minutes=5) as client:
        sign_in(client, settings, staff_users["admin"])
        asyncio.run(_age_session(settings, created=timedelta(minutes=7), last_seen=timedelta(minutes=6)))
        assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_last_seen_is_written_at_most_once_a_minute(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    sign_in(client, settings, staff_users["admin"])
    asyncio.run(_age_session(settings, created=timedelta(minutes=5), last_seen=timedelta(seconds=20)))
    before = database.query(settings.database_url, "SELECT last_seen_at FROM staff_session")
    client.get("/staff/")
    assert database.query(settings.database_url, "SELECT last_seen_at FROM staff_session") == before
    asyncio.run(_age_session(settings, created=timedelta(minutes=5), last_seen=timedelta(minutes=2)))
    aged = database.query(settings.database_url, "SELECT last_seen_at FROM staff_session")
    client.get("/staff/")
    assert database.query(settings.database_url, "SELECT last_seen_at FROM staff_session") != aged


def test_a_session_awaiting_its_second_factor_reaches_nothing_else(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    sign_in(client, settings, staff_users["admin"], verified=False)
    for path in ("/staff/", "/staff/account"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/login/second-factor"
    response = client.post("/staff/account/tokens", data=with_csrf(client, {"name": "x"}), follow_redirects=False)
    assert response.status_code == 303
    assert database.query(settings.database_url, "SELECT * FROM api_token") == []
    # It may still log out.
    assert client.post("/staff/logout", data=with_csrf(client), follow_redirects=False).status_code == 303
    assert _sessions(settings) == []


def test_an_account_with_an_internationalised_domain_logs_in_as_typed_or_as_a_browser_sends_it(
    client: TestClient, settings: Settings
) -> None:
    async def create() -> None:
        engine = create_engine(settings)
        try:
            person = await create_user(engine, "Anna@Schüle.example", "Anna", ("voice_editor",), actor=SYSTEM)
            async with engine.begin() as conn:
                await conn.execute(
                    update(STAFF_USERS).where(STAFF_USERS.c.id == person.id).values(password_hash=password_hash())
                )
        finally:
            await engine.dispose()

    asyncio.run(create())
    assert database.query(settings.database_url, "SELECT email FROM staff_user")[0][0] == "anna@xn--schle-mva.example"
    for typed in ("anna@xn--schle-mva.example", "Anna@Schüle.example"):
        client.cookies.clear()
        response = log_in(client, typed)
        assert response.status_code == 303, typed
        assert response.headers["location"] == "/staff/"
