"""The audit log: one function every domain calls; it records who, what, which record and from where, never content."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.core.exports import csv_bytes
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


@dataclass(frozen=True)
class AuditQuery:
    """What an admin searches the log by; empty fields match everything."""

    person: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditRow:
    """One event as the log page and the CSV show it."""

    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    address: str


@dataclass(frozen=True)
class AuditPage:
    """A page of events, newest first, with how many match in all."""

    rows: list[AuditRow]
    total: int


def _filtered(query: AuditQuery, statement: Select[Any]) -> Select[Any]:
    table = AUDIT_EVENTS
    if query.person:
        # Why: a plain substring, so "lead@" finds every lead; the pattern's own wildcards are escaped.
        pattern = "%" + query.person.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(func.lower(table.c.actor_label).like(pattern, escape="\\"))
    if query.action:
        statement = statement.where(or_(table.c.action == query.action, table.c.action.startswith(query.action + ".")))
    if query.since:
        statement = statement.where(table.c.at >= datetime.combine(query.since, time.min, UTC))
    if query.until:
        statement = statement.where(table.c.at < datetime.combine(query.until + timedelta(days=1), time.min, UTC))
    return statement


def _row(record: Any) -> AuditRow:
    return AuditRow(record.at, record.actor_label, record.action, record.target_type, record.target_id, record.address)


async def search_audit(engine: AsyncEngine, query: AuditQuery, limit: int = 50, offset: int = 0) -> AuditPage:
    """Events matching the query, newest first."""
    table = AUDIT_EVENTS
    rows_statement = _filtered(query, select(table)).order_by(table.c.at.desc(), table.c.id.desc())
    async with engine.connect() as conn:
        total = await conn.scalar(_filtered(query, select(func.count()).select_from(table)))
        records = (await conn.execute(rows_statement.limit(limit).offset(offset))).all()
    return AuditPage([_row(r) for r in records], int(total or 0))


async def audit_actions(engine: AsyncEngine) -> list[str]:
    """Every action recorded so far, for the search form's choices."""
    async with engine.connect() as conn:
        return sorted((await conn.scalars(select(AUDIT_EVENTS.c.action).distinct())).all())


class AuditCsv:
    """The audit log (or the part a search picked out) as CSV."""

    identifier = "audit-csv"
    label = "Audit log (CSV)"

    def __init__(self, rows: list[AuditRow], today: date) -> None:
        self.rows = rows
        self.today = today

    def render(self) -> tuple[str, str, bytes]:
        """The file: audit-YYYY-MM-DD.csv."""
        header = ("time (UTC)", "who", "action", "record type", "record id", "from address")
        body = (
            (
                r.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                r.actor,
                r.action,
                r.target_type,
                r.target_id,
                r.address,
            )
            for r in self.rows
        )
        return f"audit-{self.today.isoformat()}.csv", "text/csv; charset=utf-8", csv_bytes(header, body)


async def export_audit(engine: AsyncEngine, query: AuditQuery, today: date, limit: int = 100_000) -> AuditCsv:
    """Every event matching the query (up to `limit`), ready to download."""
    return AuditCsv((await search_audit(engine, query, limit=limit)).rows, today)
