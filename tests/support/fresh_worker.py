"""Run a script as a served worker would start: a fresh interpreter, settings from its environment only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_as_worker(
    script: str, args: list[str], *, database_url: str, outbox_dir: Path, secret_key: str, jobs_in_process: bool
) -> Any:
    """The JSON the script prints last; the script's stderr in the failure if it exits non-zero."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "OUTBOX_DIR": str(outbox_dir),
        "JOBS_IN_PROCESS": "true" if jobs_in_process else "false",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
