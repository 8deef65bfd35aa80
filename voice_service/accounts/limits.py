"""Login attempt limits per account and per address, counted in the database (fixed windows).

An attempt is counted before its password is checked, so a burst of parallel guesses is capped
too; a successful login then gives its attempt back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from voice_service.core.tables import RATE_COUNTERS


@dataclass(frozen=True)
class Limit:
    """At most `attempts` in each window of `window`."""

    prefix: str
    attempts: int
    window: timedelta

    def key(self, subject: str) -> str:
        """The counter's key; the subject is hashed, so no email address is stored in the table."""
        return f"{self.prefix}:{hashlib.sha256(subject.encode('utf-8', 'surrogatepass')).hexdigest()}"


#: Ten wrong passwords for one account in 15 minutes, whoever sends them.
PER_ACCOUNT = Limit("login-account", 10, timedelta(minutes=15))
#: Fifty from one address: a whole office behind one address can still make typing mistakes.
PER_ADDRESS = Limit("login-address", 50, timedelta(minutes=15))


async def count_attempt(conn: AsyncConnection, limit: Limit, subject: str, now: datetime) -> timedelta | None:
    """Count one attempt; returns how long to wait when the limit was already reached, else None."""
    module: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    counters = RATE_COUNTERS
    statement = module.insert(counters).values(key=limit.key(subject), window_start=now, count=1)
    expired = counters.c.window_start <= now - limit.window
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "window_start": case((expired, statement.excluded.window_start), else_=counters.c.window_start),
            "count": case((expired, 1), else_=counters.c.count + 1),
        },
    ).returning(counters.c.window_start, counters.c.count)
    window_start, count = (await conn.execute(statement)).one()
    if count <= limit.attempts:
        return None
    wait: timedelta = window_start + limit.window - now
    return max(wait, timedelta(seconds=1))


async def forget_attempt(conn: AsyncConnection, limit: Limit, subject: str, *, reset: bool = False) -> None:
    """Give back a counted attempt (a successful login), or clear the counter with reset."""
    key = RATE_COUNTERS.c.key == limit.key(subject)
    if reset:
        await conn.execute(delete(RATE_COUNTERS).where(key))
        return
    await conn.execute(
        update(RATE_COUNTERS).where(key, RATE_COUNTERS.c.count > 0).values(count=RATE_COUNTERS.c.count - 1)
    )


async def purge_old_counters(conn: AsyncConnection, now: datetime) -> int:
    """Delete login counters whose window has ended; returns how many."""
    oldest = now - max(PER_ACCOUNT.window, PER_ADDRESS.window)
    statement = delete(RATE_COUNTERS).where(
        RATE_COUNTERS.c.key.startswith("login-"), RATE_COUNTERS.c.window_start <= oldest
    )
    return int((await conn.execute(statement)).rowcount or 0)
