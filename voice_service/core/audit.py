"""The audit log: one function every domain calls; it records who, what, which record and from where, never content."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.core.tables import AUDIT_EVENTS


@dataclass(frozen=True)
class Actor:
    """Who acted: a staff account, or the system itself."""

    id: uuid.UUID | None
    label: str


SYSTEM = Actor(None, "system")
CLI = Actor(None, "command line")


@dataclass(frozen=True)
class Target:
    """The record acted on: its kind and id (never its contents)."""

    type: str
    id: str = ""


NOTHING = Target("", "")


async def audit(
    db: AsyncEngine | AsyncConnection,
    actor: Actor,
    action: str,
    target: Target = NOTHING,
    address: str = "",
) -> None:
    """Record one action; pass a connection to make it part of the caller's transaction."""
    row = {
        "at": datetime.now(UTC),
        "actor_id": actor.id,
        "actor_label": actor.label[:320],
        "action": action[:64],
        "target_type": target.type[:64],
        "target_id": target.id[:200],
        "address": address[:64],
    }
    if isinstance(db, AsyncConnection):
        await db.execute(AUDIT_EVENTS.insert().values(**row))
        return
    async with db.begin() as conn:
        await conn.execute(AUDIT_EVENTS.insert().values(**row))
