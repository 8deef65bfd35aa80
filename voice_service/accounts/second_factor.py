"""Two-step verification: setting TOTP up and off, recovery codes, and the second step of logging in.

Every change is audited; a code or password typed here is never logged or stored, only checked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.accounts import totp
from voice_service.accounts.identity import Identity
from voice_service.accounts.limits import PER_ACCOUNT, PER_ADDRESS, count_attempt, forget_attempt
from voice_service.accounts.passwords import MAX_LENGTH, verify_password_async
from voice_service.accounts.sessions import complete_second_factor
from voice_service.accounts.tables import RECOVERY_CODES, STAFF_SESSIONS, STAFF_USERS
from voice_service.core.audit import Actor, Target, audit
from voice_service.core.settings import Settings

#: Longer than any code typed with spaces; anything longer is refused before it is looked at.
MAX_CODE = 40
RECOVERY_CODE_LETTERS = 10
ENTER_CODE = "Enter the 6-digit code from your authenticator app"
CODE_SHAPE = "The code must be 6 numbers, like 123456"
WRONG_CODE = "The code is not right. Enter the newest code your authenticator app shows"
USED_CODE = "That code has been used already. Wait for your app to show a new code, then enter it"
ENTER_RECOVERY = "Enter one of your recovery codes"
WRONG_RECOVERY = "The recovery code is not right, or it has been used already"
ENTER_PASSWORD = "Enter your password"  # noqa: S105 - a message, not a password
WRONG_PASSWORD = "Your password is not right"  # noqa: S105 - a message, not a password


class SecondFactorError(ValueError):
    """A change that cannot be made; the message is for the person and names no secret."""

    field = "code"


class AlreadyOn(SecondFactorError):
    """Two-step verification is on already: it cannot be set up again without turning it off."""


class NotOn(SecondFactorError):
    """Two-step verification is off: there is nothing to turn off or renew."""


class NoSetupStarted(SecondFactorError):
    """A code was sent for a setup that was never started (or was finished in another tab)."""


class WrongCode(SecondFactorError):
    """The code is missing, malformed, wrong or used already."""


class WrongPassword(SecondFactorError):
    """The password given to confirm a change is missing or wrong."""

    field = "password"


class TooManyAttempts(SecondFactorError):
    """Too many wrong codes or passwords for this account: wait before trying again."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__("Too many attempts")
        self.wait = wait


@dataclass(frozen=True)
class TwoStepStatus:
    """Where a person is with two-step verification."""

    enabled: bool
    #: The QR code and secret of a setup started but not yet confirmed.
    pending: totp.TotpSetup | None
    recovery_codes_left: int


@dataclass(frozen=True)
class SecondFactorOutcome:
    """What a second-step attempt came to: a verified session, a refusal, or a wait."""

    #: The new cookie value, when the code was right.
    secret: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    wait: timedelta | None = None
    recovery_code_used: bool = False


def _now() -> datetime:
    """The time codes are checked against (a function, so tests can move it a time step on)."""
    return datetime.now(UTC)


def setup_required(settings: Settings, identity: Identity) -> bool:
    """Whether this person must set up two-step verification before using anything else."""
    return settings.require_totp_for_admin and "admin" in identity.roles and not identity.totp_enabled


def group_secret(secret: str) -> str:
    """The secret in groups of four, as it is easiest to type into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _target(identity: Identity) -> Target:
    return Target("staff_user", str(identity.user_id))


async def _user(conn: AsyncConnection, user_id: uuid.UUID) -> Any:
    return (await conn.execute(select(STAFF_USERS).where(STAFF_USERS.c.id == user_id))).one()


async def _codes_left(conn: AsyncConnection, user_id: uuid.UUID) -> int:
    statement = select(func.count()).where(RECOVERY_CODES.c.user_id == user_id, RECOVERY_CODES.c.used_at.is_(None))
    return int(await conn.scalar(statement) or 0)


async def status(engine: AsyncEngine, identity: Identity) -> TwoStepStatus:
    """Whether two-step verification is on, the setup in progress, and how many recovery codes are left."""
    async with engine.connect() as conn:
        user = await _user(conn, identity.user_id)
        left = await _codes_left(conn, identity.user_id)
    pending = None
    if not user.totp_enabled and user.totp_secret:
        pending = totp.setup_for(user.totp_secret, user.email)
    return TwoStepStatus(bool(user.totp_enabled), pending, left)


async def begin_setup(engine: AsyncEngine, identity: Identity) -> None:
    """Store a new secret, not yet trusted, for the person to add to their app (replacing an unfinished one)."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(STAFF_USERS)
            .where(STAFF_USERS.c.id == identity.user_id, STAFF_USERS.c.totp_enabled.is_(False))
            .values(totp_secret=totp.new_secret())
        )
    if result.rowcount == 0:
        raise AlreadyOn("Two-step verification is on already")


