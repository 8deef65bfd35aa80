"""Each keyed response's measured cells in one row (`response_measures`): the training report's fast read.

Reading a cell of the long `answer` table costs SQLite about 1 us (a primary-key probe), so the
report's 700,000 measured cells of 100,000 responses cost about 0.8 s of its CPU; a copy per
response reads in a fraction of that. Due work copies them (`store_measures`): the choices as one
string of codes (a character per cell), anything else as a JSON array. The report reads the copy
where it is current and looks up the rest live (`measured_select`), so a response committed a
moment ago counts, and a response or answer deleted since is never read from the copy (the
response row is gone, or migration 0009's trigger dropped the copy).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, case, cast, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.db.plain import fetch_plain, raw
from voice_service.surveys.tables import ANSWERS, MEASURED_SLOTS, RESPONSE_MEASURES, RESPONSES

#: How many responses one copying transaction covers (a short hold of SQLite's write lock each).
BATCH = 2_000


#: The characters coding an option by its place in the cell's options; a cell with more options is kept as text.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: A cell nobody answered.
UNANSWERED = "-"
#: A cell whose stored text is in `texts` (not a choice, or a value outside the options).
IN_TEXTS = "~"


@dataclass(frozen=True)
class MeasuredCell:
    """A stored cell a `measure:`-tagged question keeps: its frame column, question id, matrix row and options.

    `options` are the choices coded in a copy (None: the cell is copied as text).
    """

    name: str
    question_id: str
    row_key: str
    options: tuple[str, ...] | None = None

    def coded(self) -> dict[str, str]:
        """Each option's character in a copy's codes (empty when the cell is copied as text)."""
        if self.options is None or len(self.options) > len(ALPHABET):
            return {}
        return {option: ALPHABET[place] for place, option in enumerate(self.options)}


def layout_of(cells: Sequence[MeasuredCell]) -> str | None:
    """A name for which cell and option has which place in a copy; None when the cells do not fit one."""
    if not cells or len(cells) > MEASURED_SLOTS:
        return None
    described = json.dumps(
        ["codes-1", *([c.name, c.question_id, c.row_key, list(c.coded())] for c in cells)], separators=(",", ":")
    )
    return hashlib.sha256(described.encode()).hexdigest()[:32]


def encoded(coders: Sequence[dict[str, str]], values: Sequence[str | None]) -> tuple[str, str | None]:
    """A response's cell values as a copy keeps them, by each cell's `coded()`: (codes, texts as JSON or None)."""
    codes = []
    for coder, value in zip(coders, values, strict=True):
        codes.append(UNANSWERED if value is None else coder.get(value, IN_TEXTS))
    joined = "".join(codes)
    if IN_TEXTS not in joined:
        return joined, None
    texts = [value if code == IN_TEXTS else None for code, value in zip(codes, values, strict=True)]
    return joined, json.dumps(texts, ensure_ascii=False, separators=(",", ":"))


#: The most values one JSON array function is given (PostgreSQL takes at most 100 arguments, SQLite 127).
JSON_CHUNK = 50


def as_json_array(dialect: str, values: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
    """`values` as the text of one JSON array, worked out by the database (more than JSON_CHUNK: an array of arrays)."""
    build = func.json_build_array if dialect == "postgresql" else func.json_array
    if len(values) > JSON_CHUNK:
        return cast(build(*(build(*values[at : at + JSON_CHUNK]) for at in range(0, len(values), JSON_CHUNK))), Text)
    return cast(build(*values), Text)


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


def measured_select(
    slug: str, cells: Sequence[MeasuredCell], layout: str, fixed: Sequence[Any], dialect: str
) -> Select[Any]:
    """`fixed` columns, codes and texts of every keyed response to `slug`: from its copy if current, else live.

    A response not copied has no codes and every cell in its texts. Why CASE: both databases work
    out only the branch taken, so a copied response costs no lookup.
    """
    copied = RESPONSE_MEASURES.c.response_id.is_not(None)
    texts = case((copied, RESPONSE_MEASURES.c.texts), else_=as_json_array(dialect, [looked_up(c) for c in cells]))
    current = (RESPONSE_MEASURES.c.response_id == RESPONSES.c.id) & (RESPONSE_MEASURES.c.layout == layout)
    return (
        select(*fixed, RESPONSE_MEASURES.c.codes, texts)
        .select_from(RESPONSES.outerjoin(RESPONSE_MEASURES, current))
        .where(*_keyed(slug))
    )


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
            source = select(RESPONSES.c.id, *(looked_up(cell) for cell in cells)).where(chosen, *_keyed(slug))
            rows = (await conn.execute(source)).all()
            if rows:
                coders = [cell.coded() for cell in cells]
                made = [encoded(coders, row[1:]) for row in rows]
                await conn.execute(
                    insert(RESPONSE_MEASURES),
                    [
                        {"response_id": row[0], "layout": layout, "codes": codes, "texts": texts}
                        for row, (codes, texts) in zip(rows, made, strict=True)
                    ],
                )
            copied += len(rows)
    return copied
