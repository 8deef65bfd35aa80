"""`voice-service users ...` and `voice-service tokens ...`: the first account, and accounts for scripts.

Every change is audited with the command-line actor. Passwords are read from standard input when
it is not a terminal (for scripts), otherwise asked for twice without echo.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.accounts import people, second_factor, service, tokens
from voice_service.accounts.passwords import password_problem
from voice_service.accounts.roles import ROLE_DESCRIPTIONS, ROLES
from voice_service.core.audit import CLI
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings

T = TypeVar("T")
ROLE_HELP = "; ".join(f"{role}: {ROLE_DESCRIPTIONS[role][0].lower()}{ROLE_DESCRIPTIONS[role][1:]}" for role in ROLES)
PROMPT_TRIES = 3


def _run(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run one piece of async work on a fresh engine; a database problem or refusal exits 1 with a message."""

    async def run() -> T:
        engine = create_engine(Settings.from_env())
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except (OperationalError, ProgrammingError):
        click.echo("The database is not set up: run `voice-service db upgrade` first", err=True)
        sys.exit(1)
    except service.AccountError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


def _interactive() -> bool:
    """Whether a person is typing at a terminal (rather than a script piping the password in)."""
    return sys.stdin.isatty()


def _read_password(email: str) -> str:
    """The new password: one line of standard input, or asked twice at a terminal."""
    if not _interactive():
        password = sys.stdin.readline().rstrip("\r\n")
        if problem := password_problem(password, email):
            click.echo(f"Password refused: {problem}.", err=True)
            sys.exit(1)
        return password
    for _ in range(PROMPT_TRIES):
        typed: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if not (problem := password_problem(typed, email)):
            return typed
        click.echo(f"Password refused: {problem}.", err=True)
    sys.exit(1)


@click.group(help="Staff accounts: create the first administrator, or disable an account.")
def users() -> None:
    """Staff account commands."""


@users.command("create", help=f"Create a staff account with a password. Roles: {ROLE_HELP}.")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="A role (repeatable).")
@click.option("--name", default="", help="The person's name, as shown on staff pages.")
def users_create(email: str, roles: tuple[str, ...], name: str) -> None:
    """Check the email, read the password, create the account."""
    try:
        email = service.clean_email(email)
    except service.InvalidEmail as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from None
    password = _read_password(email)
    person = _run(lambda engine: service.create_user(engine, email, name, roles, actor=CLI, password=password))
    click.echo(f"created {person.email} with roles: {', '.join(person.roles)}")


@users.command(
    "disable",
    help="Disable a staff account: its sessions end at once and its API tokens stop working. "
    "The last active administrator cannot be disabled.",
)
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable the account with this email."""

    async def disable(engine: AsyncEngine) -> str:
        person = await service.find_user(engine, email)
        if person is None:
            raise service.UserNotFound("There is no account with that email address")
        # Why: the same rules as the staff pages, so the command line cannot leave nobody able to administer.
        await people.disable_person(engine, person.id, actor=CLI)
        return person.email

    click.echo(f"disabled {_run(disable)}: its sessions ended and its API tokens were revoked")


@users.command(
    "reset-second-factor",
    help="Turn off two-step verification for EMAIL (lost phone and recovery codes); they set it up again.",
)
@click.argument("email")
def users_reset_second_factor(email: str) -> None:
    """Turn the account's two-step verification off and delete its recovery codes."""

    async def reset(engine: AsyncEngine) -> tuple[str, bool]:
        person = await service.find_user(engine, email)
        if person is None:
            raise service.UserNotFound("There is no account with that email address")
        return person.email, await second_factor.clear_second_factor(engine, person.id, CLI)

    found, was_on = _run(reset)
    click.echo(f"two-step verification turned off for {found}" if was_on else f"{found} had no two-step verification")


@click.group(help="Personal API tokens for the staff API.")
def tokens_group() -> None:
    """Personal API token commands."""


@tokens_group.command("create", help="Create a personal API token for EMAIL and print it (and nothing else).")
@click.argument("email")
@click.option("--name", required=True, help="What will use the token, for example 'nightly export'.")
def tokens_create(email: str, name: str) -> None:
    """Print a new token for the account; it cannot be shown again."""

    async def create(engine: AsyncEngine) -> str:
        person = await service.find_user(engine, email)
        if person is None:
            raise service.UserNotFound("There is no account with that email address")
        _info, token = await tokens.create_token(engine, person.id, name, actor=CLI)
        return token

    click.echo(_run(create))
