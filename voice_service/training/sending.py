"""Sending one invitation email: decide at the last moment, record first, undo if the mail server refuses.

Why record before sending: the job runner gives each job to one runner at a time, and the
conditional update here lets only one send through even if a stale job were run twice. A crash
between the record and the send loses that one email (the reminders still go); sending first
could instead send it twice, which the delegate would see. A send stopped by the job's time
limit may or may not have reached the server: the first email is then marked failed as
SEND_UNCERTAIN, listed for the administrator, and never sent again by itself.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from forms import Survey
from voice_service.core.jobs import JobContext
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.results import responses_by_invitation
from voice_service.training import timing
from voice_service.training.emails import InvitationDetails, invitation_email, minutes_to_answer
from voice_service.training.links import mark_answered, new_secret, survey_of
from voice_service.training.scheduling import INVITE, MANUAL
from voice_service.training.tables import COURSES, DELEGATES, INVITATION_LINKS, INVITATIONS, SESSIONS

#: The failure noted when a send was stopped by the job's time limit: the email may have gone.
SEND_UNCERTAIN = "SendUncertain"


@dataclass(frozen=True)
class Step:
    """A send job's step: the first email, or a reminder (automatic number n, or asked for)."""

    name: str

    @property
    def first(self) -> bool:
        """Whether this is the first email rather than a reminder."""
        return self.name == INVITE

    @property
    def reminders_before(self) -> int | None:
        """How many reminders must have gone before an automatic reminder (None: any number)."""
        if self.first or self.name == MANUAL:
            return None
        return int(self.name.removeprefix("reminder")) - 1


@lru_cache(maxsize=4)
def _catalog(forms_dir: Path) -> SurveyCatalog:
    """The survey definitions, read once per process (for "it takes about N minutes")."""
    return SurveyCatalog.from_folder(forms_dir)


def _survey(forms_dir: Path, slug: str) -> Survey | None:
    try:
        return _catalog(forms_dir).current(slug)
    except Exception:  # a broken folder must not stop the email: the estimate falls back
        return None


async def _load(engine: AsyncEngine, invitation_id: uuid.UUID) -> Any:
    async with engine.connect() as conn:
        return (
            await conn.execute(
                select(
                    INVITATIONS.c.kind,
                    INVITATIONS.c.state,
                    INVITATIONS.c.reminders_sent,
                    INVITATIONS.c.last_reminded_at,
                    INVITATIONS.c.expires_at,
                    DELEGATES.c.name,
                    DELEGATES.c.email,
                    DELEGATES.c.erased_at,
                    SESSIONS.c.date,
                    COURSES.c.name.label("course"),
                    COURSES.c.evaluation_survey,
                    COURSES.c.follow_up_survey,
                )
                .join(DELEGATES, DELEGATES.c.id == INVITATIONS.c.delegate_id)
                .join(SESSIONS, SESSIONS.c.id == DELEGATES.c.session_id)
                .join(COURSES, COURSES.c.id == SESSIONS.c.course_id)
                .where(INVITATIONS.c.id == invitation_id)
            )
        ).first()


def _still_wanted(row: Any, step: Step, now: datetime) -> bool:
    """Whether this email should still go: nobody erased, nothing answered, the right moment."""
    if row is None or row.erased_at is not None or not row.email:
        return False
    if step.first:
        return bool(row.state == "scheduled")
    if row.state != "sent" or row.expires_at is None or row.expires_at <= now:
        return False
    return step.reminders_before is None or row.reminders_sent == step.reminders_before


