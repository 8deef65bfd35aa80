"""Submission throughput on loopback, as a ratio to a bare endpoint of the same server measured alternately.

For each database (`--database sqlite,postgresql`) and each starting size (`--prefill 0,500000`),
starts `voice-service serve` on its own database in a temporary folder (SQLite: WAL,
synchronous=FULL; PostgreSQL: a throwaway server from the `pgserver` package), then for each pair
round and each survey shape (`--shapes ballot,survey8,survey16,mixed`) runs `--duration` seconds
of GET /bench/noop (the bare endpoint, served only with VOICE_BENCH_ROUTES=1) and then the same of
submissions of that shape, at `--concurrency` connections. A pair's ratio is its submission rate
over its bare rate; each shape reports the median ratio over `--pairs` pairs with its spread, the
server's CPU per request (much less sensitive to other load than a rate), and the load generator's
own CPU, so a reader sees whether the generator was the limit. Afterwards the rows in `response`
must equal the rows before plus the acknowledged keys, every key under the id it was acknowledged with.
On PostgreSQL it also prints each submission stretch's p99 with the checkpoints and autovacuums
(read from the server's log, every autovacuum logged) that overlapped it: one such event in one
stretch is enough to set a shape's p99, which is the largest of its stretches'.

    .venv/bin/python bench/throughput.py [--database sqlite,postgresql] [--prefill 0,500000]
        [--shapes ballot,survey8,survey16,mixed] [--pairs 5] [--duration 2] [--concurrency 64]

A prefilled database holds responses of the ballot, survey8 and survey16 shapes in turn; it is built
once (bench/prefill.py: about 1.5 minutes for SQLite, 2-4 for PostgreSQL) and cached under var/bench-cache.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CpuMeter, Outcome, Server, calibrate, code_state, free_port, machine, run_load, use_uvloop
from databases import Postgres, Store, store_for, throwaway_postgres
from prefill import describe, prefilled_postgres, prefilled_sqlite, schema_revision
from shapes import ALIASES, SHAPES, Bodies

#: issue 13's targets: (database, shape) -> (lowest ratio, lowest rate per second)
TARGETS: dict[tuple[str, str], tuple[float, float]] = {
    ("sqlite", "mixed"): (0.25, 2500),
    ("sqlite", "survey16"): (0.30, 0),
    ("postgresql", "mixed"): (0.25, 2500),
}
TARGET_P99_MS = 100
#: a load generator using this much of a core is at its limit (one Python process on one core)
GENERATOR_LIMIT_CORES = 0.9


@dataclass
class Stretch:
    """One stretch of load: what it did and where the CPU went."""

    outcome: Outcome
    cpu: CpuMeter
    #: wall-clock start, to line the stretch up with the database server's log
    started: float = 0.0

    @property
    def rate(self) -> float:
        return self.outcome.rate

    def us(self) -> tuple[float, float]:
        """(server, load generator) CPU microseconds per request."""
        return self.cpu.per_request_us(self.outcome.ok)


@dataclass
class ShapeResult:
    """Every pair of one shape: bare stretch, then submission stretch."""

    shape: str
    questions: dict[str, int]
    rows_per_response: float
    pairs: list[tuple[Stretch, Stretch]] = field(default_factory=list)

    def ratios(self) -> list[float]:
        return [s.rate / b.rate if b.rate else 0.0 for b, s in self.pairs]

    def cpu_ratios(self) -> list[float]:
        return [b.us()[0] / s.us()[0] if s.us()[0] else 0.0 for b, s in self.pairs]

    def submit_p99(self) -> float:
        return max(s.outcome.percentile(99) for _b, s in self.pairs)

    def stretches(self, events: list[tuple[float, float, str]], origin: float) -> str:
        """Each submission stretch's p99, and the server events it overlapped (seconds from `origin`)."""
        out = []
        for _b, s in self.pairs:
            end = s.started + s.outcome.elapsed_s
            hit = [what for start, stop, what in events if start <= end and stop >= s.started]
            seen = f" [{', '.join(hit)}]" if hit else ""
            out.append(f"{s.started - origin:.0f}s {s.outcome.percentile(99):.0f}ms{seen}")
        return "; ".join(out)

    def errors(self) -> int:
        return sum(b.outcome.errors + s.outcome.errors for b, s in self.pairs)

    def summary(self) -> dict[str, Any]:
        """The shape's figures: medians over the pairs, with their spread."""

        def spread(values: list[float]) -> dict[str, float]:
            ordered = sorted(values)
            quartiles = statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 3
            return {
                "median": statistics.median(ordered),
                "min": ordered[0],
                "max": ordered[-1],
                "q1": quartiles[0],
                "q3": quartiles[2],
            }

        return {
            "shape": self.shape,
            "questions": self.questions,
            "rows_per_response": self.rows_per_response,
            "ratio": spread(self.ratios()),
            "cpu_ratio": spread(self.cpu_ratios()),
            "submit_rate": spread([s.rate for _b, s in self.pairs]),
            "bare_rate": spread([b.rate for b, _s in self.pairs]),
            "server_us_submit": spread([s.us()[0] for _b, s in self.pairs]),
            "server_us_bare": spread([b.us()[0] for b, _s in self.pairs]),
            "screening_us_submit": spread([1e6 * s.cpu.screening_s / max(1, s.outcome.ok) for _b, s in self.pairs]),
            "generator_us_submit": spread([s.us()[1] for _b, s in self.pairs]),
            "generator_cores_submit": spread([s.cpu.client_cores for _b, s in self.pairs]),
            "generator_cores_bare": spread([b.cpu.client_cores for b, _s in self.pairs]),
            "server_cores_submit": spread([s.cpu.server_cores for _b, s in self.pairs]),
            "database_cores_submit": spread([s.cpu.database_cores for _b, s in self.pairs]),
            "other_cores": spread([c.cpu.other_cores for pair in self.pairs for c in pair]),
            "submit_p50_ms": statistics.median(s.outcome.percentile(50) for _b, s in self.pairs),
            "submit_p99_ms": self.submit_p99(),
            "submit_p99_ms_by_pair": [s.outcome.percentile(99) for _b, s in self.pairs],
            "acknowledged": sum(s.outcome.ok for _b, s in self.pairs),
            "errors": self.errors(),
            "statuses": {
                str(k): v for b, s in self.pairs for k, v in {**b.outcome.bad_status, **s.outcome.bad_status}.items()
            },
        }


