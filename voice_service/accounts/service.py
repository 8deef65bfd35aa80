"""People and roles: create, change roles, disable, set a password. Every change is audited."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.accounts.passwords import hash_password_async, password_problem
from voice_service.accounts.roles import ROLES
from voice_service.accounts.tables import STAFF_ROLES, STAFF_SESSIONS, STAFF_USERS
from voice_service.core.audit import Actor, Target, audit

#: The WHATWG HTML definition of a valid email address, which browsers also apply.
EMAIL = re.compile(
    r"[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+"
)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: Letters Python's IDNA 2003 codec maps away (ß to ss) where today's IDNA 2008 keeps them: another domain.
DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")
MAX_EMAIL = 320
MAX_NAME = 200


class AccountError(ValueError):
    """A change that cannot be made; the message is for the person and names no secret."""

    field = "form"


class InvalidEmail(AccountError):
    """Not an email address we accept."""

    field = "email"


class InvalidName(AccountError):
    """A name that is too long or holds control characters."""

    field = "name"


class InvalidRole(AccountError):
    """A role that does not exist."""

    field = "roles"


class WeakPassword(AccountError):
    """A password that is too short, too long or too common."""

    field = "password"


class EmailTaken(AccountError):
    """Another account already has this email address."""

    field = "email"


class UserNotFound(AccountError, LookupError):
    """No account with that id or email."""


@dataclass(frozen=True)
class Person:
    """A staff account as the rest of the service sees it (never its password or secrets)."""

    id: uuid.UUID
    email: str
    name: str
    active: bool
    roles: tuple[str, ...]
    created_at: datetime
    has_password: bool


def ascii_domain(email: str) -> str:
    """The address with an internationalised domain in its ASCII (punycode) form, as a browser sends it.

    Why: a booking export spells "anna@bücherei.de" as typed; the email field of a page sends
    "anna@xn--bcherei-9ya.de", which is what mail servers route. A local part must be ASCII already.
    """
    local, at, domain = email.rpartition("@")
    if not at or domain.isascii() or DEVIATIONS.intersection(domain):
        return email
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return email


def clean_email(email: str) -> str:
    """The email address lower-cased (its domain in ASCII), or InvalidEmail."""
    cleaned = ascii_domain(email.strip().lower())
    if not cleaned:
        raise InvalidEmail("Enter an email address")
    if len(cleaned) > MAX_EMAIL or not EMAIL.fullmatch(cleaned):
        raise InvalidEmail("Enter an email address in the correct format, like name@example.org")
    return cleaned


def clean_name(name: str) -> str:
    """The name without surrounding spaces, or InvalidName."""
    cleaned = name.strip()
    if len(cleaned) > MAX_NAME:
        raise InvalidName(f"Name must be {MAX_NAME} characters or fewer")
    if CONTROL.search(cleaned):
        raise InvalidName("Name must not contain control characters")
    return cleaned


def clean_roles(roles: Iterable[str]) -> tuple[str, ...]:
    """Known roles in their standard order, or InvalidRole."""
    wanted = set(roles)
    if unknown := wanted - set(ROLES):
        raise InvalidRole(f"Unknown role: choose from {', '.join(ROLES)}" if len(unknown) < 5 else "Unknown roles")
    return tuple(role for role in ROLES if role in wanted)


async def _person(conn: AsyncConnection, where: object) -> Person | None:
    row = (await conn.execute(select(STAFF_USERS).where(where))).first()  # type: ignore[arg-type]
    if row is None:
        return None
    roles = set((await conn.execute(select(STAFF_ROLES.c.role).where(STAFF_ROLES.c.user_id == row.id))).scalars())
    return Person(
        row.id, row.email, row.name, row.active, clean_roles(roles), row.created_at, row.password_hash is not None
    )


async def find_user(engine: AsyncEngine, email: str) -> Person | None:
    """The account with this email address (any case), or None."""
    async with engine.connect() as conn:
        return await _person(conn, STAFF_USERS.c.email == email.strip().lower())


async def get_user(engine: AsyncEngine, user_id: uuid.UUID) -> Person:
    """The account with this id, or UserNotFound."""
    async with engine.connect() as conn:
        person = await _person(conn, STAFF_USERS.c.id == user_id)
    if person is None:
        raise UserNotFound("There is no account with that id")
    return person


async def create_user(
    engine: AsyncEngine,
    email: str,
    name: str,
    roles: Iterable[str],
    *,
    actor: Actor,
    password: str | None = None,
    address: str = "",
) -> Person:
    """A new account; without a password the person cannot log in until one is set."""
    email, name, role_list = clean_email(email), clean_name(name), clean_roles(roles)
    if password is not None and (problem := password_problem(password, email)):
        raise WeakPassword(problem)
    password_hash = await hash_password_async(password) if password is not None else None
    now = datetime.now(UTC)
    user_id = uuid.uuid4()
    values = {"id": user_id, "email": email, "name": name, "password_hash": password_hash, "active": True}
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(STAFF_USERS).values(
                    **values, totp_enabled=False, created_at=now, password_changed_at=now if password_hash else None
                )
            )
            if role_list:
                await conn.execute(insert(STAFF_ROLES), [{"user_id": user_id, "role": role} for role in role_list])
            await audit(conn, actor, "user.create", Target("staff_user", str(user_id)), address)
    except IntegrityError as exc:
        raise EmailTaken("An account with this email address already exists") from exc
    return Person(user_id, email, name, True, role_list, now, password_hash is not None)


async def set_roles(
    engine: AsyncEngine, user_id: uuid.UUID, roles: Iterable[str], *, actor: Actor, address: str = ""
) -> Person:
    """Replace a person's roles; the change applies to their next request."""
    role_list = clean_roles(roles)
    async with engine.begin() as conn:
        if await _person(conn, STAFF_USERS.c.id == user_id) is None:
            raise UserNotFound("There is no account with that id")
        await conn.execute(delete(STAFF_ROLES).where(STAFF_ROLES.c.user_id == user_id))
        if role_list:
            await conn.execute(insert(STAFF_ROLES), [{"user_id": user_id, "role": role} for role in role_list])
        await audit(conn, actor, "user.roles", Target("staff_user", str(user_id)), address)
        person = await _person(conn, STAFF_USERS.c.id == user_id)
    assert person is not None  # noqa: S101 - read back inside the same transaction
    return person


async def set_password(
    engine: AsyncEngine, user_id: uuid.UUID, password: str, *, actor: Actor, address: str = ""
) -> None:
    """Set a new password (checked first); every session of the person ends, so they log in again."""
    async with engine.connect() as conn:
        person = await _person(conn, STAFF_USERS.c.id == user_id)
    if person is None:
        raise UserNotFound("There is no account with that id")
    if problem := password_problem(password, person.email):
        raise WeakPassword(problem)
    password_hash = await hash_password_async(password)
    async with engine.begin() as conn:
        await conn.execute(
            update(STAFF_USERS)
            .where(STAFF_USERS.c.id == user_id)
            .values(password_hash=password_hash, password_changed_at=datetime.now(UTC))
        )
        await conn.execute(delete(STAFF_SESSIONS).where(STAFF_SESSIONS.c.user_id == user_id))
        await audit(conn, actor, "user.password", Target("staff_user", str(user_id)), address)
