"""Delegates: imports (planned, previewed, applied at once or not at all) and single changes by form.

An import matches on the session and the email. A row for an email already on the session with a
different name, organisation, sector or attended flag updates that delegate and counts as
imported (a booking list followed by the attendance export is the usual case); an identical row
counts as unchanged, so the same file imported twice changes nothing. An import never removes anyone.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.core.audit import Actor, Target, audit
from voice_service.training.courses import NotFound
from voice_service.training.rows import DelegateIn, RowError, Rows, clean_row
from voice_service.training.rules import Invalid
from voice_service.training.sessions import DelegateInfo, load_session
from voice_service.training.tables import DELEGATES

COMPARED = ("name", "organisation", "sector", "attended")


class ImportRefused(ValueError):
    """Rows with problems: nothing was stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


class ListChanged(RuntimeError):
    """The session's delegates changed between the preview and the confirmation: preview again."""


@dataclass(frozen=True)
class ImportPlan:
    """What importing rows would do: add these, update those, leave the rest."""

    new: list[DelegateIn]
    changed: list[tuple[uuid.UUID, DelegateIn]]
    unchanged: list[DelegateIn]
    errors: list[RowError] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """A digest of exactly what would happen: the confirmation must match it."""
        parts = [f"new:{r.email}:{r.name}:{r.organisation}:{r.sector}:{r.attended}" for r in self.new]
        parts += [f"change:{i}:{r.email}:{r.name}:{r.organisation}:{r.sector}:{r.attended}" for i, r in self.changed]
        parts += [f"same:{r.email}" for r in self.unchanged]
        return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


@dataclass(frozen=True)
class ImportResult:
    """How many rows were added or updated (imported) and how many were already on the list (unchanged)."""

    imported: int
    unchanged: int
    added: int = 0
    updated: int = 0


def _differs(existing: Mapping[str, Any], row: DelegateIn) -> bool:
    return any(existing[name] != getattr(row, name) for name in COMPARED)


async def _plan(conn: AsyncConnection, session_id: uuid.UUID, rows: Sequence[DelegateIn]) -> ImportPlan:
    await load_session(conn, session_id)
    emails = [r.email for r in rows]
    existing: dict[str, Mapping[str, Any]] = {}
    for start in range(0, len(emails), 500):
        statement = select(DELEGATES).where(
            DELEGATES.c.session_id == session_id, DELEGATES.c.email.in_(emails[start : start + 500])
        )
        existing.update({r.email: r for r in (await conn.execute(statement)).mappings()})
    new, changed, unchanged = [], [], []
    for row in rows:
        found = existing.get(row.email)
        if found is None:
            new.append(row)
        elif _differs(found, row):
            changed.append((found["id"], row))
        else:
            unchanged.append(row)
    return ImportPlan(new, changed, unchanged)


async def plan_import(engine: AsyncEngine, session_id: uuid.UUID, parsed: Rows) -> ImportPlan:
    """What importing would do (NotFound for an unknown session); nothing is stored or shown."""
    async with engine.connect() as conn:
        if parsed.errors:
            await load_session(conn, session_id)
            return ImportPlan([], [], [], parsed.errors)
        return await _plan(conn, session_id, parsed.rows)


def _values(row: DelegateIn) -> dict[str, Any]:
    return {name: getattr(row, name) for name in ("name", "email", "organisation", "sector", "attended")}


async def _apply(conn: AsyncConnection, session_id: uuid.UUID, plan: ImportPlan, now: datetime) -> None:
    if plan.new:
        await conn.execute(
            insert(DELEGATES),
            [
                {
                    **_values(row),
                    "id": uuid.uuid4(),
                    "session_id": session_id,
                    "pseudonym": new_pseudonym(),
                    "created_at": now,
                    "updated_at": now,
                }
                for row in plan.new
            ],
        )
    for delegate_id, row in plan.changed:
        await conn.execute(
            update(DELEGATES).where(DELEGATES.c.id == delegate_id).values(**_values(row), updated_at=now)
        )


def new_pseudonym() -> str:
    """A delegate's pseudonymous key: 256 random bits, 43 characters, made once and never shown."""
    return secrets.token_urlsafe(32)


