"""Personal API tokens: shown once, stored as SHA-256, revocable; they carry their owner's roles."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.accounts.identity import Identity
from voice_service.accounts.service import CONTROL, AccountError, UserNotFound
from voice_service.accounts.sessions import TOUCH_EVERY, digest
from voice_service.accounts.tables import API_TOKENS, STAFF_ROLES, STAFF_USERS
from voice_service.core.audit import Actor, Target, audit

#: A recognisable prefix, so a token pasted somewhere it should not be is easy to spot and search for.
PREFIX = "vst_"
MAX_NAME = 100
MAX_TOKEN = 100


class InvalidTokenName(AccountError):
    """A token name that is blank, too long or holds control characters."""

    field = "name"


class TokenNotFound(AccountError, LookupError):
    """No token with that id belongs to the person."""


class AccountDisabled(AccountError):
    """The account is disabled, so it cannot have new tokens."""


@dataclass(frozen=True)
class TokenInfo:
    """A token as its owner sees it listed: never the token itself."""

    id: uuid.UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def clean_token_name(name: str) -> str:
    """The name without surrounding spaces, or InvalidTokenName."""
    cleaned = name.strip()
    if not cleaned:
        raise InvalidTokenName("Enter a name for the token, such as the script that will use it")
    if len(cleaned) > MAX_NAME:
        raise InvalidTokenName(f"Token name must be {MAX_NAME} characters or fewer")
    if CONTROL.search(cleaned):
        raise InvalidTokenName("Token name must not contain control characters")
    return cleaned


async def create_token(
    engine: AsyncEngine, user_id: uuid.UUID, name: str, *, actor: Actor, address: str = ""
) -> tuple[TokenInfo, str]:
    """A new token for an active account: its details and the token, which is never available again."""
    name = clean_token_name(name)
    token = PREFIX + secrets.token_urlsafe(32)
    info = TokenInfo(uuid.uuid4(), name, datetime.now(UTC), None, None)
    async with engine.begin() as conn:
        active = await conn.scalar(select(STAFF_USERS.c.active).where(STAFF_USERS.c.id == user_id))
        if active is None:
            raise UserNotFound("There is no account with that id")
        if not active:
            raise AccountDisabled("The account is disabled")
        await conn.execute(
            insert(API_TOKENS).values(
                id=info.id, user_id=user_id, name=name, token_hash=digest(token), created_at=info.created_at
            )
        )
        await audit(conn, actor, "token.create", Target("api_token", str(info.id)), address)
    return info, token


async def list_tokens(engine: AsyncEngine, user_id: uuid.UUID) -> list[TokenInfo]:
    """The person's tokens, newest first, revoked ones included."""
    tokens = API_TOKENS
    statement = (
        select(tokens.c.id, tokens.c.name, tokens.c.created_at, tokens.c.last_used_at, tokens.c.revoked_at)
        .where(tokens.c.user_id == user_id)
        .order_by(tokens.c.created_at.desc())
    )
    async with engine.connect() as conn:
        return [TokenInfo(*row) for row in (await conn.execute(statement)).all()]


async def revoke_token(
    engine: AsyncEngine, user_id: uuid.UUID, token_id: uuid.UUID, *, actor: Actor, address: str = ""
) -> None:
    """Revoke one of the person's own tokens (revoking it again changes nothing); another's is not found."""
    tokens = API_TOKENS
    async with engine.begin() as conn:
        owner = await conn.scalar(select(tokens.c.user_id).where(tokens.c.id == token_id))
        if owner != user_id:
            raise TokenNotFound("You have no token with that id")
        result = await conn.execute(
            update(tokens)
            .where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        if result.rowcount:
            await audit(conn, actor, "token.revoke", Target("api_token", str(token_id)), address)


async def resolve_token(engine: AsyncEngine, token: str | None) -> Identity | None:
    """The owner of a live token, or None when it is unknown, revoked or their account is disabled."""
    if not token or len(token) > MAX_TOKEN or not token.startswith(PREFIX):
        return None
    tokens, users = API_TOKENS, STAFF_USERS
    statement = (
        select(
            tokens.c.id.label("token_id"),
            tokens.c.last_used_at,
            users.c.id,
            users.c.email,
            users.c.name,
            STAFF_ROLES.c.role,
        )
        .select_from(tokens.join(users).outerjoin(STAFF_ROLES, STAFF_ROLES.c.user_id == users.c.id))
        .where(tokens.c.token_hash == digest(token), tokens.c.revoked_at.is_(None), users.c.active)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(statement)).all()
    if not rows:
        return None
    first = rows[0]
    now = datetime.now(UTC)
    if first.last_used_at is None or now - first.last_used_at >= TOUCH_EVERY:
        async with engine.begin() as conn:
            await conn.execute(update(tokens).where(tokens.c.id == first.token_id).values(last_used_at=now))
    roles = frozenset(row.role for row in rows if row.role is not None)
    return Identity(first.id, first.email, first.name, roles, token_id=first.token_id)
