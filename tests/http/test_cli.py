"""The `voice-service` command: help, checking survey definitions, migrating and loading demo data."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from forms import DefinitionError
from tests.conftest import FORMS_DIR
from tests.support import database
from voice_service.app import create_app
from voice_service.cli import main
from voice_service.core.settings import PROJECT_ROOT, Settings

COMMAND = Path(sys.executable).parent / "voice-service"
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+\.yaml):(?P<line>\d+): (?P<path>[\w\[\].]+): (?P<message>.+)$")


@pytest.fixture
def broken_forms(tmp_path: Path) -> Path:
    """A copy of the surveys with two mistakes in two files."""
    folder = tmp_path / "surveys"
    shutil.copytree(FORMS_DIR, folder)
    for name, old, new in [
        ("working-together-a-evaluation.yaml", "type: matrix", "type: grid"),
        ("young-people-voice.yaml", "scale: often5", "scale: often7"),
    ]:
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return folder


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FORMS_DIR")}
    full_env.update(env or {})
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(COMMAND), *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120, check=False
    )


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:", 1)[1]
    for command in ("serve", "db", "forms", "demo"):
        assert re.search(rf"^\s+{command}\s+\S", commands, re.MULTILINE), command
    assert "DATABASE_URL" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["serve", "--help"], ["--host", "--port"]),
        (["db", "--help"], ["upgrade"]),
        (["forms", "--help"], ["check"]),
        (["demo", "--help"], ["load"]),
        (["demo", "load", "--help"], ["--if-empty", "--per-survey"]),
    ],
)
def test_each_command_explains_itself(args: list[str], expected: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    for word in expected:
        assert word in result.output


def test_forms_check_passes_on_the_shipped_surveys() -> None:
    result = CliRunner().invoke(main, ["forms", "check", str(FORMS_DIR)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 8
    assert all(line.startswith("ok  ") for line in lines)
    assert any("young-people-voice" in line for line in lines)


def test_forms_check_uses_forms_dir_from_the_environment(broken_forms: Path) -> None:
    result = CliRunner().invoke(main, ["forms", "check"], env={"FORMS_DIR": str(broken_forms)})
    assert result.exit_code == 1


def test_forms_check_lists_each_problem_with_file_line_and_key(broken_forms: Path) -> None:
    result = run("forms", "check", str(broken_forms))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    problems = [PROBLEM_LINE.match(line) for line in lines[:-1]]
    assert all(problems), lines
    found = {(Path(m["file"]).name, m["path"]): (int(m["line"]), m["message"]) for m in problems if m}
    assert set(found) == {
        ("working-together-a-evaluation.yaml", "sections[0].questions[0].type"),
        ("young-people-voice.yaml", "sections[1].questions[0].scale"),
    }
    line, message = found[("working-together-a-evaluation.yaml", "sections[0].questions[0].type")]
    source = (broken_forms / "working-together-a-evaluation.yaml").read_text(encoding="utf-8").splitlines()
    assert "type: grid" in source[line - 1], "the line number points at the mistake"
    assert "unknown type 'grid'" in message
    assert "scale 'often7' is not defined" in found[("young-people-voice.yaml", "sections[1].questions[0].scale")][1]
    assert lines[-1] == f"2 problem(s) in the survey definitions in {broken_forms}"


def test_forms_check_on_a_missing_folder_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["forms", "check", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "survey folder does not exist" in result.output


def test_the_app_refuses_to_start_on_an_invalid_definition(broken_forms: Path, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", forms_dir=broken_forms)
    with pytest.raises(DefinitionError) as caught:
        create_app(settings)
    assert "unknown type 'grid'" in str(caught.value)
    assert len(caught.value.problems) == 2
    with pytest.raises(DefinitionError, match="does not exist"):
        create_app(Settings(database_url=settings.database_url, forms_dir=tmp_path / "nowhere"))


def test_serve_refuses_to_start_on_an_invalid_definition(broken_forms: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "1"], env={"FORMS_DIR": str(broken_forms)})
    assert result.exit_code == 1
    assert "unknown type 'grid'" in result.output


def test_upgrade_then_demo_load_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    db_file = tmp_path / "fresh" / "voice.db"
    env = {"DATABASE_URL": f"sqlite:///{db_file}"}  # a plain URL, as an operator would write it

    upgraded = run("db", "upgrade", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "database is up to date" in upgraded.stdout
    assert db_file.exists()
    assert run("db", "upgrade", env=env, cwd=tmp_path).returncode == 0, "upgrading twice is harmless"

    first = run("demo", "load", "--if-empty", "--per-survey", "3", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    url = f"sqlite+aiosqlite:///{db_file}"
    stored = database.count(url, "response")
    assert first.stdout.strip() == f"demo responses stored: {stored}"
    # The training demo's delegates: 313 evaluations and 122 follow-ups, each through an invitation.
    delegates = database.query(url, "SELECT count(*) FROM response WHERE respondent = 'delegate'")
    assert delegates == [(313 + 122,)]
    assert stored > 313 + 122
    assert database.count(url, "survey_version") == 8
    assert database.count(url, "answer") > 24

    second = run("demo", "load", "--if-empty", env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "demo responses stored: 0"
    assert database.count(url, "response") == stored


def test_demo_load_before_upgrade_says_what_to_do(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    result = run("demo", "load", "--if-empty", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "voice-service db upgrade" in result.stderr


def test_the_command_is_installed_in_the_environment() -> None:
    assert COMMAND.exists()
    assert COMMAND.parent == Path(sys.executable).parent
    assert (PROJECT_ROOT / "pyproject.toml").exists()
