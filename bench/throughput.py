"""Submission throughput on loopback, beside a bare endpoint of the same server stack.

Starts `voice-service serve` on a fresh SQLite file (WAL, synchronous=FULL) in a temporary folder,
posts valid responses with unique submission keys at N concurrent connections for D seconds, then
does the same against GET /bench/noop (served only with VOICE_BENCH_ROUTES=1), and prints one
comparable line. Afterwards the rows in `response` must equal the acknowledged keys, and every
acknowledged key must be stored under the id it was acknowledged with.

    .venv/bin/python bench/throughput.py [--duration 30] [--concurrency 64] [--workers 1] [--mix mixed]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Bodies, CpuMeter, Outcome, Server, calibrate, free_port, machine, run_load, use_uvloop

TARGET_RATE = 2500
TARGET_RATIO = 0.25
TARGET_P99_MS = 100


def figures(label: str, o: Outcome) -> str:
    return (
        f"{label} {o.rate:.0f}/s p50 {o.percentile(50):.0f}ms p95 {o.percentile(95):.0f}ms "
        f"p99 {o.percentile(99):.0f}ms errors {o.errors}"
    )


def verify(db_path: Path, acked: dict[str, str]) -> tuple[int, int, int]:
    """(rows in response, acknowledged keys, acknowledged keys missing or stored under another id)."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT COUNT(*) FROM response").fetchone()[0]
        conn.execute("CREATE TEMP TABLE acked (key TEXT PRIMARY KEY, id BLOB)")
        # Why: on SQLite the GUID column holds the UUID's 16 bytes.
        conn.executemany("INSERT INTO acked VALUES (?, ?)", ((k, uuid.UUID(v).bytes) for k, v in acked.items()))
        matched = conn.execute(
            "SELECT COUNT(*) FROM acked a JOIN response r ON r.submission_key = a.key AND r.id = a.id"
        ).fetchone()[0]
    return rows, len(acked), len(acked) - matched


async def measure(args: argparse.Namespace, server: Server) -> tuple[Outcome, Outcome, Outcome, CpuMeter, CpuMeter]:
    bodies = Bodies(server.base_url, run_id=f"tp{int(time.time())}", mix=args.mix)

    submission = bodies.request

    def noop() -> tuple[str, str, str | None, bytes | None]:
        return "GET", "/bench/noop", None, None

    # A short warm-up of each, so first-request costs (imports, statement caches) stay out of the figures.
    warmup = await run_load(server.port, args.concurrency, args.warmup, submission, 201)
    await run_load(server.port, args.concurrency, args.warmup, noop, 200)
    with CpuMeter(server) as cpu_submit:
        submit = await run_load(server.port, args.concurrency, args.duration, submission, 201)
    with CpuMeter(server) as cpu_noop:
        bare = await run_load(server.port, args.concurrency, args.duration, noop, 200)
    return submit, bare, warmup, cpu_submit, cpu_noop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load for each endpoint")
    parser.add_argument("--concurrency", type=int, default=64, help="concurrent connections")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up load before measuring")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (voice-service serve)")
    parser.add_argument(
        "--mix",
        choices=["mixed", "small", "rich"],
        default="mixed",
        help="small: one-question ballot; rich: 8-question young people's survey; mixed: half each",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server log)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()

    use_uvloop()
    folder = Path(tempfile.mkdtemp(prefix="voice-bench-"))
    db_path = folder / "bench.db"
    server = Server(f"sqlite+aiosqlite:///{db_path}", free_port(), args.workers, folder / "server.log")
    server.upgrade()
    server.start()
    load_before = os.getloadavg()[0]
    calibration_ms = calibrate()
    try:
        submit, bare, warmup, cpu_submit, cpu_noop = asyncio.run(measure(args, server))
    finally:
        server.stop()
    rows, acked, missing = verify(db_path, {**warmup.acked, **submit.acked})
    ratio = submit.rate / bare.rate if bare.rate else 0.0
    line = (
        f"throughput: {figures('submit', submit)} | {figures('noop', bare)} | ratio {ratio:.2f} "
        f"| {args.mix} workers {args.workers} c{args.concurrency} {args.duration:.0f}s"
    )
    us_submit = 1e6 * cpu_submit.server_cores / submit.rate if submit.rate else float("nan")
    us_noop = 1e6 * cpu_noop.server_cores / bare.rate if bare.rate else float("nan")
    print(f"submit {cpu_submit}")
    print(f"noop   {cpu_noop}")
    print(
        f"server CPU per request: submit {us_submit:.0f} us, noop {us_noop:.0f} us "
        f"(ratio {us_noop / us_submit:.2f}); load average before {load_before:.2f}; "
        f"CPU calibration {calibration_ms:.0f} ms (a fixed Python loop; lower is faster)"
    )
    consistent = rows == acked and missing == 0
    print(
        f"check: rows in response {rows}, acknowledged keys {acked} (warm-up included), "
        f"acknowledged but missing or under another id {missing}: " + ("OK" if consistent else "MISMATCH")
    )
    met = submit.rate >= TARGET_RATE and ratio >= TARGET_RATIO and submit.percentile(99) < TARGET_P99_MS
    print(
        f"target (>= {TARGET_RATE}/s, ratio >= {TARGET_RATIO}, p99 < {TARGET_P99_MS} ms): "
        + ("met" if met else "NOT met")
    )
    if submit.bad_status or bare.bad_status:
        print(f"unexpected statuses: submit {submit.bad_status} noop {bare.bad_status}")
    print(line, flush=True)
    if args.json:
        data = {
            "summary": line,
            "args": vars(args) | {"json": str(args.json)},
            "machine": machine(),
            "ratio": ratio,
            "rows": rows,
            "acked_total": acked,
            "missing": missing,
            "target_met": met,
            "load_before": load_before,
            "calibration_ms": calibration_ms,
        }
        for name, o, cpu, us in (("submit", submit, cpu_submit, us_submit), ("noop", bare, cpu_noop, us_noop)):
            data[name] = {
                "rate": o.rate,
                "requests": o.ok,
                "p50": o.percentile(50),
                "p95": o.percentile(95),
                "p99": o.percentile(99),
                "errors": o.errors,
                "server_us_per_request": us,
                "cpu": str(cpu),
            }
        args.json.write_text(json.dumps(data, indent=2))
    if args.keep:
        print(f"kept {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if consistent and submit.errors == 0 and warmup.errors == 0 and bare.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
