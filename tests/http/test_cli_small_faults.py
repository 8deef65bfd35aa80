"""Small faults an operator meets first: the version, an empty survey folder, make's help piped to a file."""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from voice_service.cli import main
from voice_service.core.settings import PROJECT_ROOT

MAKE = shutil.which("make")


def make(*args: str) -> str:
    """What `make ARGS` prints in the project folder, piped (not a terminal)."""
    assert MAKE is not None
    return subprocess.run(  # noqa: S603 - fixed arguments, no user input
        [MAKE, "--no-print-directory", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"voice-service {version('voice-service')}\n"


def test_forms_check_on_an_empty_folder_fails_and_says_why(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["forms", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path}: no survey files (*.yaml or *.yml) in this folder" in result.output


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_help_piped_has_no_colour_codes_and_lists_serve_and_typecheck() -> None:
    output = make("help")
    assert "\x1b[" not in output
    targets = {m.group(1) for m in re.finditer(r"^  (\S+)\s", output, re.MULTILINE)}
    assert {"serve", "typecheck", "run", "test", "help"} <= targets


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
@pytest.mark.parametrize(("target", "command"), [("serve", "voice-service serve"), ("typecheck", "mypy")])
def test_declared_targets_do_something(target: str, command: str) -> None:
    assert command in make("-n", target)
