"""Crash consistency: load, SIGKILL at a random moment, restart, check every key; many times over.

Each cycle: post valid responses with unique keys at N connections to `voice-service serve`, and at
a random moment SIGKILL either the app's whole process group or (PostgreSQL, `--pg-kill`, by
default every other cycle) the database server itself: the postmaster, then every backend it left
(a crash of the whole server, not a shutdown). Then
  * SQLite: `PRAGMA integrity_check` on the killed database must say "ok";
  * restart what was killed (PostgreSQL replays its WAL before it accepts connections; the app,
    which kept running, must reconnect by itself), and check every key ever acknowledged is stored
    exactly once, under the id it was acknowledged with (an acknowledged-but-missing row is a failure);
  * the keys sent but never answered (in flight at the kill), and the keys answered other than 201
    around a database crash, are counted separately, and a sample of them (all, by default) is retried
    with the same body: each must be acknowledged and stored once (a replayed acknowledgement shows
    it had been committed before the kill);
  * every stored response has its answer rows (no half-written response).
At the end the rows in `response` must equal the acknowledged keys plus the unretried keys that were
stored. One summary line per database. What this does and does not prove: docs/benchmarks.md.

    .venv/bin/python bench/crash.py                    # SQLite (40 kills), then PostgreSQL (12: 6 app, 6 database)
    .venv/bin/python bench/crash.py --cycles 100 --min-acked 50000 --pg-cycles 20   # the longer run
    .venv/bin/python bench/crash.py --db postgresql --pg-kill postmaster --pg-cycles 10 -v
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Bodies, Connection, NoReply, NotSent, Server, code_state, free_port, run_load, use_uvloop
from databases import Postgres, PostgresStore, SqliteStore, Store, throwaway_postgres


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
    retry_statuses: dict[int, int] = field(default_factory=dict)  # status of each failed retry (0: no reply)
    retry_5xx: int = 0  # retries answered 5xx and tried again (the app reconnecting after a database crash)
    refused_at_kill: int = 0  # answered other than 201 around a kill: retried like the in-flight ones
    kills: dict[str, int] = field(default_factory=dict)  # what was killed: "app" or "postmaster" -> cycles
    recovery_s: list[float] = field(default_factory=list)  # PostgreSQL restart to accepting connections
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
        kills = ", ".join(f"{victim} {n}" for victim, n in sorted(self.kills.items()))
        recovery = (
            f" | database recovery p50 {statistics.median(self.recovery_s):.1f}s max {max(self.recovery_s):.1f}s"
            if self.recovery_s
            else ""
        )
        return (
            f"crash[{self.db}]: cycles {self.cycles} (SIGKILL: {kills}) acked {len(self.acked)} "
            f"in-flight-at-kill {self.in_flight} refused-at-kill {self.refused_at_kill} "
            f"(retried {self.in_flight_retried}: committed-unacked {self.in_flight_had_committed}, "
            f"not-committed {self.in_flight_lost}, retry-failures {self.retry_failures}"
            + (f" {self.retry_statuses}" if self.retry_statuses else "")
            + f", 5xx retried {self.retry_5xx}) | "
            f"acked-missing {self.missing} wrong-id {self.wrong_id} duplicated {self.duplicated} "
            f"orphans {self.orphan_responses} | {integrity} | rows {self.rows_at_end}/{self.expected_rows_at_end} "
            f"| app restart p50 {restart:.1f}s{recovery} | " + ("PASS" if self.failures == 0 else "FAIL")
        )


# --------------------------------------------------------------------------- one run


async def check_acked(store: Store, tally: Tally) -> tuple[int, int]:
    """(missing, wrong id) over every key acknowledged so far."""
    keys = list(tally.acked)
    stored = await store.stored(keys)
    missing = sum(1 for k in keys if k not in stored)
    wrong = sum(1 for k in keys if k in stored and stored[k] != [tally.acked[k]])
    return missing, wrong


async def wait_healthy(server: Server, timeout: float = 60.0) -> float:
    """Wait until the server's /health answers 200 (it checks the database); returns the seconds that took."""
    started = time.monotonic()
    conn = Connection("127.0.0.1", server.port)
    try:
        while time.monotonic() - started < timeout:
            try:
                status, _headers, _payload = await conn.request("GET", "/health")
                if status == 200:
                    return time.monotonic() - started
            except (NoReply, NotSent):
                pass
            await asyncio.sleep(0.05)
    finally:
        conn.close()
    raise RuntimeError(f"the server's /health did not answer 200 within {timeout} s")


async def retry(server: Server, bodies: Bodies, store: Store, keys: list[str], tally: Tally) -> None:
    """Send each unacknowledged key again with the same body: acknowledged, and stored exactly once.

    A 5xx is tried again (up to 3 times, as a client would) and counted in `retry_5xx`; anything else
    that is not a 201, or a key still not acknowledged after 3 tries, is a retry failure.
    """
    conn = Connection("127.0.0.1", server.port)
    acks: dict[str, str] = {}
    try:
        for key in keys:
            path, body = bodies.answers_of(key)
            for attempt in range(3):
                try:
                    status, headers, payload = await conn.request("POST", path, body)
                except (NoReply, NotSent):
                    status, headers, payload = 0, {}, b""
                if status == 201 or not (status == 0 or status >= 500) or attempt == 2:
                    break
                tally.retry_5xx += 1
                await asyncio.sleep(0.2)
            if status != 201:
                tally.retry_failures += 1
                tally.retry_statuses[status] = tally.retry_statuses.get(status, 0) + 1
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


