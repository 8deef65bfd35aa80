"""The default database: a SQLite file in WAL mode with synchronous=FULL on every connection the app uses."""

from __future__ import annotations

import asyncio
from pathlib import Path

from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import FORMS_DIR
from voice_service.app import create_app
from voice_service.core.settings import PROJECT_ROOT, Settings
from voice_service.migrations.runner import upgrade
from voice_service.surveys.runtime import Runtime

PRAGMAS = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")


async def pragmas_of_connections(engine: AsyncEngine, how_many: int) -> list[dict[str, object]]:
    """The pragmas seen on several pooled connections held open at the same time."""
    connections = [await engine.connect() for _ in range(how_many)]
    try:
        found = []
        for conn in connections:
            values = {}
            for pragma in PRAGMAS:
                values[pragma] = (await conn.execute(text(f"PRAGMA {pragma}"))).scalar()
            found.append(values)
        return found
    finally:
        await asyncio.gather(*(conn.close() for conn in connections))


def test_every_app_connection_is_wal_and_full_sync(tmp_path: Path) -> None:
    database = tmp_path / "var" / "voice.db"
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{database}", forms_dir=FORMS_DIR, outbox_dir=tmp_path / "outbox"
    )
    upgrade(settings)
    with TestClient(app=create_app(settings)) as client:
        runtime = client.app.dependencies["runtime"].dependency()
        assert isinstance(runtime, Runtime)
        assert client.blocking_portal is not None
        found = client.blocking_portal.call(pragmas_of_connections, runtime.engine, 5)
        response = client.post("/api/surveys/make-your-mark/responses", json={"answers": {"vote": "environment"}})
        assert response.status_code == 201
        assert Path(f"{database}-wal").exists()
    assert found == [{"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 10000}] * 5


def test_the_default_database_is_a_sqlite_file_under_var() -> None:
    settings = Settings.from_env({})
    assert settings.is_sqlite
    assert settings.database_url == f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'voice_service.db'}"
    assert settings.forms_dir == PROJECT_ROOT / "forms" / "surveys"


def test_plain_database_urls_get_the_async_drivers() -> None:
    assert Settings.from_env({"DATABASE_URL": "postgresql://u:p@db/voice"}).database_url == (
        "postgresql+asyncpg://u:p@db/voice"
    )
    assert Settings.from_env({"DATABASE_URL": "postgres://db/voice"}).database_url == "postgresql+asyncpg://db/voice"
    assert Settings.from_env({"DATABASE_URL": "sqlite:////tmp/x.db"}).database_url == "sqlite+aiosqlite:////tmp/x.db"
