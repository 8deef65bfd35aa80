"""Fixtures: settings, migrated databases (SQLite and PostgreSQL), the app and its test client.

Under CI=true a test that needs PostgreSQL fails when PostgreSQL cannot be started; elsewhere
it is skipped with the reason.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from tests.support.postgres import PostgresUnavailable, database_url, throwaway_postgres
from voice_service.app import create_app
from voice_service.core.settings import PROJECT_ROOT, Settings
from voice_service.migrations.runner import upgrade

IN_CI = os.environ.get("CI", "").lower() == "true"
FORMS_DIR = PROJECT_ROOT / "forms" / "surveys"
#: Children before parents, so foreign keys hold while clearing.
TABLES_CLEARED_PER_TEST = (
    "voice_feedback",
    "voice_record_event",
    "voice_record",
    "answer_sentiment",
    "invitation_link",
    "invitation",
    "delegate",
    "training_session",
    "course",
    "safeguarding_alert_change",
    "safeguarding_alert",
    "deletion_log",
    "response_measures",
    "answer",
    "response",
    "draft",
    "job",
    "audit_event",
    "rate_counter",
    "recovery_code",
    "api_token",
    "password_link",
    "staff_session",
    "staff_role",
    "staff_user",
)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One PostgreSQL server for the whole run."""
    try:
        with throwaway_postgres(tmp_path_factory.mktemp("pg")) as url:
            yield url
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true: {exc}")
        pytest.skip(str(exc))


def _create_pg_database(server_url: str, name: str) -> str:
    import asyncpg

    async def create() -> None:
        dsn = server_url.replace("postgresql+asyncpg", "postgresql")
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return database_url(server_url, name)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database built by the migrations, once per engine per run."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = _create_pg_database(server, f"voice_test_{uuid.uuid4().hex[:8]}")
    upgrade(Settings(database_url=url))
    return url


def clear_tables(url: str) -> None:
    """Delete what a test stored, keeping the schema and survey versions."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    async def clear() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            for table in TABLES_CLEARED_PER_TEST:
                await conn.execute(text(f"DELETE FROM {table}"))
        await engine.dispose()

    asyncio.run(clear())


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Iterator[Settings]:
    """Settings for one test, on each database engine; stored responses are cleared afterwards."""
    yield Settings(
        database_url=migrated_url,
        forms_dir=FORMS_DIR,
        secret_key="test-secret",
        outbox_dir=tmp_path / "outbox",
        # Why: a test runs due work itself (run_due with a chosen `now`), so nothing runs behind its back.
        jobs_in_process=False,
        # Why: most tests sign the fixed admin in for other things; the two-step tests turn it on (make_client).
        require_totp_for_admin=False,
    )
    clear_tables(migrated_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app with its lifespan running, through Litestar's test client."""
    with TestClient(app=create_app(settings), base_url="http://testserver.local") as test_client:
        yield test_client


#: Files of a few long tests: the fuzzing test (about 2 minutes) and each browser module (a live server and Chromium).
SLOW = ("tests/fuzz/", "tests/browser/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests first across several processes, last in one process."""
    # Why first in parallel: xdist hands whole files to whichever process is free, so the longest
    # files started last leave one process working alone at the end (`make test` runs with
    # --no-loadscope-reorder to keep this order). In one process, quick failures show first instead.
    parallel = hasattr(config, "workerinput")

    def rank(item: pytest.Item) -> int:
        """0, 1 for the slow kinds in SLOW's order, 2 for the rest; reversed groups in one process."""
        group = next((i for i, part in enumerate(SLOW) if part in item.nodeid), len(SLOW))
        return group if parallel else -group

    items.sort(key=rank)
