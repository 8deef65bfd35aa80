"""A database that already holds many responses, built fast and cached under var/bench-cache.

The server stores a few hundred real responses of every shape (through its own API, so every
column is in the server's own format), the voice domain scores their typed answers (as its due work
would have long before), and then those rows are cloned in bulk with new random ids, new keys and
submission hours spread over the past year: SQLite by `executemany` in one transaction, PostgreSQL
by `COPY`. Every table with a `response_id` column is cloned with `response`, whatever its domain,
so a new table keyed by response is filled without changing this file.

The result is what a service that has run for a year holds, not a backlog of due work: a clone
older than the submission key's retry window carries a forgotten key, as retention would have
left it (otherwise the server's first retention run would rewrite about 499,000 keys while the
benchmark measures), every typed answer has its sentiment, and on PostgreSQL the tables have been
vacuumed, as autovacuum keeps a live service's (otherwise its first pass over 5.4 million never-vacuumed
answer rows would run, throttled, for about 25 s inside the measurement).

The result is cached by schema revision and size (`var/bench-cache/<db>-<revision>-<n>`), so later
runs copy a file (SQLite) or a stopped data folder (PostgreSQL) instead of building it again.
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import re
import shutil
import sqlite3
import subprocess
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from common import CLI, PROJECT_ROOT, Connection, Server, free_port
from databases import Postgres
from shapes import Bodies

from voice_service.surveys.retention import FORGOTTEN

CACHE = PROJECT_ROOT / "var" / "bench-cache"
#: Raise when the way the cache is built changes, so older caches are not reused.
FORMAT = 3  # 2: keys older than the retry window already forgotten; 3: PostgreSQL vacuumed after the clone
#: The shapes the prefilled responses take in turn.
PREFILL_SHAPES = ("ballot", "survey8", "survey16")
YEAR_HOURS = 365 * 24
#: The service's default retry window (SUBMISSION_KEY_HOURS): older anonymous keys are forgotten.
KEY_HOURS = 24


def schema_revision() -> str:
    """The head revision of the migration chain (the revision no other revision names as its parent)."""
    revisions, parents = set(), set()
    for path in (PROJECT_ROOT / "voice_service" / "migrations" / "versions").glob("*.py"):
        text = path.read_text()
        if found := re.search(r'^revision\s*=\s*"([^"]+)"', text, re.M):
            revisions.add(found.group(1))
        if found := re.search(r'^down_revision\s*=\s*"([^"]+)"', text, re.M):
            parents.add(found.group(1))
    return "+".join(sorted(revisions - parents)) or "none"


def cache_path(db: str, n: int) -> Path:
    return CACHE / f"{db}-rev{schema_revision()}-{n}-f{FORMAT}"


# --------------------------------------------------------------------------- templates, through the API


async def post_templates(server: Server, per_shape: int = 100) -> int:
    """Store `per_shape` real responses of each prefill shape through the server's API; how many."""
    conn = Connection("127.0.0.1", server.port)
    stored = 0
    try:
        for shape in PREFILL_SHAPES:
            bodies = Bodies(server.base_url, run_id=f"template-{shape}", pool=per_shape, seed=7, mix=shape)
            for _ in range(per_shape):
                path, _key, body = bodies.next()
                status, _headers, payload = await conn.request("POST", path, body)
                if status != 201:
                    raise RuntimeError(f"template submission refused: {status} {payload[:300]!r}")
                stored += 1
    finally:
        conn.close()
    return stored


def store_templates(server: Server) -> None:
    """Start the server, store the templates, stop it, then score their typed answers (the voice domain's CLI)."""
    server.upgrade()
    server.start()
    try:
        asyncio.run(post_templates(server))
    finally:
        server.stop()
    # Why: on a live service the due work has scored old answers long ago; unscored clones would keep
    # the sentiment job busy during the measurement.
    subprocess.run([CLI, "voice", "score-sentiment"], env=server.env, check=True, capture_output=True, cwd=PROJECT_ROOT)


class Clones:
    """New identities for `n` cloned responses: random ids in sorted order, keys, times over a year.

    A clone within the retry window gets a sequential key; an older one a forgotten key in the
    format retention writes (the prefix and 32 random URL-safe characters).
    """

    def __init__(self, n: int, seed: int = 500) -> None:
        rng = random.Random(seed)
        # Why sorted: rows then arrive in index order, so the bulk insert appends instead of splitting pages.
        self.ids = sorted(uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(n))
        # Whole hours: the service stores an anonymous response's time rounded to the hour.
        self.ages = [timedelta(hours=rng.randrange(YEAR_HOURS)) for _ in range(n)]
        window = timedelta(hours=KEY_HOURS)
        self.keys = [
            f"prefill-{i:07d}" if age < window else FORGOTTEN + base64.urlsafe_b64encode(rng.randbytes(24)).decode()
            for i, age in enumerate(self.ages)
        ]


def shifted(value: Any, age: timedelta) -> Any:
    """A stored timestamp moved back by `age`, in the format it was stored in (text on SQLite)."""
    if isinstance(value, datetime):
        return value - age
    if isinstance(value, str):
        moved = datetime.fromisoformat(value) - age
        return moved.isoformat(sep="T" if "T" in value else " ", timespec="microseconds" if "." in value else "seconds")
    return value


# --------------------------------------------------------------------------- SQLite


