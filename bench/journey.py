"""The HTML journey: concurrent respondents walking shipped surveys page by page, like a browser.

Starts `voice-service serve` on a fresh database (a SQLite file, or a throwaway PostgreSQL server),
then N respondents each answer a survey over and over through its HTML pages: GET the start page,
POST "Start now", GET each question page, read its form (fields, options and CSRF token) with an
HTML parser, answer every question validly with options taken from the page, POST it, GET "check
your answers", send, GET the confirmation. Each journey is a new browser (no cookies) on the
respondent's keep-alive connection. Afterwards the rows in `response` for each survey must equal
the journeys whose answers were acknowledged, under the submission keys their pages showed, and
none of their drafts may be left.

    .venv/bin/python bench/journey.py [--duration 12] [--respondents 64 16] [--workers 1]
                                      [--survey young-people-voice sexual-health-young-people]
                                      [--database sqlite|postgresql] [--json FILE] [--probe FILE]

`--probe FILE` loads bench/probe/sitecustomize.py into the server, which times the SQLite writer's
batches (size, lock and BEGIN wait, statements, COMMIT, the hops between the loop and its thread),
each write's wait (queued, in its batch, until its request runs again) and the event loop's late
wakes; each run then prints their distributions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CpuMeter, Server, calibrate, free_port, machine, postgres, use_uvloop
from html_client import Browser, JourneyFailed, answer_form, read_form
from probe_report import lines, probe_env, read_events, summarise

#: The young people's voice survey (5 pages) and the sexual health survey (8 pages).
SURVEYS = ["young-people-voice", "sexual-health-young-people"]
KINDS = ["start", "begin", "page GET", "page POST", "check", "submit", "done"]
TARGET_PAGES_PER_S = 1000
TARGET_P99_MS = 100
TARGET_SURVEYS_PER_S = 100
TARGET_RSS_MIB = 150
# --------------------------------------------------------------------------- the load


@dataclass
class Phase:
    """What one stretch of journeys did."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    completed: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def percentile(self, kind: str, p: float) -> float:
        ordered = sorted(self.latencies[kind])
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def all_percentile(self, p: float) -> float:
        ordered = sorted(v for values in self.latencies.values() for v in values)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


@dataclass
class Ledger:
    """Every journey whose answers the server acknowledged, across all phases: what must be stored."""

    keys: dict[str, set[str]] = field(default_factory=dict)  # survey -> submission keys
    drafts: dict[str, set[str]] = field(default_factory=dict)  # survey -> draft ids of acknowledged journeys


