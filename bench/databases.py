"""The databases the benchmarks run against: a throwaway PostgreSQL that can be SIGKILLed, and direct looks at rows.

`Store` opens the database the server writes to (read-only use) and answers what the checks ask:
which ids a submission key is stored under, how many rows, duplicates, responses without answers.
"""

from __future__ import annotations

import re
import shutil
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote


class Postgres:
    """A throwaway PostgreSQL server (`pgserver`'s build) in `folder`, which can be crashed and restarted."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.server: Any = None

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the `postgres` database, over the server's Unix socket in `folder`."""
        return f"postgresql+asyncpg://postgres@/postgres?host={quote(str(self.folder))}"

    @property
    def dsn(self) -> str:
        """The same for asyncpg."""
        return self.url.replace("postgresql+asyncpg://", "postgresql://")

    def start(self, attempts: int = 3) -> None:
        """Start the server (initdb first when the folder is empty), trying again as tests/support/postgres.py does."""
        import pgserver

        fresh = not (self.folder / "PG_VERSION").exists()
        for attempt in range(attempts):
            # Why again: a start can fail when another run on the machine is starting its own server at once.
            try:
                self.server = pgserver.get_server(self.folder, cleanup_mode="stop")
                return
            except Exception:
                if attempt == attempts - 1:
                    raise
                if fresh:  # a half-initialised folder would be taken for a database: start it afresh
                    shutil.rmtree(self.folder, ignore_errors=True)
                time.sleep(1)

    def postmaster_pid(self) -> int:
        """The postmaster's process id (first line of postmaster.pid)."""
        return int((self.folder / "postmaster.pid").read_text().split("\n", 1)[0])

    def crash(self, timeout: float = 30.0) -> None:
        """SIGKILL the postmaster, then every backend it left behind: the whole server dies at once."""
        import psutil

        postmaster = psutil.Process(self.postmaster_pid())
        children = postmaster.children(recursive=True)
        postmaster.kill()
        # Why kill the backends too: after the postmaster dies they run on until they notice, and a
        # backend finishing its commit after the "crash" is not what a crash does.
        for child in children:
            with suppress(psutil.NoSuchProcess):
                child.send_signal(signal.SIGKILL)
        _gone, alive = psutil.wait_procs([postmaster, *children], timeout=timeout)
        if alive:
            raise RuntimeError(f"postgres processes still alive after SIGKILL: {[p.pid for p in alive]}")

    def restart(self, timeout: float = 120.0) -> float:
        """Start the server again after a crash (it replays its WAL first); returns the seconds until it answers."""
        assert self.server is not None
        started = time.monotonic()
        # Why through pgserver's own start: it finds the stale postmaster.pid dead and runs `pg_ctl start -w`,
        # which returns once crash recovery has finished and connections are accepted.
        self.server._postmaster_info = None
        with self.server._lock:
            self.server.ensure_postgres_running()
        while time.monotonic() - started < timeout:
            if self.ready():
                return time.monotonic() - started
            time.sleep(0.05)
        raise RuntimeError(f"PostgreSQL did not accept connections within {timeout} s of the restart")

    def ready(self) -> bool:
        """Whether a connection and a query succeed."""
        import asyncio

        import asyncpg

        async def probe() -> bool:
            try:
                conn = await asyncpg.connect(self.dsn, timeout=2)
            except (OSError, asyncpg.PostgresError):
                return False
            try:
                return bool(await conn.fetchval("SELECT 1") == 1)
            finally:
                await conn.close()

        return asyncio.run(probe())

    def log_maintenance(self) -> None:
        """Have the server log every autovacuum and autoanalyze (it logs checkpoints by default), for `log_events`."""
        import asyncio

        import asyncpg

        async def configure() -> None:
            conn = await asyncpg.connect(self.dsn)
            try:
                await conn.execute("ALTER SYSTEM SET log_autovacuum_min_duration = 0")
                await conn.execute("SELECT pg_reload_conf()")
            finally:
                await conn.close()

        asyncio.run(configure())

    def log_events(self, since: float, until: float) -> list[tuple[float, float, str]]:
        """Checkpoints and autovacuum runs in the server's log that overlap [since, until] (wall-clock seconds)."""
        return log_events((self.folder / "log").read_text(errors="replace"), since, until)

    def stop(self) -> None:
        """A clean shutdown (`pg_ctl stop`)."""
        if self.server is not None:
            self.server.cleanup()
            self.server = None


_LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC \[\d+\] LOG:  (.*)$")
_AUTOVACUUM = re.compile(r'^automatic ((?:aggressive )?vacuum|analyze) of table "(?:[^".]+\.)*([^".]+)"')
_ELAPSED = re.compile(r"elapsed: ([\d.]+) s")


