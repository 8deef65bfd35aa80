"""Each keyed response's measured cells in one row (`response_measures`): the training report's fast read.

Reading a cell of the long `answer` table costs SQLite about 1 us (a primary-key probe), so the
report's 700,000 measured cells of 100,000 responses cost about 0.8 s of its CPU; the same cells
copied into one row per response read in 0.04 s. Due work copies them (`store_measures`); the
report reads the copy where it is current and looks up the rest live (`measured_columns`), so a
response committed a moment ago counts, and a response or answer deleted since is never read
from the copy (the response row is gone, or the migration's trigger dropped the copy).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, delete, insert, literal, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.db.plain import fetch_plain, raw
from voice_service.surveys.tables import ANSWERS, MEASURED_SLOTS, RESPONSE_MEASURES, RESPONSES

#: How many responses one copying transaction covers (a short hold of SQLite's write lock each).
BATCH = 2_000


@dataclass(frozen=True)
class MeasuredCell:
    """A stored cell a `measure:`-tagged question keeps: its frame column, question id and matrix row."""

    name: str
    question_id: str
    row_key: str


def layout_of(cells: Sequence[MeasuredCell]) -> str | None:
    """A name for which cell sits in which slot; None when the cells do not fit the table's slots."""
    if not cells or len(cells) > MEASURED_SLOTS:
        return None
    described = json.dumps([[c.name, c.question_id, c.row_key] for c in cells], separators=(",", ":"))
    return hashlib.sha256(described.encode()).hexdigest()[:32]


def _slot(index: int) -> ColumnElement[Any]:
    """The copy's column holding the cell at `index` of the layout."""
    return RESPONSE_MEASURES.c[f"cell_{index + 1:02d}"]


def looked_up(cell: MeasuredCell) -> ColumnElement[Any]:
    """A response's stored text for `cell`, one probe of the answers' primary key (position 0)."""
    return (
        select(ANSWERS.c.value_text)
        .where(
            ANSWERS.c.response_id == RESPONSES.c.id,
            ANSWERS.c.question_id == cell.question_id,
            ANSWERS.c.row_key == cell.row_key,
            ANSWERS.c.position == 0,
        )
        .scalar_subquery()
    )


def _keyed(slug: str) -> tuple[ColumnElement[bool], ...]:
    """Responses to `slug` given through a delegate's link (anonymous ones are never copied)."""
    return (RESPONSES.c.survey_slug == slug, RESPONSES.c.respondent_key.is_not(None))


def measured_select(slug: str, cells: Sequence[MeasuredCell], layout: str, fixed: Sequence[Any]) -> Select[Any]:
    """`fixed` columns and each cell of every keyed response to `slug`: from its copy if current, else live.

    Why CASE: both databases work out only the branch taken, so a copied response costs no lookup.
    """
    copied = RESPONSE_MEASURES.c.response_id.is_not(None)
    columns = [case((copied, _slot(i)), else_=looked_up(cell)) for i, cell in enumerate(cells)]
    current = (RESPONSE_MEASURES.c.response_id == RESPONSES.c.id) & (RESPONSE_MEASURES.c.layout == layout)
    return select(*fixed, *columns).select_from(RESPONSES.outerjoin(RESPONSE_MEASURES, current)).where(*_keyed(slug))


async def _uncopied(engine: AsyncEngine, slug: str, layout: str) -> list[Any]:
    """Ids (raw) of keyed responses to `slug` with no copy in `layout`."""
    current = (RESPONSE_MEASURES.c.response_id == RESPONSES.c.id) & (RESPONSE_MEASURES.c.layout == layout)
    query = (
        select(raw(RESPONSES.c.id))
        .select_from(RESPONSES.outerjoin(RESPONSE_MEASURES, current))
        .where(*_keyed(slug), RESPONSE_MEASURES.c.response_id.is_(None))
    )
    async with engine.connect() as conn:
        return sorted(row[0] for row in await fetch_plain(conn, query))


async def store_measures(engine: AsyncEngine, slug: str, cells: Sequence[MeasuredCell], batch: int = BATCH) -> int:
    """Copy the measured cells of `slug`'s keyed responses that have no current copy; how many were copied.

    Idempotent: a rerun copies only what is still missing. Each batch replaces any copy in an old
    layout and commits on its own, so submissions wait for at most one batch.
    """
    layout = layout_of(cells)
    if layout is None:
        return 0
    missing = await _uncopied(engine, slug, layout)
    slots = [_slot(i).name for i in range(len(cells))]
    copied = 0
    for start in range(0, len(missing), batch):
        ids = missing[start : start + batch]
        chosen = raw(RESPONSES.c.id).in_(ids)
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Why: a retention delete running now waits for this copy, then its trigger drops it.
                await conn.execute(
                    select(text("1"))
                    .select_from(ANSWERS)
                    .where(raw(ANSWERS.c.response_id).in_(ids))
                    .with_for_update(read=True)
                )
            await conn.execute(delete(RESPONSE_MEASURES).where(raw(RESPONSE_MEASURES.c.response_id).in_(ids)))
            source = select(RESPONSES.c.id, literal(layout), *(looked_up(cell) for cell in cells)).where(
                chosen, *_keyed(slug)
            )
            result = await conn.execute(
                insert(RESPONSE_MEASURES).from_select(["response_id", "layout", *slots], source)
            )
            copied += max(result.rowcount or 0, 0)
    return copied
