"""Service endpoints: the OpenAPI document and the health check, including a database that goes away."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import TestClient

from tests.support.csrf import with_csrf
from tests.support.postgres import database_url
from voice_service.app import create_app
from voice_service.core.settings import Settings
from voice_service.migrations.runner import upgrade
from voice_service.surveys.runtime import Runtime


def test_schema_documents_the_api(client: TestClient) -> None:
    response = client.get("/schema")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {"/api/surveys", "/api/surveys/{slug}", "/api/surveys/{slug}/responses", "/health"} <= set(paths)
    assert not [p for p in paths if p == "/" or p.startswith("/s/")], "the HTML pages are not part of the API"
    submit = paths["/api/surveys/{slug}/responses"]["post"]
    assert {"201", "400", "404", "409", "410", "413", "422"} <= set(submit["responses"])
    headers = [p["name"].lower() for p in submit.get("parameters", []) if p["in"] == "header"]
    assert headers == ["idempotency-key"]
    assert "requestBody" in submit
    assert client.get("/schema/openapi.json").json() == document


def test_health_reports_the_database(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def runtime_of(client: TestClient) -> Runtime:
    """The running app's shared parts (handed to handlers as the `runtime` dependency)."""
    runtime = client.app.dependencies["runtime"].dependency()
    assert isinstance(runtime, Runtime)
    return runtime


async def _admin(settings: Settings, statement: str) -> None:
    dsn = database_url(settings.database_url, "postgres").replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
def own_database(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a database of this test's own, on the same engine, migrated; removed afterwards."""
    if settings.is_sqlite:
        folder = tmp_path / "db"
        own = dataclasses.replace(settings, database_url=f"sqlite+aiosqlite:///{folder / 'own.db'}")
        upgrade(own)
        yield own
        return
    name = f"voice_health_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(settings, f'CREATE DATABASE "{name}"'))
    own = dataclasses.replace(settings, database_url=database_url(settings.database_url, name))
    upgrade(own)
    yield own
    asyncio.run(_admin(settings, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def make_unreachable(client: TestClient, own: Settings) -> None:
    """Take the database away from under the running app."""
    if own.is_sqlite:
        runtime = runtime_of(client)
        assert client.blocking_portal is not None
        client.blocking_portal.call(runtime.engine.dispose)  # close pooled connections to the file
        shutil.rmtree(Path(own.database_url.split(":///", 1)[1]).parent)
    else:
        name = own.database_url.split("?")[0].rsplit("/", 1)[1]
        asyncio.run(_admin(own, f'DROP DATABASE "{name}" WITH (FORCE)'))


def test_health_is_503_when_the_database_goes_away(own_database: Settings) -> None:
    with TestClient(app=create_app(own_database)) as client:
        assert client.get("/health").status_code == 200
        make_unreachable(client, own_database)
        for _ in range(2):
            response = client.get("/health")
            assert response.status_code == 503
            assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_pages_without_a_database_fail_politely(own_database: Settings) -> None:
    with TestClient(app=create_app(own_database)) as client:
        make_unreachable(client, own_database)
        # The home page needs no database at all.
        assert client.get("/").status_code == 200
        # A lost database is "unavailable, try later" (503), not a bug (500).
        page = client.post("/s/make-your-mark/start", data=with_csrf(client), follow_redirects=False)
        assert page.status_code == 503
        assert "Sorry, the service is unavailable" in page.text
        api = client.post("/api/surveys/make-your-mark/responses", json={"answers": {"vote": "transport"}})
        assert api.status_code == 503
        assert api.json()["detail"] == "Sorry, the service is unavailable"


def test_an_unreachable_database_stops_the_app_starting_with_a_reason(settings: Settings, tmp_path: Path) -> None:
    if settings.is_sqlite:
        # A folder that does not exist: the file is created empty, and is not a migrated database.
        unreachable = dataclasses.replace(settings, database_url=f"sqlite+aiosqlite:///{tmp_path}/no/such/voice.db")
    else:
        unreachable = dataclasses.replace(settings, database_url="postgresql+asyncpg://voice@127.0.0.1:9/voice")
    app = create_app(unreachable)
    with pytest.raises(BaseException) as caught, TestClient(app=app):  # noqa: PT011 - it arrives in an ExceptionGroup
        pass
    messages = []
    pending: list[BaseException] = [caught.value]
    while pending:
        error = pending.pop()
        messages.append(f"{type(error).__name__}: {error}")
        pending.extend(getattr(error, "exceptions", []))
    assert any("DatabaseNotReady" in m and "database" in m.lower() for m in messages), messages
