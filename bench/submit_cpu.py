"""CPU per submission without HTTP: the event loop's share and the whole process's, by survey shape.

Calls `submit_response` as the JSON route does, 64 at a time so the writer groups their commits,
on a migrated database: a SQLite file (WAL, synchronous=FULL, the service's own pragmas) or a
throwaway PostgreSQL (`pgserver`). Screening of typed answers can be on (in-process), in the
screening child process as the served app does it (`process`: the child's CPU is counted apart, since
the worker's own CPU is what bounds throughput), or off, to separate its cost from the write path's.
Rounds alternate the variants in one run.

Why this beside bench/throughput.py: on a shared machine the server's CPU per request moves by a
factor of two with other sessions' load, while CPU time of a small in-process run repeats to about
10%, so a change of 10-20 us per submission can be seen here and not there.

    .venv/bin/python bench/submit_cpu.py [--database sqlite,postgresql]
        [--shapes ballot,survey8,survey16] [--screening on,process,off] [--submissions 3000] [--rounds 3]

Prints, per database, shape and screening, the median over rounds of the process CPU (all threads:
the event loop, SQLite's writer thread), of the event loop's CPU and of the screening child's CPU
per submission, with their ranges. Afterwards the stored responses must equal the submissions made.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))  # run as a script or loaded by a test: shapes.py sits beside this file

from shapes import SHAPES, answer_sets  # noqa: E402

#: Submissions in flight at once, as the throughput benchmark's connections.
CONCURRENCY = 64


@dataclass(frozen=True)
class Figures:
    """One stretch of submissions: microseconds of CPU per submission."""

    process_us: float
    loop_us: float
    #: The screening child's CPU (0 unless screening runs in the child process).
    child_us: float = 0.0


def child_cpu_seconds(pid: int | None) -> float:
    """CPU seconds of a running child process so far (0 when there is none).

    Why schedstat: it counts nanoseconds on a CPU, where /proc/PID/stat counts 10 ms ticks.
    """
    if pid is None:
        return 0.0
    return int((Path("/proc") / str(pid) / "schedstat").read_text().split()[0]) / 1e9


async def measure(
    database_url: str, shape: str, submissions: int, screening: bool | str, rounds: int = 1, key_prefix: str = "cpu"
) -> list[Figures]:
    """Submit `submissions` responses of `shape` per round; CPU per submission for each round.

    `screening` is "on" (or True: in-process), "process" (in the screening child) or "off" (or False).
    """
    from sqlalchemy.ext.asyncio import create_async_engine

    from voice_service.core.settings import DEFAULT_FORMS_DIR
    from voice_service.safeguarding.alerts import DisclosureAlerts
    from voice_service.safeguarding.screening import default_screener
    from voice_service.safeguarding.screening_process import ScreeningProcess
    from voice_service.surveys.catalog import SurveyCatalog
    from voice_service.surveys.submissions import SubmissionWriter, count_responses, submit_response

    engine = create_async_engine(database_url)
    catalog = SurveyCatalog.from_folder(DEFAULT_FORMS_DIR)
    await catalog.sync(engine)
    mode = ("on" if screening else "off") if isinstance(screening, bool) else screening
    child = ScreeningProcess(default_screener()) if mode == "process" else None
    if child is not None:
        await child.start()
        while not child.ready:
            await asyncio.sleep(0.05)
    extras = DisclosureAlerts(default_screener(), process=child) if mode in ("on", "process") else None
    writer = SubmissionWriter(engine, extras=extras)
    await writer.start()
    surveys = [catalog.current(slug) for slug in SHAPES[shape]]
    rng = random.Random(13)
    # Why a pool made beforehand: drawing answers costs more than validating them.
    pool = [[answer_sets({"slug": s.slug, **s.to_json()}, rng) for _ in range(100)] for s in surveys if s]
    stored_before = await count_responses(engine)
    sent = 0

    async def one(i: int) -> None:
        k = i % len(pool)
        survey = surveys[k]
        assert survey is not None
        await submit_response(writer, catalog, survey, pool[k][i % 100], f"{key_prefix}-{shape}-{i:09d}")

    async def stretch(count: int) -> None:
        nonlocal sent
        for start in range(sent, sent + count, CONCURRENCY):
            await asyncio.gather(*(one(i) for i in range(start, min(start + CONCURRENCY, sent + count))))
        sent += count

    figures = []
    try:
        await stretch(CONCURRENCY * 4)  # warm-up
        for _ in range(rounds):
            pid = child.pid if child is not None else None
            process, loop, screening_cpu = time.process_time(), time.thread_time(), child_cpu_seconds(pid)
            await stretch(submissions)
            figures.append(
                Figures(
                    (time.process_time() - process) / submissions * 1e6,
                    (time.thread_time() - loop) / submissions * 1e6,
                    (child_cpu_seconds(pid) - screening_cpu) / submissions * 1e6,
                )
            )
        stored = await count_responses(engine) - stored_before
        if stored != sent:
            raise RuntimeError(f"{sent} submissions acknowledged but {stored} responses stored")
        if child is not None and child.screened_here:
            raise RuntimeError(f"{child.screened_here} texts were screened in-process: the child did not keep up")
    finally:
        await writer.stop()
        if child is not None:
            await child.stop()
        await engine.dispose()
    return figures


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A migrated, empty database of this kind; yields its URL."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'submit-cpu.db'}"
        _upgrade(url)
        yield url
        return
    from common import postgres

    with postgres(folder / "pg") as url:
        _upgrade(url)
        yield url


def _upgrade(url: str) -> None:
    cli = str(Path(sys.executable).parent / "voice-service")
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([cli, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=PROJECT_ROOT)


def _span(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} us ({min(values):.0f}-{max(values):.0f})"


def main() -> None:
    """Parse the options, measure each database, shape and screening in alternating rounds, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite", help="sqlite, postgresql, or both comma-separated")
    parser.add_argument("--shapes", default="ballot,survey8,survey16", help="comma-separated shapes of bench/shapes.py")
    parser.add_argument(
        "--screening", default="on,process,off", help="on (in-process), process (in the screening child), off"
    )
    parser.add_argument("--submissions", type=int, default=3000, help="submissions per round and variant")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each runs every variant once, in turn")
    args = parser.parse_args()
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())  # as the server runs
    except ImportError:
        pass
    variants = [(shape, mode) for shape in args.shapes.split(",") for mode in args.screening.split(",")]
    for kind in args.database.split(","):
        with tempfile.TemporaryDirectory(prefix="submit-cpu-") as tmp, database(kind, Path(tmp)) as url:
            results: dict[tuple[str, str], list[Figures]] = {v: [] for v in variants}
            for round_number in range(args.rounds):
                for shape, screening in variants:
                    prefix = f"r{round_number}-{screening}"
                    results[(shape, screening)] += asyncio.run(
                        measure(url, shape, args.submissions, screening, key_prefix=prefix)
                    )
            for (shape, screening), figures in results.items():
                child = f", screening child {_span([f.child_us for f in figures])}" if screening == "process" else ""
                print(
                    f"submit_cpu[{kind}] {shape} screening {screening}: "
                    f"process {_span([f.process_us for f in figures])}, "
                    f"event loop {_span([f.loop_us for f in figures])}{child} per submission "
                    f"({args.rounds} x {args.submissions})"
                )


if __name__ == "__main__":
    main()
