"""People and roles as an admin manages them: the list, one person, adding, changing roles, disabling and back.

Two rules hold whoever asks and however many ask at once: an admin cannot lock themselves out
(disable their own account or drop their own admin role), and the service never ends up with no
active admin. Every change is audited in the same transaction as the change itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.accounts.password_links import request_password_link
from voice_service.accounts.roles import Role
from voice_service.accounts.second_factor import clear_second_factor
from voice_service.accounts.service import AccountError, Person, UserNotFound, clean_roles, create_user
from voice_service.accounts.tables import API_TOKENS, PASSWORD_LINKS, STAFF_ROLES, STAFF_SESSIONS, STAFF_USERS
from voice_service.core.audit import Actor, Target, audit
from voice_service.core.tables import AUDIT_EVENTS

#: A PostgreSQL advisory lock taken by every change that could remove an admin, so two admins
#: removing each other at the same moment are run one after the other (SQLite runs writers so).
ADMIN_CHANGE_LOCK = 7_310_421_001


class SelfLockout(AccountError):
    """An admin trying to disable their own account or drop their own admin role."""


class LastAdmin(AccountError):
    """A change that would leave the service with no active admin."""


@dataclass(frozen=True)
class PersonSummary:
    """A staff account as the people pages show it (never a password, secret or token)."""

    id: uuid.UUID
    email: str
    name: str
    active: bool
    roles: tuple[str, ...]
    has_password: bool
    two_step: bool
    created_at: datetime
    last_login_at: datetime | None

    @property
    def label(self) -> str:
        """How pages name the person: their name, or their email address when they have none."""
        return self.name or self.email


async def _summaries(conn: AsyncConnection, user_id: uuid.UUID | None = None) -> list[PersonSummary]:
    users = STAFF_USERS
    statement = select(users).order_by(func.lower(users.c.name), users.c.email)
    roles_statement = select(STAFF_ROLES.c.user_id, STAFF_ROLES.c.role)
    # Why from the audit log: each login is recorded there already, so no second copy is kept.
    logins = select(AUDIT_EVENTS.c.actor_id, func.max(AUDIT_EVENTS.c.at)).where(AUDIT_EVENTS.c.action == "auth.login")
    if user_id is not None:
        statement = statement.where(users.c.id == user_id)
        roles_statement = roles_statement.where(STAFF_ROLES.c.user_id == user_id)
        logins = logins.where(AUDIT_EVENTS.c.actor_id == user_id)
    rows = (await conn.execute(statement)).all()
    held: dict[uuid.UUID, set[str]] = {}
    for owner, role in (await conn.execute(roles_statement)).all():
        held.setdefault(owner, set()).add(role)
    last_login = dict((await conn.execute(logins.group_by(AUDIT_EVENTS.c.actor_id))).tuples().all())
    return [
        PersonSummary(
            row.id,
            row.email,
            row.name,
            row.active,
            clean_roles(held.get(row.id, ())),
            row.password_hash is not None,
            row.totp_enabled,
            row.created_at,
            last_login.get(row.id),
        )
        for row in rows
    ]


async def list_people(engine: AsyncEngine) -> list[PersonSummary]:
    """Every staff account, by name."""
    async with engine.connect() as conn:
        return await _summaries(conn)


async def person_details(engine: AsyncEngine, user_id: uuid.UUID) -> PersonSummary:
    """One staff account, or UserNotFound."""
    async with engine.connect() as conn:
        found = await _summaries(conn, user_id)
    if not found:
        raise UserNotFound("There is no account with that id")
    return found[0]


async def add_person(
    engine: AsyncEngine,
    email: str,
    name: str,
    roles: Iterable[str],
    *,
    actor: Actor,
    address: str = "",
    now: datetime | None = None,
) -> Person:
    """A new account without a password; a set-password link is emailed to the person at once."""
    person = await create_user(engine, email, name, roles, actor=actor, address=address)
    await request_password_link(engine, person.id, actor=actor, address=address, now=now)
    return person


async def _serialise_admin_changes(conn: AsyncConnection) -> None:
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADMIN_CHANGE_LOCK})


async def _check_an_admin_remains(conn: AsyncConnection) -> None:
    """Raise LastAdmin (so the caller's transaction rolls back) when no active admin is left."""
    remaining = await conn.scalar(
        select(func.count())
        .select_from(STAFF_USERS.join(STAFF_ROLES))
        .where(STAFF_ROLES.c.role == Role.ADMIN.value, STAFF_USERS.c.active.is_(True))
    )
    if not remaining:
        raise LastAdmin("This would leave no active administrator: give someone else the admin role first")


async def change_roles(
    engine: AsyncEngine, user_id: uuid.UUID, roles: Iterable[str], *, actor: Actor, address: str = ""
) -> PersonSummary:
    """Replace a person's roles (from their next request); an admin cannot drop their own admin role."""
    role_list = clean_roles(roles)
    if actor.id == user_id and Role.ADMIN.value not in role_list:
        raise SelfLockout("You cannot remove your own admin role: ask another administrator to do it")
    async with engine.begin() as conn:
        await _serialise_admin_changes(conn)
        # Why write before reading: on SQLite the first write takes the lock, so the check below
        # sees every change committed before it.
        await conn.execute(delete(STAFF_ROLES).where(STAFF_ROLES.c.user_id == user_id))
        exists = await conn.scalar(select(STAFF_USERS.c.id).where(STAFF_USERS.c.id == user_id))
        if exists is None:
            raise UserNotFound("There is no account with that id")
        if role_list:
            await conn.execute(insert(STAFF_ROLES), [{"user_id": user_id, "role": role} for role in role_list])
        await _check_an_admin_remains(conn)
        await audit(conn, actor, "user.roles", Target("staff_user", str(user_id)), address)
        return (await _summaries(conn, user_id))[0]


async def disable_person(
    engine: AsyncEngine, user_id: uuid.UUID, *, actor: Actor, address: str = "", now: datetime | None = None
) -> PersonSummary:
    """Stop an account: its sessions end, its tokens and unused links stop working; not one's own."""
    if actor.id == user_id:
        raise SelfLockout("You cannot disable your own account: ask another administrator to do it")
    now = now or datetime.now(UTC)
    async with engine.begin() as conn:
        await _serialise_admin_changes(conn)
        changed = await conn.execute(
            update(STAFF_USERS).where(STAFF_USERS.c.id == user_id, STAFF_USERS.c.active.is_(True)).values(active=False)
        )
        if not changed.rowcount:
            found = await _summaries(conn, user_id)
            if not found:
                raise UserNotFound("There is no account with that id")
            return found[0]  # already disabled: nothing changes and nothing is audited
        await conn.execute(delete(STAFF_SESSIONS).where(STAFF_SESSIONS.c.user_id == user_id))
        await conn.execute(
            update(API_TOKENS)
            .where(API_TOKENS.c.user_id == user_id, API_TOKENS.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await conn.execute(
            delete(PASSWORD_LINKS).where(PASSWORD_LINKS.c.user_id == user_id, PASSWORD_LINKS.c.used_at.is_(None))
        )
        if Role.ADMIN.value in (await _summaries(conn, user_id))[0].roles:
            # Why only then: a service with no admin yet can still disable others' accounts.
            await _check_an_admin_remains(conn)
        await audit(conn, actor, "user.disable", Target("staff_user", str(user_id)), address)
        return (await _summaries(conn, user_id))[0]


async def enable_person(engine: AsyncEngine, user_id: uuid.UUID, *, actor: Actor, address: str = "") -> PersonSummary:
    """Turn a disabled account back on: they sign in with their password; old tokens stay revoked."""
    async with engine.begin() as conn:
        changed = await conn.execute(
            update(STAFF_USERS).where(STAFF_USERS.c.id == user_id, STAFF_USERS.c.active.is_(False)).values(active=True)
        )
        found = await _summaries(conn, user_id)
        if not found:
            raise UserNotFound("There is no account with that id")
        if changed.rowcount:  # already active: nothing changes and nothing is audited
            await audit(conn, actor, "user.enable", Target("staff_user", str(user_id)), address)
        return found[0]


async def reset_second_factor(
    engine: AsyncEngine, user_id: uuid.UUID, *, actor: Actor, address: str = ""
) -> PersonSummary:
    """Turn off someone else's two-step verification (a lost phone); they set it up again."""
    if actor.id == user_id:
        raise SelfLockout("Change your own two-step verification from your account page")
    await clear_second_factor(engine, user_id, actor, address)
    return await person_details(engine, user_id)