async def send_invitation(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Send one invitation or reminder email if it is still wanted; raise (to retry) when the server refuses."""
    invitation_id, step = uuid.UUID(str(payload["invitation"])), Step(str(payload["step"]))
    engine, now, settings = ctx.engine, ctx.now, ctx.settings
    row = await _load(engine, invitation_id)
    if not _still_wanted(row, step, now):
        return
    # Why: the answer may be stored while the note of it was lost (a crash in between): no reminder then.
    found = await responses_by_invitation(engine, [invitation_id])
    if invitation_id in found:
        await mark_answered(engine, invitation_id, found[invitation_id], now)
        return
    token, token_hash = new_secret()
    expires_at = now + timing.link_lifetime(settings) if step.first else row.expires_at
    if not await _record(engine, invitation_id, step, row, token_hash, now, expires_at):
        return
    slug = survey_of(row.kind, row.evaluation_survey, row.follow_up_survey)
    details = InvitationDetails(
        kind=row.kind,
        reminder=not step.first,
        name=row.name,
        course=row.course,
        session_date=row.date,
        link=f"{settings.base_url}/t/{token}",
        expires_at=expires_at,
        minutes=minutes_to_answer(_survey(settings.forms_dir, slug)),
        contact=settings.training_contact_email or settings.mail_from,
        time_zone=settings.training_timezone,
        partnership=settings.partnership.name,
    )
    email = invitation_email(details)
    try:
        await ctx.mailer.send(row.email, email.subject, email.text, email.html)
    except asyncio.CancelledError:
        # The job's time limit (or a shutdown) stopped the send midway: the server may have taken it.
        await _uncertain(engine, invitation_id, step)
        raise
    except Exception as exc:
        await _undo(engine, invitation_id, step, row, token_hash, type(exc).__name__, ctx.final_attempt)
        raise


async def _record(
    engine: AsyncEngine,
    invitation_id: uuid.UUID,
    step: Step,
    row: Any,
    token_hash: str,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """Store the link and mark the email sent, only if nobody else did meanwhile; False if they did."""
    if step.first:
        change = (
            update(INVITATIONS)
            .where(and_(INVITATIONS.c.id == invitation_id, INVITATIONS.c.state == "scheduled"))
            .values(state="sent", sent_at=now, expires_at=expires_at, failure=None)
        )
    else:
        change = (
            update(INVITATIONS)
            .where(
                and_(
                    INVITATIONS.c.id == invitation_id,
                    INVITATIONS.c.state == "sent",
                    INVITATIONS.c.reminders_sent == row.reminders_sent,
                )
            )
            .values(reminders_sent=INVITATIONS.c.reminders_sent + 1, last_reminded_at=now)
        )
    async with engine.begin() as conn:
        if not (await conn.execute(change)).rowcount:
            return False
        await conn.execute(
            insert(INVITATION_LINKS).values(
                token_hash=token_hash, invitation_id=invitation_id, purpose="email", created_at=now
            )
        )
    return True


async def _undo(
    engine: AsyncEngine, invitation_id: uuid.UUID, step: Step, row: Any, token_hash: str, failure: str, final: bool
) -> None:
    """The email did not go: forget its link and put the invitation back (failed, after the last try)."""
    if step.first:
        values: dict[str, Any] = {
            "state": "failed" if final else "scheduled",
            "sent_at": None,
            "expires_at": None,
            "failure": failure,
        }
    else:
        values = {"reminders_sent": row.reminders_sent, "last_reminded_at": row.last_reminded_at, "failure": failure}
    async with engine.begin() as conn:
        await conn.execute(delete(INVITATION_LINKS).where(INVITATION_LINKS.c.token_hash == token_hash))
        await conn.execute(update(INVITATIONS).where(INVITATIONS.c.id == invitation_id).values(**values))


async def _uncertain(engine: AsyncEngine, invitation_id: uuid.UUID, step: Step) -> None:
    """A send stopped midway: a first email is listed as failed (its link kept), a reminder stays counted.

    Why never sent again by itself: the message may have reached the delegate, and a second copy is
    what the record-first rule avoids; the administrator sees it and may send it again.
    """
    values: dict[str, Any] = {"failure": SEND_UNCERTAIN}
    if step.first:
        values["state"] = "failed"
    async with engine.begin() as conn:
        await conn.execute(update(INVITATIONS).where(INVITATIONS.c.id == invitation_id).values(**values))
