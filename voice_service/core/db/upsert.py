"""INSERT ... ON CONFLICT DO NOTHING for the two engines we run on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def insert_ignoring_conflicts(table: Table, dialect_name: str, index_elements: list[str]) -> Insert:
    """An insert that skips rows clashing with a unique index, on SQLite or PostgreSQL."""
    module: Any = postgresql if dialect_name == "postgresql" else sqlite
    statement: Insert = module.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    return statement
