"""A survey's responses as export rows, one per response and one cell per column, a chunk at a time.

For response-level exports of 100,000 responses: the database does the pivot (a primary-key
lookup per cell), swaps codes for labels and neutralises text a spreadsheet would run as a formula,
so each row arrives as it is written out and Python only adds the course columns. For CSV it also
quotes and joins the fields, so a row arrives as most of its line.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Text, bindparam, case, cast, func, literal, null, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import NullType

from voice_service.core.db.plain import fetch_plain, raw
from voice_service.core.exports import FORMULA_STARTS
from voice_service.surveys.measured import UNANSWERED
from voice_service.surveys.tables import ANSWERS, RESPONSE_MEASURES, RESPONSES

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


def csv_quoted(text: str) -> str:
    """A CSV field as Python's csv module writes it (quoted when it holds a comma, a quote or a line break)."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def _needs_quotes(value: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """Whether text holds a comma, a double quote, a carriage return or a line feed."""
    if dialect == "postgresql":
        return value.op("~")(literal('[,"\r\n]', Text))
    return value.op("GLOB")(literal('*[,"\r\n]*', Text))


def _csv_field(value: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """Text neutralised, as a CSV field (`csv_quoted` in SQL); NULL stays NULL.

    Why the test on the text as stored: neutralising only puts an apostrophe in front, which needs
    no quotes, and the database then works out the neutralised text once instead of twice.
    """
    shown = neutralised(value)
    quoted = literal('"', Text).concat(func.replace(shown, '"', '""')).concat('"')
    return case((_needs_quotes(value, dialect), quoted), else_=shown)


def _csv_shown(value: ColumnElement[Any], labels: Mapping[str, str], dialect: str) -> ColumnElement[Any]:
    """A stored code as its label, anything else neutralised, as a CSV field (labels quoted here, once)."""
    other = _csv_field(value, dialect)
    if not labels:
        return other
    return case({code: csv_quoted(label) for code, label in labels.items()}, value=value, else_=other)


def _cell(cell: Cell, dialect: str, as_csv: bool = False) -> ColumnElement[Any]:
    """One row's value for a cell (text as a CSV field if `as_csv`), looked up in the answers' primary key."""
    where = (
        ANSWERS.c.response_id == RESPONSES.c.id,
        ANSWERS.c.question_id == cell.question_id,
        ANSWERS.c.row_key == cell.row_key,
    )
    if cell.source == "value_number":
        return select(ANSWERS.c.value_number).where(*where, ANSWERS.c.position == 0).scalar_subquery()
    if not cell.many:
        shown = (
            _csv_shown(ANSWERS.c.value_text, cell.labels, dialect)
            if as_csv
            else _shown(ANSWERS.c.value_text, cell.labels)
        )
        return select(shown).where(*where, ANSWERS.c.position == 0).scalar_subquery()
    label = case(dict(cell.labels), value=ANSWERS.c.value_text, else_=ANSWERS.c.value_text)
    if dialect == "postgresql":
        # Why the order on the separator: PostgreSQL wants ORDER BY after the aggregate's last argument.
        separator = literal(MANY_SEPARATOR, Text)
        joined = func.string_agg(label, aggregate_order_by(separator, ANSWERS.c.position))
    else:
        # Why no ORDER BY: SQLite reads them through the primary key, which ends with the position.
        joined = func.group_concat(label, MANY_SEPARATOR)
    shown = _csv_field(joined, dialect) if as_csv else neutralised(joined)
    return select(shown).where(*where).scalar_subquery()


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


def _in_stretch(query: Select[Any], slug: str) -> Select[Any]:
    """Responses to `slug` with ids from the parameter `first` to `last` (raw ids), in id order."""
    return (
        query.where(raw(RESPONSES.c.id) >= bindparam("first", None, type_=NullType()))
        .where(raw(RESPONSES.c.id) <= bindparam("last", None, type_=NullType()))
        # Why the slug as an expression: so the database reads the stretch of ids through the primary key
        # instead of all of the survey's responses through the slug's index, sorting them for every chunk.
        .where(RESPONSES.c.survey_slug.concat("") == slug)
        .order_by(raw(RESPONSES.c.id))
    )


def rows_query(slug: str, versions: Mapping[int, str], cells: Sequence[Cell], dialect: str) -> Select[Any]:
    """(id, submitted, version, respondent key, *cells) of responses to `slug` with ids `first` to `last`."""
    version = case(dict(versions), value=RESPONSES.c.survey_version_id, else_=null()) if versions else null()
    columns = [_id_text(dialect), _submitted_text(dialect), version, RESPONSES.c.respondent_key]
    return _in_stretch(select(*columns, *(_cell(cell, dialect) for cell in cells)), slug)


@dataclass(frozen=True)
class Copies:
    """Where current copies of measured cells (`response_measures`, one layout) keep a cell: its place in `codes`.

    `places` maps (question id, row key) to the cell's 1-based place and each option's character there.
    """

    layout: str
    places: Mapping[tuple[str, str], tuple[int, Mapping[str, str]]]


def _from_copy(cell: Cell, live: ColumnElement[Any], copies: Copies | None) -> ColumnElement[Any]:
    """A single-text cell's CSV field from the response's copy when it has a labelled code there, else `live`.

    Why: a copied cell is one character of a row already read, where `live` probes the answers'
    primary key (about 1.5 us each on SQLite, most of the export's time). A code without a label,
    a value the copy keeps as text, or a response without a current copy takes `live` (CASE works
    out only the branch taken), so the field is what `live` gives.
    """
    if copies is None or cell.many or cell.source != "value_text":
        return live
    found = copies.places.get((cell.question_id, cell.row_key))
    if found is None:
        return live
    place, coded = found
    fields = {
        character: csv_quoted(cell.labels[option]) for option, character in coded.items() if option in cell.labels
    }
    fields[UNANSWERED] = ""
    return case(fields, value=func.substr(RESPONSE_MEASURES.c.codes, place, 1), else_=live)


def _joined(pieces: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
    """Text pieces joined with `||`; empty text for none."""
    if not pieces:
        return literal("", Text)
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = joined.concat(piece)
    return joined


def lines_query(
    slug: str, versions: Mapping[int, str], cells: Sequence[Cell], dialect: str, copies: Copies | None = None
) -> Select[Any]:
    """(respondent key, id, head, text, number, text, ...) of responses to `slug` with ids `first` to `last`.

    A CSV line is the id (`id_text`), the head (",submitted,version,"), the course columns, then the
    text pieces with the numbers between them: the text comes as CSV already (each field labelled,
    neutralised and quoted as Python's csv module would, joined with commas), numbers as stored
    (Python formats them). With `copies`, choices are read from each response's current copy (`_from_copy`).
    """
    labels = {version_id: csv_quoted(label) for version_id, label in versions.items()}
    version = case(labels, value=RESPONSES.c.survey_version_id, else_=literal("", Text)) if labels else literal("")
    comma = literal(",", Text)
    head = _joined([comma, _submitted_text(dialect), comma, version, comma])
    # Why the id raw on SQLite: Python writes 16 bytes as text for less than SQLite's five substr calls.
    response = raw(RESPONSES.c.id) if dialect == "sqlite" else _id_text(dialect)
    columns: list[ColumnElement[Any]] = [RESPONSES.c.respondent_key, response, head]
    text: list[ColumnElement[Any]] = []
    for cell in cells:
        if cell.source == "value_number":
            columns += [_joined([*text, comma]), _cell(cell, dialect)]
            text = []
        else:
            live = func.coalesce(_cell(cell, dialect, as_csv=True), literal("", Text))
            text += [comma, _from_copy(cell, live, copies)]
    query = select(*columns, _joined(text))
    if copies is not None:
        current = (RESPONSE_MEASURES.c.response_id == RESPONSES.c.id) & (RESPONSE_MEASURES.c.layout == copies.layout)
        query = query.select_from(RESPONSES.outerjoin(RESPONSE_MEASURES, current))
    return _in_stretch(query, slug)


def id_text(value: Any) -> str:
    """A response id as `lines_query` gives it (16 bytes on SQLite, text elsewhere) in its usual text form."""
    if not isinstance(value, bytes):
        return str(value)
    h = value.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


async def response_ids(engine: AsyncEngine, slug: str) -> list[Any]:
    """Every response id of `slug` as the driver gives it."""
    raw_id = raw(RESPONSES.c.id)
    async with engine.connect() as conn:
        return [row[0] for row in await fetch_plain(conn, select(raw_id).where(RESPONSES.c.survey_slug == slug))]


def _fetch_compiled(sync_conn: Connection, sql: str, params: Any) -> Sequence[Sequence[Any]]:
    """Rows of an already compiled statement, straight from the driver's cursor."""
    cursor = sync_conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


async def response_rows(
    engine: AsyncEngine, slug: str, query: Select[Any], size: int = 5_000, ahead: int = 2
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """Every response to `slug`, `size` at a time in id order, as rows of `query` (`rows_query` or `lines_query`).

    Up to `ahead` chunks are read while the caller writes this one out: each read waits on its own
    connection (SQLite works on the connection's thread and lets go of the interpreter meanwhile),
    so reading and writing use both cores. Only the ids are held for the whole export.
    """
    ids = sorted(await response_ids(engine, slug))
    # Why compiled once: a query of a few hundred parameters takes longer to compile than to run on 5,000 rows.
    compiled = query.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    sql = str(compiled)

    async def read(chunk: Sequence[Any]) -> Sequence[Sequence[Any]]:
        params: Any = {**compiled.params, "first": chunk[0], "last": chunk[-1]}
        if compiled.positional and compiled.positiontup is not None:
            params = tuple(params[name] for name in compiled.positiontup)
        async with engine.connect() as conn:
            return await conn.run_sync(_fetch_compiled, sql, params)

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
