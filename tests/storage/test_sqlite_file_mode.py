"""The SQLite database holds children's answers: its files are readable by the service's user alone."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

from sqlalchemy import text

from voice_service.core.db.engine import create_engine, sqlite_path
from voice_service.core.settings import Settings
from voice_service.migrations.runner import upgrade


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def write_something(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        # While a connection is open, the -wal and -shm files exist: check them now.
        async with engine.connect() as conn:
            await conn.execute(text("SELECT * FROM t"))
            folder = sqlite_path(settings.database_url)
            assert folder is not None
            for suffix in ("-wal", "-shm"):
                companion = folder.with_name(folder.name + suffix)
                assert companion.exists(), suffix
                assert mode(companion) == 0o600, suffix
    finally:
        await engine.dispose()


def test_a_new_database_and_its_folder_are_private_even_with_an_open_umask(tmp_path: Path) -> None:
    path = tmp_path / "var" / "nested" / "voice.db"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}")
    previous = os.umask(0o002)  # a permissive umask, as some servers have
    try:
        asyncio.run(write_something(settings))
    finally:
        os.umask(previous)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_a_migrated_database_is_private(tmp_path: Path) -> None:
    path = tmp_path / "voice.db"
    upgrade(Settings(database_url=f"sqlite+aiosqlite:///{path}"))
    assert mode(path) == 0o600


def test_an_existing_world_readable_database_is_closed_up(tmp_path: Path) -> None:
    path = tmp_path / "voice.db"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}")
    asyncio.run(write_something(settings))
    for file in tmp_path.glob("voice.db*"):
        file.chmod(0o644)
    asyncio.run(write_something(settings))
    assert mode(path) == 0o600


def test_in_memory_and_other_urls_name_no_file() -> None:
    assert sqlite_path("sqlite+aiosqlite:///:memory:") is None
    assert sqlite_path("sqlite+aiosqlite://") is None
    assert sqlite_path("sqlite+aiosqlite:////srv/voice/db.sqlite?timeout=5") == Path("/srv/voice/db.sqlite")
    assert sqlite_path("sqlite+aiosqlite:///var/voice.db") == Path("var/voice.db")
