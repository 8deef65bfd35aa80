"""Run the real service (`voice-service serve`) on a free loopback port for browser and fuzz tests."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(database_url: str, env: dict[str, str] | None = None, timeout: float = 120.0) -> Iterator[str]:
    """Migrate the database and start the server with the real CLI; yield its base URL."""
    port = free_port()
    cli = Path(sys.executable).with_name("voice-service")
    child_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "browser-tests",
        # Why: each server after the first in this test process starts without fitting the screener again.
        "SCREENER_CACHE_DIR": str(_screener_cache_dir()),
        **(env or {}),
    }
    subprocess.run([str(cli), "db", "upgrade"], env=child_env, check=True, capture_output=True)  # noqa: S603
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1) as reply:  # noqa: S310 - loopback
                    if reply.status == 200:
                        break
            except OSError:
                pass
            exited = process.poll() is not None
            if exited or time.monotonic() > deadline:
                # Why: a server still running never closes its output, so reading it first would hang.
                _stop(process)
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                why = f"exited with {process.returncode}" if exited else f"gave no /health within {timeout:.0f} s"
                raise RuntimeError(f"the server {why}:\n{output}")
            time.sleep(0.1)
        yield base
    finally:
        _stop(process)


@functools.cache
def _screener_cache_dir() -> Path:
    """A directory of this test process's own (its key is in this file), removed when the process ends."""
    directory = Path(tempfile.mkdtemp(prefix="vs-screener-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server, killing it if it does not stop within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
