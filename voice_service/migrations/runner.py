"""Apply Alembic migrations from code (the CLI and the tests use this)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings

MIGRATIONS = Path(__file__).parent


def alembic_config(settings: Settings) -> Config:
    """An Alembic config pointing at our migrations, carrying the settings."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Bring the database up to `revision`."""
    command.upgrade(alembic_config(settings), revision)


async def upgrade_async(settings: Settings, revision: str = "head") -> None:
    """`upgrade`, from inside a running event loop."""
    await asyncio.to_thread(upgrade, settings, revision)


def database_problem(settings: Settings) -> str | None:
    """Why the service cannot use the database yet (unreachable or not migrated); None when it can."""
    head = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()

    async def current_revision() -> str | None:
        engine = create_engine(settings)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
        finally:
            await engine.dispose()

    try:
        revision = asyncio.run(current_revision())
    except Exception as exc:  # any failure to connect: report it plainly, not as a traceback
        return f"cannot reach the database ({type(exc).__name__}): check DATABASE_URL"
    if revision != head:
        found = revision or "none"
        return f"the database is at revision {found} but this version needs {head}: run `voice-service db upgrade`"
    return None
