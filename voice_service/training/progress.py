"""How a course's and a session's evaluations are going, and what a training administrator can do about it."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.audit import Actor, Target, audit
from voice_service.core.jobs import schedule_job
from voice_service.training.courses import NotFound
from voice_service.training.scheduling import INVITE, MANUAL, SEND, send_key
from voice_service.training.sending import SEND_UNCERTAIN
from voice_service.training.tables import COURSES, DELEGATES, INVITATIONS, SESSIONS


@dataclass(frozen=True)
class KindProgress:
    """One kind of invitation (evaluation or follow-up) for a session or a course."""

    scheduled: int = 0
    sent: int = 0
    received: int = 0
    failed: int = 0
    expired: int = 0
    next_due: datetime | None = None

    @property
    def invited(self) -> int:
        """Invitations whose email went (answered ones included)."""
        return self.sent + self.received + self.expired

    @property
    def rate(self) -> float | None:
        """Answers received per invitation emailed (None before any went)."""
        return self.received / self.invited if self.invited else None


@dataclass(frozen=True)
class FailedEmail:
    """An invitation whose email could not be sent after every retry."""

    invitation_id: uuid.UUID
    kind: str
    name: str | None
    email: str | None
    failure: str | None

    @property
    def problem(self) -> str:
        """The failure in words for the administrator (an uncertain send says to ask before resending)."""
        if self.failure == SEND_UNCERTAIN:
            return "No answer from the mail server in time: the email may have arrived. Ask before sending again."
        return self.failure or "Unknown"


@dataclass(frozen=True)
class SessionProgress:
    """A session's evaluation and follow-up numbers, and the emails that failed."""

    session_id: uuid.UUID
    attendees: int
    evaluation: KindProgress
    follow_up: KindProgress
    failed: list[FailedEmail] = field(default_factory=list)

    @property
    def evaluation_rate(self) -> float | None:
        """Evaluations received per attendee, as the annual report counts them (links from the room included)."""
        return self.evaluation.received / self.attendees if self.attendees else None

    @property
    def follow_up_rate(self) -> float | None:
        """Follow-ups received per follow-up emailed."""
        return self.follow_up.rate


def _kind_columns(kind: str) -> list[Any]:
    def count(state: str) -> Any:
        return func.count(case((and_(INVITATIONS.c.kind == kind, INVITATIONS.c.state == state), 1)))

    # "sent" here means sent and not (yet) answered or expired: the three add up to those invited.
    next_due = func.min(
        case((and_(INVITATIONS.c.kind == kind, INVITATIONS.c.state == "scheduled"), INVITATIONS.c.due_at))
    )
    return [count("scheduled"), count("sent"), count("answered"), count("failed"), count("expired"), next_due]


async def sessions_progress(engine: AsyncEngine, session_ids: list[uuid.UUID]) -> dict[uuid.UUID, SessionProgress]:
    """Progress of each of these sessions (sessions with no delegates get zeros)."""
    if not session_ids:
        return {}
    statement = (
        select(DELEGATES.c.session_id, *_kind_columns("evaluation"), *_kind_columns("follow_up"))
        .select_from(INVITATIONS.join(DELEGATES, DELEGATES.c.id == INVITATIONS.c.delegate_id))
        .where(DELEGATES.c.session_id.in_(session_ids))
        .group_by(DELEGATES.c.session_id)
    )
    attendees_statement = (
        select(DELEGATES.c.session_id, func.count())
        .where(DELEGATES.c.session_id.in_(session_ids), DELEGATES.c.attended.is_(True))
        .group_by(DELEGATES.c.session_id)
    )
    failed_statement = (
        select(
            DELEGATES.c.session_id,
            INVITATIONS.c.id,
            INVITATIONS.c.kind,
            DELEGATES.c.name,
            DELEGATES.c.email,
            INVITATIONS.c.failure,
        )
        .join(DELEGATES, DELEGATES.c.id == INVITATIONS.c.delegate_id)
        .where(DELEGATES.c.session_id.in_(session_ids), INVITATIONS.c.state == "failed")
        .order_by(DELEGATES.c.name)
    )
    async with engine.connect() as conn:
        numbers = {row[0]: row[1:] for row in await conn.execute(statement)}
        attendees = dict((await conn.execute(attendees_statement)).tuples().all())
        failed: dict[uuid.UUID, list[FailedEmail]] = {}
        for row in await conn.execute(failed_statement):
            failed.setdefault(row[0], []).append(FailedEmail(*row[1:]))
    result = {}
    for session_id in session_ids:
        values = numbers.get(session_id, (0, 0, 0, 0, 0, None) * 2)
        result[session_id] = SessionProgress(
            session_id,
            attendees.get(session_id, 0),
            KindProgress(*values[:6]),
            KindProgress(*values[6:]),
            failed.get(session_id, []),
        )
    return result


