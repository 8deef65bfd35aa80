"""The users service, called directly: create, roles, disable, set a password; each change audited."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.accounts.conftest import audit_actions_async
from tests.support import database
from voice_service.accounts import service
from voice_service.accounts.people import disable_person
from voice_service.accounts.sessions import log_in, resolve_session
from voice_service.accounts.tokens import create_token, resolve_token
from voice_service.core.audit import CLI, Actor
from voice_service.core.settings import Settings

GOOD = "meadow lantern copper 2026"


async def test_create_user_lower_cases_the_email_and_orders_roles(engine: AsyncEngine, settings: Settings) -> None:
    person = await service.create_user(
        engine, "  Jo.Bloggs@Example.ORG ", " Jo Bloggs ", ["voice_reviewer", "admin"], actor=CLI
    )
    assert (person.email, person.name, person.roles) == (
        "jo.bloggs@example.org",
        "Jo Bloggs",
        ("admin", "voice_reviewer"),
    )
    assert not person.has_password
    assert await service.find_user(engine, "JO.BLOGGS@example.org") == person
    assert await service.get_user(engine, person.id) == person
    assert await audit_actions_async(settings.database_url) == [("user.create", "command line", "staff_user", "")]


async def test_create_user_with_a_password_can_log_in(engine: AsyncEngine, settings: Settings) -> None:
    await service.create_user(engine, "lee@example.org", "", ["training_admin"], actor=CLI, password=GOOD)
    outcome = await log_in(engine, settings, "LEE@example.org", GOOD, "192.0.2.1")
    assert outcome.identity is not None
    assert outcome.identity.roles == {"training_admin"}


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("", service.InvalidEmail),
        ("not-an-email", service.InvalidEmail),
        ("<script>alert(1)</script>@example.org", service.InvalidEmail),
        ("a@b", service.InvalidEmail),
        ("robert'); DROP TABLE staff_user;--@example.org", service.InvalidEmail),
        ("x" * 65 + "@example.org", service.InvalidEmail),
        ("tab\t@example.org", service.InvalidEmail),
    ],
)
async def test_bad_emails_are_refused_and_nothing_is_stored(
    engine: AsyncEngine, settings: Settings, email: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await service.create_user(engine, email, "", ["admin"], actor=CLI)
    assert await database.query_async(settings.database_url, "SELECT * FROM staff_user") == []


async def test_bad_names_roles_and_passwords_are_refused(engine: AsyncEngine, settings: Settings) -> None:
    with pytest.raises(service.InvalidName):
        await service.create_user(engine, "a@example.org", "n" * 201, [], actor=CLI)
    with pytest.raises(service.InvalidName):
        await service.create_user(engine, "a@example.org", "bell\x07", [], actor=CLI)
    with pytest.raises(service.InvalidRole):
        await service.create_user(engine, "a@example.org", "", ["superuser"], actor=CLI)
    with pytest.raises(service.WeakPassword, match="15 characters"):
        await service.create_user(engine, "a@example.org", "", [], actor=CLI, password="short")
    with pytest.raises(service.WeakPassword, match="email"):
        await service.create_user(engine, "pat.long@example.org", "", [], actor=CLI, password="pat.long walks the dog")
    assert await database.query_async(settings.database_url, "SELECT * FROM staff_user") == []
    assert await audit_actions_async(settings.database_url) == []


async def test_an_email_can_hold_one_account_whatever_its_case(engine: AsyncEngine) -> None:
    await service.create_user(engine, "sam@example.org", "", [], actor=CLI)
    with pytest.raises(service.EmailTaken):
        await service.create_user(engine, "SAM@example.org", "", [], actor=CLI)


async def test_set_roles_replaces_them_and_applies_to_the_next_request(engine: AsyncEngine, settings: Settings) -> None:
    person = await service.create_user(engine, "kim@example.org", "", ["voice_editor"], actor=CLI, password=GOOD)
    outcome = await log_in(engine, settings, "kim@example.org", GOOD, "")
    admin = Actor(uuid.uuid4(), "ada@example.org")
    changed = await service.set_roles(engine, person.id, ["safeguarding_lead", "voice_reviewer"], actor=admin)
    assert changed.roles == ("voice_reviewer", "safeguarding_lead")
    identity = await resolve_session(engine, settings, outcome.secret)
    assert identity is not None
    assert identity.roles == {"voice_reviewer", "safeguarding_lead"}
    assert ("user.roles", "ada@example.org", "staff_user", "") in await audit_actions_async(settings.database_url)
    with pytest.raises(service.InvalidRole):
        await service.set_roles(engine, person.id, ["admin", "root"], actor=admin)
    assert (await service.get_user(engine, person.id)).roles == ("voice_reviewer", "safeguarding_lead")
    with pytest.raises(service.UserNotFound):
        await service.set_roles(engine, uuid.uuid4(), ["admin"], actor=admin)


async def test_disable_user_ends_sessions_and_tokens_at_once(engine: AsyncEngine, settings: Settings) -> None:
    await service.create_user(engine, "keeper@example.org", "", ["admin"], actor=CLI)
    person = await service.create_user(engine, "dee@example.org", "", ["admin"], actor=CLI, password=GOOD)
    outcome = await log_in(engine, settings, "dee@example.org", GOOD, "")
    _info, token = await create_token(engine, person.id, "script", actor=CLI)
    assert await resolve_session(engine, settings, outcome.secret) is not None
    assert await resolve_token(engine, token) is not None

    await disable_person(engine, person.id, actor=CLI)

    assert await resolve_session(engine, settings, outcome.secret) is None
    assert await resolve_token(engine, token) is None
    assert await database.query_async(settings.database_url, "SELECT * FROM staff_session") == []
    again = await log_in(engine, settings, "dee@example.org", GOOD, "")
    assert again.identity is None
    assert again.errors
    assert not (await service.get_user(engine, person.id)).active
    with pytest.raises(service.UserNotFound):
        await disable_person(engine, uuid.uuid4(), actor=CLI)


async def test_set_password_checks_it_and_ends_every_session(engine: AsyncEngine, settings: Settings) -> None:
    person = await service.create_user(engine, "max@example.org", "", [], actor=CLI)
    assert (await log_in(engine, settings, "max@example.org", GOOD, "")).identity is None  # no password yet
    with pytest.raises(service.WeakPassword):
        await service.set_password(engine, person.id, "password123456789", actor=CLI)
    await service.set_password(engine, person.id, GOOD, actor=CLI)
    first = await log_in(engine, settings, "max@example.org", GOOD, "")
    assert first.identity is not None
    await service.set_password(engine, person.id, GOOD + " and more", actor=CLI)
    assert await resolve_session(engine, settings, first.secret) is None
    assert (await log_in(engine, settings, "max@example.org", GOOD, "")).identity is None
    assert (await log_in(engine, settings, "max@example.org", GOOD + " and more", "")).identity is not None
    actions = [row[0] for row in await audit_actions_async(settings.database_url)]
    assert actions.count("user.password") == 2
    with pytest.raises(service.UserNotFound):
        await service.set_password(engine, uuid.uuid4(), GOOD, actor=CLI)


async def test_completing_the_second_factor_gives_a_new_verified_session(
    engine: AsyncEngine, settings: Settings
) -> None:
    from datetime import UTC, datetime

    from voice_service.accounts.sessions import complete_second_factor, digest, open_session

    person = await service.create_user(engine, "two@example.org", "", ["admin"], actor=CLI)
    async with engine.begin() as conn:
        pending = await open_session(conn, person.id, verified=False, now=datetime.now(UTC))
    identity = await resolve_session(engine, settings, pending)
    assert identity is not None
    assert not identity.verified
    secret = await complete_second_factor(engine, identity, "192.0.2.9")
    assert await resolve_session(engine, settings, pending) is None
    verified = await resolve_session(engine, settings, secret)
    assert verified is not None
    assert verified.verified
    assert verified.session_hash == digest(secret)
    assert ("auth.second_factor", "two@example.org", "staff_user", "192.0.2.9") in await audit_actions_async(
        settings.database_url
    )


async def test_before_the_first_admin_exists_other_accounts_can_still_be_disabled(engine: AsyncEngine) -> None:
    person = await service.create_user(engine, "early@example.org", "", ["voice_editor"], actor=CLI)
    assert not (await disable_person(engine, person.id, actor=CLI)).active
