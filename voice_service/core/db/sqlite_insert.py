"""An INSERT compiled once for SQLite, for writers that bind rows on a plain sqlite3 connection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.dml import Insert

DIALECT = sqlite.dialect()


class SqliteInsert:
    """An INSERT compiled once for SQLite, converting values with the column types' own processors.

    Why: rows bound this way are stored exactly as the ORM would store (and read back) them.
    """

    def __init__(self, statement: Insert, table: Table, columns: Sequence[str]) -> None:
        compiled = statement.compile(dialect=DIALECT, column_keys=list(columns))
        if list(compiled.positiontup or []) != list(columns):
            raise ValueError(f"{table.name}: compiled parameter order {compiled.positiontup} is not {columns}")
        self.sql = str(compiled)
        self.columns = tuple(columns)
        # Why the dialect's implementation: a type decorator's own processor leaves a datetime to
        # sqlite3's adapter ("... 07:00:00+00:00"), which sorts before SQLAlchemy's bound text of
        # the same instant ("... 07:00:00.000000"), so comparisons in SQL would miss it.
        self._convert = [
            (i, convert)
            for i, name in enumerate(columns)
            if (convert := table.c[name].type.dialect_impl(DIALECT).bind_processor(DIALECT))
        ]
        #: The conversion SQLAlchemy applies to each column that has one (for rows built in bulk).
        self.converters = {columns[i]: convert for i, convert in self._convert}

    def row(self, *values: Any) -> tuple[Any, ...]:
        """One row's parameters, in column order, converted as SQLAlchemy would convert them."""
        if not self._convert:
            return values
        converted = list(values)
        for i, convert in self._convert:
            converted[i] = convert(converted[i])
        return tuple(converted)
