"""Screening in a child process: the same outcomes as in-process, one message per loop turn, nothing lost."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from tests.safeguarding.evaluation import load_items
from voice_service.core.settings import Settings
from voice_service.safeguarding.screening import Screener, Screening, default_screener
from voice_service.safeguarding.screening_process import PROCESS_NAME, ScreeningProcess, screen_here

HERE = Path(__file__).resolve().parent
DISCLOSURE = "my mums bf hits me when shes at work"
ORDINARY = "more buses at night and a youth club near me"
T = TypeVar("T")


def evaluation_texts() -> list[str]:
    """Every phrasing of every evaluation set beside this file."""
    texts = [item.text for path in sorted(HERE.glob("evaluation*.yaml")) for item in load_items(path)]
    assert len(texts) > 300
    return texts


async def wait_until(check: Callable[[], bool], seconds: float = 30.0) -> None:
    """Poll until `check()` holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "gave up waiting"
        await asyncio.sleep(0.02)


def with_child(test: Callable[[ScreeningProcess], Awaitable[T]], screener: Screener | None = None, **kw: float) -> T:
    """Run `test` with a started, ready screening process; stop it afterwards."""

    async def run() -> T:
        process = ScreeningProcess(screener or default_screener(), **kw)
        await process.start()
        try:
            await wait_until(lambda: process.ready)
            return await test(process)
        finally:
            await process.stop()

    return asyncio.run(run())


