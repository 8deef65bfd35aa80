"""Shared parts of the benchmarks: a lean HTTP/1.1 load generator, the server under test, answers.

The load generator is a few dozen lines of asyncio (on uvloop) speaking HTTP/1.1 keep-alive over
plain sockets. It is deliberately small: it shares the machine's two cores with the server, and it
must know, for every submission key, whether the server acknowledged it, answered something else, or
never answered (the connection died) — which the crash benchmark needs and wrk cannot report per key.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

# Re-exported: the benchmarks import answers and bodies from here as they did before bench/shapes.py.
from shapes import RICH_SURVEY as RICH_SURVEY
from shapes import SMALL_SURVEY as SMALL_SURVEY
from shapes import TEXTS as TEXTS
from shapes import Bodies as Bodies
from shapes import fetch_definition as fetch_definition
from shapes import valid_answers as valid_answers

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CLI = str(VENV_BIN / "voice-service")


# --------------------------------------------------------------------------- the server under test


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`voice-service serve` in its own process group, so SIGKILL takes every process it started."""

    def __init__(self, database_url: str, port: int, workers: int = 1, log_path: Path | None = None) -> None:
        self.database_url = database_url
        self.port = port
        self.workers = workers
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "VOICE_BENCH_ROUTES": "1",
            "SECRET_KEY": "bench-secret",
            # Why: the load comes from one address at thousands a second; the per-address limits are off.
            "SUBMISSIONS_PER_MINUTE": "0",
            "SUBMISSIONS_PER_HOUR": "0",
            "DRAFTS_PER_MINUTE": "0",
            "DRAFTS_PER_HOUR": "0",
            "PYTHONUNBUFFERED": "1",
        }

    def upgrade(self) -> None:
        """Create the tables (`voice-service db upgrade`)."""
        subprocess.run([CLI, "db", "upgrade"], env=self.env, check=True, capture_output=True, cwd=PROJECT_ROOT)

    def start(self, timeout: float = 60.0) -> float:
        """Start the server and wait until /health answers 200; returns the seconds that took."""
        started = time.monotonic()
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        cmd = [CLI, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        self.proc = subprocess.Popen(
            cmd, env=self.env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        if log is not subprocess.DEVNULL:
            log.close()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode} (log: {self.log_path})")
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as reply:
                    if reply.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the server did not answer /health within {timeout} s")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL the whole process group (the server and any workers) and reap it."""
        if self.proc is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        # Why: workers in the group are not our children; wait until none is left holding the port.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)
        self.proc = None

    def stop(self) -> None:
        """SIGTERM (a clean shutdown), then SIGKILL if it takes over 15 s."""
        if self.proc is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=15)
        self.kill()


@contextmanager
def postgres(folder: Path) -> Iterator[str]:
    """A throwaway PostgreSQL server (the `pgserver` package); yields its SQLAlchemy URL."""
    import pgserver

    server = pgserver.get_server(folder, cleanup_mode="stop")
    try:
        yield f"postgresql+asyncpg://postgres@/postgres?host={folder}"
    finally:
        server.cleanup()


# --------------------------------------------------------------------------- HTTP/1.1 client


class NoReply(ConnectionError):
    """The connection closed or failed before a complete reply arrived."""


class NotSent(ConnectionError):
    """No connection could be opened, so the request was never sent."""


