"""Service functions for "You Said / We Did" records: create, change, read, list, and move through the workflow."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.core.audit import Actor, Target, audit
from voice_service.voice import workflow
from voice_service.voice.tables import EVENTS, RECORDS
from voice_service.voice.workflow import DRAFT, EDITORS, MoveNotAllowed, Mover, NotPermitted


class NotFound(LookupError):
    """No record with that id."""


@dataclass(frozen=True)
class Record:
    """A record as pages and the API show it."""

    id: uuid.UUID
    source: str
    theme: str
    said: str
    people_count: int | None
    evidence_kind: str
    evidence_survey: str | None
    evidence_question: str | None
    evidence_period: str
    evidence_detail: str
    done: str
    owner_organisation: str
    owner_officer: str
    due_on: date | None
    feedback_given_on: date | None
    easy_read: str
    state: str
    drafted_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    revision: int

    def overdue(self, today: date) -> bool:
        """Past its due date and not closed."""
        return workflow.is_overdue(self.state, self.due_on, today)

    @property
    def year(self) -> str | None:
        """The reporting year (April to March) it was published in."""
        return workflow.financial_year(self.published_at.date()) if self.published_at else None


@dataclass(frozen=True)
class Event:
    """One step of a record's history."""

    at: datetime
    actor_label: str
    from_state: str
    to_state: str
    comment: str


RECORD_FIELDS = tuple(f.name for f in fields(Record))


def _record(row: Row[Any]) -> Record:
    return Record(**{name: getattr(row, name) for name in RECORD_FIELDS})


def _require_editor(mover: Mover) -> None:
    if mover.roles.isdisjoint(EDITORS):
        raise NotPermitted("Only a voice editor can draft or change records")


async def load_record(conn: AsyncConnection, record_id: uuid.UUID) -> Record:
    """One record, or NotFound."""
    row = (await conn.execute(select(RECORDS).where(RECORDS.c.id == record_id))).first()
    if row is None:
        raise NotFound("No record with that id")
    return _record(row)


async def get_record(engine: AsyncEngine, record_id: uuid.UUID) -> Record:
    """One record, or NotFound."""
    async with engine.connect() as conn:
        return await load_record(conn, record_id)


async def history(engine: AsyncEngine, record_id: uuid.UUID) -> list[Event]:
    """Every step of the record's history, oldest first."""
    query = select(EVENTS).where(EVENTS.c.record_id == record_id).order_by(EVENTS.c.at, EVENTS.c.id)
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [Event(r.at, r.actor_label, r.from_state, r.to_state, r.comment) for r in rows]


async def list_records(engine: AsyncEngine, state: str | None = None) -> list[Record]:
    """Records (of one state, or all), the most recently changed first."""
    query = select(RECORDS).order_by(RECORDS.c.updated_at.desc(), RECORDS.c.id)
    if state is not None:
        query = query.where(RECORDS.c.state == state)
    async with engine.connect() as conn:
        return [_record(r) for r in (await conn.execute(query)).all()]


async def review_queue(engine: AsyncEngine) -> list[Record]:
    """Records waiting for a reviewer, the longest waiting first."""
    records = await list_records(engine, workflow.SUBMITTED)
    return sorted(records, key=lambda r: (r.updated_at, r.id))


async def create_record(
    engine: AsyncEngine,
    values: Mapping[str, Any],
    mover: Mover,
    *,
    address: str = "",
    now: datetime | None = None,
) -> Record:
    """Check and store a new draft drafted by `mover` (an editor); its first history step; audited."""
    _require_editor(mover)
    cleaned = workflow.clean_fields(values)
    now = now or datetime.now(UTC)
    record_id = uuid.uuid4()
    row = {**cleaned, "id": record_id, "state": DRAFT, "drafted_by": mover.id, "created_at": now, "updated_at": now}
    async with engine.begin() as conn:
        await conn.execute(insert(RECORDS).values(**row, revision=1))
        await _add_event(conn, record_id, mover, "", DRAFT, "", now)
        await audit(conn, _actor(mover), "voice.record.create", Target("voice_record", str(record_id)), address)
        return await load_record(conn, record_id)


