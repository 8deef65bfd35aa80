"""The database engine, with SQLite set up for durability."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from voice_service.core.settings import PROJECT_ROOT, Settings

#: Why each pragma: WAL lets readers run beside the writer; synchronous=FULL makes every commit
#: durable before it returns (a response is acknowledged only after that); foreign keys are off
#: by default in SQLite; busy_timeout waits for the writer instead of failing at once;
#: secure_delete overwrites deleted rows, so replaced or deleted answers do not linger in the file.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA secure_delete=ON",
)


def sqlite_path(database_url: str) -> Path | None:
    """The file a SQLite URL names (None for an in-memory database)."""
    path = make_url(database_url).database
    return None if not path or path == ":memory:" or path.startswith("file:") else Path(path)


def prepare_sqlite_file(path: Path) -> None:
    """Create the database file readable by the service's user alone (0600, in a 0700 folder).

    Why: it holds children's answers. SQLite creates the -wal and -shm files with the mode of the
    database file, so creating that one ourselves (instead of letting sqlite3 do it with the
    umask's 0644) covers all three.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
    elif folder.resolve() == (PROJECT_ROOT / "var").resolve():
        os.chmod(folder, 0o700)  # our own default folder, perhaps made by an older version
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        # Files an older version created world-readable are tightened, if they are ours to change.
        try:
            stat = file.stat()
        except FileNotFoundError:
            continue
        if stat.st_mode & 0o077 and stat.st_uid == os.geteuid():
            os.chmod(file, stat.st_mode & 0o700)


#: Drivers whose DEBUG records quote statement parameters, that is what people typed.
QUOTING_LOGGERS = ("aiosqlite", "asyncpg")


def quiet_driver_logs() -> None:
    """Keep the drivers' DEBUG records (answers and tokens among their parameters) out of every log level."""
    for name in QUOTING_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def create_engine(settings: Settings) -> AsyncEngine:
    """An async engine for the configured database."""
    quiet_driver_logs()
    if settings.is_sqlite:
        if (path := sqlite_path(settings.database_url)) is not None:
            prepare_sqlite_file(path)
        engine = create_async_engine(settings.database_url, pool_size=8, max_overflow=8)

        @event.listens_for(engine.sync_engine, "connect")
        def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

        return engine
    return create_async_engine(settings.database_url, pool_size=10, max_overflow=10, pool_pre_ping=True)
