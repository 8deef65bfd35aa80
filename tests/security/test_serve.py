"""`voice-service serve`: one CSRF key for every worker, and forwarded addresses only from named proxies."""

from __future__ import annotations

import os
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from voice_service.cli import main
from voice_service.migrations import runner


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `serve` would pass to uvicorn, without starting it."""
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setattr(runner, "database_problem", lambda _settings: None)
    # Recorded so that the key serve puts in the environment is removed after the test.
    monkeypatch.setenv("SECRET_KEY", "")
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    return seen


def test_workers_share_the_generated_secret_key_and_trust_no_forwarded_address(started: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["serve", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert len(os.environ["SECRET_KEY"]) >= 32
    assert started["proxy_headers"] is False
    assert started["workers"] == 2


def test_a_named_proxy_may_forward_the_client_address(started: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    monkeypatch.setenv("SECRET_KEY", "set-by-the-operator")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    assert started["proxy_headers"] is True
    assert started["forwarded_allow_ips"] == "10.0.0.5"
    assert os.environ["SECRET_KEY"] == "set-by-the-operator"
