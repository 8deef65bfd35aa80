"""Reading a page's draft: on SQLite one plain query on the event loop, elsewhere through the engine.

Why: through the async engine a draft read is half a dozen round trips between the event loop and
aiosqlite's thread (connection checkout, cursor, execute, fetch, close, rollback), a quarter of a
question page's CPU. A primary-key read of a file in WAL mode never waits for the writer, takes tens
of microseconds, and sees every committed draft, so it runs where it is asked for. The database stays
the only truth: nothing is kept between requests. The statement and the value conversions come from
the SQLAlchemy table, so what is read is exactly what the engine would read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.db.sqlite_insert import DIALECT
from voice_service.surveys.drafts import DraftState, load_draft
from voice_service.surveys.sqlite_batches import sqlite_file
from voice_service.surveys.tables import DRAFTS

#: Longer ids are never issued; refused before any query.
MAX_DRAFT_ID = 64

_SELECT = select(DRAFTS.c.survey_version_id, DRAFTS.c.answers, DRAFTS.c.visited, DRAFTS.c.submission_key).where(
    DRAFTS.c.id == bindparam("draft_id"), DRAFTS.c.updated_at > bindparam("since")
)
_compiled = _SELECT.compile(dialect=DIALECT)
if list(_compiled.positiontup or []) != ["draft_id", "since"]:
    raise RuntimeError(f"the draft read compiled differently: {_compiled}")
DRAFT_SQL = str(_compiled)


def _processor(make: Callable[..., Any] | None) -> Callable[[Any], Any]:
    return make if make is not None else (lambda value: value)


_since = _processor(DRAFTS.c.updated_at.type.bind_processor(DIALECT))
_answers = _processor(DRAFTS.c.answers.type.result_processor(DIALECT, None))
_visited = _processor(DRAFTS.c.visited.type.result_processor(DIALECT, None))


class DraftReader:
    """Reads drafts for the pages: a plain sqlite3 connection on SQLite, the engine otherwise."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._file: Path | None = sqlite_file(engine)
        self._conn: sqlite3.Connection | None = None

    async def load(self, draft_id: str | None, max_age: timedelta) -> DraftState | None:
        """A draft that exists and has been touched within `max_age` (None otherwise)."""
        if not draft_id or len(draft_id) > MAX_DRAFT_ID:
            return None
        if self._file is not None:
            try:
                return self._read(self._file, draft_id, datetime.now(UTC) - max_age)
            except sqlite3.OperationalError:
                # Why: the plain read never waits (busy_timeout 0), so the rare moment SQLite makes a
                # reader wait (another connection recovering the WAL) is left to the engine, which does.
                self.close()
        return await load_draft(self.engine, draft_id, max_age)

    def _read(self, file: Path, draft_id: str, since: datetime) -> DraftState | None:
        if self._conn is None:
            # Why autocommit: each read is its own transaction, so it sees every draft committed before it.
            conn = sqlite3.connect(file, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA query_only=ON")
            conn.execute("PRAGMA busy_timeout=0")
            self._conn = conn
        row = self._conn.execute(DRAFT_SQL, (draft_id, _since(since))).fetchone()
        if row is None:
            return None
        version_id, answers, visited, key = row
        return DraftState(draft_id, version_id, dict(_answers(answers)), list(_visited(visited)), key)

    def close(self) -> None:
        """Close the plain connection (opened again on the next read)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
