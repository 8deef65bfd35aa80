"""A throwaway PostgreSQL server for the tests (the `pgserver` package bundles one that runs as root)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started or reached."""


@contextmanager
def throwaway_postgres(folder: Path) -> Iterator[str]:
    """Yield a SQLAlchemy async URL for a fresh server (or TEST_POSTGRES_URL when given)."""
    given = os.environ.get("TEST_POSTGRES_URL")
    if given:
        yield given
        return
    try:
        import pgserver

        server = pgserver.get_server(folder, cleanup_mode="stop")
    except Exception as exc:  # any failure to start means "no PostgreSQL here"
        raise PostgresUnavailable(f"could not start PostgreSQL with pgserver: {exc}") from exc
    try:
        yield f"postgresql+asyncpg://postgres@/postgres?host={quote(str(folder))}"
    finally:
        server.cleanup()


def database_url(server_url: str, name: str) -> str:
    """The URL of another database on the same server."""
    base, _, query = server_url.partition("?")
    root = base.rsplit("/", 1)[0]
    return f"{root}/{name}" + (f"?{query}" if query else "")
