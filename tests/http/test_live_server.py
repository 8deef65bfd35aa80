"""The browser and fuzz tests' live server fails fast, with its output, when it does not answer in time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.live_server import live_server


def test_a_server_that_does_not_answer_in_time_is_stopped_and_reported(tmp_path: Path) -> None:
    started = time.monotonic()
    url = f"sqlite+aiosqlite:///{tmp_path / 'slow.db'}"
    with pytest.raises(RuntimeError, match="gave no /health within 0 s"), live_server(url, timeout=0.0):
        pytest.fail("a server cannot be up before its deadline of 0 s")
    # Why: the server was still running; reading its output before stopping it hung the whole run.
    assert time.monotonic() - started < 60
