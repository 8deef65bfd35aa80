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
    server = None
    failures: list[str] = []
    for attempt in range(3):
        # Why: a start can fail when another run on the machine is starting its own server at once.
        try:
            import pgserver

            server = pgserver.get_server(folder / f"try{attempt}", cleanup_mode="stop")
            break
        except Exception as exc:  # any failure to start means "no PostgreSQL here"
            failures.append(f"{type(exc).__name__}: {exc}")
    if server is None:
        raise PostgresUnavailable("could not start PostgreSQL with pgserver: " + " | ".join(failures))
    folder = folder / f"try{attempt}"
    try:
        yield f"postgresql+asyncpg://postgres@/postgres?host={quote(str(folder))}"
    finally:
        server.cleanup()


def database_url(server_url: str, name: str) -> str:
    """The URL of another database on the same server."""
    base, _, query = server_url.partition("?")
    root = base.rsplit("/", 1)[0]
    return f"{root}/{name}" + (f"?{query}" if query else "")
