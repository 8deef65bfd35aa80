"""Reading many rows quickly: values as the driver gives them, rows as the driver's own tuples.

For reports that read a million answers: SQLAlchemy's result rows and per-value conversions (a
UUID object per id) cost more than the query itself at that size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import NullType


def raw(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A column as the driver returns it (an id as bytes on SQLite, the driver's UUID on PostgreSQL)."""
    return type_coerce(column, NullType())


def raw_value(value: Any) -> ColumnElement[Any]:
    """A value compared as given (for a raw id read back from `raw`)."""
    return type_coerce(value, NullType())


async def fetch_plain(conn: AsyncConnection, statement: Select[Any]) -> Sequence[Sequence[Any]]:
    """Rows straight from the driver's cursor, without a result Row made for each.

    Only for statements whose parameters need no conversion: strings, numbers and raw values.
    """

    def run(sync_conn: Connection) -> Sequence[Sequence[Any]]:
        compiled = statement.compile(dialect=sync_conn.dialect, compile_kwargs={"render_postcompile": True})
        params: Any = compiled.construct_params()
        if compiled.positional and compiled.positiontup is not None:
            params = tuple(params[name] for name in compiled.positiontup)
        cursor = sync_conn.connection.cursor()
        try:
            cursor.execute(str(compiled), params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    return await conn.run_sync(run)
