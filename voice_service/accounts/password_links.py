"""Set-password links: asked for by an admin, made and emailed by a job, used once within an hour.

The job's payload holds the person's id only. The token is drawn when the email is sent, so no
link exists before then and a job that runs late still gives a full hour; only its SHA-256 is
stored. A new link replaces the person's unused ones. Refusals are the same whether a token is
unknown, used or expired, and are counted per client address so tokens cannot be guessed.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.accounts.limits import Limit, count_attempt, forget_attempt
from voice_service.accounts.link_email import link_email
from voice_service.accounts.passwords import hash_password_async, password_problem
from voice_service.accounts.service import AccountError, UserNotFound, WeakPassword
from voice_service.accounts.sessions import digest
from voice_service.accounts.tables import PASSWORD_LINKS, STAFF_SESSIONS, STAFF_USERS
from voice_service.core.audit import Actor, Target, audit
from voice_service.core.jobs import JobContext, schedule_job
from voice_service.core.tables import AUDIT_EVENTS

SEND_PASSWORD_LINK = "accounts.send_password_link"  # noqa: S105 - a job kind, not a password
LINK_LIFETIME = timedelta(hours=1)
PATH = "/staff/password/"
#: Tokens are 43 characters; anything much longer is refused before hashing.
MAX_TOKEN = 100
#: Refused links per client address. Why a "login-" prefix: the hourly purge of spent login
#: counters then clears these too. Thirty leaves room for a person fumbling an old email or two.
PER_ADDRESS = Limit("login-link-address", 30, timedelta(minutes=15))
ASKED = ("user.create", "user.password_link")


class AccountDisabled(AccountError):
    """The account is disabled, so it gets no link."""


class LinkRefused(AccountError):
    """The link is unknown, already used or expired (one answer for all three)."""


class PasswordRefused(WeakPassword):
    """A live link, but a password that is too short, too long or too common; `link` is still usable."""

    def __init__(self, message: str, link: OpenLink) -> None:
        super().__init__(message)
        self.link = link


class TooManyAttempts(AccountError):
    """Too many refused links from this address; `wait` says for how long."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__("Too many attempts")
        self.wait = wait


@dataclass(frozen=True)
class OpenLink:
    """A live link: whose it is and until when it works."""

    user_id: uuid.UUID
    email: str
    name: str
    new_account: bool
    expires_at: datetime


async def request_password_link(
    engine: AsyncEngine, user_id: uuid.UUID, *, actor: Actor, address: str = "", now: datetime | None = None
) -> None:
    """Schedule the email with a new link for an active account (the job makes the link when it sends)."""
    now = now or datetime.now(UTC)
    async with engine.begin() as conn:
        active = await conn.scalar(select(STAFF_USERS.c.active).where(STAFF_USERS.c.id == user_id))
        if active is None:
            raise UserNotFound("There is no account with that id")
        if not active:
            raise AccountDisabled("This account is disabled, so it cannot be sent a link")
        await schedule_job(conn, SEND_PASSWORD_LINK, {"user_id": str(user_id)}, now)
        # This row also tells the email who asked: the payload carries nothing but the id.
        await audit(conn, actor, "user.password_link", Target("staff_user", str(user_id)), address)


async def _who_asked(conn: AsyncConnection, user_id: uuid.UUID) -> tuple[str, str]:
    """(name, email) of the admin who last asked for this person's link; blank when it was not a person."""
    events = AUDIT_EVENTS
    asked = (
        await conn.execute(
            select(events.c.actor_id, events.c.actor_label)
            .where(events.c.action.in_(ASKED), events.c.target_type == "staff_user", events.c.target_id == str(user_id))
            .order_by(events.c.id.desc())
            .limit(1)
        )
    ).first()
    if asked is None or asked.actor_id is None:
        return "", ""
    who = select(STAFF_USERS.c.name, STAFF_USERS.c.email).where(STAFF_USERS.c.id == asked.actor_id)
    row = (await conn.execute(who)).first()
    return (row.name, row.email) if row is not None else ("", asked.actor_label)


