"""Fixed staff users (one per role, one with none) and ways to sign a test client in as them.

Passwords are hashed once per run and the hash stored directly: argon2 takes a fifth of a second,
so hashing per user per test would dominate the suite. `log_in` goes through the real form;
`sign_in` opens a session directly (fast) for tests about what a signed-in person may do.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import update

from tests.support.csrf import with_csrf
from voice_service.accounts.passwords import hash_password
from voice_service.accounts.roles import ROLES
from voice_service.accounts.service import Person, create_user
from voice_service.accounts.sessions import cookie_name, open_session
from voice_service.accounts.tables import STAFF_USERS
from voice_service.accounts.tokens import create_token
from voice_service.core.audit import SYSTEM
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings

PASSWORD = "kettle orchard lantern 2026 tests"
TEST_HOST = "testserver.local"


@dataclass(frozen=True)
class FixedUser:
    """A staff member every test can rely on."""

    key: str
    email: str
    name: str
    roles: tuple[str, ...]


FIXED_USERS: dict[str, FixedUser] = {
    "admin": FixedUser("admin", "ada.admin@example.org", "Ada Admin", ("admin",)),
    "training_admin": FixedUser("training_admin", "tom.training@example.org", "Tom Training", ("training_admin",)),
    "voice_editor": FixedUser("voice_editor", "eve.editor@example.org", "Eve Editor", ("voice_editor",)),
    "voice_reviewer": FixedUser("voice_reviewer", "rex.reviewer@example.org", "Rex Reviewer", ("voice_reviewer",)),
    "safeguarding_lead": FixedUser("safeguarding_lead", "sam.lead@example.org", "Sam Lead", ("safeguarding_lead",)),
    "no_roles": FixedUser("no_roles", "nina.noroles@example.org", "Nina Noroles", ()),
}
assert set(ROLES) <= set(FIXED_USERS), "every role needs a fixed user"


@functools.cache
def password_hash() -> str:
    """The hash of PASSWORD, computed once per run."""
    return hash_password(PASSWORD)


async def create_fixed_users(settings: Settings) -> dict[str, Person]:
    """Create every fixed user through the service, with PASSWORD as their password."""
    engine = create_engine(settings)
    people = {}
    try:
        for user in FIXED_USERS.values():
            person = await create_user(engine, user.email, user.name, user.roles, actor=SYSTEM)
            async with engine.begin() as conn:
                await conn.execute(
                    update(STAFF_USERS)
                    .where(STAFF_USERS.c.id == person.id)
                    .values(password_hash=password_hash(), password_changed_at=datetime.now(UTC))
                )
            people[user.key] = person
    finally:
        await engine.dispose()
    return people


@pytest.fixture
def staff_users(settings: Settings) -> dict[str, Person]:
    """The fixed users, created in this test's database (cleared after the test)."""
    return asyncio.run(create_fixed_users(settings))


def _open_session(settings: Settings, person: Person, verified: bool) -> str:
    async def run() -> str:
        engine = create_engine(settings)
        try:
            async with engine.begin() as conn:
                return await open_session(conn, person.id, verified=verified, now=datetime.now(UTC))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def sign_in(client: TestClient, settings: Settings, person: Person, *, verified: bool = True) -> str:
    """Give the client a session for this person without the login form; returns the cookie value."""
    secret = _open_session(settings, person, verified)
    set_session_cookie(client, settings, secret)
    return secret


def set_session_cookie(client: TestClient, settings: Settings, secret: str | None) -> None:
    """Replace the client's session cookie (None: remove it)."""
    name = cookie_name(settings)
    client.cookies.delete(name)
    if secret is not None:
        client.cookies.set(name, secret, domain=TEST_HOST, path="/")


def log_in(client: TestClient, email: str, password: str = PASSWORD, next_page: str = "") -> httpx.Response:
    """Post the login form as a browser would (not following the redirect)."""
    data = with_csrf(client, {"email": email, "password": password, "next": next_page}, page="/staff/login")
    return client.post("/staff/login", data=data, follow_redirects=False)


def api_token(settings: Settings, person: Person, name: str = "tests") -> str:
    """A new personal API token for the person."""

    async def run() -> str:
        engine = create_engine(settings)
        try:
            _info, token = await create_token(engine, person.id, name, actor=SYSTEM)
            return token
        finally:
            await engine.dispose()

    return asyncio.run(run())


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def staff_client(client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> Callable[[str], TestClient]:
    """Sign the test client in as a fixed user by key ("admin", "voice_editor", ...); returns the client."""

    def as_user(key: str) -> TestClient:
        sign_in(client, settings, staff_users[key])
        return client

    return as_user


@pytest.fixture
def admin_client(staff_client: Callable[[str], TestClient]) -> TestClient:
    """The test client signed in as the fixed admin."""
    return staff_client("admin")


def form(client: TestClient, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Form data with the CSRF field, for posts from a staff page."""
    return with_csrf(client, data, page="/staff/login")
