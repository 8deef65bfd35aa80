"""Sentiment is scored in a child process: the service never loads TextBlob, and a killed child is replaced."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from analysis.sentiment import Sentiment, sentiments
from voice_service.voice import sentiment


def test_scores_from_the_child_equal_scores_computed_here() -> None:
    texts = ["I love the youth club, it is brilliant", "the buses are awful and late", "a park"]

    async def scored() -> list[object]:
        return list(await sentiment.score_texts(texts))

    assert asyncio.run(scored()) == sentiments(texts)


def test_the_service_process_never_imports_textblob() -> None:
    code = (
        "import asyncio, sys; from voice_service.voice.sentiment import score_texts; "
        "s = asyncio.run(score_texts(['what a great day'])); assert s[0].polarity > 0; "
        "print(sorted(m for m in ('textblob', 'nltk', 'scipy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _science_loaded_here() -> list[str]:
    """Run in the scoring child: which of TextBlob, NLTK, SciPy and scikit-learn it holds."""
    return sorted(m for m in ("textblob", "nltk", "scipy", "sklearn") if sys.modules.get(m) is not None)


def test_the_scoring_process_loads_textblob_without_scipy_or_scikit_learn() -> None:
    texts = ["the staff were kind but the waiting room was cold and dirty", "brilliant"]

    async def run() -> tuple[list[Sentiment], list[str]]:
        scores = list(await sentiment.score_texts(texts))
        pool = sentiment._scoring_process()
        loop = asyncio.get_running_loop()
        return scores, await loop.run_in_executor(pool, _science_loaded_here)

    scores, loaded = asyncio.run(run())
    assert loaded == ["nltk", "textblob"]
    # Scored in this process, where SciPy and scikit-learn may be importable: the same scores.
    assert scores == sentiments(texts)


def test_a_killed_scoring_process_fails_the_batch_and_the_next_batch_gets_a_new_one() -> None:
    async def run() -> None:
        await sentiment.score_texts(["warm up"])
        pool = sentiment._scoring_process()
        for pid in list(pool._processes):
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            await sentiment.score_texts(["lost with the child"])
        assert sentiment._scoring_process() is not pool
        assert (await sentiment.score_texts(["a happy ending"]))[0].polarity > 0

    asyncio.run(run())


def test_the_scoring_child_ends_when_the_service_process_is_killed() -> None:
    code = (
        "import asyncio, os; from voice_service.voice import sentiment; "
        "asyncio.run(sentiment.score_texts(['warm up'])); "
        "print([p.pid for p in sentiment._scoring_process()._processes.values()][0], flush=True); "
        "os.kill(os.getpid(), 9)"
    )
    # Why Popen and one line: the child inherits stdout, so reading to its end would wait for the child.
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as service:  # noqa: S603
        assert service.stdout is not None
        child = int(service.stdout.readline())
        assert service.wait(timeout=60) == -signal.SIGKILL
    for _ in range(100):
        if not _alive(child):
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the scoring child outlived the killed service process by 10 s")


def _alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _niceness_here() -> int:
    """Run in the scoring child: its nice level."""
    return os.nice(0)


def test_the_scoring_process_runs_below_the_service_process() -> None:
    async def run() -> int:
        await sentiment.score_texts(["a park"])
        return await asyncio.get_running_loop().run_in_executor(sentiment._scoring_process(), _niceness_here)

    assert asyncio.run(run()) == min(19, os.nice(0) + sentiment.BACKGROUND_NICENESS)
