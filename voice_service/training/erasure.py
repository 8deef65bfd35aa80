"""A delegate asks to be forgotten: erase one delegate's details now, as retention would later.

Erased: name, email and organisation (what retention erases). Kept: sector, attendance and the
pseudonym, so their evaluation and follow-up stay paired and the anonymous figures do not change.
Their links stop working and no more emails go: unsent invitations are withdrawn, and the sender
skips an erased delegate's reminders. The audit log records who erased which delegate id, never
the erased values. The row stays with a NULL email, so importing the same address later adds a
new delegate; nothing brings the erased one back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.audit import Actor, Target, audit
from voice_service.training.courses import NotFound
from voice_service.training.sessions import DelegateInfo
from voice_service.training.tables import DELEGATES, INVITATION_LINKS, INVITATIONS

#: Invitations never delivered: withdrawn on erasure (the planner withdraws scheduled ones the same way).
UNSENT = ("scheduled", "failed")


@dataclass(frozen=True)
class Erasure:
    """What erasing did: `already` when the details had been erased before (nothing changed)."""

    delegate_id: uuid.UUID
    session_id: uuid.UUID
    already: bool
    withdrawn: int = 0


@dataclass(frozen=True)
class ErasureCheck:
    """The delegate the confirmation page is about; their details are None once erased."""

    delegate: DelegateInfo
    erased: bool


async def erasure_check(
    engine: AsyncEngine, delegate_id: uuid.UUID, *, actor: Actor, address: str = ""
) -> ErasureCheck:
    """The delegate to confirm erasing (NotFound); showing their details is an audited view."""
    async with engine.begin() as conn:
        row = (await conn.execute(select(DELEGATES).where(DELEGATES.c.id == delegate_id))).first()
        if row is None:
            raise NotFound("No delegate with that id")
        erased = row.erased_at is not None
        if not erased:
            await audit(conn, actor, "training.delegate.view", Target("delegate", str(delegate_id)), address)
    info = DelegateInfo(row.id, row.session_id, row.name, row.email, row.organisation, row.sector, row.attended)
    return ErasureCheck(info, erased)


async def erase_delegate(
    engine: AsyncEngine,
    delegate_id: uuid.UUID,
    *,
    actor: Actor,
    address: str = "",
    now: datetime | None = None,
) -> Erasure:
    """Erase one delegate's name, email and organisation now (NotFound); a second call changes nothing."""
    now = now or datetime.now(UTC)
    async with engine.begin() as conn:
        # Why the update first: its row lock makes two erasures at once agree on which one did it.
        result = await conn.execute(
            update(DELEGATES)
            .where(DELEGATES.c.id == delegate_id, DELEGATES.c.erased_at.is_(None))
            .values(name=None, email=None, organisation=None, erased_at=now, updated_at=now)
        )
        session_id = await conn.scalar(select(DELEGATES.c.session_id).where(DELEGATES.c.id == delegate_id))
        if session_id is None:
            raise NotFound("No delegate with that id")
        session_id = uuid.UUID(str(session_id))
        if not result.rowcount:
            return Erasure(delegate_id, session_id, already=True)
        invitations = select(INVITATIONS.c.id).where(INVITATIONS.c.delegate_id == delegate_id)
        await conn.execute(delete(INVITATION_LINKS).where(INVITATION_LINKS.c.invitation_id.in_(invitations)))
        withdrawn = await conn.execute(
            delete(INVITATIONS).where(INVITATIONS.c.delegate_id == delegate_id, INVITATIONS.c.state.in_(UNSENT))
        )
        await audit(conn, actor, "training.delegate.erase", Target("delegate", str(delegate_id)), address)
    return Erasure(delegate_id, session_id, already=False, withdrawn=int(withdrawn.rowcount or 0))