def line(db: str, size: str, r: dict[str, Any]) -> str:
    """One comparable line per shape."""
    q = "+".join(str(n) for n in r["questions"].values())
    ratio, cpu = r["ratio"], r["cpu_ratio"]
    gen_bare, gen_submit = r["generator_cores_bare"]["max"], r["generator_cores_submit"]["max"]
    database = f" | database server {r['database_cores_submit']['median']:.2f} cores submit" if db != "sqlite" else ""
    bound = " GENERATOR-BOUND" if max(gen_bare, gen_submit) >= GENERATOR_LIMIT_CORES else ""
    return (
        f"throughput[{db}, {size}] {r['shape']} ({q} questions, {r['rows_per_response']:.1f} rows): "
        f"ratio {ratio['median']:.3f} (min {ratio['min']:.3f}, max {ratio['max']:.3f}, "
        f"IQR {ratio['q1']:.3f}-{ratio['q3']:.3f}) | submit {r['submit_rate']['median']:.0f}/s "
        f"p50 {r['submit_p50_ms']:.0f}ms p99 {r['submit_p99_ms']:.0f}ms | bare {r['bare_rate']['median']:.0f}/s "
        f"| server CPU/request {r['server_us_submit']['median']:.0f} us "
        f"(screening child {r['screening_us_submit']['median']:.0f}) vs {r['server_us_bare']['median']:.0f} us "
        f"bare (CPU ratio {cpu['median']:.3f}, {cpu['min']:.3f}-{cpu['max']:.3f}) | load generator "
        f"{r['generator_cores_submit']['median']:.2f} cores submit, {r['generator_cores_bare']['median']:.2f} bare"
        f"{bound}{database} | other {r['other_cores']['median']:.2f} | errors {r['errors']}"
    )