def course_totals(progress: list[SessionProgress]) -> SessionProgress:
    """A course's numbers: its sessions' added up (failed emails listed together)."""

    def total(kind: str) -> KindProgress:
        parts = [getattr(p, kind) for p in progress]
        dues = [p.next_due for p in parts if p.next_due is not None]
        return KindProgress(
            scheduled=sum(p.scheduled for p in parts),
            sent=sum(p.sent for p in parts),
            received=sum(p.received for p in parts),
            failed=sum(p.failed for p in parts),
            expired=sum(p.expired for p in parts),
            next_due=min(dues) if dues else None,
        )

    failed = [email for p in progress for email in p.failed]
    return SessionProgress(
        uuid.UUID(int=0), sum(p.attendees for p in progress), total("evaluation"), total("follow_up"), failed
    )


@dataclass(frozen=True)
class Scope:
    """What "send reminders now" covers: one session, or every session of a course."""

    kind: str  # "training_session" or "course"
    id: uuid.UUID


async def remind_now(engine: AsyncEngine, scope: Scope, now: datetime, *, actor: Actor, address: str = "") -> int:
    """Queue a reminder now to everyone in scope whose link works and who has not answered."""
    if scope.kind == "course":
        owner, sessions = COURSES.c.id, select(SESSIONS.c.id).where(SESSIONS.c.course_id == scope.id)
    else:
        owner, sessions = SESSIONS.c.id, select(SESSIONS.c.id).where(SESSIONS.c.id == scope.id)
    async with engine.begin() as conn:
        if await conn.scalar(select(owner).where(owner == scope.id)) is None:
            raise NotFound(f"There is no such {'course' if scope.kind == 'course' else 'session'}")
        ids = list(
            await conn.scalars(
                select(INVITATIONS.c.id)
                .join(DELEGATES, DELEGATES.c.id == INVITATIONS.c.delegate_id)
                .where(
                    DELEGATES.c.session_id.in_(sessions),
                    INVITATIONS.c.state == "sent",
                    INVITATIONS.c.expires_at > now,
                )
            )
        )
        # Why a fresh key each time: asking again later must remind again; one click queues one each.
        batch = secrets.token_hex(4)
        for invitation_id in ids:
            payload = {"invitation": str(invitation_id), "step": MANUAL}
            await schedule_job(conn, SEND, payload, now, send_key(invitation_id, f"{MANUAL}:{batch}"))
        await audit(conn, actor, "training.reminders.send", Target(scope.kind, str(scope.id)), address)
    return len(ids)


async def resend_failed(
    engine: AsyncEngine, invitation_id: uuid.UUID, now: datetime, *, actor: Actor, address: str = ""
) -> uuid.UUID:
    """Try a failed invitation's email again now; returns its session (NotFound unless it has failed)."""
    async with engine.begin() as conn:
        session_id = await conn.scalar(
            select(DELEGATES.c.session_id)
            .join(INVITATIONS, INVITATIONS.c.delegate_id == DELEGATES.c.id)
            .where(INVITATIONS.c.id == invitation_id, INVITATIONS.c.state == "failed")
        )
        if session_id is None:
            raise NotFound("There is no failed email to send again")
        await conn.execute(update(INVITATIONS).where(INVITATIONS.c.id == invitation_id).values(state="scheduled"))
        payload = {"invitation": str(invitation_id), "step": INVITE}
        await schedule_job(conn, SEND, payload, now, send_key(invitation_id, f"resend:{secrets.token_hex(4)}"))
        await audit(conn, actor, "training.invitation.resend", Target("invitation", str(invitation_id)), address)
    return uuid.UUID(str(session_id))
