"""bench/thread_split.py reads real threads' CPU and puts each interval in the kind it belongs to.

Why a child process: the threads watched must do only what the test says. The test process itself
has threads and work of its own (left by earlier tests in a full run), which made it a poor subject.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tests.test_bench_bodies import bench_module

thread_split = bench_module("thread_split")

#: The child: on "go" it runs `work` (main thread spins, another thread spins, or nothing), then says
#: "done" and waits for the end, so its threads still have counters when the test reads them.
CHILD = """
import sys, threading, time

def spin(seconds):
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass

work = sys.argv[1]
go, spun = threading.Event(), threading.Event()

def other():
    go.wait()
    if work == "thread":
        spin(0.3)
    spun.set()
    time.sleep(30)

threading.Thread(target=other, daemon=True).start()
print("ready", flush=True)
sys.stdin.readline()
go.set()
if work == "loop":
    spin(0.3)
elif work == "idle":
    time.sleep(0.2)
spun.wait()
print("done", flush=True)
sys.stdin.readline()
"""


@contextmanager
def watched_child(work: str) -> Iterator[tuple[dict[int, str], subprocess.Popen[str]]]:
    """A child process doing `work` when told; its main thread stands for the worker's event loop."""
    child = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", CHILD, work], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "ready"
        yield {child.pid: "worker"}, child
    finally:
        child.kill()
        child.wait()


def measure(work: str) -> dict[str, object]:
    """The totals over the stretch in which the child did `work`."""
    with watched_child(work) as (watched, child):
        assert child.stdin is not None
        assert child.stdout is not None
        before = thread_split.sample(watched)
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "done"
        after = thread_split.sample(watched)
    totals: dict[str, object] = {}
    thread_split.account(before, after, totals)
    return totals


def test_a_busy_event_loop_with_idle_threads_counts_as_loop_only() -> None:
    totals = measure("loop")
    assert list(totals) == ["loop only"]
    bucket = totals["loop only"]
    # Cores x seconds: the CPU seconds spent, whatever else the machine was doing meanwhile.
    assert bucket.cores["worker: event loop"] >= 0.25  # type: ignore[attr-defined]
    assert bucket.cores["worker: threads"] < 0.05  # type: ignore[attr-defined]


def test_an_interval_with_another_thread_busy_counts_as_writing() -> None:
    totals = measure("thread")
    assert list(totals) == ["writing"]
    lines = thread_split.report(totals)
    assert lines[0].startswith("writing: ")
    assert any(line.strip().startswith("worker: threads") for line in lines)
    assert any(line.strip().startswith("machine") for line in lines)


def test_nothing_busy_is_left_out() -> None:
    totals = measure("idle")
    assert totals == {}
    assert thread_split.report(totals) == []