class Connection:
    """One keep-alive HTTP/1.1 connection; a request waits for its whole reply."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        """Send one request and read its reply; NotSent when no connection could be made, NoReply when it died."""
        if self.writer is None:
            try:
                await self.open()
            except OSError as exc:
                raise NotSent(str(exc)) from exc
        assert self.reader is not None
        assert self.writer is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        try:
            raw = await self.reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            payload = await self.reader.readexactly(length) if length else b""
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError) as exc:
            self.close()
            raise NoReply(str(exc)) from exc
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, payload


@dataclass
class Outcome:
    """What a stretch of load did."""

    latencies_ms: list[float] = field(default_factory=list)
    ok: int = 0
    errors: int = 0
    #: submission key -> acknowledged response id (only for submissions)
    acked: dict[str, str] = field(default_factory=dict)
    #: submission keys sent whose reply never came (connection died: the crash benchmark's kills)
    no_reply: list[str] = field(default_factory=list)
    #: status code -> count, for replies that were not the expected status
    bad_status: dict[int, int] = field(default_factory=dict)
    #: submission keys answered with another status (not acknowledged; perhaps committed all the same)
    refused: list[str] = field(default_factory=list)
    #: requests never sent because no connection could be opened
    not_sent: int = 0
    elapsed_s: float = 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0


async def run_load(
    port: int,
    concurrency: int,
    duration_s: float,
    make_request: Callable[[], tuple[str, str, str | None, bytes | None]],
    expect: int,
    stop: asyncio.Event | None = None,
    track_keys: bool = True,
) -> Outcome:
    """Closed-loop load: `concurrency` connections, each sending its next request as soon as the last is answered.

    `make_request()` returns (method, path, submission key or None, body or None). New requests
    stop at the deadline (or when `stop` is set); requests already sent are waited for, so every
    request ends acknowledged, answered otherwise, or without a reply.
    """
    outcome = Outcome()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    deadline = started + duration_s
    loop.call_later(duration_s, stop.set)

    async def one_connection() -> None:
        conn = Connection("127.0.0.1", port)
        try:
            while not stop.is_set() and time.perf_counter() < deadline:
                method, path, key, body = make_request()
                t0 = time.perf_counter()
                try:
                    status, _headers, payload = await conn.request(method, path, body)
                except NotSent:
                    outcome.not_sent += 1
                    if stop.is_set():
                        return
                    outcome.errors += 1
                    await asyncio.sleep(0.05)
                    continue
                except NoReply:
                    if key is not None:
                        outcome.no_reply.append(key)
                    outcome.errors += 1
                    if stop.is_set():
                        return
                    # Why: a dead connection during steady load is an error; try a new one after a pause.
                    await asyncio.sleep(0.05)
                    continue
                outcome.latencies_ms.append((time.perf_counter() - t0) * 1000)
                if status == expect:
                    outcome.ok += 1
                    if key is not None and track_keys:
                        outcome.acked[key] = json.loads(payload)["id"]
                else:
                    outcome.errors += 1
                    outcome.bad_status[status] = outcome.bad_status.get(status, 0) + 1
                    if key is not None:
                        outcome.refused.append(key)
        finally:
            conn.close()

    await asyncio.gather(*(one_connection() for _ in range(concurrency)))
    outcome.elapsed_s = time.perf_counter() - started
    return outcome


def use_uvloop() -> None:
    """Run the load generator on uvloop when it is installed (it is a dependency of uvicorn[standard])."""
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass


#: The kernel's short name of the worker's screening child (voice_service/safeguarding/screening_process.py).
SCREENING_CHILD = "vs-screening)"


class CpuMeter:
    """Where the machine's CPU went during a stretch: the server, the database server, this load generator, the rest.

    Figures are in cores (2.0 = both cores busy the whole time). "other" is any other process on the
    machine — the benchmark cannot stop others from running, so it reports them. The database server
    (PostgreSQL's postmaster and its backends, when `database_pid` is given) is counted on its own.
    """

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server: Server, database_pid: int | None = None) -> None:
        self.server = server
        self.database_pid = database_pid
        self._screening = 0

    @staticmethod
    def _machine() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields[:8]) - idle, idle

    def _processes(self) -> tuple[int, int]:
        """CPU ticks so far of (the server's process group, the database server's processes).

        The screening child's ticks (part of the group) are also kept apart in `_screening`.
        """
        group = self.server.proc.pid if self.server.proc is not None else -1
        server = database = self._screening = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            ticks = int(fields[11]) + int(fields[12])
            if int(fields[2]) == group:  # the process group
                server += ticks
                if stat.startswith(SCREENING_CHILD, stat.index("(") + 1):
                    self._screening += ticks  # why apart: the worker's own CPU is what bounds throughput
            elif self.database_pid is not None and self.database_pid in (int(entry.name), int(fields[1])):
                database += ticks  # the postmaster and its children
        return server, database

    @staticmethod
    def _self() -> float:
        usage = os.times()
        return usage.user + usage.system

    def __enter__(self) -> CpuMeter:
        self.t0 = time.monotonic()
        self.busy0, self.idle0 = self._machine()
        self.server0, self.database0 = self._processes()
        self.screening0 = self._screening
        self.self0 = self._self()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = wall = time.monotonic() - self.t0
        busy, idle = self._machine()
        server, database = self._processes()
        #: CPU seconds of the server (all its processes and threads) and of this load generator
        self.server_s = (server - self.server0) / self.TICK
        self.client_s = self._self() - self.self0
        self.database_s = (database - self.database0) / self.TICK
        #: Of the server's CPU seconds, those of its screening child process (voice-service serve's default)
        self.screening_s = (self._screening - self.screening0) / self.TICK
        self.server_cores = self.server_s / wall
        self.client_cores = self.client_s / wall
        self.database_cores = self.database_s / wall
        self.busy_cores = (busy - self.busy0) / self.TICK / wall
        self.idle_cores = (idle - self.idle0) / self.TICK / wall
        self.other_cores = max(0.0, self.busy_cores - self.server_cores - self.client_cores - self.database_cores)

    def per_request_us(self, requests: int) -> tuple[float, float]:
        """Microseconds of CPU per request answered: (server, load generator)."""
        if not requests:
            return float("nan"), float("nan")
        return 1e6 * self.server_s / requests, 1e6 * self.client_s / requests

    def __str__(self) -> str:
        database = f"database server {self.database_cores:.2f}, " if self.database_pid is not None else ""
        return (
            f"cpu (cores): server {self.server_cores:.2f}, {database}load generator {self.client_cores:.2f}, "
            f"other processes {self.other_cores:.2f}, idle {self.idle_cores:.2f}"
        )


def calibrate() -> float:
    """Milliseconds of CPU for a fixed pure-Python loop (best of 3): shows a slower or busier CPU between runs."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i * i % 7
        best = min(best, time.process_time() - started)
    return best * 1000


def machine() -> dict[str, str]:
    """The facts docs/benchmarks.md records about the machine."""
    import platform
    import sqlite3

    cpu = "unknown"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "kernel": platform.release(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "code": code_state(),
    }


def code_state() -> str:
    """The commit the server runs from, and how many tracked files differ from it (others' work in a shared tree)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head}" + (f" with {len(changed)} changed files not committed" if changed else " (clean)")