async def send_password_link(ctx: JobContext, payload: dict[str, Any]) -> None:
    """The job: draw a token, store its hash (replacing unused links) and email the link."""
    user_id = uuid.UUID(str(payload["user_id"]))
    token = secrets.token_urlsafe(32)
    async with ctx.engine.begin() as conn:
        person = (await conn.execute(select(STAFF_USERS).where(STAFF_USERS.c.id == user_id))).first()
        if person is None or not person.active:
            return  # removed or disabled since the admin asked: nothing to send
        await conn.execute(
            delete(PASSWORD_LINKS).where(PASSWORD_LINKS.c.user_id == user_id, PASSWORD_LINKS.c.used_at.is_(None))
        )
        expires_at = ctx.now + LINK_LIFETIME
        await conn.execute(
            insert(PASSWORD_LINKS).values(
                token_hash=digest(token), user_id=user_id, created_at=ctx.now, expires_at=expires_at
            )
        )
        asker = await _who_asked(conn, user_id)
    # Why after the commit: a link that was emailed always exists; if sending fails, the retry replaces it.
    message = link_email(
        name=person.name,
        link=f"{ctx.settings.base_url.rstrip('/')}{PATH}{token}",
        new_account=person.password_hash is None,
        expires_at=expires_at,
        asker=asker,
    )
    await ctx.mailer.send(person.email, message.subject, message.text, message.html)


async def _live_link(conn: AsyncConnection, token: str, now: datetime) -> OpenLink | None:
    if not token or len(token) > MAX_TOKEN or not token.isascii():
        return None
    links, users = PASSWORD_LINKS, STAFF_USERS
    row = (
        await conn.execute(
            select(links.c.user_id, links.c.expires_at, users.c.email, users.c.name, users.c.password_hash)
            .select_from(links.join(users))
            .where(
                links.c.token_hash == digest(token),
                links.c.used_at.is_(None),
                links.c.expires_at > now,
                users.c.active.is_(True),
            )
        )
    ).first()
    if row is None:
        return None
    return OpenLink(row.user_id, row.email, row.name, row.password_hash is None, row.expires_at)


async def open_link(engine: AsyncEngine, token: str, address: str, now: datetime | None = None) -> OpenLink:
    """The live link for a token; LinkRefused, or TooManyAttempts when this address was refused too often."""
    now = now or datetime.now(UTC)
    async with engine.begin() as conn:
        # Counted before the look-up, as logins are, so parallel guesses are capped too.
        wait = await count_attempt(conn, PER_ADDRESS, address, now)
        found = None if wait else await _live_link(conn, token, now)
        if found is not None:
            await forget_attempt(conn, PER_ADDRESS, address)
    if wait:
        raise TooManyAttempts(wait)
    if found is None:
        raise LinkRefused("This link cannot be used")
    return found


async def use_link(
    engine: AsyncEngine, token: str, password: str, *, address: str = "", now: datetime | None = None
) -> OpenLink:
    """Set the password through a live link, once: the link is spent, every session of the person ends."""
    now = now or datetime.now(UTC)
    link = await open_link(engine, token, address, now)
    if problem := password_problem(password, link.email):
        raise PasswordRefused(problem, link)
    password_hash = await hash_password_async(password)
    links = PASSWORD_LINKS
    async with engine.begin() as conn:
        # The single use: of two requests racing with one link, only one finds it unused here.
        spent = await conn.execute(
            update(links)
            .where(links.c.token_hash == digest(token), links.c.used_at.is_(None), links.c.expires_at > now)
            .values(used_at=now)
        )
        changed = await conn.execute(
            update(STAFF_USERS)
            .where(STAFF_USERS.c.id == link.user_id, STAFF_USERS.c.active.is_(True))
            .values(password_hash=password_hash, password_changed_at=now)
        )
        if not spent.rowcount or not changed.rowcount:
            raise LinkRefused("This link cannot be used")
        # Any other link the person was sent is no longer needed.
        await conn.execute(delete(links).where(links.c.user_id == link.user_id, links.c.used_at.is_(None)))
        await conn.execute(delete(STAFF_SESSIONS).where(STAFF_SESSIONS.c.user_id == link.user_id))
        actor = Actor(link.user_id, link.email)
        await audit(conn, actor, "user.password", Target("staff_user", str(link.user_id)), address)
    return link


async def purge_spent_links(conn: AsyncConnection, now: datetime) -> int:
    """Delete links past their hour, used or not; returns how many."""
    result = await conn.execute(delete(PASSWORD_LINKS).where(PASSWORD_LINKS.c.expires_at <= now))
    return int(result.rowcount or 0)
