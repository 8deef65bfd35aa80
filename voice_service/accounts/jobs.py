"""Due work of the accounts domain: set-password emails, and the hourly purge of ended sessions and counters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from voice_service.accounts.limits import purge_old_counters
from voice_service.accounts.password_links import SEND_PASSWORD_LINK, purge_spent_links, send_password_link
from voice_service.accounts.sessions import purge_expired_sessions
from voice_service.core.jobs import Handler, JobContext, Recurring

PURGE_SESSIONS = "accounts.purge_sessions"


async def purge_sessions(ctx: JobContext, _payload: dict[str, Any]) -> None:
    """Delete sessions past their idle or absolute limit, spent login counters and expired password links."""
    await purge_expired_sessions(ctx.engine, ctx.settings, ctx.now)
    async with ctx.engine.begin() as conn:
        await purge_old_counters(conn, ctx.now)
        await purge_spent_links(conn, ctx.now)


JOB_HANDLERS: dict[str, Handler] = {PURGE_SESSIONS: purge_sessions, SEND_PASSWORD_LINK: send_password_link}
#: Why hourly: an ended session is already refused when presented; this only keeps the table small.
RECURRING_JOBS = (Recurring(PURGE_SESSIONS, every=timedelta(hours=1)),)
