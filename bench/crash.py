"""Crash consistency: load, SIGKILL at a random moment, restart, check every key; many times over.

Each cycle: start `voice-service serve`, post valid responses with unique keys at N connections,
SIGKILL the server's whole process group at a random moment, then
  * SQLite: `PRAGMA integrity_check` on the killed database must say "ok";
  * restart, and check every key ever acknowledged is stored exactly once, under the id it was
    acknowledged with (an acknowledged-but-missing row is a failure);
  * the keys sent but never answered (in flight at the kill) are counted separately, and a sample of
    them (all, by default) is retried with the same body: each must be acknowledged and stored once
    (a replayed acknowledgement shows it had been committed before the kill);
  * every stored response has its answer rows (no half-written response).
At the end the rows in `response` must equal the acknowledged keys plus the unretried in-flight keys
that were stored. One summary line per database.

    .venv/bin/python bench/crash.py                    # SQLite full run, then a shorter PostgreSQL run
    .venv/bin/python bench/crash.py --db sqlite --cycles 10 --min-acked 0
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Bodies, Connection, NoReply, NotSent, Server, free_port, postgres, run_load, use_uvloop


@dataclass
class Tally:
    """Everything counted over a run against one database."""

    db: str
    cycles: int = 0
    acked: dict[str, str] = field(default_factory=dict)  # key -> acknowledged id
    in_flight: int = 0  # sent, no reply: the server died first
    in_flight_retried: int = 0
    in_flight_had_committed: int = 0  # retry answered "replayed": committed, never acknowledged
    in_flight_lost: int = 0  # retry stored it afresh: not committed before the kill
    retry_failures: int = 0  # a retry not acknowledged, or stored other than once
    unretried: list[str] = field(default_factory=list)
    other_errors: int = 0  # replies other than 201 during load
    missing: int = 0  # acknowledged, not stored (cumulative over checks; must stay 0)
    wrong_id: int = 0  # stored under another id than acknowledged
    duplicated: int = 0  # a key stored more than once
    orphan_responses: int = 0  # a response without any answer rows
    integrity_ok: int = 0
    integrity_failed: list[str] = field(default_factory=list)
    restart_s: list[float] = field(default_factory=list)
    kill_at_s: list[float] = field(default_factory=list)
    rows_at_end: int = 0
    expected_rows_at_end: int = 0

    @property
    def failures(self) -> int:
        return (
            self.missing
            + self.wrong_id
            + self.duplicated
            + self.orphan_responses
            + len(self.integrity_failed)
            + self.retry_failures
            + (self.rows_at_end != self.expected_rows_at_end)
        )

    def summary(self) -> str:
        integrity = f"integrity ok {self.integrity_ok}/{self.cycles}" if self.db == "sqlite" else "integrity n/a"
        restart = statistics.median(self.restart_s) if self.restart_s else float("nan")
        return (
            f"crash[{self.db}]: cycles {self.cycles} acked {len(self.acked)} in-flight-at-kill {self.in_flight} "
            f"(retried {self.in_flight_retried}: committed-unacked {self.in_flight_had_committed}, "
            f"not-committed {self.in_flight_lost}, retry-failures {self.retry_failures}) | "
            f"acked-missing {self.missing} wrong-id {self.wrong_id} duplicated {self.duplicated} "
            f"orphans {self.orphan_responses} | {integrity} | rows {self.rows_at_end}/{self.expected_rows_at_end} "
            f"| restart p50 {restart:.1f}s | " + ("PASS" if self.failures == 0 else "FAIL")
        )


# --------------------------------------------------------------------------- looking at the database


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
            sql = "SELECT COUNT(*) FROM (SELECT submission_key FROM response GROUP BY 1 HAVING COUNT(*) > 1)"
            return int(conn.execute(sql).fetchone()[0])

    async def orphans(self) -> int:
        with self._conn() as conn:
            sql = "SELECT COUNT(*) FROM response r WHERE NOT EXISTS (SELECT 1 FROM answer a WHERE a.response_id = r.id)"
            return int(conn.execute(sql).fetchone()[0])

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
        sql = "SELECT COUNT(*) FROM (SELECT submission_key FROM response GROUP BY 1 HAVING COUNT(*) > 1) d"
        return int((await self._fetch(sql))[0][0])

    async def orphans(self) -> int:
        sql = "SELECT COUNT(*) FROM response r WHERE NOT EXISTS (SELECT 1 FROM answer a WHERE a.response_id = r.id)"
        return int((await self._fetch(sql))[0][0])

    async def durability(self) -> str:
        """The server settings that decide whether a commit is durable when it returns."""
        names = ("server_version", "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes")
        values = [str((await self._fetch(f"SHOW {name}"))[0][0]) for name in names]
        return ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True))


# --------------------------------------------------------------------------- one run


async def check_acked(store: Store, tally: Tally) -> tuple[int, int]:
    """(missing, wrong id) over every key acknowledged so far."""
    keys = list(tally.acked)
    stored = await store.stored(keys)
    missing = sum(1 for k in keys if k not in stored)
    wrong = sum(1 for k in keys if k in stored and stored[k] != [tally.acked[k]])
    return missing, wrong


async def retry(server: Server, bodies: Bodies, store: Store, keys: list[str], tally: Tally) -> None:
    """Send each unanswered key again with the same body: acknowledged, and stored exactly once."""
    conn = Connection("127.0.0.1", server.port)
    acks: dict[str, str] = {}
    try:
        for key in keys:
            path, body = bodies.answers_of(key)
            try:
                status, headers, payload = await conn.request("POST", path, body)
            except (NoReply, NotSent):
                tally.retry_failures += 1
                continue
            if status != 201:
                tally.retry_failures += 1
                continue
            acks[key] = json.loads(payload)["id"]
            if headers.get("idempotent-replayed") == "true":
                tally.in_flight_had_committed += 1
            else:
                tally.in_flight_lost += 1
    finally:
        conn.close()
    stored = await store.stored(list(acks))
    for key, rid in acks.items():
        if stored.get(key) != [rid]:
            tally.retry_failures += 1
    tally.in_flight_retried += len(keys)
    tally.acked.update(acks)


async def run(db: str, url: str, store: Store, folder: Path, args: argparse.Namespace) -> Tally:
    rng = random.Random(args.seed)
    tally = Tally(db)
    server = Server(url, free_port(), args.workers, folder / f"server-{db}.log")
    server.upgrade()
    cycles, min_acked = (args.cycles, args.min_acked) if db == "sqlite" else (args.pg_cycles, args.pg_min_acked)
    bodies: Bodies | None = None
    pending_retry: list[str] = []
    started = time.monotonic()
    while tally.cycles < cycles or len(tally.acked) < min_acked:
        tally.restart_s.append(server.start())
        if bodies is None:
            bodies = Bodies(server.base_url, run_id=f"crash-{db}-{int(time.time())}")
        # After the restart: every acknowledged key is there exactly once, under its acknowledged id.
        missing, wrong = await check_acked(store, tally)
        tally.missing += missing
        tally.wrong_id += wrong
        if pending_retry:
            await retry(server, bodies, store, pending_retry, tally)
            pending_retry = []

        kill_at = rng.uniform(args.min_run, args.max_run)
        tally.kill_at_s.append(kill_at)
        stop = asyncio.Event()

        def kill(stop: asyncio.Event = stop) -> None:
            server.kill()  # SIGKILL to the whole process group, then reap
            stop.set()

        asyncio.get_running_loop().call_later(kill_at, kill)
        submission = bodies.request
        outcome = await run_load(server.port, args.concurrency, 3600, submission, 201, stop=stop)
        tally.cycles += 1
        tally.acked.update(outcome.acked)
        tally.in_flight += len(outcome.no_reply)
        tally.other_errors += sum(outcome.bad_status.values())
        sample = [k for k in outcome.no_reply if rng.random() < args.retry_fraction]
        chosen = set(sample)
        tally.unretried += [k for k in outcome.no_reply if k not in chosen]
        pending_retry = sample

        if db == "sqlite":
            answer = store.integrity()
            if answer == "ok":
                tally.integrity_ok += 1
            else:
                tally.integrity_failed.append(f"cycle {tally.cycles}: {answer}")
        if args.verbose:
            print(
                f"  [{db}] cycle {tally.cycles}: kill at {kill_at:.2f}s, acked {len(outcome.acked)} "
                f"(total {len(tally.acked)}), in flight {len(outcome.no_reply)}, "
                f"elapsed {time.monotonic() - started:.0f}s",
                flush=True,
            )

    # The last restart: the final checks run against a live server, as after every other kill.
    tally.restart_s.append(server.start())
    try:
        missing, wrong = await check_acked(store, tally)
        tally.missing += missing
        tally.wrong_id += wrong
        assert bodies is not None
        if pending_retry:
            await retry(server, bodies, store, pending_retry, tally)
        tally.duplicated = await store.duplicates()
        tally.orphan_responses = await store.orphans()
        tally.rows_at_end = await store.rows()
        unretried_stored = await store.stored(tally.unretried) if tally.unretried else {}
        tally.expected_rows_at_end = len(tally.acked) + len(unretried_stored)
    finally:
        server.stop()
    return tally


async def main_async(args: argparse.Namespace) -> int:
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results: list[Tally] = []
    for db in dbs:
        folder = Path(tempfile.mkdtemp(prefix=f"voice-crash-{db}-"))
        if db == "sqlite":
            path = folder / "crash.db"
            url = f"sqlite+aiosqlite:///{path}"
            tally = await run(db, url, SqliteStore(url, path), folder, args)
        else:
            with postgres(folder / "pg") as url:
                store = PostgresStore(url)
                print(f"postgresql: {await store.durability()}", flush=True)
                tally = await run(db, url, store, folder, args)
        print(tally.summary(), flush=True)
        for problem in tally.integrity_failed[:10]:
            print(f"  integrity: {problem}")
        if tally.other_errors:
            print(f"  note: {tally.other_errors} replies other than 201 during load")
        results.append(tally)
        if args.json:
            data = {
                "summary": tally.summary(),
                "cycles": tally.cycles,
                "acked": len(tally.acked),
                "in_flight": tally.in_flight,
                "failures": tally.failures,
                "restart_median_s": statistics.median(tally.restart_s),
                "kill_at_median_s": statistics.median(tally.kill_at_s),
            }
            Path(f"{args.json}.{db}.json").write_text(json.dumps(data, indent=2))
        if not args.keep:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"  kept {folder}")
    return 0 if all(t.failures == 0 for t in results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cycles", type=int, default=100, help="SQLite: at least this many kill cycles")
    parser.add_argument("--min-acked", type=int, default=50_000, help="SQLite: and at least this many acknowledged")
    parser.add_argument("--pg-cycles", type=int, default=20, help="PostgreSQL: at least this many kill cycles")
    parser.add_argument("--pg-min-acked", type=int, default=10_000, help="PostgreSQL: and this many acknowledged")
    parser.add_argument("--concurrency", type=int, default=64, help="concurrent connections")
    parser.add_argument("--min-run", type=float, default=0.2, help="earliest kill, seconds into the load")
    parser.add_argument("--max-run", type=float, default=2.0, help="latest kill, seconds into the load")
    parser.add_argument("--retry-fraction", type=float, default=1.0, help="share of unanswered keys retried")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--seed", type=int, default=20230401)
    parser.add_argument("--verbose", "-v", action="store_true", help="a line per cycle")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--json", help="also write figures to PREFIX.<db>.json")
    args = parser.parse_args()
    use_uvloop()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
