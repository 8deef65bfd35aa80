"""The seam through which another domain stores rows in the same transaction as a response.

The composition root hands the writer an implementation (safeguarding alerts); the surveys domain
never imports another domain's tables. `screen` is awaited before the response is queued (it may
hand the work to another process) and returns plain data; the writer asks for rows only for
responses it actually inserts, and stores them before its COMMIT, so the response and its rows are
committed or lost together.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from forms import Survey
from voice_service.surveys.pending import PendingSubmission


class ResponseExtras(Protocol):
    """Rows that belong with a response, decided from its answers."""

    async def screen(self, survey: Survey, answers: Mapping[str, Any]) -> tuple[Any, ...]:
        """What these answers call for (empty: nothing); must not raise, and must answer within a bounded time."""

    def rows(self, response_id: uuid.UUID, pending: PendingSubmission, stored_at: datetime) -> list[dict[str, Any]]:
        """The rows to store for one inserted response (`pending.extras` is what `screen` returned)."""

    def insert_sqlite(self, conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
        """Insert rows on the SQLite writer thread's connection, inside its open transaction."""

    async def insert(self, conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        """Insert rows inside the caller's open transaction."""

    def committed(self, count: int) -> None:
        """Called on the event loop after a transaction that stored `count` rows committed."""