async def measure(
    args: argparse.Namespace, server: Server, database_pid: int | None
) -> tuple[list[ShapeResult], list[Outcome]]:
    """Warm up, then `--pairs` rounds: for each shape, a bare stretch and then a submission stretch."""
    run_id = f"tp{int(time.time())}"
    bodies = {shape: Bodies(server.base_url, run_id=f"{run_id}{shape}", mix=shape) for shape in args.shapes}
    results = {shape: ShapeResult(shape, b.questions, b.rows_per_response) for shape, b in bodies.items()}

    def noop() -> tuple[str, str, str | None, bytes | None]:
        return "GET", "/bench/noop", None, None

    # A warm-up of each, so first-request costs (imports, statement caches) stay out of the figures.
    warmups = [await run_load(server.port, args.concurrency, args.warmup, noop, 200)]
    for shape in args.shapes:
        warmups.append(await run_load(server.port, args.concurrency, args.warmup, bodies[shape].request, 201))
    for _ in range(args.pairs):
        for shape in args.shapes:
            with CpuMeter(server, database_pid) as cpu_bare:
                bare = await run_load(server.port, args.concurrency, args.duration, noop, 200)
            started = time.time()
            with CpuMeter(server, database_pid) as cpu_submit:
                submit = await run_load(server.port, args.concurrency, args.duration, bodies[shape].request, 201)
            results[shape].pairs.append((Stretch(bare, cpu_bare), Stretch(submit, cpu_submit, started)))
    return list(results.values()), warmups


@contextmanager
def database(db: str, prefill: int, folder: Path) -> Iterator[tuple[str, Postgres | None]]:
    """(SQLAlchemy URL, the PostgreSQL server or None) of a fresh or prefilled database in `folder`."""
    if db == "sqlite":
        path = prefilled_sqlite(folder, prefill) if prefill else folder / "bench.db"
        yield f"sqlite+aiosqlite:///{path}", None
        return
    with ExitStack() as stack:
        if prefill:
            pg = prefilled_postgres(folder / "pg", prefill)
            stack.callback(pg.stop)
        else:
            pg = stack.enter_context(throwaway_postgres(folder / "pg"))
        yield pg.url, pg


