"""A broken phrase file stops the service from starting, with every problem and its line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from voice_service.app import create_app
from voice_service.cli import main
from voice_service.core.settings import Settings
from voice_service.safeguarding import screening
from voice_service.safeguarding.phrasebook import PhrasebookError

BROKEN = """\
categories:
  physical_abuse:
    description: Someone hurts the child.
    phrases:
      - "[grown_up] ... hits me"
  self_harm:
    phrases: []
"""


@pytest.fixture
def broken_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The service's phrase file swapped for a broken one (the compiled screener is rebuilt either side)."""
    path = tmp_path / "disclosure-phrases.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    monkeypatch.setattr(screening, "DEFAULT_FILE", path)
    screening.default_screener.cache_clear()
    yield path
    screening.default_screener.cache_clear()


def test_create_app_refuses_a_broken_phrase_file_naming_each_line(broken_file: Path) -> None:
    with pytest.raises(PhrasebookError) as refused:
        create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    message = str(refused.value)
    assert f"{broken_file}:5" in message
    assert "grown_up" in message
    assert f"{broken_file}:6" in message or f"{broken_file}:7" in message


def test_the_cli_checks_a_draft_phrase_file(broken_file: Path) -> None:
    result = CliRunner().invoke(main, ["safeguarding", "check-phrases", str(broken_file)])
    assert result.exit_code == 1
    assert f"{broken_file}:5" in result.output
    assert "problem(s) in the disclosure phrase file" in result.output


def test_the_cli_passes_the_shipped_phrase_file() -> None:
    result = CliRunner().invoke(main, ["safeguarding", "check-phrases"])
    assert result.exit_code == 0, result.output
    assert "11 categories" in result.output


def test_serve_refuses_to_start_with_a_broken_phrase_file(broken_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voice_service.safeguarding import cli as safeguarding_cli

    monkeypatch.setattr(safeguarding_cli, "DEFAULT_FILE", broken_file)
    result = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "problem(s) in the disclosure phrase file" in result.output