async def change_record(
    engine: AsyncEngine,
    record_id: uuid.UUID,
    values: Mapping[str, Any],
    mover: Mover,
    *,
    address: str = "",
) -> Record:
    """Change a draft or returned record's fields (given fields only); NotFound, then 403, 409, Invalid."""
    async with engine.begin() as conn:
        record = await load_record(conn, record_id)
        _require_editor(mover)
        if record.state not in workflow.EDITABLE:
            raise MoveNotAllowed(
                f"A record that is {record.state} cannot be changed; only drafts and returned records can"
            )
        merged = {name: getattr(record, name) for name in workflow.FIELDS}
        merged.update({k: v for k, v in values.items() if k in workflow.FIELDS})
        merged = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in merged.items()}
        cleaned = workflow.clean_fields(merged)
        await conn.execute(
            update(RECORDS)
            .where(RECORDS.c.id == record_id)
            .values(**cleaned, updated_at=datetime.now(UTC), revision=RECORDS.c.revision + 1)
        )
        await audit(conn, _actor(mover), "voice.record.change", Target("voice_record", str(record_id)), address)
        return await load_record(conn, record_id)


async def move_record(
    engine: AsyncEngine,
    record_id: uuid.UUID,
    to: str,
    comment: Any,
    mover: Mover,
    *,
    address: str = "",
    now: datetime | None = None,
) -> Record:
    """Move a record to another state with a comment; NotFound, then MoveNotAllowed (409), NotPermitted (403).

    Refusals are audited too (`voice.record.refused`), so attempts to approve one's own record show.
    """
    now = now or datetime.now(UTC)
    async with engine.connect() as conn:
        record = await load_record(conn, record_id)
    try:
        workflow.check_move(record.state, to, mover, record.drafted_by)
        text = workflow.check_comment(to, comment)
        if to == workflow.SUBMITTED:
            workflow.ready_for_review({name: getattr(record, name) for name in workflow.FIELDS})
    except (MoveNotAllowed, NotPermitted):
        await audit(engine, _actor(mover), "voice.record.refused", Target("voice_record", str(record_id)), address)
        raise
    changes: dict[str, Any] = {"state": to, "updated_at": now, "revision": record.revision + 1}
    if to == workflow.PUBLISHED:
        changes["published_at"] = now
    async with engine.begin() as conn:
        # Why the revision: two reviewers pressing at once must not both move the record.
        result = await conn.execute(
            update(RECORDS)
            .where(RECORDS.c.id == record_id, RECORDS.c.revision == record.revision, RECORDS.c.state == record.state)
            .values(**changes)
        )
        if result.rowcount != 1:
            raise MoveNotAllowed("Someone else changed this record at the same moment: look at it again")
        await _add_event(conn, record_id, mover, record.state, to, text, now)
        await audit(conn, _actor(mover), f"voice.record.{to}", Target("voice_record", str(record_id)), address)
        return await load_record(conn, record_id)


async def published_records(engine: AsyncEngine) -> list[Record]:
    """Every published record (the public page's source), newest first."""
    query = select(RECORDS).where(RECORDS.c.state == workflow.PUBLISHED).order_by(RECORDS.c.published_at.desc())
    async with engine.connect() as conn:
        return [_record(r) for r in (await conn.execute(query)).all()]


async def _add_event(
    conn: AsyncConnection, record_id: uuid.UUID, mover: Mover, from_state: str, to: str, comment: str, at: datetime
) -> None:
    await conn.execute(
        insert(EVENTS).values(
            record_id=record_id,
            at=at,
            actor_id=mover.id,
            actor_label=mover.label[:320],
            from_state=from_state,
            to_state=to,
            comment=comment,
        )
    )


def _actor(mover: Mover) -> Actor:
    return Actor(mover.id, mover.label)
