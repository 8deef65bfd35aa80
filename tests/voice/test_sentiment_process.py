"""Sentiment is scored in a child process: the service never loads TextBlob, and a killed child is replaced."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from concurrent.futures.process import BrokenProcessPool

import pytest

from analysis.sentiment import sentiments
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