def _code_problem(code: str) -> str | None:
    """Why a typed code cannot be a TOTP code (before any secret is looked at), or None."""
    digits = "".join(code.split()) if len(code) <= MAX_CODE else "x"
    if not digits:
        return ENTER_CODE
    if len(digits) != 6 or not digits.isascii() or not digits.isdigit():
        return CODE_SHAPE
    return None


async def _accept_code(conn: AsyncConnection, user: Any, code: str, now: datetime) -> str | None:
    """Use up a TOTP code (its step is stored, so it cannot be replayed); None when accepted, else why not."""
    if problem := _code_problem(code):
        return problem
    step = totp.accepted_step(user.totp_secret, code, now, user.totp_last_step)
    if step is None:
        replayed = totp.accepted_step(user.totp_secret, code, now, None) is not None
        return USED_CODE if replayed else WRONG_CODE
    # Why conditional: of two requests racing with the same code, only one moves the step on.
    result = await conn.execute(
        update(STAFF_USERS)
        .where(
            STAFF_USERS.c.id == user.id,
            or_(STAFF_USERS.c.totp_last_step.is_(None), STAFF_USERS.c.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    return None if result.rowcount == 1 else USED_CODE


async def _new_recovery_codes(conn: AsyncConnection, user_id: uuid.UUID) -> list[str]:
    """Replace every recovery code of the person by ten new ones; returns them (only hashes are stored)."""
    codes = totp.new_recovery_codes()
    await conn.execute(delete(RECOVERY_CODES).where(RECOVERY_CODES.c.user_id == user_id))
    await conn.execute(
        insert(RECOVERY_CODES), [{"code_hash": totp.recovery_code_hash(c), "user_id": user_id} for c in codes]
    )
    return codes


async def confirm_setup(
    engine: AsyncEngine, identity: Identity, code: str, address: str, now: datetime | None = None
) -> list[str]:
    """Turn two-step verification on once a code from the new secret is right; returns the recovery codes.

    The person's other sessions end: they were opened with the password alone.
    """
    now = now or _now()
    async with engine.begin() as conn:
        user = await _user(conn, identity.user_id)
        if user.totp_enabled:
            raise AlreadyOn("Two-step verification is on already")
        if not user.totp_secret:
            raise NoSetupStarted("Start setting up two-step verification again")
        if problem := await _accept_code(conn, user, code, now):
            raise WrongCode(problem)
        await conn.execute(update(STAFF_USERS).where(STAFF_USERS.c.id == user.id).values(totp_enabled=True))
        codes = await _new_recovery_codes(conn, user.id)
        others = STAFF_SESSIONS.c.id_hash != (identity.session_hash or "")
        await conn.execute(delete(STAFF_SESSIONS).where(STAFF_SESSIONS.c.user_id == user.id, others))
        await audit(conn, identity.actor, "totp.enabled", _target(identity), address)
    return codes


async def _check_password(engine: AsyncEngine, identity: Identity, password: str, address: str, action: str) -> None:
    """Prove the person is at the keyboard; wrong passwords count against the account's login limit."""
    if not password:
        raise WrongPassword(ENTER_PASSWORD)
    now = _now()
    async with engine.begin() as conn:
        wait = await count_attempt(conn, PER_ACCOUNT, identity.email, now)
        user = await _user(conn, identity.user_id)
    if wait:
        await audit(engine, identity.actor, "auth.login_blocked", _target(identity), address)
        raise TooManyAttempts(wait)
    matches = await verify_password_async(user.password_hash, password[: MAX_LENGTH + 1])
    if not matches or len(password) > MAX_LENGTH:
        await audit(engine, identity.actor, action, _target(identity), address)
        raise WrongPassword(WRONG_PASSWORD)
    async with engine.begin() as conn:
        await forget_attempt(conn, PER_ACCOUNT, identity.email)


async def clear_second_factor(engine: AsyncEngine, user_id: uuid.UUID, actor: Actor, address: str = "") -> bool:
    """Turn two-step verification off and delete the recovery codes; False when it was not on."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(STAFF_USERS)
            .where(STAFF_USERS.c.id == user_id, STAFF_USERS.c.totp_enabled.is_(True))
            .values(totp_enabled=False, totp_secret=None, totp_last_step=None)
        )
        if result.rowcount == 0:
            return False
        await conn.execute(delete(RECOVERY_CODES).where(RECOVERY_CODES.c.user_id == user_id))
        await audit(conn, actor, "totp.disabled", Target("staff_user", str(user_id)), address)
    return True


async def turn_off(engine: AsyncEngine, identity: Identity, password: str, address: str) -> None:
    """Turn two-step verification off after the password is given again."""
    if not identity.totp_enabled:
        raise NotOn("Two-step verification is off already")
    await _check_password(engine, identity, password, address, "totp.disable_refused")
    if not await clear_second_factor(engine, identity.user_id, identity.actor, address):
        raise NotOn("Two-step verification is off already")


async def renew_recovery_codes(engine: AsyncEngine, identity: Identity, password: str, address: str) -> list[str]:
    """Ten new recovery codes after the password is given again; the old ones stop working."""
    if not identity.totp_enabled:
        raise NotOn("Two-step verification is off")
    await _check_password(engine, identity, password, address, "totp.recovery_codes_refused")
    async with engine.begin() as conn:
        codes = await _new_recovery_codes(conn, identity.user_id)
        await audit(conn, identity.actor, "totp.recovery_codes_renewed", _target(identity), address)
    return codes


def _recovery_problem(recovery_code: str) -> str | None:
    """Why a typed recovery code cannot be one of ours (before anything is looked up), or None."""
    if not recovery_code.strip():
        return ENTER_RECOVERY
    letters = [ch for ch in recovery_code.lower() if ch not in " -"]
    if len(letters) != RECOVERY_CODE_LETTERS or any(ch not in totp.RECOVERY_ALPHABET for ch in letters):
        return WRONG_RECOVERY
    return None


async def _use_recovery_code(conn: AsyncConnection, user_id: uuid.UUID, recovery_code: str, now: datetime) -> bool:
    """Mark a recovery code used; False when it is not one of the person's unused codes."""
    result = await conn.execute(
        update(RECOVERY_CODES)
        .where(
            RECOVERY_CODES.c.user_id == user_id,
            RECOVERY_CODES.c.code_hash == totp.recovery_code_hash(recovery_code),
            RECOVERY_CODES.c.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return result.rowcount == 1


async def second_step(
    engine: AsyncEngine,
    identity: Identity,
    address: str,
    *,
    code: str = "",
    recovery_code: str | None = None,
    now: datetime | None = None,
) -> SecondFactorOutcome:
    """Check a TOTP code (or, given one, a recovery code) for a session waiting for it; open a verified one."""
    field_name = "code" if recovery_code is None else "recovery_code"
    problem = _code_problem(code) if recovery_code is None else _recovery_problem(recovery_code)
    if problem in (ENTER_CODE, ENTER_RECOVERY):
        return SecondFactorOutcome(errors={field_name: problem})
    now = now or _now()
    target = _target(identity)
    async with engine.begin() as conn:
        # Counted before checking, as a password is: a burst of parallel guesses is capped too.
        wait = max(
            (await count_attempt(conn, PER_ACCOUNT, identity.email, now)) or timedelta(0),
            (await count_attempt(conn, PER_ADDRESS, address, now)) or timedelta(0),
        )
    if wait:
        await audit(engine, identity.actor, "auth.login_blocked", target, address)
        return SecondFactorOutcome(wait=wait)
    async with engine.begin() as conn:
        user = await _user(conn, identity.user_id)
        if not user.totp_enabled or not user.totp_secret:
            problem = WRONG_CODE if recovery_code is None else WRONG_RECOVERY
        elif recovery_code is None:
            problem = await _accept_code(conn, user, code, now)
        elif problem is None and not await _use_recovery_code(conn, user.id, recovery_code, now):
            problem = WRONG_RECOVERY
        if problem is None:
            await forget_attempt(conn, PER_ACCOUNT, identity.email, reset=True)
            await forget_attempt(conn, PER_ADDRESS, address)
            if recovery_code is not None:
                await audit(conn, identity.actor, "auth.recovery_code_used", target, address)
    if problem is not None:
        await audit(engine, identity.actor, "auth.second_factor_failed", target, address)
        return SecondFactorOutcome(errors={field_name: problem})
    secret = await complete_second_factor(engine, identity, address)
    return SecondFactorOutcome(secret=secret, recovery_code_used=recovery_code is not None)
