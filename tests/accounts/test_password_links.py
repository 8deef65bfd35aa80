"""Set-password links: made by the job when it sends, single use, valid for an hour, refused alike when dead."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.accounts.conftest import snapshot
from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.outbox import html_of, link_path, messages, password_link, text_of
from tests.support.staff import log_in, set_session_cookie, sign_in
from voice_service.accounts import password_links
from voice_service.accounts.password_links import (
    PER_ADDRESS,
    SEND_PASSWORD_LINK,
    AccountDisabled,
    LinkRefused,
    PasswordRefused,
    TooManyAttempts,
    open_link,
    request_password_link,
    use_link,
)
from voice_service.accounts.people import add_person, disable_person
from voice_service.accounts.service import Person, UserNotFound, create_user
from voice_service.app import build_job_runner
from voice_service.core.audit import CLI, SYSTEM, Actor
from voice_service.core.settings import Settings

NEW_PASSWORD = "violet harbour quietly 2031"
ADMIN = Actor(None, "ada.admin@example.org")


async def _send(engine: AsyncEngine, settings: Settings, now: datetime) -> int:
    runner = build_job_runner(settings, engine)
    return (await runner.run_due(now, kinds={SEND_PASSWORD_LINK})).done[SEND_PASSWORD_LINK]


def _token(settings: Settings, index: int = -1) -> str:
    return password_link(messages(settings.outbox_dir)[index]).rsplit("/", 1)[1]


async def test_the_job_draws_the_token_when_it_sends_and_stores_only_its_hash(
    engine: AsyncEngine, settings: Settings
) -> None:
    now = datetime(2026, 3, 3, 13, 5, tzinfo=UTC)
    admin = await create_user(engine, "ada.admin@example.org", "Ada Admin", ["admin"], actor=SYSTEM)
    person = await add_person(
        engine, "pat@example.org", "Pat O'Neil <b>", ["training_admin"], actor=Actor(admin.id, admin.email), now=now
    )
    jobs = await database.query_async(
        settings.database_url, "SELECT payload FROM job WHERE kind = :k", k=SEND_PASSWORD_LINK
    )
    # The job holds the person's id and nothing else: the token does not exist yet.
    assert [json.loads(p) if isinstance(p, str) else p for (p,) in jobs] == [{"user_id": str(person.id)}]
    assert await database.query_async(settings.database_url, "SELECT * FROM password_link") == []
    assert await _send(engine, settings, now) == 1
    (message,) = messages(settings.outbox_dir)
    token = _token(settings)
    stored = await database.query_async(
        settings.database_url, "SELECT token_hash, created_at, expires_at FROM password_link"
    )
    assert [row[0] for row in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in str(await database.query_async(settings.database_url, "SELECT * FROM job"))
    # The email: plain words, who asked, why, the link, when it stops working and who to contact.
    assert message["To"] == "pat@example.org"
    assert message["Subject"] == "Set up your account for the Have your say staff area"
    text = text_of(message)
    assert text.startswith("Hello Pat O'Neil <b>,\n\n")
    assert "Ada Admin (ada.admin@example.org) has made you an account on the staff area of Have your say" in text
    assert f"http://127.0.0.1:8000/staff/password/{token}" in text
    assert "The link works once, and only until 14:05 UTC on 3 March 2026 (1 hour after this email was sent)." in text
    assert "contact Ada Admin at ada.admin@example.org" in text
    html = html_of(message)
    assert "Pat O&#39;Neil &lt;b&gt;" in html
    assert "<b>," not in html
    assert f'<a href="http://127.0.0.1:8000/staff/password/{token}">' in html


async def test_the_link_uses_base_url_and_a_cli_request_names_no_person(
    engine: AsyncEngine, settings: Settings
) -> None:
    import dataclasses

    person = await create_user(
        engine, "pat@example.org", "", [], actor=SYSTEM, password="kettle orchard lantern 2026 x"
    )
    await request_password_link(engine, person.id, actor=CLI)
    moved = dataclasses.replace(settings, base_url="https://voice.example.org")
    await _send(engine, moved, datetime.now(UTC))
    (message,) = messages(settings.outbox_dir)
    assert password_link(message).startswith("https://voice.example.org/staff/password/")
    text = text_of(message)
    assert text.startswith("Hello,\n\nAn administrator has asked for you to choose a new password")
    assert "contact an administrator of the staff area" in text


async def test_a_link_sets_the_password_once_and_ends_the_persons_sessions(
    engine: AsyncEngine, settings: Settings
) -> None:
    now = datetime.now(UTC)
    person = await create_user(engine, "pat@example.org", "Pat", ["voice_editor"], actor=SYSTEM)
    from voice_service.accounts.sessions import open_session

    async with engine.begin() as conn:
        await open_session(conn, person.id, verified=True, now=now)
    await request_password_link(engine, person.id, actor=ADMIN, now=now)
    await _send(engine, settings, now)
    token = _token(settings)
    opened = await open_link(engine, token, "192.0.2.1", now)
    assert (opened.email, opened.new_account, opened.expires_at) == ("pat@example.org", True, now + timedelta(hours=1))
    with pytest.raises(PasswordRefused, match="15 characters or more"):
        await use_link(engine, token, "too short", address="192.0.2.1", now=now)
    await use_link(engine, token, NEW_PASSWORD, address="192.0.2.1", now=now + timedelta(minutes=5))
    assert await database.query_async(settings.database_url, "SELECT * FROM staff_session") == []
    with pytest.raises(LinkRefused):
        await use_link(engine, token, "another long passphrase 99", address="192.0.2.1", now=now + timedelta(minutes=6))
    with pytest.raises(LinkRefused):
        await open_link(engine, token, "192.0.2.1", now + timedelta(minutes=6))
    rows = await database.query_async(
        settings.database_url, "SELECT action, actor_label, address FROM audit_event WHERE action = 'user.password'"
    )
    assert [tuple(r) for r in rows] == [("user.password", "pat@example.org", "192.0.2.1")]


async def test_a_link_expires_after_one_hour(engine: AsyncEngine, settings: Settings) -> None:
    now = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    person = await create_user(engine, "pat@example.org", "Pat", [], actor=SYSTEM)
    await request_password_link(engine, person.id, actor=ADMIN, now=now)
    await _send(engine, settings, now + timedelta(minutes=10))  # the runner came round late: the hour starts now
    token = _token(settings)
    assert (await open_link(engine, token, "a", now + timedelta(minutes=69))).email == "pat@example.org"
    for later in (timedelta(minutes=70), timedelta(minutes=71), timedelta(days=3)):
        with pytest.raises(LinkRefused):
            await open_link(engine, token, "a", now + later)
        with pytest.raises(LinkRefused):
            await use_link(engine, token, NEW_PASSWORD, address="a", now=now + later)
    assert (await database.query_async(settings.database_url, "SELECT password_hash FROM staff_user"))[0][0] is None


async def test_a_new_link_stops_older_unused_ones(engine: AsyncEngine, settings: Settings) -> None:
    now = datetime.now(UTC)
    person = await create_user(engine, "pat@example.org", "Pat", [], actor=SYSTEM)
    for _ in range(2):
        await request_password_link(engine, person.id, actor=ADMIN, now=now)
        await _send(engine, settings, now)
    first, second = _token(settings, 0), _token(settings, 1)
    assert first != second
    with pytest.raises(LinkRefused):
        await open_link(engine, first, "a", now)
    await use_link(engine, second, NEW_PASSWORD, address="a", now=now)


async def test_disabled_or_unknown_accounts_get_no_link(engine: AsyncEngine, settings: Settings) -> None:
    import uuid

    now = datetime.now(UTC)
    admin = await create_user(engine, "ada@example.org", "Ada", ["admin"], actor=SYSTEM)
    person = await create_user(engine, "pat@example.org", "Pat", [], actor=SYSTEM)
    with pytest.raises(UserNotFound):
        await request_password_link(engine, uuid.uuid4(), actor=ADMIN)
    await request_password_link(engine, person.id, actor=ADMIN, now=now)
    await _send(engine, settings, now)
    token = _token(settings)
    # Disabling ends the unused link, and a job scheduled before the disabling sends nothing.
    await request_password_link(engine, person.id, actor=ADMIN, now=now)
    await disable_person(engine, person.id, actor=Actor(admin.id, admin.email))
    with pytest.raises(LinkRefused):
        await open_link(engine, token, "a", now)
    assert await _send(engine, settings, now) == 1
    assert len(messages(settings.outbox_dir)) == 1
    with pytest.raises(AccountDisabled):
        await request_password_link(engine, person.id, actor=ADMIN, now=now)


async def test_refused_links_are_limited_per_address(engine: AsyncEngine, settings: Settings) -> None:
    now = datetime.now(UTC)
    person = await create_user(engine, "pat@example.org", "Pat", [], actor=SYSTEM)
    await request_password_link(engine, person.id, actor=ADMIN, now=now)
    await _send(engine, settings, now)
    token = _token(settings)
    for _ in range(5):  # a live link does not count against the address
        await open_link(engine, token, "198.51.100.7", now)
    for guess in range(PER_ADDRESS.attempts):
        with pytest.raises(LinkRefused):
            await open_link(engine, f"guess-{guess}", "198.51.100.7", now)
    with pytest.raises(TooManyAttempts) as waited:
        await open_link(engine, token, "198.51.100.7", now)  # even the right token must wait now
    assert timedelta(minutes=14) < waited.value.wait <= timedelta(minutes=15)
    assert (await open_link(engine, token, "203.0.113.9", now)).email == "pat@example.org"  # another address
    assert (await open_link(engine, token, "198.51.100.7", now + timedelta(minutes=16))).email == "pat@example.org"


async def test_two_uses_of_one_link_at_the_same_moment_set_one_password(
    engine: AsyncEngine, settings: Settings
) -> None:
    now = datetime.now(UTC)
    person = await create_user(engine, "pat@example.org", "Pat", [], actor=SYSTEM)
    await request_password_link(engine, person.id, actor=ADMIN, now=now)
    await _send(engine, settings, now)
    token = _token(settings)
    outcomes = await asyncio.gather(
        use_link(engine, token, NEW_PASSWORD, address="a", now=now),
        use_link(engine, token, "a different long passphrase 7", address="a", now=now),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["LinkRefused", "OpenLink"]
    assert (
        len(
            await database.query_async(
                settings.database_url, "SELECT * FROM audit_event WHERE action = 'user.password'"
            )
        )
        == 1
    )


async def test_spent_links_are_purged_with_the_hourly_tidy(engine: AsyncEngine, settings: Settings) -> None:
    now = datetime.now(UTC)
    person = await create_user(engine, "pat@example.org", "Pat", [], actor=SYSTEM)
    await request_password_link(engine, person.id, actor=ADMIN, now=now - timedelta(hours=2))
    await _send(engine, settings, now - timedelta(hours=2))
    async with engine.begin() as conn:
        assert await password_links.purge_spent_links(conn, now) == 1
    assert await database.query_async(settings.database_url, "SELECT * FROM password_link") == []


# --- the page the link opens ------------------------------------------------------------------


def _emailed_link(client: TestClient, settings: Settings, person: Person) -> str:
    sign_in(client, settings, _admin(client, settings))
    client.post(f"/staff/people/{person.id}/password-link", data=with_csrf(client))
    set_session_cookie(client, settings, None)
    return link_path(password_link(messages(settings.outbox_dir)[-1]))


def _admin(client: TestClient, settings: Settings) -> Person:
    async def run() -> Person:
        from voice_service.core.db.engine import create_engine

        engine = create_engine(settings)
        try:
            from voice_service.accounts.service import find_user

            found = await find_user(engine, "ada.admin@example.org")
            assert found is not None
            return found
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_the_page_explains_the_rules_sets_the_password_and_sends_to_sign_in(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    person = staff_users["voice_editor"]
    path = _emailed_link(client, settings, person)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    page = Html(response.text)
    assert page.h1 == "Choose your password"
    assert "at least 15 characters" in page.source
    assert "commonly used password" in page.source
    assert person.email in page.source
    assert [f.attrs["action"] for f in page.all("form")] == [path]
    weak = client.post(path, data=with_csrf(client, {"password": "password123456789"}))
    assert weak.status_code == 400
    assert weak.headers["referrer-policy"] == "no-referrer"
    assert Html(weak.text).error_summary == [
        ("#password", "Password is too common: choose a longer phrase that other people would not use")
    ]
    assert "password123456789" not in weak.text
    done = client.post(path, data=with_csrf(client, {"password": NEW_PASSWORD}), follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/staff/login?password_set=true"
    assert done.headers["referrer-policy"] == "no-referrer"
    assert log_in(client, person.email, NEW_PASSWORD).status_code == 303
    # Spent: the page and the form now give the same refusal as a link that never existed.
    used, unknown = client.get(path), client.get("/staff/password/" + "A" * 43)
    assert used.status_code == unknown.status_code == 404
    assert Html(used.text).h1 == Html(unknown.text).h1 == "This link cannot be used"
    assert used.text == unknown.text
    again = client.post(path, data=with_csrf(client, {"password": "yet another long passphrase"}))
    assert again.status_code == 404
    assert again.headers["referrer-policy"] == "no-referrer"


def test_setting_a_password_ends_the_persons_other_sessions(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    person = staff_users["safeguarding_lead"]
    theirs = sign_in(client, settings, person)
    path = _emailed_link(client, settings, person)
    client.post(path, data=with_csrf(client, {"password": NEW_PASSWORD}))
    set_session_cookie(client, settings, theirs)
    assert client.get("/staff/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "token",
    ["x", "A" * 43, "A" * 101, "<img src=x onerror=alert(1)>", "1' OR '1'='1", "%00", "%E2%80%AE", "\u00e9" * 43],
)
def test_unknown_or_hostile_tokens_get_the_plain_refusal(
    client: TestClient, settings: Settings, staff_users: dict[str, Person], token: str
) -> None:
    before = snapshot(settings.database_url)
    for response in (
        client.get(f"/staff/password/{token}"),
        client.post(f"/staff/password/{token}", data=with_csrf(client, {"password": NEW_PASSWORD})),
    ):
        assert response.status_code == 404, response.status_code
        assert "<img src=x" not in response.text
        assert Html(response.text).h1 == "This link cannot be used"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert snapshot(settings.database_url) == before


def test_too_many_refused_links_from_one_address_wait(client: TestClient, settings: Settings) -> None:
    for guess in range(PER_ADDRESS.attempts):
        assert client.get(f"/staff/password/guess-{guess}").status_code == 404
    response = client.get("/staff/password/guess-final")
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 15 * 60
    assert Html(response.text).h1 == "Too many attempts"
    assert "Wait 15 minutes" in response.text


def test_the_link_form_needs_the_csrf_token(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    person = staff_users["voice_reviewer"]
    path = _emailed_link(client, settings, person)
    before = snapshot(settings.database_url)
    assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 403
    assert snapshot(settings.database_url) == before
    assert client.get(path).status_code == 200  # still usable by its owner


def test_the_login_page_confirms_a_new_password(client: TestClient) -> None:
    page = Html(client.get("/staff/login?password_set=true").text)
    assert "Your password is set" in page.one(cls="govuk-notification-banner").text


def test_a_failed_send_after_the_request_is_retried_by_the_runner(
    admin_client: TestClient, settings: Settings, staff_users: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    from voice_service.core.mail import OutboxMailer

    real_send = OutboxMailer.send

    async def refuse(*_args: object, **_kwargs: object) -> None:
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(OutboxMailer, "send", refuse)
    person = staff_users["voice_reviewer"]
    response = admin_client.post(f"/staff/people/{person.id}/password-link", data=with_csrf(admin_client))
    assert response.status_code == 200  # the person's page, with its banner: the request itself succeeded
    assert messages(settings.outbox_dir) == []
    job = database.query(
        settings.database_url, "SELECT attempts, last_error, done_at FROM job WHERE kind = :k", k=SEND_PASSWORD_LINK
    )
    assert [tuple(row) for row in job] == [(1, "ConnectionRefusedError", None)]
    monkeypatch.setattr(OutboxMailer, "send", real_send)

    async def later() -> int:
        from voice_service.core.db.engine import create_engine

        engine = create_engine(settings)
        try:
            return await _send(engine, settings, datetime.now(UTC) + timedelta(minutes=2))
        finally:
            await engine.dispose()

    assert asyncio.run(later()) == 1
    assert [m["To"] for m in messages(settings.outbox_dir)] == [person.email]
    assert client_can_use(admin_client, settings)


def client_can_use(client: TestClient, settings: Settings) -> bool:
    """Whether the newest emailed link opens the choose-a-password page."""
    return client.get(link_path(password_link(messages(settings.outbox_dir)[-1]))).status_code == 200