def alive(pid: int) -> bool:
    """Whether a process with this id exists (and is not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_child_screens_every_evaluation_text_exactly_as_in_process() -> None:
    texts = evaluation_texts()

    async def test(process: ScreeningProcess) -> list[list[object]]:
        # Three at a time, all at once: as submissions of a few typed answers arrive together.
        groups = [texts[n : n + 3] for n in range(0, len(texts), 3)]
        return list(await asyncio.gather(*(process.screen(g) for g in groups)))

    outcomes = [o for group in with_child(test) for o in group]
    assert outcomes == screen_here(default_screener(), texts)
    assert any(o is not None for o in outcomes)
    assert any(o is None for o in outcomes)


def test_many_callers_in_one_turn_share_one_message_and_each_gets_its_own_outcomes() -> None:
    texts = evaluation_texts()[:400]
    calls = [texts[n : n + 1 + n % 4] for n in range(200)]

    async def test(process: ScreeningProcess) -> tuple[list[list[object]], int, int]:
        before = process.batches_sent
        found = list(await asyncio.gather(*(process.screen(c) for c in calls)))
        return found, process.batches_sent - before, process.screened_here

    found, messages, here = with_child(test)
    assert messages == 1
    assert here == 0
    screener = default_screener()
    for call, outcomes in zip(calls, found, strict=True):
        assert outcomes == screen_here(screener, call)


def test_a_child_killed_with_texts_in_flight_loses_nothing_and_a_new_one_starts() -> None:
    texts = [DISCLOSURE, ORDINARY, "i want to die"] * 5

    async def test(process: ScreeningProcess) -> None:
        first = process.pid
        assert first is not None
        os.kill(first, signal.SIGSTOP)  # holds the batch in flight
        waiting = [asyncio.create_task(process.screen(texts[n : n + 3])) for n in range(0, len(texts), 3)]
        await asyncio.sleep(0.1)
        assert process.batches_sent >= 1
        assert not any(t.done() for t in waiting)
        os.kill(first, signal.SIGKILL)
        found = await asyncio.wait_for(asyncio.gather(*waiting), 5)
        assert [o for group in found for o in group] == screen_here(default_screener(), texts)
        assert process.screened_here == len(texts)
        await wait_until(lambda: process.ready)
        assert process.pid not in (None, first)
        assert not alive(first)
        # The new child takes the next submissions.
        assert await process.screen([DISCLOSURE]) == screen_here(default_screener(), [DISCLOSURE])
        assert process.screened_here == len(texts)

    with_child(test)


def test_a_stalled_child_is_given_up_after_the_timeout_and_replaced(caplog: pytest.LogCaptureFixture) -> None:
    async def test(process: ScreeningProcess) -> None:
        stalled = process.pid
        assert stalled is not None
        os.kill(stalled, signal.SIGSTOP)
        started = time.monotonic()
        found = await asyncio.wait_for(process.screen([DISCLOSURE, ORDINARY]), 5)
        waited = time.monotonic() - started
        assert found == screen_here(default_screener(), [DISCLOSURE, ORDINARY])
        assert 0.4 <= waited < 3.0
        assert process.screened_here == 2
        await wait_until(lambda: process.ready and process.pid != stalled)
        await wait_until(lambda: not alive(stalled), 5)

    with_child(test, timeout=0.5)
    assert "took over 0.5 s" in caplog.text
    assert DISCLOSURE not in caplog.text


class FailsInTheChild(Screener):
    """A screener that raises in any process but the one that made it (a fault only the child has)."""

    def __init__(self) -> None:
        base = default_screener()
        super().__init__(base.book, base.model)
        self.home = os.getpid()

    def screen(self, text: str) -> Screening:
        if os.getpid() != self.home and "hits" in text:
            raise RuntimeError(f"boom on {text}")
        return super().screen(text)


def test_a_text_the_child_fails_on_is_screened_again_in_process(caplog: pytest.LogCaptureFixture) -> None:
    screener = FailsInTheChild()

    async def test(process: ScreeningProcess) -> list[object]:
        return list(await process.screen([ORDINARY, DISCLOSURE, "i want to die"]))

    found = with_child(test, screener)
    assert found == screen_here(default_screener(), [ORDINARY, DISCLOSURE, "i want to die"])
    assert found[1] is not None
    assert "failed on a text with RuntimeError" in caplog.text
    assert DISCLOSURE not in caplog.text


def test_until_the_child_is_ready_screening_is_in_process() -> None:
    async def run() -> None:
        process = ScreeningProcess(default_screener())
        await process.start()
        try:
            assert not process.ready
            assert await process.screen([DISCLOSURE]) == screen_here(default_screener(), [DISCLOSURE])
            assert process.screened_here == 1
            assert process.batches_sent == 0
        finally:
            await process.stop()
        assert process.pid is None

    asyncio.run(run())


def test_the_child_is_named_small_and_free_of_the_heavy_libraries() -> None:
    async def test(process: ScreeningProcess) -> tuple[str, str, float]:
        pid = process.pid
        await process.screen(evaluation_texts()[:50])
        status = Path(f"/proc/{pid}/status").read_text()
        rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        return Path(f"/proc/{pid}/comm").read_text().strip(), Path(f"/proc/{pid}/maps").read_text(), rss / 1024

    name, maps, mib = with_child(test)
    assert name == PROCESS_NAME
    for heavy in ("/pandas/", "/scipy/", "/sklearn/", "/matplotlib/"):
        assert heavy not in maps, heavy
    # 61-76 MiB trained on ten to twenty-four sets; 104 MiB in CI at ffc3e5c, trained on fifty-two with the second
    # look ("data5": the model's vocabularies grew with its training phrasings, 10,200 -> 21,900).
    assert mib < 128, f"{mib:.0f} MiB"


def test_the_served_app_screens_in_a_child_and_tests_and_tools_in_process() -> None:
    assert Settings.from_env({}).screening_process is True
    assert Settings.from_env({"SCREENING_PROCESS": "off"}).screening_process is False
    assert Settings.from_env({"SCREENING_PROCESS": "false"}).screening_process is False
    assert Settings().screening_process is False
    assert Settings.from_env({}).screening_timeout_seconds == 2.0
    assert Settings.from_env({"SCREENING_TIMEOUT_SECONDS": "0.5"}).screening_timeout_seconds == 0.5
    for bad in ("0", "-1", "soon", "nan", "inf"):
        with pytest.raises(ValueError, match="SCREENING_TIMEOUT_SECONDS"):
            Settings.from_env({"SCREENING_TIMEOUT_SECONDS": bad})