def kill_plan(db: str, args: argparse.Namespace) -> list[str]:
    """What each cycle kills, in turn: the app ("app") or the PostgreSQL server ("postmaster")."""
    if db == "sqlite" or args.pg_kill == "app":
        return ["app"]
    if args.pg_kill == "postmaster":
        return ["postmaster"]
    return ["postmaster", "app"]


async def run(db: str, url: str, store: Store, folder: Path, args: argparse.Namespace, pg: Postgres | None) -> Tally:
    rng = random.Random(args.seed)
    tally = Tally(db)
    server = Server(url, free_port(), args.workers, folder / f"server-{db}.log")
    server.upgrade()
    cycles, min_acked = (args.cycles, args.min_acked) if db == "sqlite" else (args.pg_cycles, args.pg_min_acked)
    plan = kill_plan(db, args)
    bodies: Bodies | None = None
    pending_retry: list[str] = []
    started = time.monotonic()
    while tally.cycles < cycles or len(tally.acked) < min_acked:
        if server.proc is None:
            tally.restart_s.append(server.start())
        else:
            await wait_healthy(server)  # after a database crash the app itself kept running
        if bodies is None:
            bodies = Bodies(server.base_url, run_id=f"crash-{db}-{int(time.time())}")
        # After the restart: every acknowledged key is there exactly once, under its acknowledged id.
        missing, wrong = await check_acked(store, tally)
        tally.missing += missing
        tally.wrong_id += wrong
        if pending_retry:
            await retry(server, bodies, store, pending_retry, tally)
            pending_retry = []

        victim = plan[tally.cycles % len(plan)]
        kill_at = rng.uniform(args.min_run, args.max_run)
        tally.kill_at_s.append(kill_at)
        stop = asyncio.Event()

        def kill(stop: asyncio.Event = stop, victim: str = victim) -> None:
            if victim == "app":
                server.kill()  # SIGKILL to the whole process group, then reap
            else:
                assert pg is not None
                pg.crash()  # SIGKILL to the postmaster, then to each backend left
            stop.set()

        asyncio.get_running_loop().call_later(kill_at, kill)
        submission = bodies.request
        outcome = await run_load(server.port, args.concurrency, 3600, submission, 201, stop=stop)
        tally.cycles += 1
        tally.kills[victim] = tally.kills.get(victim, 0) + 1
        tally.acked.update(outcome.acked)
        tally.in_flight += len(outcome.no_reply)
        tally.refused_at_kill += len(outcome.refused)
        tally.other_errors += sum(outcome.bad_status.values())
        # Why retry refused keys too: after a database crash the app answers 5xx for a batch whose
        # commit may or may not have reached the disk; a client retries, and must get one response.
        unanswered = outcome.no_reply + outcome.refused
        sample = [k for k in unanswered if rng.random() < args.retry_fraction]
        chosen = set(sample)
        tally.unretried += [k for k in unanswered if k not in chosen]
        pending_retry = sample

        if db == "sqlite":
            answer = store.integrity()
            if answer == "ok":
                tally.integrity_ok += 1
            else:
                tally.integrity_failed.append(f"cycle {tally.cycles}: {answer}")
        if victim == "postmaster":
            assert pg is not None
            tally.recovery_s.append(await asyncio.to_thread(pg.restart))
        if args.verbose:
            print(
                f"  [{db}] cycle {tally.cycles}: kill {victim} at {kill_at:.2f}s, acked {len(outcome.acked)} "
                f"(total {len(tally.acked)}), in flight {len(outcome.no_reply)}, refused {len(outcome.refused)} "
                f"{outcome.bad_status or ''}, elapsed {time.monotonic() - started:.0f}s",
                flush=True,
            )

    # The last restart: the final checks run against a live server, as after every other kill.
    if server.proc is None:
        tally.restart_s.append(server.start())
    else:
        await wait_healthy(server)
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
    print(f"crash: {', '.join(dbs)}; code {code_state()}", flush=True)
    results: list[Tally] = []
    for db in dbs:
        folder = Path(tempfile.mkdtemp(prefix=f"voice-crash-{db}-"))
        if db == "sqlite":
            path = folder / "crash.db"
            url = f"sqlite+aiosqlite:///{path}"
            tally = await run(db, url, SqliteStore(url, path), folder, args, None)
        else:
            with throwaway_postgres(folder / "pg") as pg:
                store = PostgresStore(pg.url)
                print(f"postgresql: {await store.durability()}", flush=True)
                tally = await run(db, pg.url, store, folder, args, pg)
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
    parser.add_argument("--cycles", type=int, default=40, help="SQLite: at least this many kill cycles")
    parser.add_argument("--min-acked", type=int, default=20_000, help="SQLite: and at least this many acknowledged")
    parser.add_argument("--pg-cycles", type=int, default=12, help="PostgreSQL: at least this many kill cycles")
    parser.add_argument("--pg-min-acked", type=int, default=5_000, help="PostgreSQL: and this many acknowledged")
    parser.add_argument(
        "--pg-kill",
        choices=["both", "app", "postmaster"],
        default="both",
        help="PostgreSQL: SIGKILL the app, the database server (postmaster and backends), or each in turn",
    )
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
