"""schemathesis against the OpenAPI schema of a running instance: no 5xx, no response off its schema.

`make test` runs at least FUZZ_MIN_CASES (default 1,000) generated requests; `make fuzz` 20,000.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live_server import live_server

MIN_CASES = int(os.environ.get("FUZZ_MIN_CASES", "1000"))
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "160"))


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service on loopback with a SQLite database of its own."""
    with live_server(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}") as base:
        yield base


def test_generated_requests_get_no_server_error_and_match_the_schema(fuzz_server: str, tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{fuzz_server}/schema",
        "--checks",
        "all",
        # Why: whether answers are valid depends on each survey's definition, which a static
        # schema cannot express; a schema-valid body that breaks the survey's rules gets a 422.
        "--exclude-checks",
        "positive_data_acceptance",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-database",
        "none",
        "--no-color",
        "--seed",
        os.environ.get("FUZZ_SEED", "20231"),
        "--request-timeout",
        "20",
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)  # noqa: S603
    output = result.stdout + result.stderr
    generated = re.search(r"(\d+) generated", output)
    assert result.returncode == 0, output[-6000:]
    assert generated is not None, output[-3000:]
    assert int(generated.group(1)) >= MIN_CASES, f"only {generated.group(1)} requests generated:\n{output[-2000:]}"
