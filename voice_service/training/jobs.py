"""Due work of training: plan the emails every minute, send each one, erase names when retention ends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from voice_service.core.jobs import Handler, JobContext, Recurring
from voice_service.training.retention import erase_finished_sessions
from voice_service.training.scheduling import SEND, plan_invitations
from voice_service.training.sending import send_invitation

PLAN = "training.plan"
ERASE = "training.erase"


async def plan(ctx: JobContext, _payload: dict[str, Any]) -> None:
    """Create, move and expire invitations, and queue the emails now due."""
    await plan_invitations(ctx.engine, ctx.settings, ctx.now)


async def erase(ctx: JobContext, _payload: dict[str, Any]) -> None:
    """Erase delegates' names and emails where retention has ended."""
    await erase_finished_sessions(ctx.engine, ctx.settings, ctx.now)


JOB_HANDLERS: dict[str, Handler] = {PLAN: plan, SEND: send_invitation, ERASE: erase}
#: Why every minute: an email due at 16:00 goes by 16:01; planning is a few indexed queries.
RECURRING_JOBS = (Recurring(PLAN, every=timedelta(minutes=1)), Recurring(ERASE, every=timedelta(hours=1)))
