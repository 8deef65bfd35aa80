"""Invitations as staff see them: kind, state and times per delegate, never a token or its hash."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.training.sessions import load_session
from voice_service.training.tables import DELEGATES, INVITATIONS

KINDS = ("evaluation", "follow_up")
STATES = ("scheduled", "sent", "failed", "answered", "expired")


@dataclass(frozen=True)
class InvitationInfo:
    """One invitation's progress (no link token: it is stored only hashed, and never shown)."""

    id: uuid.UUID
    delegate_id: uuid.UUID
    kind: str
    state: str
    due_at: datetime
    sent_at: datetime | None
    expires_at: datetime | None
    reminders_sent: int
    answered_at: datetime | None


async def session_invitations(engine: AsyncEngine, session_id: uuid.UUID) -> list[InvitationInfo]:
    """Every invitation of a session's delegates, by due time (NotFound for an unknown session)."""
    columns = [INVITATIONS.c[name] for name in InvitationInfo.__dataclass_fields__]
    statement = (
        select(*columns)
        .select_from(INVITATIONS.join(DELEGATES, DELEGATES.c.id == INVITATIONS.c.delegate_id))
        .where(DELEGATES.c.session_id == session_id)
        .order_by(INVITATIONS.c.due_at, INVITATIONS.c.kind, INVITATIONS.c.id)
    )
    async with engine.connect() as conn:
        await load_session(conn, session_id)
        rows = (await conn.execute(statement)).all()
    return [InvitationInfo(*row) for row in rows]
