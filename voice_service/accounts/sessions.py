"""Staff sessions in the database: logging in (with attempt limits), finding a session, logging out."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.datastructures import Cookie
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.accounts.identity import Identity
from voice_service.accounts.limits import PER_ACCOUNT, PER_ADDRESS, count_attempt, forget_attempt
from voice_service.accounts.passwords import MAX_LENGTH, hash_password_async, needs_rehash, verify_password_async
from voice_service.accounts.service import CONTROL, ascii_domain
from voice_service.accounts.tables import STAFF_ROLES, STAFF_SESSIONS, STAFF_USERS
from voice_service.core.audit import Actor, Target, audit
from voice_service.core.settings import Settings

COOKIE = "vs_staff"
#: With HTTPS the `__Host-` prefix makes browsers refuse the cookie unless Secure, path / and no domain.
SECURE_COOKIE = "__Host-vs_staff"
#: last_seen_at is written at most this often, so browsing costs one read per request, not a write.
TOUCH_EVERY = timedelta(minutes=1)
#: A cookie longer than this is not one of ours; it is refused before hashing.
MAX_SECRET = 100
NOT_RECOGNISED = "Your email address or password is not right. Check them and try again"
UNKNOWN = Actor(None, "unknown account")


def cookie_name(settings: Settings) -> str:
    """The session cookie's name for these settings."""
    return SECURE_COOKIE if settings.secure_cookies else COOKIE


def session_cookie(settings: Settings, secret: str) -> Cookie:
    """The cookie that carries a new session id: HttpOnly, SameSite=Lax, Secure behind HTTPS."""
    return Cookie(
        key=cookie_name(settings),
        value=secret,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def cleared_cookie(settings: Settings) -> Cookie:
    """The cookie that tells the browser to forget the session id."""
    return Cookie(
        key=cookie_name(settings),
        value="",
        path="/",
        max_age=0,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def digest(secret: str) -> str:
    """The SHA-256 stored for a session id or token: the secret itself is never stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt came to: a session, a refusal with reasons, or a wait."""

    identity: Identity | None = None
    #: The new cookie value (only when a session was opened).
    secret: str = ""
    #: Messages by form field ("email", "password"), for the error summary.
    errors: dict[str, str] = field(default_factory=dict)
    #: How long to wait before trying again, when too many attempts failed.
    wait: timedelta | None = None


async def open_session(conn: AsyncConnection, user_id: uuid.UUID, *, verified: bool, now: datetime) -> str:
    """A new session for the person; returns the cookie value (its hash is what is stored)."""
    secret = secrets.token_urlsafe(32)
    await conn.execute(
        insert(STAFF_SESSIONS).values(
            id_hash=digest(secret), user_id=user_id, created_at=now, last_seen_at=now, verified=verified
        )
    )
    return secret


def _expired(settings: Settings, now: datetime) -> object:
    return or_(
        STAFF_SESSIONS.c.last_seen_at <= now - timedelta(minutes=settings.staff_idle_minutes),
        STAFF_SESSIONS.c.created_at <= now - timedelta(hours=settings.staff_absolute_hours),
    )


async def log_in(engine: AsyncEngine, settings: Settings, email: str, password: str, address: str) -> LoginOutcome:
    """Check an email and password; the answer and its timing are the same whether or not the email exists."""
    errors = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"  # noqa: S105 - a message, not a password
    if errors:
        return LoginOutcome(errors=errors)
    # Why ascii_domain: accounts store an internationalised domain as punycode (clean_email), as browsers send it.
    email = ascii_domain(email.strip().lower()[:320])
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        wait = max(
            (await count_attempt(conn, PER_ACCOUNT, email, now)) or timedelta(0),
            (await count_attempt(conn, PER_ADDRESS, address, now)) or timedelta(0),
        )
        # Why: no stored email holds a control character, and PostgreSQL refuses a NUL in a query.
        user = None if CONTROL.search(email) else await _user_by_email(conn, email)
    actor = Actor(user.id, user.email) if user is not None else UNKNOWN
    target = Target("staff_user", str(user.id)) if user is not None else Target("staff_user")
    if wait:
        await audit(engine, actor, "auth.login_blocked", target, address)
        return LoginOutcome(wait=wait)
    # Why: an over-long password is checked as a truncated one, so its length changes nothing either.
    matches = await verify_password_async(user.password_hash if user is not None else None, password[: MAX_LENGTH + 1])
    if user is None or not matches or not user.active or len(password) > MAX_LENGTH:
        await audit(engine, actor, "auth.login_failed", target, address)
        return LoginOutcome(errors={"email": NOT_RECOGNISED})
    async with engine.begin() as conn:
        # Why not reset with a second factor: its wrong codes count here, and a password alone must not wipe them.
        await forget_attempt(conn, PER_ACCOUNT, email, reset=not user.totp_enabled)
        await forget_attempt(conn, PER_ADDRESS, address)
        # Old sessions of this person are tidied here, so the table does not grow between purges.
        await conn.execute(delete(STAFF_SESSIONS).where(STAFF_SESSIONS.c.user_id == user.id, _expired(settings, now)))  # type: ignore[arg-type]
        verified = not user.totp_enabled
        secret = await open_session(conn, user.id, verified=verified, now=now)
        roles = frozenset(
            (await conn.execute(select(STAFF_ROLES.c.role).where(STAFF_ROLES.c.user_id == user.id))).scalars()
        )
        await audit(conn, actor, "auth.login", target, address)
    if user.password_hash and needs_rehash(user.password_hash):
        await _rehash(engine, user.id, password)
    identity = Identity(user.id, user.email, user.name, roles, verified, digest(secret), totp_enabled=user.totp_enabled)
    return LoginOutcome(identity=identity, secret=secret)


async def _user_by_email(conn: AsyncConnection, email: str) -> Any:
    return (await conn.execute(select(STAFF_USERS).where(STAFF_USERS.c.email == email))).first()


async def _rehash(engine: AsyncEngine, user_id: uuid.UUID, password: str) -> None:
    """Store a stronger hash once the parameters were raised (the password was just proved)."""
    new_hash = await hash_password_async(password)
    async with engine.begin() as conn:
        await conn.execute(update(STAFF_USERS).where(STAFF_USERS.c.id == user_id).values(password_hash=new_hash))


async def resolve_session(engine: AsyncEngine, settings: Settings, secret: str | None) -> Identity | None:
    """The person behind a session cookie, or None when it is unknown, expired or their account is disabled."""
    if not secret or len(secret) > MAX_SECRET:
        return None
    id_hash = digest(secret)
    now = datetime.now(UTC)
    sessions, users = STAFF_SESSIONS, STAFF_USERS
    statement = (
        select(
            sessions.c.created_at.label("session_created_at"),
            sessions.c.last_seen_at,
            sessions.c.verified,
            users.c.id,
            users.c.email,
            users.c.name,
            users.c.active,
            users.c.totp_enabled,
            STAFF_ROLES.c.role,
        )
        .select_from(sessions.join(users).outerjoin(STAFF_ROLES, STAFF_ROLES.c.user_id == users.c.id))
        .where(sessions.c.id_hash == id_hash)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(statement)).all()
    if not rows:
        return None
    first = rows[0]
    idle = now - first.last_seen_at > timedelta(minutes=settings.staff_idle_minutes)
    too_old = now - first.session_created_at > timedelta(hours=settings.staff_absolute_hours)
    if idle or too_old or not first.active:
        async with engine.begin() as conn:
            await conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash))
        return None
    if now - first.last_seen_at >= TOUCH_EVERY:
        async with engine.begin() as conn:
            await conn.execute(update(sessions).where(sessions.c.id_hash == id_hash).values(last_seen_at=now))
    roles = frozenset(row.role for row in rows if row.role is not None)
    return Identity(first.id, first.email, first.name, roles, first.verified, id_hash, totp_enabled=first.totp_enabled)


