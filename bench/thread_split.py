"""Where a running server's CPU goes, by thread: is the event loop saturated, or waiting?

Run it beside a load (e.g. `bench/throughput.py`): every `--period` seconds it reads
`/proc/<pid>/task/*/schedstat` and `stat` of each `voice-service serve` worker's threads, of the
worker's helper processes (the screening child), of the load generator (`bench/throughput.py`,
`bench/journey.py` or `bench/crash.py`) and of the whole machine (`/proc/stat`). Each interval is
put in one kind: "writing" when a thread other than the event loop's was busy (the SQLite writer
thread, so submissions were being stored), "loop only" when only the event-loop thread was (the
bare endpoint, or pages), idle otherwise. It prints the mean cores of each kind and, per thread,
kernel time and voluntary context switches a second (a thread waiting for the GIL, a lock or the
disk switches out voluntarily).

    .venv/bin/python bench/thread_split.py [--duration 60] [--period 0.25]

The event-loop thread is the one whose id is the process id. A thread near 1.00 core is the
limit; a loop well under it while submissions wait means the rate is set by latency (the writer's
cycle), not by the worker's CPU.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
LOAD_GENERATORS = ("bench/throughput.py", "bench/journey.py", "bench/crash.py")
#: A thread this busy in an interval counts as working in it (cores).
BUSY = 0.05


@dataclass(frozen=True)
class ThreadTimes:
    """One thread's counters: nanoseconds on a CPU, kernel ticks, voluntary context switches."""

    run_ns: int
    system_ticks: int
    voluntary: int


@dataclass
class Sample:
    """Counters of every watched thread, by role, and the machine's busy ticks, at one moment."""

    at: float
    machine_busy: int
    threads: dict[tuple[str, int], ThreadTimes] = field(default_factory=dict)


def thread_times(task: Path) -> ThreadTimes:
    """One thread's counters from /proc."""
    stat = (task / "stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    run_ns = int((task / "schedstat").read_text().split()[0])
    voluntary = 0
    for line in (task / "status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            voluntary = int(line.split()[1])
    return ThreadTimes(run_ns, int(fields[12]), voluntary)


def machine_busy() -> int:
    """Ticks the machine's CPUs have spent busy (not idle, not waiting for I/O)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values) - values[3] - values[4]


def roles() -> dict[int, str]:
    """Each watched process id and what it is: worker, a helper by its name, or load generator."""
    found: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        group = int(stat.rsplit(")", 1)[1].split()[2])
        if "voice-service" in command and " serve" in command:
            found[int(entry.name)] = ("worker", group)
        elif any(script in command for script in LOAD_GENERATORS):
            found[int(entry.name)] = ("load generator", group)
        else:
            found[int(entry.name)] = (f"helper {name}", group)
    groups = {group for role, group in found.values() if role == "worker"}
    return {
        pid: role
        for pid, (role, group) in found.items()
        if role in ("worker", "load generator") or (role.startswith("helper") and group in groups)
    }


def sample(watched: dict[int, str]) -> Sample:
    """Every watched process's threads, now."""
    now = Sample(time.monotonic(), machine_busy())
    for pid, role in watched.items():
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                times = thread_times(task)
            except OSError:
                continue
            label = role if role != "worker" else ("worker: event loop" if int(task.name) == pid else "worker: threads")
            now.threads[(label, int(task.name))] = times
    return now


@dataclass
class Totals:
    """Summed use of one kind of interval: seconds, and per label cores x seconds."""

    seconds: float = 0.0
    cores: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    system: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    switches: dict[str, float] = field(default_factory=lambda: defaultdict(float))


def account(before: Sample, after: Sample, totals: dict[str, Totals]) -> None:
    """Add one interval to the kind it belongs to."""
    span = after.at - before.at
    if span <= 0:
        return
    cores: dict[str, float] = defaultdict(float)
    system: dict[str, float] = defaultdict(float)
    switches: dict[str, float] = defaultdict(float)
    for key, now in after.threads.items():
        then = before.threads.get(key)
        if then is None:
            continue
        label = key[0]
        cores[label] += (now.run_ns - then.run_ns) / 1e9 / span
        system[label] += (now.system_ticks - then.system_ticks) / TICK / span
        switches[label] += (now.voluntary - then.voluntary) / span
    if cores["worker: threads"] > BUSY:
        kind = "writing"
    elif cores["worker: event loop"] > BUSY:
        kind = "loop only"
    else:
        return
    cores["machine"] = (after.machine_busy - before.machine_busy) / TICK / span
    bucket = totals.setdefault(kind, Totals())
    bucket.seconds += span
    for label, value in cores.items():
        bucket.cores[label] += value * span
        bucket.system[label] += system.get(label, 0.0) * span
        bucket.switches[label] += switches.get(label, 0.0) * span


def report(totals: dict[str, Totals]) -> list[str]:
    """A line per kind of interval and label: mean cores, kernel cores, voluntary switches a second."""
    lines = []
    for kind, bucket in sorted(totals.items()):
        lines.append(f"{kind}: {bucket.seconds:.1f} s")
        for label in sorted(bucket.cores):
            cores = bucket.cores[label] / bucket.seconds
            if label == "machine":
                lines.append(f"  {label:28s} {cores:5.2f} cores")
                continue
            system = bucket.system[label] / bucket.seconds
            switches = bucket.switches[label] / bucket.seconds
            lines.append(
                f"  {label:28s} {cores:5.2f} cores (kernel {system:4.2f}), {switches:7.0f} voluntary switches/s"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds to watch")
    parser.add_argument("--period", type=float, default=0.25, help="seconds between samples")
    args = parser.parse_args()
    totals: dict[str, Totals] = {}
    deadline = time.monotonic() + args.duration
    previous: Sample | None = None
    while time.monotonic() < deadline:
        current = sample(roles())
        if previous is not None:
            account(previous, current, totals)
        previous = current
        time.sleep(args.period)
    print("\n".join(report(totals)) or "thread_split: no busy worker seen")


if __name__ == "__main__":
    main()
