"""Look straight at the database a test's app wrote to (a separate engine, committed data only)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

TABLES = ("survey_version", "response", "answer", "draft")


async def query_async(url: str, sql: str, **params: Any) -> list[Row[Any]]:
    """Rows of one statement, through a fresh engine."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


async def insert_survey_version(conn: AsyncConnection) -> int:
    """A bare survey version row, in raw SQL so it fits any schema a migration test stands at; its id."""
    await conn.execute(
        text(
            "INSERT INTO survey_version (slug, version, title, definition, first_seen_at) "
            "VALUES ('s', '1', 't', '{}', :now)"
        ),
        {"now": datetime.now(UTC)},
    )
    version: int = (await conn.execute(text("SELECT max(id) FROM survey_version"))).scalar_one()
    return version


def query(url: str, sql: str, **params: Any) -> list[Row[Any]]:
    """`query_async` from synchronous test code."""
    return asyncio.run(query_async(url, sql, **params))


def count(url: str, table: str, where: str = "", **params: Any) -> int:
    """How many rows a table holds (optionally only those matching `where`)."""
    assert table in TABLES
    return int(query(url, f"SELECT COUNT(*) FROM {table}" + (f" WHERE {where}" if where else ""), **params)[0][0])


def counts(url: str) -> dict[str, int]:
    """Row counts of every table: compare before and after to show nothing was stored."""
    return {table: count(url, table) for table in TABLES}


def as_uuid(value: Any) -> uuid.UUID:
    """A stored id as a UUID (SQLite keeps the 16 bytes, PostgreSQL a uuid)."""
    return uuid.UUID(bytes=value) if isinstance(value, bytes) else uuid.UUID(str(value))