def log_events(text: str, since: float, until: float) -> list[tuple[float, float, str]]:
    """(start, end, what) of each checkpoint, autovacuum or autoanalyze in a PostgreSQL log overlapping [since, until].

    An autovacuum is logged when it ends, with its elapsed time on a continuation line; its start is
    the end less that. A checkpoint is logged as it starts and as it completes.
    """
    events: list[tuple[float, float, str]] = []
    checkpoint: tuple[float, str] | None = None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not (found := _LOG_LINE.match(line)):
            continue
        at = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC).timestamp()
        message = found.group(2)
        if message.startswith("checkpoint starting: "):
            checkpoint = (at, message.removeprefix("checkpoint starting: "))
        elif message.startswith("checkpoint complete: ") and checkpoint is not None:
            events.append((checkpoint[0], at, f"checkpoint ({checkpoint[1]})"))
            checkpoint = None
        elif auto := _AUTOVACUUM.match(message):
            elapsed = 0.0
            for follow in lines[i + 1 :]:
                if not follow.startswith(("\t", " ")):
                    break  # the next entry: this one had no elapsed time
                if took := _ELAPSED.search(follow):
                    elapsed = float(took.group(1))
                    break
            events.append((at - elapsed, at, f"auto{auto.group(1)} {auto.group(2)}"))
    return [e for e in events if e[1] >= since and e[0] <= until]


@contextmanager
def throwaway_postgres(folder: Path) -> Iterator[Postgres]:
    """A started `Postgres` in `folder`, stopped afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    pg = Postgres(folder)
    pg.start()
    try:
        yield pg
    finally:
        pg.stop()


# --------------------------------------------------------------------------- looking at the rows


class Store:
    """Direct, read-only looks at the database the server writes to."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def stored(self, keys: list[str]) -> dict[str, list[str]]:
        """submission key -> ids stored under it (a list, so a duplicate would show)."""
        raise NotImplementedError

    async def rows(self) -> int:
        raise NotImplementedError

    async def duplicates(self) -> int:
        raise NotImplementedError

    async def orphans(self) -> int:
        raise NotImplementedError

    def integrity(self) -> str | None:
        """PRAGMA integrity_check's answer; None where the engine has none."""
        return None

    async def missing_or_moved(self, acked: dict[str, str]) -> int:
        """Acknowledged keys not stored, or stored under another id than acknowledged."""
        stored = await self.stored(list(acked))
        return sum(1 for key, rid in acked.items() if stored.get(key) != [rid])


SQL_DUPLICATES = "SELECT COUNT(*) FROM (SELECT submission_key FROM response GROUP BY 1 HAVING COUNT(*) > 1) d"
SQL_ORPHANS = "SELECT COUNT(*) FROM response r WHERE NOT EXISTS (SELECT 1 FROM answer a WHERE a.response_id = r.id)"


class SqliteStore(Store):
    def __init__(self, url: str, path: Path) -> None:
        super().__init__(url)
        self.path = path

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            yield conn
        finally:
            conn.close()

    async def stored(self, keys: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        with self._conn() as conn:
            conn.execute("CREATE TEMP TABLE wanted (key TEXT PRIMARY KEY)")
            conn.executemany("INSERT INTO wanted VALUES (?)", ((k,) for k in keys))
            # Why bytes: on SQLite the GUID column holds the UUID's 16 bytes.
            for key, rid in conn.execute(
                "SELECT r.submission_key, r.id FROM response r JOIN wanted w ON w.key = r.submission_key"
            ):
                out.setdefault(key, []).append(str(uuid.UUID(bytes=rid)))
        return out

    async def rows(self) -> int:
        with self._conn() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM response").fetchone()[0])

    async def duplicates(self) -> int:
        with self._conn() as conn:
            return int(conn.execute(SQL_DUPLICATES).fetchone()[0])

    async def orphans(self) -> int:
        with self._conn() as conn:
            return int(conn.execute(SQL_ORPHANS).fetchone()[0])

    def integrity(self) -> str | None:
        with self._conn() as conn:
            return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))


class PostgresStore(Store):
    def _dsn(self) -> str:
        return self.url.replace("postgresql+asyncpg://", "postgresql://")

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        import asyncpg

        conn = await asyncpg.connect(self._dsn())
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def stored(self, keys: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, rid in await self._fetch(
            "SELECT submission_key, id FROM response WHERE submission_key = ANY($1::text[])", keys
        ):
            out.setdefault(key, []).append(str(rid))
        return out

    async def rows(self) -> int:
        return int((await self._fetch("SELECT COUNT(*) FROM response"))[0][0])

    async def duplicates(self) -> int:
        return int((await self._fetch(SQL_DUPLICATES))[0][0])

    async def orphans(self) -> int:
        return int((await self._fetch(SQL_ORPHANS))[0][0])

    async def durability(self) -> str:
        """The server settings that decide whether a commit is durable when it returns."""
        names = ("server_version", "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes")
        values = [str((await self._fetch(f"SHOW {name}"))[0][0]) for name in names]
        return ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True))


def store_for(url: str) -> Store:
    """The store for a SQLAlchemy URL the server was given."""
    if url.startswith("sqlite"):
        return SqliteStore(url, Path(url.split("///", 1)[1]))
    return PostgresStore(url)