async def complete_second_factor(engine: AsyncEngine, identity: Identity, address: str) -> str:
    """Replace a session waiting for its second factor by a verified one; returns the new cookie value.

    A new id, as at login: whoever saw the half-signed-in cookie cannot use the full session.
    """
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        if identity.session_hash:
            await conn.execute(delete(STAFF_SESSIONS).where(STAFF_SESSIONS.c.id_hash == identity.session_hash))
        secret = await open_session(conn, identity.user_id, verified=True, now=now)
        await audit(conn, identity.actor, "auth.second_factor", Target("staff_user", str(identity.user_id)), address)
    return secret


async def log_out(engine: AsyncEngine, identity: Identity, address: str) -> None:
    """End the session the person used; other browsers they are signed in on stay signed in."""
    async with engine.begin() as conn:
        if identity.session_hash:
            await conn.execute(delete(STAFF_SESSIONS).where(STAFF_SESSIONS.c.id_hash == identity.session_hash))
        await audit(conn, identity.actor, "auth.logout", Target("staff_user", str(identity.user_id)), address)


async def purge_expired_sessions(engine: AsyncEngine, settings: Settings, now: datetime | None = None) -> int:
    """Delete every idle or too-old session; returns how many."""
    async with engine.begin() as conn:
        result = await conn.execute(delete(STAFF_SESSIONS).where(_expired(settings, now or datetime.now(UTC))))  # type: ignore[arg-type]
    return int(result.rowcount or 0)