async def import_delegates(
    engine: AsyncEngine,
    session_id: uuid.UUID,
    parsed: Rows,
    *,
    actor: Actor,
    address: str = "",
    expected: str | None = None,
) -> ImportResult:
    """Store every row or none (ImportRefused, NotFound; ListChanged when `expected` no longer matches).

    The audit records the session and the counts only, never who was on the list.
    """
    if parsed.errors:
        raise ImportRefused(parsed.errors)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            plan = await _plan(conn, session_id, parsed.rows)
            if expected is not None and plan.fingerprint != expected:
                raise ListChanged("the delegate list changed since the preview")
            await _apply(conn, session_id, plan, now)
            counts = f"{session_id} added={len(plan.new)} updated={len(plan.changed)} unchanged={len(plan.unchanged)}"
            await audit(conn, actor, "training.delegates.import", Target("training_session", counts), address)
    except IntegrityError:
        # Why: another import added one of these emails between our read and our write.
        raise ListChanged("the delegate list changed while importing") from None
    imported = len(plan.new) + len(plan.changed)
    return ImportResult(imported, len(plan.unchanged), len(plan.new), len(plan.changed))


async def get_delegate(engine: AsyncEngine, delegate_id: uuid.UUID, *, actor: Actor, address: str = "") -> DelegateInfo:
    """One delegate, for the edit form (NotFound); their details are shown, so the view is audited."""
    async with engine.begin() as conn:
        row = (await conn.execute(select(DELEGATES).where(DELEGATES.c.id == delegate_id))).first()
        if row is None or row.erased_at is not None:
            raise NotFound("No delegate with that id")
        await audit(conn, actor, "training.delegate.view", Target("delegate", str(delegate_id)), address)
    return DelegateInfo(row.id, row.session_id, row.name, row.email, row.organisation, row.sector, row.attended)


async def delegate_session(engine: AsyncEngine, delegate_id: uuid.UUID) -> uuid.UUID:
    """The session a delegate belongs to (NotFound)."""
    async with engine.connect() as conn:
        session_id = await conn.scalar(select(DELEGATES.c.session_id).where(DELEGATES.c.id == delegate_id))
    if session_id is None:
        raise NotFound("No delegate with that id")
    return uuid.UUID(str(session_id))


def _email_taken() -> Invalid:
    return Invalid({"email": "A delegate with this email address is already on this session"})


async def add_delegate(
    engine: AsyncEngine,
    session_id: uuid.UUID,
    values: Mapping[str, Any],
    sectors: Sequence[str],
    *,
    actor: Actor,
    address: str = "",
) -> uuid.UUID:
    """Add one delegate from the form (NotFound before Invalid); audited."""
    delegate_id, now = uuid.uuid4(), datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            await load_session(conn, session_id)
            row = _checked(values, sectors)
            values_out = {**_values(row), "id": delegate_id, "session_id": session_id, "pseudonym": new_pseudonym()}
            await conn.execute(insert(DELEGATES).values(**values_out, created_at=now, updated_at=now))
            await audit(conn, actor, "training.delegate.create", Target("delegate", str(delegate_id)), address)
    except IntegrityError:
        raise _email_taken() from None
    return delegate_id


async def change_delegate(
    engine: AsyncEngine,
    delegate_id: uuid.UUID,
    values: Mapping[str, Any],
    sectors: Sequence[str],
    *,
    actor: Actor,
    address: str = "",
) -> uuid.UUID:
    """Change one delegate from the form (NotFound before Invalid); returns their session's id; audited."""
    try:
        async with engine.begin() as conn:
            found = select(DELEGATES.c.session_id).where(DELEGATES.c.id == delegate_id, DELEGATES.c.erased_at.is_(None))
            session_id = await conn.scalar(found)
            if session_id is None:
                raise NotFound("No delegate with that id")
            row = _checked(values, sectors)
            statement = (
                update(DELEGATES)
                .where(DELEGATES.c.id == delegate_id)
                .values(**_values(row), updated_at=datetime.now(UTC))
            )
            await conn.execute(statement)
            await audit(conn, actor, "training.delegate.change", Target("delegate", str(delegate_id)), address)
    except IntegrityError:
        raise _email_taken() from None
    return uuid.UUID(str(session_id))


def _checked(values: Mapping[str, Any], sectors: Sequence[str]) -> DelegateIn:
    row, problems = clean_row(0, values, sectors)
    if row is None:
        raise Invalid({p.field: p.message for p in problems})
    return row
