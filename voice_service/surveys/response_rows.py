"""A survey's responses as export rows, one per response and one cell per column, a chunk at a time.

For response-level exports of 100,000 responses: the database does the pivot (a primary-key
lookup per cell), swaps codes for labels and neutralises text a spreadsheet would run as a formula,
so each row arrives as it is written out and Python only adds the course columns.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, case, cast, func, literal, null, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.db.plain import fetch_plain, raw, raw_value
from voice_service.core.exports import FORMULA_STARTS
from voice_service.surveys.tables import ANSWERS, RESPONSES

#: What joins the several answers of one cell (a multiple choice).
MANY_SEPARATOR = "; "


@dataclass(frozen=True)
class Cell:
    """One export column: the stored cells it reads, and the label written for each stored code."""

    question_id: str
    row_key: str = ""
    #: "value_text" or "value_number".
    source: str = "value_text"
    #: Several answers (positions) joined with MANY_SEPARATOR, in position order.
    many: bool = False
    #: Labels by code, already safe to show in a spreadsheet (a code without one is neutralised).
    labels: Mapping[str, str] = field(default_factory=dict)


def neutralised(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """Text that a spreadsheet would run as a formula, with a leading apostrophe (core.exports.safe_cell)."""
    return case((func.substr(value, 1, 1).in_(FORMULA_STARTS), literal("'", Text).concat(value)), else_=value)


def _shown(value: ColumnElement[Any], labels: Mapping[str, str]) -> ColumnElement[Any]:
    """A stored code as its label; anything else neutralised."""
    return case(dict(labels), value=value, else_=neutralised(value)) if labels else neutralised(value)


def _cell(cell: Cell, dialect: str) -> ColumnElement[Any]:
    """One row's value for a cell, looked up in the answers' primary key."""
    where = (
        ANSWERS.c.response_id == RESPONSES.c.id,
        ANSWERS.c.question_id == cell.question_id,
        ANSWERS.c.row_key == cell.row_key,
    )
    if cell.source == "value_number":
        return select(ANSWERS.c.value_number).where(*where, ANSWERS.c.position == 0).scalar_subquery()
    if not cell.many:
        return (
            select(_shown(ANSWERS.c.value_text, cell.labels)).where(*where, ANSWERS.c.position == 0).scalar_subquery()
        )
    label = case(dict(cell.labels), value=ANSWERS.c.value_text, else_=ANSWERS.c.value_text)
    if dialect == "postgresql":
        # Why the order on the separator: PostgreSQL wants ORDER BY after the aggregate's last argument.
        separator = literal(MANY_SEPARATOR, Text)
        joined = func.string_agg(label, aggregate_order_by(separator, ANSWERS.c.position))
    else:
        # Why no ORDER BY: SQLite reads them through the primary key, which ends with the position.
        joined = func.group_concat(label, MANY_SEPARATOR)
    return select(neutralised(joined)).where(*where).scalar_subquery()


def _id_text(dialect: str) -> ColumnElement[Any]:
    """The response id in its usual text form."""
    if dialect != "sqlite":
        return cast(RESPONSES.c.id, Text)
    hexed = func.lower(func.hex(RESPONSES.c.id))
    parts = [func.substr(hexed, start, length) for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
    joined: ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        joined = joined.concat("-").concat(part)
    return joined


def _submitted_text(dialect: str) -> ColumnElement[Any]:
    """When the response was stored, as YYYY-MM-DD HH:MM:SS in UTC."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", RESPONSES.c.submitted_at), "YYYY-MM-DD HH24:MI:SS")
    # Why a slice: SQLite keeps these UTC times as text 'YYYY-MM-DD HH:MM:SS.ffffff'.
    return func.substr(raw(RESPONSES.c.submitted_at), 1, 19)


def rows_query(
    slug: str, versions: Mapping[int, str], cells: Sequence[Cell], first: Any, last: Any, dialect: str
) -> Select[Any]:
    """(id, submitted, version, respondent key, *cells) of responses to `slug` with ids `first` to `last`."""
    version = case(dict(versions), value=RESPONSES.c.survey_version_id, else_=null()) if versions else null()
    return (
        select(
            _id_text(dialect),
            _submitted_text(dialect),
            version,
            RESPONSES.c.respondent_key,
            *(_cell(cell, dialect) for cell in cells),
        )
        .where(raw(RESPONSES.c.id) >= raw_value(first), raw(RESPONSES.c.id) <= raw_value(last))
        # Why the slug as an expression: so the database reads the stretch of ids through the primary key
        # instead of all of the survey's responses through the slug's index, sorting them for every chunk.
        .where(RESPONSES.c.survey_slug.concat("") == slug)
        .order_by(raw(RESPONSES.c.id))
    )


async def response_ids(engine: AsyncEngine, slug: str) -> list[Any]:
    """Every response id of `slug` as the driver gives it."""
    raw_id = raw(RESPONSES.c.id)
    async with engine.connect() as conn:
        return [row[0] for row in await fetch_plain(conn, select(raw_id).where(RESPONSES.c.survey_slug == slug))]


async def response_rows(
    engine: AsyncEngine,
    slug: str,
    versions: Mapping[int, str],
    cells: Sequence[Cell],
    size: int = 5_000,
    ahead: int = 2,
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """Every response to `slug`, `size` at a time in id order, as rows of `rows_query`'s columns.

    Up to `ahead` chunks are read while the caller writes this one out: each read waits on its own
    connection (SQLite works on the connection's thread and lets go of the interpreter meanwhile),
    so reading and writing use both cores. Only the ids are held for the whole export.
    """
    ids = sorted(await response_ids(engine, slug))
    dialect = engine.dialect.name

    async def read(chunk: Sequence[Any]) -> Sequence[Sequence[Any]]:
        async with engine.connect() as conn:
            return await fetch_plain(conn, rows_query(slug, versions, cells, chunk[0], chunk[-1], dialect))

    chunks = iter([ids[start : start + size] for start in range(0, len(ids), size)])
    pending: deque[asyncio.Future[Sequence[Sequence[Any]]]] = deque()
    try:
        while True:
            while len(pending) < ahead and (chunk := next(chunks, None)) is not None:
                pending.append(asyncio.ensure_future(read(chunk)))
            if not pending:
                return
            yield await pending.popleft()
    finally:
        # Why: a download stopped half way leaves the next chunks' reads running.
        for future in pending:
            future.cancel()
