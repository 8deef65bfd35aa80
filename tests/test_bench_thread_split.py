"""bench/thread_split.py reads real threads' CPU and puts each interval in the kind it belongs to."""

from __future__ import annotations

import os
import threading
import time

from tests.test_bench_bodies import bench_module

thread_split = bench_module("thread_split")


def _spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_busy_thread_of_this_process_is_seen_busy_and_an_idle_one_idle() -> None:
    watched = {os.getpid(): "worker"}
    sleeper = threading.Thread(target=time.sleep, args=(0.6,))
    sleeper.start()
    before = thread_split.sample(watched)
    _spin(0.3)  # this thread is the "event loop": its id is the process id
    after = thread_split.sample(watched)
    sleeper.join()
    totals: dict[str, object] = {}
    thread_split.account(before, after, totals)
    assert list(totals) == ["loop only"]
    bucket = totals["loop only"]
    # Cores x seconds: the CPU seconds spent, whatever else the machine was doing meanwhile.
    assert bucket.cores["worker: event loop"] >= 0.25  # type: ignore[attr-defined]
    assert bucket.cores["worker: threads"] < 0.05  # type: ignore[attr-defined]


def test_an_interval_with_another_thread_busy_counts_as_writing() -> None:
    watched = {os.getpid(): "worker"}
    spun, finish = threading.Event(), threading.Event()

    def work() -> None:
        _spin(0.3)
        spun.set()
        finish.wait(10)  # why: a thread that has ended has no counters left to read

    worker = threading.Thread(target=work)
    worker.start()
    before = thread_split.sample(watched)
    spun.wait(10)
    after = thread_split.sample(watched)
    finish.set()
    worker.join()
    totals: dict[str, object] = {}
    thread_split.account(before, after, totals)
    assert list(totals) == ["writing"]
    lines = thread_split.report(totals)
    assert lines[0].startswith("writing: ")
    assert any(line.strip().startswith("worker: threads") for line in lines)
    assert any(line.strip().startswith("machine") for line in lines)


def test_nothing_busy_is_left_out() -> None:
    watched = {os.getpid(): "worker"}
    before = thread_split.sample(watched)
    time.sleep(0.2)
    after = thread_split.sample(watched)
    totals: dict[str, object] = {}
    thread_split.account(before, after, totals)
    assert totals == {}
    assert thread_split.report(totals) == []