async def journey(
    browser: Browser, slug: str, rng: random.Random, phase: Phase, ledger: Ledger, stop_at: float
) -> bool:
    """One respondent answering one survey from its start page; True when the confirmation was shown.

    At `stop_at` (perf_counter) no new page is asked for: the journey is abandoned, unless its answers
    were already sent.
    """
    browser.cookies = {}

    async def hit(kind: str, method: str, path: str, form: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        started = time.perf_counter()
        reply = await browser.request(method, path, form)
        phase.latencies[kind].append((time.perf_counter() - started) * 1000)
        return reply

    def expect(kind: str, reply: tuple[int, str, str], status: int) -> None:
        if reply[0] != status:
            raise JourneyFailed(f"{kind}: {reply[0]}, expected {status}")

    reply = await hit("start", "GET", f"/s/{slug}/")
    expect("start", reply, 200)
    start_form = read_form(reply[2])
    reply = await hit("begin", "POST", start_form.action or "", answer_form(start_form, rng))
    expect("begin", reply, 303)
    draft = browser.cookies.get("vs_draft", "")
    path = urlsplit(reply[1]).path
    while "/page/" in path:
        if time.perf_counter() >= stop_at:
            return False
        reply = await hit("page GET", "GET", path)
        expect("page GET", reply, 200)
        page = read_form(reply[2])
        reply = await hit("page POST", "POST", page.action or path, answer_form(page, rng))
        if reply[0] == 200 and read_form(reply[2]).has_errors:
            raise JourneyFailed(f"page POST: the answers to {path} were refused")
        expect("page POST", reply, 303)
        path = urlsplit(reply[1]).path
    if time.perf_counter() >= stop_at or not path.endswith("/check"):
        return False
    reply = await hit("check", "GET", path)
    expect("check", reply, 200)
    check = read_form(reply[2])
    fields = answer_form(check, rng)
    key = dict(fields).get("submission_key", "")
    if time.perf_counter() >= stop_at:
        return False
    reply = await hit("submit", "POST", check.action or "", fields)
    expect("submit", reply, 303)
    if not reply[1].endswith("/done"):
        raise JourneyFailed(f"submit: redirected to {reply[1]}")
    # Acknowledged: from here the answers must be stored, whatever happens to the confirmation.
    ledger.keys.setdefault(slug, set()).add(key)
    ledger.drafts.setdefault(slug, set()).add(draft)
    reply = await hit("done", "GET", urlsplit(reply[1]).path)
    expect("done", reply, 200)
    if "your answers have been sent" not in reply[2]:
        raise JourneyFailed("done: no confirmation")
    return True


async def run_phase(port: int, slug: str, respondents: int, duration_s: float, ledger: Ledger, seed: int) -> Phase:
    """`respondents` browsers walking `slug` over and over for `duration_s` (journeys in flight are abandoned)."""
    phase = Phase()
    started = time.perf_counter()
    deadline = started + duration_s

    async def respondent(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        browser = Browser(port)
        try:
            while time.perf_counter() < deadline:
                try:
                    if await journey(browser, slug, rng, phase, ledger, deadline):
                        phase.completed += 1
                except JourneyFailed as exc:
                    reason = str(exc).split(":")[0]
                    phase.errors[reason] = phase.errors.get(reason, 0) + 1
                    if len(phase.errors) == 1 and sum(phase.errors.values()) == 1:
                        print(f"  first failure: {exc}", flush=True)
                    browser.close()
                    await asyncio.sleep(0.05)
        finally:
            browser.close()

    await asyncio.gather(*(respondent(n) for n in range(respondents)))
    phase.elapsed_s = time.perf_counter() - started
    return phase


# --------------------------------------------------------------------------- memory and checks


class PeakRss:
    """The largest resident set of each process of the server's process group, sampled every 0.2 s."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak: dict[int, int] = {}
        self.roles: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for pid, kib in group_rss(self.server).items():
                self.peak[pid] = max(self.peak.get(pid, 0), kib)
                if pid not in self.roles:
                    self.roles[pid] = process_role(self.server, pid)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def mib(self) -> list[float]:
        return sorted((kib / 1024 for kib in self.peak.values()), reverse=True)

    def by_role(self) -> dict[str, list[float]]:
        """Peak MiB of each process, grouped by what it is (the target is per worker, not per helper)."""
        roles: dict[str, list[float]] = {}
        for pid, kib in sorted(self.peak.items(), key=lambda item: -item[1]):
            roles.setdefault(self.roles.get(pid, "other"), []).append(kib / 1024)
        return roles


WORKER = "worker"


def process_role(server: Server, pid: int) -> str:
    """What a process of the server's group is: a worker serving requests, or a helper beside them.

    With one worker, uvicorn serves in the process it was started as; with more, that process
    supervises and each worker is a spawned child of it. Any other child (the screening child, the
    sentiment scorer, the screening model's fit at start) or multiprocessing's resource tracker is a helper.
    """
    try:
        cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        parent = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return "other"
    if "resource_tracker" in cmdline:
        return "resource tracker"
    if server.proc is not None and pid == server.proc.pid:
        return WORKER if server.workers == 1 else "supervisor"
    if server.proc is not None and parent == server.proc.pid and server.workers > 1 and "spawn_main" in cmdline:
        return WORKER
    if "voice_service.safeguarding.screening_process" in cmdline:
        return "screening child"
    return "child of a worker (sentiment scorer or model fit)"


def memory_of(pid: int) -> dict[str, float]:
    """A process's resident MiB split into anonymous (its own heap) and file-backed (shared libraries)."""
    fields = {"VmRSS": "rss", "VmHWM": "peak", "RssAnon": "anonymous", "RssFile": "file_backed"}
    memory: dict[str, float] = {}
    with suppress(OSError):
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in fields:
                memory[fields[key]] = int(value.split()[0]) / 1024
    return memory


def group_rss(server: Server) -> dict[int, int]:
    """KiB resident for each process in the server's process group."""
    rss: dict[int, int] = {}
    if server.proc is None:
        return rss
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) != server.proc.pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss[int(entry.name)] = int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return rss


async def stored(database_url: str, db_path: Path | None, ledger: Ledger) -> dict[str, tuple[int, int, int]]:
    """Per survey: (rows in response, acknowledged keys not stored, drafts of acknowledged journeys left)."""
    result = {}
    for slug in ledger.keys:
        keys, drafts = sorted(ledger.keys[slug]), sorted(ledger.drafts[slug])
        if db_path is not None:
            with sqlite3.connect(db_path) as conn:
                rows = conn.execute("SELECT COUNT(*) FROM response WHERE survey_slug = ?", (slug,)).fetchone()[0]
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS k (v TEXT PRIMARY KEY)")
                conn.execute("DELETE FROM k")
                conn.executemany("INSERT INTO k VALUES (?)", ((k,) for k in keys))
                found = conn.execute("SELECT COUNT(*) FROM response JOIN k ON submission_key = k.v").fetchone()[0]
                conn.execute("DELETE FROM k")
                conn.executemany("INSERT INTO k VALUES (?)", ((d,) for d in drafts))
                left = conn.execute("SELECT COUNT(*) FROM draft JOIN k ON draft.id = k.v").fetchone()[0]
        else:
            import asyncpg

            conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
            try:
                rows = await conn.fetchval("SELECT COUNT(*) FROM response WHERE survey_slug = $1", slug)
                found = await conn.fetchval("SELECT COUNT(*) FROM response WHERE submission_key = ANY($1)", keys)
                left = await conn.fetchval("SELECT COUNT(*) FROM draft WHERE id = ANY($1)", drafts)
            finally:
                await conn.close()
        result[slug] = (rows, len(keys) - found, left)
    return result


# --------------------------------------------------------------------------- the run


@contextmanager
def database(kind: str, folder: Path) -> Iterator[tuple[str, Path | None]]:
    """(SQLAlchemy URL, SQLite file or None) of a fresh database of the kind asked for."""
    if kind == "sqlite":
        db_path = folder / "journey.db"
        yield f"sqlite+aiosqlite:///{db_path}", db_path
    else:
        with postgres(folder / "pg") as url:
            yield url, None


def phase_line(slug: str, respondents: int, phase: Phase, cpu: CpuMeter, rss: dict[str, list[float]]) -> dict[str, Any]:
    """Print one phase's figures and return them."""
    requests = phase.requests
    us_per_page = 1e6 * cpu.server_cores * phase.elapsed_s / requests if requests else float("nan")
    figures = {
        "survey": slug,
        "respondents": respondents,
        "seconds": phase.elapsed_s,
        "completed": phase.completed,
        "completed_per_s": phase.completed / phase.elapsed_s,
        "page_requests": requests,
        "page_requests_per_s": requests / phase.elapsed_s,
        "p50_ms": phase.all_percentile(50),
        "p99_ms": phase.all_percentile(99),
        "kinds": {
            k: {"n": len(phase.latencies[k]), "p50_ms": phase.percentile(k, 50), "p99_ms": phase.percentile(k, 99)}
            for k in KINDS
        },
        "server_us_per_page": us_per_page,
        "server_cores": cpu.server_cores,
        "load_generator_cores": cpu.client_cores,
        "other_cores": cpu.other_cores,
        "peak_rss_mib": sorted((m for peaks in rss.values() for m in peaks), reverse=True),
        "peak_worker_rss_mib": rss.get(WORKER, []),
        "peak_rss_by_role_mib": rss,
        "errors": phase.errors,
    }
    kinds = ", ".join(f"{k} {phase.percentile(k, 50):.0f}/{phase.percentile(k, 99):.0f}" for k in KINDS)
    print(
        f"{slug} x{respondents}: {phase.completed / phase.elapsed_s:.1f} surveys/s, "
        f"{requests / phase.elapsed_s:.0f} page requests/s (p50 {phase.all_percentile(50):.0f} ms, "
        f"p99 {phase.all_percentile(99):.0f} ms), errors {sum(phase.errors.values())}\n"
        f"  p50/p99 ms by kind: {kinds}\n"
        f"  server CPU {us_per_page:.0f} us per page request; {cpu}; "
        f"peak RSS per worker {', '.join(f'{m:.0f}' for m in rss.get(WORKER, []))} MiB"
        + "".join(
            f"; {role} {', '.join(f'{m:.0f}' for m in peaks)} MiB" for role, peaks in rss.items() if role != WORKER
        ),
        flush=True,
    )
    return figures


async def measure(args: argparse.Namespace, server: Server, ledger: Ledger) -> list[dict[str, Any]]:
    results = []
    for s, slug in enumerate(args.survey):
        # Warm-up: first-request costs (imports, template compilation, statement caches) stay out.
        await run_phase(server.port, slug, max(args.respondents), args.warmup, ledger, seed=s)
        for respondents in args.respondents:
            began = time.time()
            with PeakRss(server) as rss, CpuMeter(server) as cpu:
                phase = await run_phase(
                    server.port, slug, respondents, args.duration, ledger, seed=s * 100 + respondents
                )
            results.append(phase_line(slug, respondents, phase, cpu, rss.by_role()))
            if args.probe:
                await asyncio.sleep(0.5)  # the probe flushes its events every 0.25 s
                summary = summarise(read_events(args.probe, began, time.time()), phase.elapsed_s)
                results[-1]["probe"] = summary
                print("\n".join(lines(summary)), flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--duration", type=float, default=12.0, help="seconds of journeys per survey and respondent count"
    )
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up journeys per survey")
    parser.add_argument("--respondents", type=int, nargs="+", default=[64, 16], help="concurrent respondents")
    parser.add_argument("--survey", nargs="+", default=SURVEYS, help="shipped surveys to walk")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (voice-service serve)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server log)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--probe",
        type=Path,
        help="SQLite only: time the submission writer and the event loop in the server (bench/probe/) and "
        "append the events to this file (measurement only; costs the server some CPU)",
    )
    args = parser.parse_args()

    use_uvloop()
    folder = Path(tempfile.mkdtemp(prefix="voice-journey-"))
    ledger = Ledger()
    calibration_ms = calibrate()
    load_before = os.getloadavg()[0]
    print(
        f"journey: {args.database}, {args.workers} worker(s), {args.duration:.0f} s per run; "
        f"load average {load_before:.2f}; CPU calibration {calibration_ms:.0f} ms",
        flush=True,
    )
    with ExitStack() as stack:
        database_url, db_path = stack.enter_context(database(args.database, folder))
        server = Server(database_url, free_port(), args.workers, folder / "server.log")
        if args.probe:
            args.probe.unlink(missing_ok=True)
            probe_env(server.env, args.probe.resolve())
        server.upgrade()
        server.start()
        try:
            results = asyncio.run(measure(args, server, ledger))
            idle_rss = sorted((kib / 1024 for kib in group_rss(server).values()), reverse=True)
            worker_memory = [memory_of(pid) for pid in group_rss(server) if process_role(server, pid) == WORKER]
        finally:
            server.stop()
        checks = asyncio.run(stored(database_url, db_path, ledger))
    consistent = True
    for slug, (rows, missing, drafts_left) in checks.items():
        acked = len(ledger.keys[slug])
        ok = rows == acked and missing == 0 and drafts_left == 0
        consistent &= ok
        print(
            f"check {slug}: rows in response {rows}, acknowledged journeys {acked} (warm-up included), "
            f"acknowledged keys not stored {missing}, drafts left by them {drafts_left}: "
            + ("OK" if ok else "MISMATCH")
        )
    errors = sum(sum(r["errors"].values()) for r in results)
    at_64 = [r for r in results if r["respondents"] == 64]
    rss_peak = max((m for r in results for m in r["peak_worker_rss_mib"]), default=float("nan"))
    for r in at_64:
        met = r["page_requests_per_s"] >= TARGET_PAGES_PER_S and r["p99_ms"] < TARGET_P99_MS
        print(
            f"target {r['survey']} x64 (>= {TARGET_PAGES_PER_S} page requests/s, p99 < {TARGET_P99_MS} ms): "
            f"{r['page_requests_per_s']:.0f}/s, p99 {r['p99_ms']:.0f} ms: " + ("met" if met else "NOT met")
        )
        if r["survey"] == "young-people-voice":
            print(
                f"target young-people-voice completed (>= {TARGET_SURVEYS_PER_S}/s): {r['completed_per_s']:.1f}/s: "
                + ("met" if r["completed_per_s"] >= TARGET_SURVEYS_PER_S else "NOT met")
            )
    print(
        f"target RSS per worker (< {TARGET_RSS_MIB} MiB): peak {rss_peak:.0f} MiB: "
        + ("met" if rss_peak < TARGET_RSS_MIB else "NOT met")
    )
    for memory in worker_memory:
        print(
            "worker at rest after the runs: "
            + ", ".join(f"{name} {mib:.0f}" for name, mib in memory.items())
            + " MiB (peak: the process's high-water mark since start)"
        )
    if args.json:
        data = {
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "machine": machine(),
            "load_before": load_before,
            "calibration_ms": calibration_ms,
            "results": results,
            "idle_rss_mib_after": idle_rss,
            "worker_memory_mib_after": worker_memory,
            "checks": {
                slug: dict(zip(("rows", "missing", "drafts_left"), c, strict=True)) for slug, c in checks.items()
            },
            "consistent": consistent,
        }
        args.json.write_text(json.dumps(data, indent=2))
    if args.keep:
        print(f"kept {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if consistent and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
