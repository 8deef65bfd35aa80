"""Personal links: a secret in an email opens one delegate's invitation; the browser gets its own secret.

Only SHA-256 hashes of secrets are stored. Opening a link does not use it up (mail scanners open
links too); answering does: the response is stored under a key made from the invitation, so an
invitation has at most one response, and its links then say "you have already answered".
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from forms import Survey
from voice_service.core.settings import Settings
from voice_service.surveys.gate import Admission
from voice_service.surveys.pending import Respondent, delegate
from voice_service.training.tables import COURSES, DELEGATES, INVITATION_LINKS, INVITATIONS, SESSIONS

#: 32 random bytes: 256 bits, as URL-safe base64 (43 characters).
TOKEN_BYTES = 32
#: Longer input is not a token of ours: it is refused without hashing megabytes.
MAX_SECRET_LENGTH = 100
#: The cookie outlives a link by this much, so a form opened just before expiry can still be sent.
GRACE = timedelta(days=1)


def new_secret() -> tuple[str, str]:
    """A fresh secret and the hash that is stored for it."""
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    return secret, hash_secret(secret)


def hash_secret(secret: str) -> str:
    """The SHA-256 (hex) stored in place of a secret."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def invitation_key(invitation_id: uuid.UUID) -> str:
    """The submission key of an invitation's response: one response per invitation."""
    return f"invitation:{invitation_id}"


def survey_of(kind: str, evaluation_survey: str, follow_up_survey: str) -> str:
    """The slug of the survey an invitation of `kind` answers."""
    return evaluation_survey if kind == "evaluation" else follow_up_survey


@dataclass(frozen=True)
class LinkOpened:
    """A working link: the survey to go to and the browser secret to set as its cookie."""

    survey: str
    secret: str
    max_age: int


@dataclass(frozen=True)
class LinkRefused:
    """A link that does not open a survey: "answered" (already used) or "not_working" (anything else)."""

    reason: str
    survey: str | None = None


LinkOutcome = LinkOpened | LinkRefused
NOT_WORKING = LinkRefused("not_working")


def _invitation_by_secret(secret_hash: str, purpose: str) -> Any:
    """The invitation a stored secret opens, with what deciding and answering need."""
    return (
        select(
            INVITATIONS.c.id,
            INVITATIONS.c.kind,
            INVITATIONS.c.state,
            INVITATIONS.c.expires_at,
            INVITATIONS.c.delegate_id,
            DELEGATES.c.pseudonym,
            DELEGATES.c.erased_at,
            COURSES.c.evaluation_survey,
            COURSES.c.follow_up_survey,
            COURSES.c.name.label("course"),
            SESSIONS.c.date,
        )
        .select_from(
            INVITATION_LINKS.join(INVITATIONS, INVITATIONS.c.id == INVITATION_LINKS.c.invitation_id)
            .join(DELEGATES, DELEGATES.c.id == INVITATIONS.c.delegate_id)
            .join(SESSIONS, SESSIONS.c.id == DELEGATES.c.session_id)
            .join(COURSES, COURSES.c.id == SESSIONS.c.course_id)
        )
        .where(INVITATION_LINKS.c.token_hash == secret_hash, INVITATION_LINKS.c.purpose == purpose)
    )


def _usable(row: Row[Any] | None, now: datetime, grace: timedelta = timedelta(0)) -> LinkRefused | None:
    """Why an invitation cannot be answered now, or None when it can."""
    if row is None or row.erased_at is not None:
        return NOT_WORKING
    slug = survey_of(row.kind, row.evaluation_survey, row.follow_up_survey)
    if row.state == "answered":
        return LinkRefused("answered", slug)
    if row.state == "expired" or (row.expires_at is not None and row.expires_at + grace <= now):
        return NOT_WORKING
    return None


async def browser_secret(conn: AsyncConnection, invitation_id: uuid.UUID, now: datetime) -> str:
    """A new secret for the browser that opened an invitation (stored hashed, in the caller's transaction)."""
    secret, secret_hash = new_secret()
    await conn.execute(
        insert(INVITATION_LINKS).values(
            token_hash=secret_hash, invitation_id=invitation_id, purpose="browser", created_at=now
        )
    )
    return secret


def cookie_age(expires_at: datetime | None, now: datetime, settings: Settings) -> int:
    """Seconds the browser keeps its secret: until the link expires, plus the grace, and at least an hour."""
    ends = expires_at if expires_at is not None else now + timedelta(days=settings.training_link_days)
    return max(3600, int((ends + GRACE - now).total_seconds()))


async def open_personal_link(engine: AsyncEngine, token: str, now: datetime, settings: Settings) -> LinkOutcome:
    """Swap an emailed link's token for a browser secret, or say why the link does not open.

    Every token is hashed and looked up, however malformed, so a wrong one takes as long as a real one.
    """
    async with engine.begin() as conn:
        row = (await conn.execute(_invitation_by_secret(hash_secret(token[:MAX_SECRET_LENGTH]), "email"))).first()
        if len(token) > MAX_SECRET_LENGTH:
            return NOT_WORKING
        refusal = _usable(row, now)
        if refusal is not None:
            return refusal
        assert row is not None  # noqa: S101 - _usable refuses a missing row
        secret = await browser_secret(conn, row.id, now)
    slug = survey_of(row.kind, row.evaluation_survey, row.follow_up_survey)
    return LinkOpened(slug, secret, cookie_age(row.expires_at, now, settings))


class TrainingGate:
    """The surveys' gate for course evaluations and follow-ups: a browser secret made from a link."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def admit(self, survey: Survey, secret: str | None, now: datetime) -> Admission:
        """The delegate this browser secret answers `survey` as, or why it may not."""
        if not secret or len(secret) > MAX_SECRET_LENGTH:
            return Admission()
        async with self.engine.connect() as conn:
            row = (await conn.execute(_invitation_by_secret(hash_secret(secret), "browser"))).first()
            refusal = _usable(row, now, GRACE)
            if refusal is not None or row is None:
                return Admission(refusal="answered" if refusal and refusal.reason == "answered" else "no_link")
            if survey_of(row.kind, row.evaluation_survey, row.follow_up_survey) != survey.slug:
                return Admission()
            follows = None
            if row.kind == "follow_up":
                follows = await conn.scalar(
                    select(INVITATIONS.c.answered_response_id).where(
                        INVITATIONS.c.delegate_id == row.delegate_id, INVITATIONS.c.kind == "evaluation"
                    )
                )
        about = f"{row.course}, {row.date.day} {row.date:%B %Y}"
        return Admission(delegate(row.id, row.pseudonym, follows), "", invitation_key(row.id), about)

    async def answered(self, respondent: Respondent, response_id: uuid.UUID, now: datetime) -> None:
        """Mark the invitation answered (its reminders stop)."""
        if respondent.invitation_id is not None:
            await mark_answered(self.engine, respondent.invitation_id, response_id, now)


async def mark_answered(engine: AsyncEngine, invitation_id: uuid.UUID, response_id: uuid.UUID, now: datetime) -> bool:
    """Record an invitation's response once; False when it was already recorded."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(INVITATIONS)
            .where(and_(INVITATIONS.c.id == invitation_id, INVITATIONS.c.state != "answered"))
            .values(state="answered", answered_response_id=response_id, answered_at=now)
        )
    return bool(result.rowcount)