def sqlite_tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Table -> columns, for `response` and every table with a `response_id` column."""
    out = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')]
        if name == "response" or "response_id" in columns:
            out[name] = columns
    return out


def clone_sqlite(path: Path, n: int) -> None:
    """Add `n` responses to a SQLite file by cloning the ones it holds, in one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=OFF")  # a build: durability does not matter until it is cached
        tables = sqlite_tables(conn)
        templates = conn.execute("SELECT * FROM response ORDER BY id").fetchall()
        resp_cols = tables.pop("response")
        clones = Clones(n)
        id_col, key_col, at_col = (resp_cols.index(c) for c in ("id", "submission_key", "submitted_at"))
        children = {}
        for name, columns in tables.items():
            grouped: dict[bytes, list[tuple[Any, ...]]] = {}
            for row in conn.execute(f'SELECT * FROM "{name}"'):
                grouped.setdefault(row[columns.index("response_id")], []).append(row)
            children[name] = (columns, grouped)
        conn.execute("BEGIN")
        marks = ",".join("?" * len(resp_cols))
        batch: list[list[Any]] = []
        for i, new_id in enumerate(clones.ids):
            row = list(templates[i % len(templates)])
            row[id_col], row[key_col] = new_id.bytes, clones.keys[i]
            row[at_col] = shifted(row[at_col], clones.ages[i])
            batch.append(row)
        conn.executemany(f"INSERT INTO response VALUES ({marks})", batch)
        del batch
        for name, (columns, grouped) in children.items():
            rid = columns.index("response_id")
            marks = ",".join("?" * len(columns))
            rows: list[list[Any]] = []
            for i, new_id in enumerate(clones.ids):
                for child in grouped.get(templates[i % len(templates)][id_col], ()):
                    copy = list(child)
                    copy[rid] = new_id.bytes
                    rows.append(copy)
            conn.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


def prefilled_sqlite(folder: Path, n: int, log: Any = print) -> Path:
    """A SQLite file in `folder` holding `n` cloned responses (plus the templates), from the cache when there."""
    target = folder / "bench.db"
    cached = cache_path("sqlite", n).with_suffix(".db")
    if not cached.exists():
        started = time.monotonic()
        build = folder / "build.db"
        store_templates(Server(f"sqlite+aiosqlite:///{build}", free_port(), 1, folder / "prefill-server.log"))
        clone_sqlite(build, n)
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        shutil.copyfile(build, partial)
        partial.rename(cached)
        build.unlink()
        log(f"prefill: built {cached} ({n:,} responses) in {time.monotonic() - started:.0f} s")
    shutil.copyfile(cached, target)
    return target


# --------------------------------------------------------------------------- PostgreSQL


async def clone_postgres(dsn: str, n: int) -> None:
    """Add `n` responses to a PostgreSQL database by cloning the ones it holds, with COPY in one transaction."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        names = [
            r["table_name"]
            for r in await conn.fetch(
                "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND (column_name = 'response_id' OR table_name = 'response')"
            )
        ]
        clones = Clones(n)
        templates = await conn.fetch("SELECT * FROM response ORDER BY id")
        async with conn.transaction():
            resp_cols = list(templates[0].keys())
            records = []
            for i, new_id in enumerate(clones.ids):
                row = dict(templates[i % len(templates)])
                row["id"], row["submission_key"] = new_id, clones.keys[i]
                row["submitted_at"] = shifted(row["submitted_at"], clones.ages[i])
                records.append(tuple(row[c] for c in resp_cols))
            await conn.copy_records_to_table("response", records=records, columns=resp_cols)
            del records
            for name in names:
                if name == "response":
                    continue
                rows = await conn.fetch(f'SELECT * FROM "{name}"')
                if not rows:
                    continue
                columns = list(rows[0].keys())
                rid = columns.index("response_id")
                grouped: dict[Any, list[tuple[Any, ...]]] = {}
                for row in rows:
                    grouped.setdefault(row["response_id"], []).append(tuple(row))
                out = []
                for i, new_id in enumerate(clones.ids):
                    for child in grouped.get(templates[i % len(templates)]["id"], ()):
                        copy = list(child)
                        copy[rid] = new_id
                        out.append(tuple(copy))
                await conn.copy_records_to_table(name, records=out, columns=columns)
        # Why VACUUM and not only ANALYZE: rows loaded by COPY have no hint bits and no page is marked
        # all-visible, so the server's first autovacuum would rewrite every page of `answer`, `response`
        # and `answer_sentiment` during the benchmark; a service that grew to this size over a year has
        # had those passes long ago, each over the pages added since the last.
        await conn.execute("VACUUM (ANALYZE)")
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


def prefilled_postgres(folder: Path, n: int, log: Any = print) -> Postgres:
    """A started `Postgres` in `folder` holding `n` cloned responses, from the cached data folder when there."""
    cached = cache_path("postgresql", n)
    if not cached.exists():
        started = time.monotonic()
        build = Postgres(folder)
        build.start()
        try:
            store_templates(Server(build.url, free_port(), 1, folder.parent / "prefill-server.log"))
            asyncio.run(clone_postgres(build.dsn, n))
        finally:
            build.stop()
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(cached.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        # Why `cp -a`: the server runs as its own user, and the copy must keep the files' owners.
        subprocess.run(["cp", "-a", str(folder), str(partial)], check=True)
        partial.rename(cached)
        log(f"prefill: built {cached} ({n:,} responses) in {time.monotonic() - started:.0f} s")
    else:
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(["cp", "-a", str(cached), str(folder)], check=True)
    # A copied folder carries the builder's list of handles; the new server starts its own.
    with_handles = folder / ".handle_pids.json"
    if with_handles.exists():
        os.unlink(with_handles)
    pg = Postgres(folder)
    pg.start()
    return pg


def describe(n: int) -> str:
    """What a prefilled database holds, for the report."""
    return f"prefilled {n:,}" if n else "empty"
