"""bench/submit_cpu.py measures real submissions: every one acknowledged is stored, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from tests.support import database
from tests.test_bench_bodies import bench_module
from voice_service.core.settings import Settings

submit_cpu = bench_module("submit_cpu")


@pytest.mark.parametrize(("shape", "screening"), [("survey16", True), ("mixed", False), ("survey16", "process")])
def test_each_round_stores_what_it_submits_and_reports_its_cpu(
    settings: Settings, shape: str, screening: bool | str
) -> None:
    before = database.counts(settings.database_url)
    figures = asyncio.run(submit_cpu.measure(settings.database_url, shape, 64, screening, rounds=2))
    after = database.counts(settings.database_url)
    warm_up = submit_cpu.CONCURRENCY * 4
    assert after["response"] - before["response"] == warm_up + 2 * 64
    assert after["answer"] - before["answer"] >= (warm_up + 2 * 64) * 4  # every shape stores 4 rows or more
    assert len(figures) == 2
    for figure in figures:
        # Why a floor: a submission that stored nothing, or a clock read wrongly, would cost next to nothing.
        assert 10 < figure.loop_us < 1_000_000
        # The loop's thread is part of the process, so its CPU cannot be much more than the process's;
        # why the slack: the two clocks are read one after the other and the kernel's process-wide sum
        # can lag a thread's own clock (seen 4 us per submission apart on a loaded CI machine).
        assert figure.loop_us <= figure.process_us * 1.1 + 5
        # The screening child's CPU is counted apart, and only when screening runs there (3 typed answers).
        assert (figure.child_us > 0) == (screening == "process")
