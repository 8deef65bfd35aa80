"""Retention: once a session's follow-up links have closed, plus a set period, names and emails are erased.

What stays: the delegate's sector, attendance and pseudonym, so the evaluation and follow-up stay
paired for analysis without saying who gave them. Each erasure is written to the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.audit import SYSTEM, Target, audit
from voice_service.core.settings import Settings
from voice_service.training import timing
from voice_service.training.tables import COURSES, DELEGATES, INVITATION_LINKS, INVITATIONS, SESSIONS


async def erase_finished_sessions(engine: AsyncEngine, settings: Settings, now: datetime) -> int:
    """Erase the delegates of every session whose retention has ended; returns how many delegates."""
    async with engine.connect() as conn:
        sessions = (
            await conn.execute(
                select(SESSIONS.c.id, SESSIONS.c.date, COURSES.c.follow_up_days)
                .join(COURSES, COURSES.c.id == SESSIONS.c.course_id)
                .where(SESSIONS.c.id.in_(select(DELEGATES.c.session_id).where(DELEGATES.c.erased_at.is_(None))))
            )
        ).all()
    erased = 0
    for session_id, session_date, follow_up_days in sessions:
        if timing.erasure_due(session_date, follow_up_days, settings) > now:
            continue
        async with engine.begin() as conn:
            delegates = select(DELEGATES.c.id).where(DELEGATES.c.session_id == session_id)
            invitations = select(INVITATIONS.c.id).where(INVITATIONS.c.delegate_id.in_(delegates))
            await conn.execute(delete(INVITATION_LINKS).where(INVITATION_LINKS.c.invitation_id.in_(invitations)))
            result = await conn.execute(
                update(DELEGATES)
                .where(DELEGATES.c.session_id == session_id, DELEGATES.c.erased_at.is_(None))
                .values(name=None, email=None, organisation=None, erased_at=now, updated_at=now)
            )
            await audit(conn, SYSTEM, "training.delegates.erase", Target("training_session", str(session_id)))
        erased += int(result.rowcount or 0)
    return erased