def run_config(db: str, prefill: int, args: argparse.Namespace) -> dict[str, Any]:
    """One database at one starting size: every shape, checked afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"voice-bench-{db}-"))
    size = describe(prefill)
    events: list[tuple[float, float, str]] = []
    try:
        with database(db, prefill, folder) as (url, pg):
            if pg is not None:
                # Why: a checkpoint or an autovacuum inside a stretch shows in its p99; say which stretch met which.
                pg.log_maintenance()
            server = Server(url, free_port(), args.workers, folder / "server.log")
            server.upgrade()
            store: Store = store_for(url)
            before = asyncio.run(store.rows())
            server.start()
            try:
                results, warmups = asyncio.run(measure(args, server, pg.postmaster_pid() if pg else None))
            finally:
                server.stop()
            if pg is not None:
                events = pg.log_events(time.time() - 3600, time.time())
            durability = asyncio.run(store.durability()) if hasattr(store, "durability") else "WAL, synchronous=FULL"
            acked: dict[str, str] = {}
            for o in warmups:
                acked.update(o.acked)
            for r in results:
                for _b, s in r.pairs:
                    acked.update(s.outcome.acked)
            rows = asyncio.run(store.rows())
            moved = asyncio.run(store.missing_or_moved(acked))
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    consistent = rows == before + len(acked) and moved == 0
    summaries = [r.summary() for r in results]
    for s in summaries:
        print(line(db, size, s), flush=True)
    if db == "postgresql":
        origin = min(st.started for r in results for _b, st in r.pairs)
        for r in results:
            print(f"stretches[{db}, {size}] {r.shape}: each submission stretch's p99: {r.stretches(events, origin)}")
        inside = [f"{what} {start - origin:.0f}-{stop - origin:.0f}s" for start, stop, what in events if stop >= origin]
        print(f"events[{db}, {size}]: checkpoints and autovacuums during the stretches: {'; '.join(inside) or 'none'}")
    print(
        f"check[{db}, {size}]: rows in response {rows} = {before} before + {len(acked)} acknowledged "
        f"(warm-up included); acknowledged but missing or under another id {moved}: "
        + ("OK" if consistent else "MISMATCH"),
        flush=True,
    )
    verdicts = []
    for s in summaries:
        target = TARGETS.get((db, s["shape"]))
        if target is None:
            continue
        low_ratio, low_rate = target
        met = (
            s["ratio"]["median"] >= low_ratio
            and s["submit_rate"]["median"] >= low_rate
            and s["submit_p99_ms"] < TARGET_P99_MS
        )
        verdicts.append({"shape": s["shape"], "ratio": low_ratio, "rate": low_rate, "met": met})
        print(
            f"target[{db}, {size}] {s['shape']}: ratio >= {low_ratio}"
            + (f", >= {low_rate}/s" if low_rate else "")
            + f", p99 < {TARGET_P99_MS} ms: "
            + ("met" if met else "NOT met"),
            flush=True,
        )
    return {
        "database": db,
        "prefill": prefill,
        "size": size,
        "durability": durability,
        "rows_before": before,
        "rows_after": rows,
        "acknowledged": len(acked),
        "missing_or_moved": moved,
        "consistent": consistent,
        "warmup_errors": sum(o.errors for o in warmups),
        "shapes": summaries,
        "targets": verdicts,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite", help="sqlite, postgresql, or both comma-separated")
    parser.add_argument("--prefill", default="0", help="responses already stored, e.g. 0,500000 (0: empty)")
    parser.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated, of {', '.join(SHAPES)}")
    parser.add_argument("--mix", help="one shape only (older spelling: small = ballot, rich = survey8)")
    parser.add_argument("--pairs", type=int, default=5, help="bare/submission pairs per shape (alternating)")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds of each stretch of load")
    parser.add_argument("--concurrency", type=int, default=64, help="concurrent connections")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up load per endpoint and shape")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (voice-service serve)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders (database, server log)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    names = [args.mix] if args.mix else args.shapes.split(",")
    args.shapes = [ALIASES.get(n.strip(), n.strip()) for n in names if n.strip()]
    unknown = [s for s in args.shapes if s not in SHAPES]
    dbs = [d.strip() for d in args.database.replace("both", "sqlite,postgresql").split(",") if d.strip()]
    bad_dbs = [d for d in dbs if d not in ("sqlite", "postgresql")]
    if unknown or bad_dbs:
        parser.error(f"unknown shape or database: {', '.join(unknown + bad_dbs)}")
    args.databases = dbs
    try:
        args.prefills = [int(n.replace("_", "")) for n in args.prefill.split(",")]
    except ValueError:
        parser.error("--prefill takes whole numbers, e.g. 0,500000")
    if args.pairs < 1 or args.duration <= 0:
        parser.error("--pairs must be at least 1 and --duration above 0")
    return args


def main() -> int:
    args = parse_args()
    use_uvloop()
    load_before = os.getloadavg()[0]
    calibration_ms = calibrate()
    print(
        f"throughput: {', '.join(args.databases)} x prefill {args.prefills} x shapes {', '.join(args.shapes)}; "
        f"{args.pairs} pairs of {args.duration:g} s, c{args.concurrency}, workers {args.workers}; "
        f"schema {schema_revision()}; code {code_state()}; load average {load_before:.2f}; "
        f"CPU calibration {calibration_ms:.0f} ms",
        flush=True,
    )
    configs = [run_config(db, n, args) for db in args.databases for n in args.prefills]
    ok = all(c["consistent"] and c["warmup_errors"] == 0 for c in configs) and all(
        s["errors"] == 0 for c in configs for s in c["shapes"]
    )
    if args.json:
        data = {
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "machine": machine(),
            "load_before": load_before,
            "calibration_ms": calibration_ms,
            "configs": configs,
            "ok": ok,
        }
        args.json.write_text(json.dumps(data, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
