"""`voice-service users create|disable` and `voice-service tokens create`, audited as the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from litestar.testing import TestClient

from tests.accounts.conftest import audit_actions
from tests.support import database
from tests.support.staff import bearer, log_in
from voice_service.accounts import cli as accounts_cli
from voice_service.cli import main
from voice_service.core.settings import Settings

GOOD = "rowan kestrel lighthouse 77"
COMMAND = Path(sys.executable).parent / "voice-service"


def invoke(settings: Settings, *args: str, stdin: str | None = None) -> Result:
    """Run the CLI in-process against the test database."""
    return CliRunner().invoke(main, list(args), input=stdin, env={"DATABASE_URL": settings.database_url})


def _users(settings: Settings) -> list[tuple[object, ...]]:
    return [tuple(r) for r in database.query(settings.database_url, "SELECT email, name, active FROM staff_user")]


def test_users_create_reads_the_password_from_standard_input(client: TestClient, settings: Settings) -> None:
    result = invoke(
        settings,
        "users",
        "create",
        "First.Admin@Example.org",
        "--role",
        "admin",
        "--role",
        "voice_reviewer",
        "--name",
        "First Admin",
        stdin=GOOD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "created first.admin@example.org with roles: admin, voice_reviewer\n"
    assert _users(settings) == [("first.admin@example.org", "First Admin", True)]
    assert log_in(client, "first.admin@example.org", GOOD).status_code == 303
    assert audit_actions(settings.database_url, "user.")[0][:2] == ("user.create", "command line")


def test_at_a_terminal_the_password_is_asked_for_twice(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts_cli, "_interactive", lambda: True)
    mismatch = invoke(settings, "users", "create", "a@example.org", "--role", "admin", stdin=f"{GOOD}\nother\n" * 3)
    assert mismatch.exit_code == 1
    assert "do not match" in mismatch.output.lower() or "must match" in mismatch.output.lower()
    weak_then_good = invoke(
        settings, "users", "create", "a@example.org", "--role", "admin", stdin=f"short\nshort\n{GOOD}\n{GOOD}\n"
    )
    assert weak_then_good.exit_code == 0, weak_then_good.output
    assert "Password refused: Password must be 15 characters or more." in weak_then_good.output
    assert GOOD not in weak_then_good.output  # never echoed


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Password refused: Password must be 15 characters or more."),
        ("password123456789", "Password refused: Password is too common"),
        ("jo.bloggs likes long walks", "Password refused: Password must not contain your email address."),
        ("", "Password refused: Password must be 15 characters or more."),
    ],
)
def test_weak_passwords_are_refused_with_a_clear_message(settings: Settings, password: str, message: str) -> None:
    result = invoke(settings, "users", "create", "jo.bloggs@example.org", "--role", "admin", stdin=password + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert _users(settings) == []


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["users", "create", "not-an-email", "--role", "admin"], 2, "Enter an email address in the correct format"),
        (["users", "create", "<b>@example.org", "--role", "admin"], 2, "correct format"),
        (["users", "create", "x@example.org", "--role", "root"], 2, "'root' is not one of"),
        (["users", "create", "x@example.org"], 2, "Missing option '--role'"),
        (["users", "create", "x@example.org", "--role", "admin", "--name", "n" * 201], 1, "200 characters or fewer"),
        (["users", "disable", "nobody@example.org"], 1, "There is no account with that email address"),
        (["tokens", "create", "nobody@example.org", "--name", "x"], 1, "There is no account with that email address"),
        (["tokens", "create", "x@example.org"], 2, "Missing option '--name'"),
    ],
)
def test_bad_arguments_are_refused_plainly(settings: Settings, args: list[str], exit_code: int, message: str) -> None:
    result = invoke(settings, *args, stdin=GOOD + "\n")
    assert result.exit_code == exit_code, result.output
    assert message in result.output
    assert _users(settings) == []


def test_an_email_can_only_be_created_once(settings: Settings) -> None:
    assert invoke(settings, "users", "create", "x@example.org", "--role", "admin", stdin=GOOD + "\n").exit_code == 0
    again = invoke(settings, "users", "create", "X@example.org", "--role", "admin", stdin=GOOD + "\n")
    assert again.exit_code == 1
    assert "An account with this email address already exists" in again.output


def test_tokens_create_prints_the_token_and_nothing_else(client: TestClient, settings: Settings) -> None:
    invoke(settings, "users", "create", "script@example.org", "--role", "training_admin", stdin=GOOD + "\n")
    result = CliRunner().invoke(
        main,
        ["tokens", "create", "SCRIPT@example.org", "--name", "nightly"],
        env={"DATABASE_URL": settings.database_url},
    )
    assert result.exit_code == 0
    assert re.fullmatch(r"vst_[A-Za-z0-9_-]{40,}\n", result.stdout)
    token = result.stdout.strip()
    assert client.get("/api/staff/me", headers=bearer(token)).json()["roles"] == ["training_admin"]
    assert audit_actions(settings.database_url, "token.")[0][:2] == ("token.create", "command line")


def test_users_disable_ends_sessions_and_tokens(client: TestClient, settings: Settings) -> None:
    invoke(settings, "users", "create", "stayer@example.org", "--role", "admin", stdin=GOOD + "\n")
    invoke(settings, "users", "create", "leaver@example.org", "--role", "admin", stdin=GOOD + "\n")
    token = invoke(settings, "tokens", "create", "leaver@example.org", "--name", "n").stdout.strip()
    log_in(client, "leaver@example.org", GOOD)
    assert client.get("/staff/", follow_redirects=False).status_code == 200
    result = invoke(settings, "users", "disable", "leaver@example.org")
    assert result.exit_code == 0
    assert result.output == "disabled leaver@example.org: its sessions ended and its API tokens were revoked\n"
    assert client.get("/staff/", follow_redirects=False).status_code == 303
    assert client.get("/api/staff/me", headers=bearer(token)).status_code == 401
    refused = invoke(settings, "tokens", "create", "leaver@example.org", "--name", "n")
    assert refused.exit_code == 1
    assert "The account is disabled" in refused.output
    assert audit_actions(settings.database_url, "user.disable")[0][:2] == ("user.disable", "command line")


def test_users_disable_refuses_the_last_active_administrator(client: TestClient, settings: Settings) -> None:
    invoke(settings, "users", "create", "only@example.org", "--role", "admin", stdin=GOOD + "\n")
    invoke(settings, "users", "create", "helper@example.org", "--role", "voice_reviewer", stdin=GOOD + "\n")
    result = invoke(settings, "users", "disable", "only@example.org")
    assert result.exit_code == 1
    assert "This would leave no active administrator" in result.output
    assert sorted(_users(settings)) == [("helper@example.org", "", True), ("only@example.org", "", True)]
    assert log_in(client, "only@example.org", GOOD).status_code == 303
    assert audit_actions(settings.database_url, "user.disable") == []
    assert invoke(settings, "users", "disable", "helper@example.org").exit_code == 0


def test_an_unmigrated_database_gets_the_next_step(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    result = invoke(settings, "users", "create", "x@example.org", "--role", "admin", stdin=GOOD + "\n")
    assert result.exit_code == 1
    assert "run `voice-service db upgrade` first" in result.output


def test_the_installed_command_makes_the_first_admin_from_a_pipe(client: TestClient, settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DATABASE_URL": settings.database_url}
    result = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(COMMAND), "users", "create", "boss@example.org", "--role", "admin"],
        input=GOOD + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert log_in(client, "boss@example.org", GOOD).status_code == 303
